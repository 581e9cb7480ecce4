"""The parent-fund overview (one load for three reports) and its write-counter cache."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent, data_version
from fundops.errors import NotFound
from fundops.extensions import db
from fundops.metrics.leverage import leverage
from fundops.metrics.lookthrough import look_through
from fundops.metrics.parent import parent_overview
from fundops.metrics.policy import policy_indicators
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from tests.integration.test_policy import with_rules

M = 1_000_000


@pytest.mark.parametrize(("as_of", "basis"), [(date(2022, 12, 31), "paid_in"),
                                         (date(2021, 12, 31), "commitment"),
                                         (date(2023, 6, 30), "paid_in")])
def test_same_numbers_as_the_three_services(app: Flask, as_of: date, basis: str) -> None:
    f = with_rules()
    overview = parent_overview(f.guidance, f.p.id, as_of, basis)
    assert overview.look_through == look_through(f.guidance, f.p.id, as_of, basis)
    assert overview.leverage == leverage(f.guidance, f.p.id, as_of)
    assert overview.policy == policy_indicators(f.guidance, f.p.id, as_of)
    assert set(overview.labels) >= {f.p.id, f.a.id, f.b.id, f.c.id}
    assert not overview.cached


def test_cached_until_any_write_then_recomputed(app: Flask) -> None:
    f = with_rules()
    when = date(2022, 12, 31)
    first = parent_overview(f.guidance, f.p.id, when)
    again = parent_overview(f.guidance, f.p.id, when)
    assert again.cached and again.data_version == first.data_version
    assert again.look_through is first.look_through

    # a write by another organisation, in a fund the parent reaches through A
    ledger.record_holding_valuation(f.gp_c, f.c.id, company_id=f.x.id, as_of="2022-12-31",
                                    fair_value_amount=str(300 * M))
    after = parent_overview(f.guidance, f.p.id, when)
    assert not after.cached and after.data_version == first.data_version + 1
    assert after.look_through.total_exact > first.look_through.total_exact
    assert after.look_through == look_through(f.guidance, f.p.id, when)


def test_counter_moves_once_per_write_transaction_and_never_on_reads(app: Flask) -> None:
    f = with_rules()
    before = data_version()
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    parent_overview(f.guidance, f.p.id, date(2022, 12, 31))
    look_through(f.guidance, f.p.id, date(2022, 12, 31))
    assert data_version() == before
    services.create_investor(f.gp_a, "新LP", "private")  # one transaction, one event
    assert data_version() == before + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events + 1


def test_access_is_checked_before_the_cache(app: Flask) -> None:
    f = with_rules()
    parent_overview(f.guidance, f.p.id, date(2022, 12, 31))
    with pytest.raises(NotFound):
        parent_overview(f.outsider, f.p.id, date(2022, 12, 31))


def test_another_tenants_write_leaves_the_overview_warm(app: Flask) -> None:
    """A capital call in an unrelated organisation's fund: nothing in P's subtree moved."""
    from tests.factories import make_world

    f = with_rules()
    when = date(2022, 12, 31)
    first = parent_overview(f.guidance, f.p.id, when)
    other = make_world()
    ledger.record_capital_call(other.gp, other.fund.id, value_on="2022-06-30",
                               amount="1000000", purpose="investment")
    again = parent_overview(f.guidance, f.p.id, when)
    assert again.cached and again.look_through is first.look_through
    # and a write in the parent's own fund recomputes it
    ledger.record_valuation(f.guidance, f.p.id, as_of="2022-12-31", nav_amount=str(900 * M))
    assert not parent_overview(f.guidance, f.p.id, when).cached


def test_a_second_process_reuses_the_stored_overview(app: Flask) -> None:
    """Another worker (no objects in its memory) reads the stored figure, not recomputes."""
    f = with_rules()
    when = date(2022, 12, 31)
    first = parent_overview(f.guidance, f.p.id, when)
    app.extensions.pop("fundops.metric_cache")  # what a fresh process has
    again = parent_overview(f.guidance, f.p.id, when)
    assert again.cached and again.look_through is not first.look_through
    assert again.look_through == first.look_through and again.policy == first.policy
    app.config["SECRET_KEY"] = "another-deployment"  # a row signed with another key
    app.extensions.pop("fundops.metric_cache")
    assert not parent_overview(f.guidance, f.p.id, when).cached


def _spy_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[int]]]:
    """Record which funds' rows the overview reads (look-through rows and the books)."""
    from fundops.metrics import lookthrough as lt_module
    from fundops.metrics import parent as parent_module

    reads: list[tuple[str, list[int]]] = []
    facts, deals = lt_module.load_facts, parent_module.load_deals

    def spy_facts(root: int, funds: list[int], part: list[int], *a: object, **k: object) -> object:
        reads.append(("facts", sorted(part)))
        return facts(root, funds, part, *a, **k)  # type: ignore[arg-type]

    def spy_deals(ids: list[int], when: date) -> object:
        reads.append(("deals", sorted(ids)))
        return deals(ids, when)

    monkeypatch.setattr(lt_module, "load_facts", spy_facts)
    monkeypatch.setattr(parent_module, "load_deals", spy_deals)
    return reads


def test_a_write_in_the_parents_own_book_rereads_only_its_own_rows(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows below the parent stay in the shared cache; the numbers are the same as a
    computation that reads everything."""
    f = with_rules()
    when = date(2022, 12, 31)
    reads = _spy_reads(monkeypatch)
    first = parent_overview(f.guidance, f.p.id, when)
    below = sorted([f.a.id, f.b.id, f.c.id])
    assert ("facts", below) in reads and ("deals", sorted([f.a.id, f.b.id])) in reads
    reads.clear()
    ledger.record_fund_flow(f.guidance, f.p.id, kind="expense", value_on="2022-11-30",
                            amount=str(3 * M))
    ledger.record_investment(f.guidance, f.p.id, company_id=f.x.id, round_name="B",
                             instrument="ordinary_equity", invested_on="2022-12-01",
                             amount=str(7 * M))
    after = parent_overview(f.guidance, f.p.id, when)
    assert not after.cached
    assert reads == [("facts", [f.p.id]), ("deals", [f.p.id])]
    assert after.look_through != first.look_through
    assert after.look_through == look_through(f.guidance, f.p.id, when)
    assert after.leverage == leverage(f.guidance, f.p.id, when)
    assert after.policy == policy_indicators(f.guidance, f.p.id, when)


def test_a_write_below_the_parent_rereads_the_rows_below(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    f = with_rules()
    when = date(2022, 12, 31)
    parent_overview(f.guidance, f.p.id, when)
    reads = _spy_reads(monkeypatch)
    ledger.record_holding_valuation(f.gp_c, f.c.id, company_id=f.x.id, as_of="2022-12-30",
                                    fair_value_amount=str(250 * M))
    after = parent_overview(f.guidance, f.p.id, when)
    assert ("facts", sorted([f.a.id, f.b.id, f.c.id])) in reads
    assert after.look_through == look_through(f.guidance, f.p.id, when)


def test_a_new_sub_fund_is_a_miss_for_the_rows_below(app: Flask) -> None:
    """The cached rows are keyed by the set of funds below: a new link reads them again."""
    from tests.factories import make_company, make_fund, make_user

    f = with_rules()
    when = date(2022, 12, 31)
    first = parent_overview(f.guidance, f.p.id, when)
    _, gd = make_user("GP D overview")
    d = make_fund(gd)
    p_in_d = services.create_investor(gd, "母基金P", "guidance_fund",
                                      fund_registration_no=f.p.registration_no)
    services.add_commitment(gd, d.id, p_in_d.id, str(100 * M), "2022-01-10")
    ledger.record_capital_call(gd, d.id, value_on="2022-02-01", amount=str(50 * M),
                               purpose="investment")
    v = make_company(gd, "V 软件", sector="软件", stage="seed", region_code="440300",
                     is_hard_tech=False, is_sme=True, tags=[])
    ledger.record_investment(gd, d.id, company_id=v.id, round_name="A",
                             instrument="ordinary_equity", invested_on="2022-03-01",
                             amount=str(40 * M))
    after = parent_overview(f.guidance, f.p.id, when)
    assert v.id in {row.company_id for row in after.look_through.rows}
    assert v.id not in {row.company_id for row in first.look_through.rows}
    assert after.look_through == look_through(f.guidance, f.p.id, when)
    assert after.policy == policy_indicators(f.guidance, f.p.id, when)


def test_a_figure_stored_in_the_background_reaches_other_processes(app: Flask) -> None:
    """The production default: the request returns before the row is written; the row
    then serves another process."""
    from fundops.metrics.cache import wait_for_stores
    from fundops.metrics.models import MetricCache

    f = with_rules()
    when = date(2022, 12, 31)
    app.config["METRIC_CACHE_STORE_IN_BACKGROUND"] = True
    first = parent_overview(f.guidance, f.p.id, when)
    assert parent_overview(f.guidance, f.p.id, when).cached  # this process: at once
    wait_for_stores()
    db.session.rollback()  # a new snapshot sees the committed rows
    kinds = set(db.session.scalars(sa.select(MetricCache.kind)
                                   .where(MetricCache.fund_id == f.p.id)))
    assert {"parent_overview", "look_through_facts", "overview_below", "sub_fund_books"} <= kinds
    app.extensions.pop("fundops.metric_cache")
    again = parent_overview(f.guidance, f.p.id, when)
    assert again.cached and again.look_through == first.look_through


def test_a_new_rule_of_the_parent_reaches_the_sub_funds_indicators(app: Flask) -> None:
    """The sub-funds' indicators are cached with the rows below the parent, keyed by the
    parent's rules: a rule the parent adds applies to them at once."""
    from fundops.metrics.policy import set_policy_rule

    f = with_rules()
    when = date(2023, 6, 30)
    first = parent_overview(f.guidance, f.p.id, when)
    set_policy_rule(f.guidance, f.p.id, "gov_share_cap", {"max_share": "0.01"}, "subscribed",
                    "2023-03-01")
    after = parent_overview(f.guidance, f.p.id, when)
    assert not after.cached
    assert after.policy == policy_indicators(f.guidance, f.p.id, when)
    assert after.policy.sub_funds != first.policy.sub_funds
    assert after.leverage == first.leverage


def test_an_entry_dated_after_the_date_leaves_that_dates_figures_warm(app: Flask) -> None:
    """Figures at a date read only facts dated on or before it: today's entry in the parent
    (or below it) leaves last year's overview warm; an entry dated before recomputes it."""
    f = with_rules()
    when = date(2022, 12, 31)
    first = parent_overview(f.guidance, f.p.id, when)
    ledger.record_fund_flow(f.guidance, f.p.id, kind="expense", value_on="2023-01-05",
                            amount=str(M))
    ledger.record_holding_valuation(f.gp_c, f.c.id, company_id=f.x.id, as_of="2023-01-31",
                                    fair_value_amount=str(500 * M))
    again = parent_overview(f.guidance, f.p.id, when)
    assert again.cached and again.look_through is first.look_through
    assert again.look_through == look_through(f.guidance, f.p.id, when)
    ledger.record_fund_flow(f.guidance, f.p.id, kind="expense", value_on="2022-12-31",
                            amount=str(M))
    after = parent_overview(f.guidance, f.p.id, when)
    assert not after.cached
    assert after.look_through == look_through(f.guidance, f.p.id, when)
    assert after.policy == policy_indicators(f.guidance, f.p.id, when)
