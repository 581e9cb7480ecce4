"""One of every exit-stage record, written through the services into an existing world
(used by the exchange tests: tests/integration/test_exchange.py builds its rich dataset
with it, tests/integration/test_exchange_exits.py checks the exit rules)."""

from __future__ import annotations

from datetime import date

from fundops.exits import claims, ipo, ipo_prices, ipo_sales, services, transfer_options
from fundops.exits import transfers as lp_transfers
from fundops.exits.reminders import raise_fund_reminders
from fundops.models import Investor
from fundops.portfolio import ledger_services as ledger
from tests.factories import World, make_company

PRICES = "exchange,ticker,date,close\n" + "".join(
    f"SSE,688001,{d},{p}\n" for d, p in (("2022-06-30", "61.5"), ("2023-06-30", "72.125"),
                                         ("2023-09-01", "80")))


def _company(world: World, on: str, amount: str, shares: str | None) -> int:
    company = make_company(world.gp)
    ledger.record_investment(world.gp, world.fund.id, company_id=company.id, round_name="B",
                             instrument="ordinary_equity", invested_on=on, amount=amount,
                             shares=shares)
    return company.id


def build_exits(world: World, guidance_lp: Investor | None = None) -> dict[str, int]:
    """In ``world.fund`` (which holds ``world.company``: 1,000,000 shares, 2020-07-15):
    an IPO with prices, a mark, a sale and an in-kind distribution; a trade sale with
    escrow released (and that release reversed) and forfeited; an open buy-back claim;
    a liquidation reversed and a tolerated write-off; reminders of each kind; an S-fund
    transfer reversed and one kept; a buy-out option on ``guidance_lp`` if given."""
    gp, fund = world.gp, world.fund
    listing = ipo.record_listing(gp, fund.id, world.company.id, "2022-06-15", "SSE", "688001",
                                 "400000000", "1000000", "qualifying_vc", True,
                                 liquidity_discount_rate="0.2")
    ipo_prices.load_prices(gp, PRICES)
    ipo_prices.mark_listing(gp, listing.id, "2023-06-30")
    raise_fund_reminders(fund.id, date(2023, 6, 1))  # the lock-up ends within 30 days
    ipo_sales.record_ipo_sale(gp, listing.id, "2023-09-01", "100000", "80", "bidding",
                              counterparty="=二级市场")
    ipo_sales.distribute_in_kind(gp, listing.id, "2023-09-15", "50000", "79.5")
    sold = _company(world, "2021-01-10", "10000000", "100000")
    sale = services.record_trade_sale(
        gp, fund.id, company_id=sold, kind="trade_sale", value_on="2023-05-31",
        consideration="8000000", fraction="0.5", escrow="1000000", escrow_due_on="2024-05-31",
        counterparty="并购方甲", source_ref="EX-1")
    raise_fund_reminders(fund.id, date(2024, 5, 15))
    first = services.release_escrow(gp, sale.id, value_on="2024-06-03", amount="600000",
                                    outcome="released")
    services.reverse_escrow_release(gp, first.id, "-wrong amount")
    services.release_escrow(gp, sale.id, value_on="2024-06-04", amount="600000.01",
                            outcome="released")
    services.release_escrow(gp, sale.id, value_on="2024-06-05", amount="399999.99",
                            outcome="forfeited")
    claimed = _company(world, "2021-02-01", "5000000", None)
    claim = claims.open_claim(gp, fund.id, company_id=claimed, obligor_kind="founders",
                              obligor_name="创始人乙", trigger="no_ipo_by_date",
                              triggered_on="2023-12-31", rate="0.08", method="simple",
                              dividends="10000")
    raise_fund_reminders(fund.id, date(2023, 12, 20))
    lost = _company(world, "2021-03-01", "3000000", None)
    wrong = services.record_liquidation(gp, fund.id, company_id=lost, kind="liquidation",
                                        value_on="2023-04-30", reason="清算", proceeds="1000")
    services.reverse_exit(gp, wrong.id, "booked on the wrong company")
    written = services.record_liquidation(
        gp, fund.id, company_id=lost, kind="write_off", value_on="2023-05-31",
        reason="经营失败", approval_doc="投决〔2023〕7号", tolerated=True)
    return {"listing": listing.id, "sale": sale.id, "claim": claim.id,
            "write_off": written.id, **_transfers(world, guidance_lp)}


def _transfers(world: World, guidance_lp: Investor | None) -> dict[str, int]:
    gp, fund = world.gp, world.fund
    terms = {"reference_on": "2023-12-31", "reference_nav": "20000000", "discount_rate": "0.1"}
    undone = lp_transfers.record_transfer(
        gp, fund.id, seller_id=world.lps[1].id, buyer_id=world.lps[2].id,
        transfer_on="2024-07-01", commitment_amount="50000000", **terms)
    lp_transfers.reverse_transfer(gp, fund.id, undone.id, "signed in error")
    kept = lp_transfers.record_transfer(
        gp, fund.id, seller_id=world.lps[1].id,
        new_buyer=lp_transfers.NewBuyer("示例S基金", "private"), transfer_on="2024-07-02",
        platform="beijing", memo="+S fund", **terms)
    out = {"transfer": kept.id}
    if guidance_lp is not None:
        out["option"] = transfer_options.create_option(
            gp, fund.id, holder_id=guidance_lp.id, window_from="2024-07-01",
            window_to="2027-06-30", eligible="social_lps", rate="0.035").id
    return out
