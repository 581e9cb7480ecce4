"""The fund page's book (fundops.portfolio.book): kept in the shared figure cache while the
fund's subtree is unchanged, equal to a fresh read after every kind of write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask

from fundops.extensions import db
from fundops.metrics.cache import wait_for_stores
from fundops.portfolio import book as book_module
from fundops.portfolio import fof_services as fof
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.access import Access
from fundops.portfolio.book import FundBook, fund_book, read_book, visible_lps
from fundops.portfolio.models import Company, Fund, Investor
from fundops.uow import unit_of_work
from tests.factories import fund_with_activity, make_fund, make_user, make_world


@pytest.fixture
def no_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the books read from the database (a kept book is not read)."""
    reads: list[int] = []
    real = book_module.read_book

    def counting(fund_id: int) -> FundBook:
        reads.append(fund_id)
        return real(fund_id)

    monkeypatch.setattr(book_module, "read_book", counting)
    return reads


def rename(model: type[Company] | type[Investor], row_id: int, name: str) -> None:
    """An edit through the ORM in a unit of work (what an edit form's service does)."""
    with unit_of_work():
        row = db.session.get(model, row_id)
        assert row is not None
        row.name = name


def kept(fund: Fund) -> FundBook:
    got = fund_book(fund)
    wait_for_stores()
    db.session.rollback()  # a new request: a new transaction
    return got


def test_the_book_is_kept_until_a_write_in_its_fund(app: Flask, no_reads: list[int]) -> None:
    world = make_world()
    fund_with_activity(world)
    first = kept(world.fund)
    assert first == read_book(world.fund.id)
    assert first.totals.paid_in_amount == Decimal("60000000.00")
    assert first.ledger_count == 3  # the call, the investment, the distribution
    assert [h.company.name for h in first.holdings] == [world.company.name]
    assert first.holdings[0].fair_value_amount == Decimal("65000000.00")
    assert kept(world.fund) == first and no_reads == [world.fund.id]

    ledger.record_capital_call(world.gp, world.fund.id, value_on="2021-03-31",
                               amount="30000000", purpose="investment")
    after = kept(world.fund)
    assert no_reads == [world.fund.id, world.fund.id]
    assert after == read_book(world.fund.id)
    assert after.totals.paid_in_amount == Decimal("90000000.00")
    assert after.ledger_count == first.ledger_count + 1
    assert sum((p.paid_in_amount for p in after.lps), Decimal(0)) == Decimal("90000000.00")


def test_another_tenants_write_leaves_the_book_kept(app: Flask, no_reads: list[int]) -> None:
    world = make_world()
    fund_with_activity(world)
    first = kept(world.fund)
    other_fund = make_fund(world.other)
    lp = services.create_investor(world.other, "Other LP", "private")
    services.add_commitment(world.other, other_fund.id, lp.id, "100000000", "2020-03-01")
    ledger.record_capital_call(world.other, other_fund.id, value_on="2020-06-30",
                               amount="10000000", purpose="investment")
    assert kept(world.fund) == first
    assert no_reads == [world.fund.id]


def test_every_kind_of_write_renews_the_book(app: Flask) -> None:
    """After each write the kept book equals a fresh read: entries, a reversal, NAVs, fair
    values, commitments, an investor's and a company's new name."""
    world = make_world()
    ids = fund_with_activity(world)
    writes = [
        lambda: ledger.record_distribution(world.gp, world.fund.id, value_on="2023-06-30",
                                           amount="5000000", distribution_type="gain"),
        lambda: ledger.reverse_entry(world.gp, world.fund.id, ids["distribution"], "typo"),
        lambda: ledger.record_valuation(world.gp, world.fund.id, as_of="2023-12-31",
                                        nav_amount="80000000"),
        lambda: ledger.record_holding_valuation(world.gp, world.fund.id,
                                                company_id=world.company.id,
                                                as_of="2023-12-31", fair_value_amount="1"),
        lambda: services.add_commitment(
            world.gp, world.fund.id,
            services.create_investor(world.gp, "Late LP", "private").id, "50000000",
            "2021-01-01"),
        lambda: rename(Investor, world.lps[0].id, "Renamed LP"),
        lambda: rename(Company, world.company.id, "改名科技有限公司"),
    ]
    before = kept(world.fund)
    for write in writes:
        write()
        db.session.rollback()
        now = kept(world.fund)
        assert now == read_book(world.fund.id)
        assert now != before
        before = now
    assert before.lps[0].investor_name == "Renamed LP"
    assert before.holdings[0].company.name == "改名科技有限公司"
    assert before.holdings[0].fair_value_amount == Decimal("1.00")


def test_a_sub_funds_write_renews_its_parents_book(app: Flask) -> None:
    world = make_world()
    _, guidance = make_user("引导基金管理人", kind="guidance_fund_manager")
    parent = make_fund(guidance, kind="parent_fund", registration_no="P-BOOK",
                       is_guidance_fund=True, inception_on="2019-06-01")
    lp = services.create_investor(world.gp, "母基金", "guidance_fund",
                                  fund_registration_no="P-BOOK")
    services.add_commitment(world.gp, world.fund.id, lp.id, "400000000", "2020-03-01")
    fof.record_sub_fund_flow(guidance, parent.id, kind="fund_contribution",
                             target_fund_id=world.fund.id, value_on="2020-06-30",
                             amount="40000000")
    [sub] = kept(parent).sub_funds
    assert (sub.fund.id, sub.contributed_amount, sub.latest_nav) == (
        world.fund.id, Decimal("40000000.00"), None)
    assert sub.commitment_share == Decimal("0.4000000000")  # 400m of 1,000m

    ledger.record_valuation(world.gp, world.fund.id, as_of="2022-12-31",
                            nav_amount="70000000")  # in the sub-fund's books
    [sub] = kept(parent).sub_funds
    assert sub.latest_nav is not None and sub.latest_nav.nav_amount == Decimal("70000000.00")


def test_an_lp_viewer_sees_its_own_rows_and_the_rest_summed(app: Flask) -> None:
    world = make_world()
    fund_with_activity(world)
    _, lp_org = make_user("LP org")
    own = make_fund(lp_org, registration_no="LP-OWN")
    mine = services.create_investor(world.gp, "LP org's fund", "private",
                                    fund_registration_no="LP-OWN")
    services.add_commitment(world.gp, world.fund.id, mine.id, "100000000", "2020-03-01")
    book = kept(world.fund)
    assert len(visible_lps(book, Access.MANAGER, world.gp.organisation_id)) == 4
    seen = visible_lps(book, Access.LP, lp_org.organisation_id)
    assert [p.investor_id for p in seen] == [mine.id, None]
    assert seen[1].committed_amount == Decimal("600000000.00")  # the other three LPs
    assert own.id in book.lp_funds
