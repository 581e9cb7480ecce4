"""The demo's IPO story: a holding of 启明 (gp1) lists in March 2023 on the STAR market,
is marked at the 2023 year-end close less a 20 % lock-up discount, unlocks in March 2024
and is partly sold down by centralised bidding within its reverse-linkage window.
Everything goes through the services, like user input."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from fundops.exits import ipo, ipo_prices, ipo_sales
from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, Investment
from fundops.portfolio.models import Fund
from fundops.uow import Actor

LISTED_ON = date(2023, 3, 15)
PRICES = [("2023-03-31", "38.20"), ("2023-12-29", "31.45"), ("2024-03-29", "29.80"),
          ("2024-04-15", "30.12"), ("2024-06-28", "27.65")]


def _holding(fund_ids: list[int]) -> tuple[int, int] | None:
    """A (fund, company) first invested before mid-2021 with no proceeds yet."""
    sold = sa.select(CashFlow.company_id).where(CashFlow.kind == CashFlowKind.PROCEEDS,
                                                CashFlow.company_id.is_not(None))
    row = db.session.execute(
        sa.select(Investment.fund_id, Investment.company_id)
        .where(Investment.fund_id.in_(fund_ids), Investment.company_id.not_in(sold))
        .group_by(Investment.fund_id, Investment.company_id)
        .having(sa.func.min(Investment.invested_on) <= date(2021, 6, 30))
        .order_by(Investment.fund_id, Investment.company_id).limit(1)).first()
    return None if row is None else (row[0], row[1])


def load_ipo(actors: dict[str, Actor], funds: dict[str, Fund]) -> list[str]:
    """Write the story; returns a line for the load summary (none if no holding fits)."""
    gp = actors["gp1"]
    owned = [f.id for f in funds.values() if f.organisation_id == gp.organisation_id]
    found = _holding(owned)
    if found is None:
        return []
    listing = ipo.record_listing(gp, found[0], found[1], LISTED_ON, "SSE", "688688",
                                 "400000000", "12000000", "qualifying_vc", True,
                                 liquidity_discount_rate="0.2")
    csv = "exchange,ticker,date,close\n" + "".join(f"SSE,688688,{d},{p}\n" for d, p in PRICES)
    ipo_prices.load_prices(gp, csv)
    ipo_prices.mark_listing(gp, listing.id, "2023-12-31")
    ipo_sales.record_ipo_sale(gp, listing.id, "2024-04-15", "2000000", "30.12", "bidding",
                              counterparty="二级市场")
    ipo_prices.mark_listing(gp, listing.id, "2024-06-30")
    return [(f"IPO: SSE:688688 listed {LISTED_ON.isoformat()}, unlocked "
            f"{listing.lockup_ends_on.isoformat()}, 2,000,000 shares sold")]
