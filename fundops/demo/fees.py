"""Demo: management fees in one of 启明's (gp1) funds, through the services like user input
(illustrative data): the usual RMB terms — 2 %/yr on commitments until the end of the
investment period, then 1.5 %/yr on the cost of investments still held until the term
ends, quarterly in advance, called from the LPs, 80 % of the transaction and monitoring
fees received offset — effective at the fund's inception; the fee of :data:`DISCARDED` is
prepared and discarded (the fees received were left out), that of :data:`LIVE` prepared
with the fees received and left as a draft for a person to check and post. Nothing is
posted, so the ledger and the other stories are as without this one.

The fund is gp1's first by code whose term covers both quarters (the fund whose pages the
Chinese walk reaches first). It runs last in :meth:`fundops.demo.loader.Loader.run`.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from fundops.calc.fees import FeePeriod
from fundops.extensions import db
from fundops.portfolio.models import Fund
from fundops.reports.fees import services as fees
from fundops.uow import Actor

DISCARDED = FeePeriod.parse("2025Q3")
LIVE = FeePeriod.parse("2025Q4")


def _fund(gp: Actor) -> Fund | None:
    funds = db.session.scalars(sa.select(Fund).where(
        Fund.organisation_id == gp.organisation_id).order_by(Fund.code))
    return next((f for f in funds if f.inception_on < DISCARDED.start
                 and LIVE.end <= f.term_end_on and f.investment_period_end_on < f.term_end_on),
                None)


def load_fees(actors: dict[str, Actor]) -> list[str]:
    """The fee story (see the module); one summary line, or none without a fitting fund."""
    gp = actors["gp1"]
    fund = _fund(gp)
    if fund is None:
        return []
    step_down = fund.investment_period_end_on + timedelta(days=1)
    fees.set_terms(gp, fund.id, effective_on=fund.inception_on, offset_rate="0.8",
                   memo="示例：投资期内按认缴2%，其后按在投成本1.5%，按季预收",
                   tiers=[fees.TierIn("commitment", "0.02", fund.inception_on,
                                      fund.investment_period_end_on),
                          fees.TierIn("invested_cost", "0.015", step_down, fund.term_end_on)])
    first = fees.prepare_draft(gp, fund.id, str(DISCARDED))
    fees.discard_draft(gp, fund.id, first.id, "示例：漏填已收交易费，作废后重新生成")
    live = fees.prepare_draft(gp, fund.id, str(LIVE), fee_income="120000")
    line = (f"management fees in {fund.code}: {DISCARDED} drafted and discarded, {LIVE} "
            f"drafted ({live.net_amount:,} net of {live.offset_amount:,} offset)")
    return [line]
