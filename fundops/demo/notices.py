"""Demo: notices in 启明's (gp1) funds, through the services like user input (illustrative
data): a receiving account for gp1's first fund by code (the fund whose pages the Chinese
walk reaches first), the notices of that fund's latest capital call (issuing the call
with its due date: the later of 10 days after the notice and the call date) and of its
latest distribution, and the notices of gp1's latest waterfall run (carry withheld from
the LPs). Each notice is dated the entry's date (at most today). Nothing is posted to the
ledger. It runs after the waterfall stories in :meth:`fundops.demo.loader.Loader.run`.
"""

from __future__ import annotations

import sqlalchemy as sa

from fundops.clock import business_today
from fundops.exits.waterfall_models import WaterfallRun, WaterfallRunReversal
from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.models import Fund
from fundops.reports.notices import services as notices
from fundops.reports.notices.queries import pending_entries
from fundops.uow import Actor


def _latest(fund_id: int, kind: CashFlowKind) -> CashFlow | None:
    return next((e for e in pending_entries(fund_id) if e.kind is kind), None)


def _issue(gp: Actor, entry: CashFlow) -> str:
    made = notices.issue_notices(gp, entry.fund_id, entry.id,
                                 issued_on=min(entry.value_on, business_today()))
    return f"{made[0].number} … {made[-1].number}"


def load_notices(actors: dict[str, Actor]) -> list[str]:
    """The notices story (see the module); one summary line, or none without a gp1 fund."""
    gp = actors["gp1"]
    fund = db.session.scalars(sa.select(Fund).where(
        Fund.organisation_id == gp.organisation_id).order_by(Fund.code)).first()
    if fund is None:
        return []
    notices.set_receiving_account(gp, fund.id, effective_on=fund.inception_on,
                                  bank_name="招商银行", branch="深圳分行营业部",
                                  account_name=f"{fund.name_zh}（示例账户）",
                                  account_number="7559 0000 1234 5678")
    made = []
    for kind in (CashFlowKind.CAPITAL_CALL, CashFlowKind.DISTRIBUTION):
        entry = _latest(fund.id, kind)
        if entry is not None:
            made.append(_issue(gp, entry))
    run = db.session.scalars(
        sa.select(WaterfallRun).join(Fund, Fund.id == WaterfallRun.fund_id)
        .where(Fund.organisation_id == gp.organisation_id,
               WaterfallRun.id.not_in(sa.select(WaterfallRunReversal.run_id)))
        .order_by(WaterfallRun.id.desc())).first()
    if run is not None:
        entry = next((e for e in pending_entries(run.fund_id) if e.id == run.cash_flow_id),
                     None)
        if entry is not None:
            made.append(_issue(gp, entry))
    return [f"notices in {fund.code}: " + ", ".join(made)] if made else []
