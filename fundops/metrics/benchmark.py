"""Public market equivalents of a fund against an index series that users load.

KS-PME (a ratio; > 1 means the fund beat the index) and Direct Alpha (annual excess
return over the index, a fraction) of the fund-net flows — LP contributions negative,
distributions positive, with the fund NAV at the as-of date — using the index level on
or before each flow date (``fundops.calc.pme``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa

from fundops.calc import pme
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.metrics.engine import NET_SIGN, _signed, compute
from fundops.metrics.frames import from_day, load_ledger
from fundops.metrics.models import IndexLevel
from fundops.metrics.policy import list_index_levels
from fundops.portfolio.access import get_fund
from fundops.uow import Actor

DEFINITIONS = {
    "ks_pme": (
        "KS-PME =（按指数增长的分配 + 期末净值）/ 按指数增长的出资；大于1表示跑赢指数。",
        (
            "KS-PME = (distributions grown at the index + NAV) / contributions grown at the "
            "index; above 1 means the fund beat the index."
        ),
    ),
    "direct_alpha": (
        "Direct Alpha：按指数复利后的现金流加期末净值的XIRR，即相对指数的年化超额收益。",
        (
            "Direct Alpha: XIRR of the index-compounded flows plus NAV — the annual "
            "excess return over the index."
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class PmeResult:
    """PMEs of one fund at ``as_of`` against ``index_code`` (floats; None = n/a)."""

    index_code: str
    as_of: date
    ks_pme: float | None
    direct_alpha: float | None
    log_alpha: float | None
    flows: int


def index_codes() -> list[str]:
    return list(db.session.scalars(sa.select(IndexLevel.index_code).distinct()
                                   .order_by(IndexLevel.index_code)))


def fund_pme(actor: Actor, fund_id: int, as_of: date, index_code: str) -> PmeResult:
    """KS-PME and Direct Alpha of the fund's net flows against a loaded index."""
    fund, _ = get_fund(actor, fund_id)
    levels = list_index_levels(index_code, end=as_of)
    if not levels:
        raise ValidationError("index", "index_no_levels", index=index_code, on=as_of)
    ledger = load_ledger(as_of, [fund.id])
    f = ledger.flows
    sign = _signed(f[:, 1], NET_SIGN)
    rows = (sign != 0) & (f[:, 0] == fund.id)
    days, cents = f[rows, 2], f[rows, 3] * sign[rows]
    order = np.argsort(days, kind="stable")
    dates = [from_day(d) for d in days[order].tolist()]
    amounts = [c / 100.0 for c in cents[order].tolist()]
    if not dates or dates[0] < levels[0][0]:
        raise ValidationError("index", "index_starts_late", index=index_code)
    nav = compute(ledger, focus={fund.id}, deals=False).fund_net[fund.id].value
    ks = pme.ks_pme(dates, amounts, nav, levels, valuation_date=as_of)
    alpha = pme.direct_alpha(dates, amounts, nav, levels, valuation_date=as_of)
    return PmeResult(index_code, as_of, ks, alpha.alpha, alpha.log_alpha, len(dates))
