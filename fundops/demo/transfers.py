"""Demo: an S-fund sale of an LP interest at a discount, and a buy-out option on a
government LP's interest whose window is open today (illustrative data)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundops.calc.transfer_pricing import fen
from fundops.clock import business_today
from fundops.exits import transfer_options, transfers
from fundops.exits.transfer_enums import GOVERNMENT_TYPES
from fundops.exits.transfer_register import interests_on, later_register_use
from fundops.extensions import db
from fundops.portfolio.models import Commitment, Fund, Investor
from fundops.uow import Actor


def load_transfers(actors: dict[str, Actor], funds: dict[str, Fund]) -> list[str]:
    """Record the demo's transfer and option in the first GP fund that allows them."""
    gp = actors["gp1"]
    today = business_today()
    for fund in funds.values():
        if fund.organisation_id != gp.organisation_id or fund.life_end_on < today \
                or later_register_use(fund.id, today) is not None:
            continue
        lps = list(db.session.scalars(
            sa.select(Investor).join(Commitment, Commitment.investor_id == Investor.id)
            .where(Commitment.fund_id == fund.id).distinct().order_by(Investor.id)))
        held = interests_on(fund.id, [lp.id for lp in lps], today)
        social = [lp for lp in lps if lp.investor_type not in GOVERNMENT_TYPES
                  and lp.investor_type.value != "state_owned" and held[lp.id].committed > 0]
        gov = [lp for lp in lps if lp.investor_type in GOVERNMENT_TYPES
               and held[lp.id].committed > 0]
        if len(social) < 2 or not gov:
            continue
        seller = social[0]
        sold = transfers.record_transfer(
            gp, fund.id, seller_id=seller.id,
            new_buyer=transfers.NewBuyer("示例S基金（有限合伙）", "private"),
            transfer_on=today, commitment_amount=fen(held[seller.id].committed / 2),
            reference_on=today - timedelta(days=90),
            reference_nav=fen(max(held[seller.id].paid_in / 2, Decimal(0))),
            discount_rate="0.15", memo="示例：S基金按85折受让")
        transfer_options.create_option(
            gp, fund.id, holder_id=gov[0].id, window_from=today - timedelta(days=30),
            window_to=today + timedelta(days=3 * 365), eligible="social_lps",
            rate="0.035", memo="示例：让利受让选择权")
        return [f"S-fund transfer #{sold.id} and a buy-out option in {fund.code}"]
    return []
