"""IPO exits through the services, on both databases: a listing and its lock-up, the
sell-down schedule per band, sales against the reverse-linkage windows (refused beyond
them with nothing written), marks from loaded prices with the lock-up discount, selling
out closes the holding, in-kind distributions to the LPs, and a real-thread race."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.calc.lockup import Band, TradeChannel
from fundops.errors import ConflictError, ValidationError
from fundops.exits import ipo, ipo_prices, ipo_sales
from fundops.exits.enums import ExitKind
from fundops.exits.models import ExitEvent, IpoListing, ListedPrice
from fundops.exits.positions import holding_position
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio.enums import CashFlowKind, DistributionType
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation, HoldingValuation
from fundops.uow import Actor
from tests.factories import World, make_company, make_world
from tests.threads import race

D = Decimal
TOTAL = "400000000"  # 1 % = 4,000,000 shares, 2 % = 8,000,000
HELD = "10000000"


@dataclass
class Listed:
    world: World
    listing: IpoListing


def invest(world: World, on: str = "2020-07-15", shares: str | None = None,
           company_id: int | None = None) -> None:
    gp, fund = world.gp, world.fund
    ledger.record_capital_call(gp, fund.id, value_on=on, amount="60000000", purpose="investment")
    ledger.record_investment(gp, fund.id, company_id=company_id or world.company.id,
                             round_name="A", instrument="preferred_equity", invested_on=on,
                             amount="50000000", shares=shares)


def listed(start: str | None = None, *, listed_on: str = "2022-06-15", shares: str | None = None,
           discount: str | None = "0.2", vc: bool = True) -> Listed:
    world = make_world()
    invest(world, shares=shares)
    listing = ipo.record_listing(
        world.gp, world.fund.id, world.company.id, listed_on, "sse", "688001", TOTAL, HELD,
        "qualifying_vc" if vc else "general", vc, investment_start_on=start,
        liquidity_discount_rate=discount)
    return Listed(world, listing)


def counts() -> tuple[int, int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(t))  # type: ignore[return-value]
                 for t in (ExitEvent, CashFlow, HoldingValuation, CashFlowAllocation))


def sell(gp: Actor, listing_id: int, on: str, shares: str, channel: str = "bidding",
         price: str = "20") -> ExitEvent:
    return ipo_sales.record_ipo_sale(gp, listing_id, on, shares, price, channel)


# --- the listing ----------------------------------------------------------------------------

def test_listing_stores_the_lockup_and_defaults_the_start_to_the_first_investment(
        app: Flask) -> None:
    s = listed()
    row = db.session.get(IpoListing, s.listing.id)
    assert row is not None
    assert (row.exchange, row.ticker, row.lockup_months) == ("SSE", "688001", 12)
    assert (row.investment_start_on, row.lockup_ends_on) == (date(2020, 7, 15), date(2023, 6, 15))
    assert row.liquidity_discount_rate == D("0.2") and row.currency == "CNY"


@pytest.mark.parametrize(("start", "band", "days", "cumulative"), [
    (None, Band.UNDER_36, 90, [4_000_000, 8_000_000, 10_000_000]),  # 23 months
    ("2019-06-15", Band.FROM_36, 60, [4_000_000, 8_000_000, 10_000_000]),  # exactly 36
    ("2018-06-15", Band.FROM_48, 30, [4_000_000, 8_000_000, 10_000_000]),  # exactly 48
    ("2017-06-15", Band.FROM_60, None, [10_000_000]),  # exactly 60: no limit
])
def test_the_schedule_in_each_band(app: Flask, start: str | None, band: Band, days: int | None,
                                   cumulative: list[int]) -> None:
    s = listed(start)
    terms = ipo.listing_terms(s.listing)
    assert terms.limit.band is band and terms.limit.window_days == days
    bidding = terms.schedule[TradeChannel.BIDDING]
    assert [w.cumulative for w in bidding] == [D(c) for c in cumulative]
    assert bidding[0].starts_on == date(2023, 6, 15)
    if days:
        assert (bidding[1].starts_on - bidding[0].starts_on).days == days


def test_a_holder_that_is_not_a_qualifying_vc_fund_gets_the_general_band(app: Flask) -> None:
    s = listed("2017-06-15", vc=False)
    terms = ipo.listing_terms(s.listing)
    assert terms.limit.band is Band.GENERAL and terms.limit.window_days == 90


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"listed_on": "2030-01-01"}, "listed_on", "ipo_listed_in_future"),
    ({"shares_held": "500000000"}, "shares_held", "ipo_held_above_total"),
    ({"shares_held": "10.5"}, "shares_held", "ipo_whole_shares"),
    ({"total_shares": "99", "shares_held": "9"}, "total_shares", "ipo_total_too_small"),
    ({"holder_category": "qualifying_vc", "qualifying_vc": False}, "qualifying_vc",
     "ipo_category_needs_vc"),
    ({"holder_category": "controlling"}, "qualifying_vc", "ipo_controlling_not_vc"),
    ({"investment_start_on": "2022-06-16"}, "investment_start_on", "ipo_start_after_listing"),
    ({"liquidity_discount_rate": "1"}, "liquidity_discount_rate", "ipo_discount_range"),
    ({"holder_category": "founder"}, "holder_category", "not_one_of"),
])
def test_bad_listings_are_refused_by_name(app: Flask, change: dict[str, object], field: str,
                                          code: str) -> None:
    world = make_world()
    invest(world)
    args: dict[str, object] = {
        "listed_on": "2022-06-15", "exchange": "SSE", "ticker": "688001",
        "total_shares": TOTAL, "shares_held": HELD, "holder_category": "qualifying_vc",
        "qualifying_vc": True} | change
    with pytest.raises(ValidationError) as err:
        ipo.record_listing(world.gp, world.fund.id, world.company.id, **args)  # type: ignore[arg-type]
    assert (err.value.field, err.value.code) == (field, code)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IpoListing)) == 0


def test_one_listing_per_holding_and_none_without_an_investment(app: Flask) -> None:
    s = listed()
    with pytest.raises(ConflictError) as err:
        ipo.record_listing(s.world.gp, s.world.fund.id, s.world.company.id, "2022-06-15",
                           "SSE", "688002", TOTAL, HELD, "general", False)
    assert err.value.code == "ipo_listing_exists"
    other = make_company(s.world.gp)
    with pytest.raises(ValidationError) as missing:
        ipo.record_listing(s.world.gp, s.world.fund.id, other.id, "2022-06-15", "SSE",
                           "688003", TOTAL, HELD, "general", False)
    assert missing.value.code == "no_investment_in_company"


def test_the_listed_count_must_match_recorded_shares(app: Flask) -> None:
    world = make_world()
    invest(world, shares="8000000")
    with pytest.raises(ValidationError) as err:
        ipo.record_listing(world.gp, world.fund.id, world.company.id, "2022-06-15", "SSE",
                           "688001", TOTAL, HELD, "general", False)
    assert err.value.code == "ipo_shares_differ" and err.value.params["recorded"] == D(8000000)


# --- prices and marks -----------------------------------------------------------------

PRICES = ("exchange,ticker,date,close\n"
          "SSE,688001,2022-12-30,25.50\n"
          "sse,688001,2023-06-16,30\n")


def test_prices_load_all_or_nothing_naming_the_line(app: Flask) -> None:
    s = listed()
    bad = PRICES + "SSE,688001,2023-02-30,31\n"
    with pytest.raises(ValidationError) as err:
        ipo_prices.load_prices(s.world.gp, bad)
    assert (err.value.code, err.value.params["row"]) == ("price_date", 4)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ListedPrice)) == 0
    assert ipo_prices.load_prices(s.world.gp, PRICES) == 2
    with pytest.raises(ValidationError) as again:
        ipo_prices.load_prices(s.world.gp, PRICES)
    assert (again.value.code, again.value.params["row"]) == ("price_exists", 2)
    assert ipo_prices.load_prices(s.world.gp, PRICES.replace("25.50", "25.60"), replace=True) == 2
    with pytest.raises(ValidationError) as dup:
        ipo_prices.load_prices(s.world.gp, PRICES + "SSE,688001,2023-06-16,1\n")
    assert (dup.value.code, dup.value.params["row"], dup.value.params["other"]) == (
        "price_duplicate", 4, 3)
    for text, code in (("a,b\n1,2\n", "price_header"),
                       ("exchange,ticker,date,close\nSSE,1,2023-01-03,-1\n", "price_range"),
                       ("exchange,ticker,date,close\nSSE,1,2023-01-03,x\n", "price_not_number"),
                       ("exchange,ticker,date,close\n", "no_rows")):
        with pytest.raises(ValidationError) as refused:
            ipo_prices.load_prices(s.world.gp, text)
        assert refused.value.code == code


def test_marks_take_the_discount_during_the_lockup_and_not_after(app: Flask) -> None:
    s = listed()
    ipo_prices.load_prices(s.world.gp, PRICES)
    locked = ipo_prices.mark_listing(s.world.gp, s.listing.id, "2023-01-05")
    assert locked.as_of == date(2023, 1, 5)
    assert locked.fair_value_amount == D("204000000.00")  # 10M × 25.50 × 0.8
    assert "2022-12-30" in locked.method and "20%" in locked.method
    free = ipo_prices.mark_listing(s.world.gp, s.listing.id, "2023-06-16")
    assert free.fair_value_amount == D("300000000.00") and "%" not in free.method
    with pytest.raises(ValidationError) as early:
        ipo_prices.mark_listing(s.world.gp, s.listing.id, "2022-12-29")
    assert early.value.code == "ipo_no_price"


# --- sales ----------------------------------------------------------------------------

def test_sales_against_the_window_and_selling_out_closes_the_holding(app: Flask) -> None:
    s = listed()
    gp, lid = s.world.gp, s.listing.id
    with pytest.raises(ValidationError) as locked:
        sell(gp, lid, "2023-06-14", "1000")
    assert locked.value.code == "ipo_locked"
    first = sell(gp, lid, "2023-06-20", "3000000", price="20.005")
    assert (first.kind, first.proceeds_amount, first.shares) == (
        ExitKind.IPO_SALE, D("60015000.00"), D(3000000))
    assert first.channel is TradeChannel.BIDDING and first.listing_id == lid
    assert first.cost_basis_amount == D("15000000.00")  # 50M × 3/10 (average cost)
    before = counts()
    with pytest.raises(ConflictError) as window:
        sell(gp, lid, "2023-07-01", "2000000")
    assert window.value.code == "ipo_window_exceeded"
    assert window.value.params["allowed"] == D(1000000)
    assert window.value.params["next_on"] == date(2023, 9, 18)
    db.session.rollback()
    assert counts() == before
    with pytest.raises(ValidationError) as above:
        sell(gp, lid, "2023-07-01", "7000001", channel="block")
    assert above.value.code == "ipo_above_held"
    last = sell(gp, lid, "2023-07-01", "7000000", channel="block")
    assert last.closes_holding and last.cost_basis_amount == D("35000000.00")
    position = holding_position(s.world.fund.id, s.world.company.id, date(2023, 7, 1))
    assert position.closed and position.value == 0
    with pytest.raises(ValidationError) as gone:
        sell(gp, lid, "2023-10-01", "1")
    assert gone.value.code == "ipo_above_held"


def test_a_sale_after_the_window_frees_up(app: Flask) -> None:
    s = listed("2018-06-15")  # 48 months: 30-day windows
    gp, lid = s.world.gp, s.listing.id
    sell(gp, lid, "2023-06-15", "4000000")
    with pytest.raises(ConflictError) as window:
        sell(gp, lid, "2023-07-14", "1")
    assert window.value.params["next_on"] == date(2023, 7, 15)
    db.session.rollback()
    assert sell(gp, lid, "2023-07-15", "4000000").shares == D(4000000)


def test_with_recorded_shares_the_sale_disposes_of_those_shares(app: Flask) -> None:
    s = listed(shares=HELD)
    event = sell(s.world.gp, s.listing.id, "2023-06-15", "2500000")
    assert (event.shares, event.fraction_disposed) == (D(2500000), D("0.25"))
    position = holding_position(s.world.fund.id, s.world.company.id, date(2023, 6, 15))
    assert position.shares_held == D(7500000)


def test_two_concurrent_sales_beyond_the_window_one_is_refused(app: Flask) -> None:
    s = listed()
    gp, lid = s.world.gp, s.listing.id
    db.session.commit()
    db.session.remove()
    outcomes = race(app, lambda _: sell(gp, lid, "2023-06-20", "3000000"), [0, 1],
                    ConflictError)
    assert sorted(outcomes) == ["ok", "refused"]
    sold = db.session.scalars(sa.select(ExitEvent).where(ExitEvent.listing_id == lid)).all()
    assert [e.shares for e in sold] == [D(3000000)]


# --- in kind --------------------------------------------------------------------------

def test_in_kind_distribution_allocates_to_the_lps_and_nets_to_zero_cash(app: Flask) -> None:
    s = listed()
    gp, lid = s.world.gp, s.listing.id
    with pytest.raises(ValidationError) as locked:
        ipo_sales.distribute_in_kind(gp, lid, "2023-06-01", "1000", "25")
    assert locked.value.code == "ipo_locked"
    event = ipo_sales.distribute_in_kind(gp, lid, "2023-06-30", "2000000", "25.005")
    value = D("50010000.00")
    assert (event.kind, event.proceeds_amount, event.shares) == (
        ExitKind.IN_KIND, value, D(2000000))
    entry = db.session.get(CashFlow, event.distribution_id)
    assert entry is not None and entry.kind is CashFlowKind.DISTRIBUTION
    assert entry.distribution_type is DistributionType.IN_KIND and entry.amount == value
    assert [a.amount for a in entry.allocations] == [
        D("25005000.00"), D("16670000.00"), D("8335000.00")]  # 300 : 200 : 100
    proceeds = db.session.get(CashFlow, event.cash_flow_id)
    assert proceeds is not None and proceeds.kind is CashFlowKind.PROCEEDS
    assert proceeds.amount - entry.amount == 0  # the fund's cash does not move
    assert ipo.shares_held_on(s.listing, date(2023, 6, 30)) == D(8000000)
    # not a market sale: the whole bidding window is still open the same day
    assert sell(gp, lid, "2023-06-30", "4000000").shares == D(4000000)
