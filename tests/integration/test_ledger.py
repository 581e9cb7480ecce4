"""Ledger properties: exact allocations, reversals that net to zero, nothing ever mutated."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from fundops.errors import ConflictError, ValidationError
from fundops.extensions import db
from fundops.models import CashFlow, CashFlowAllocation
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.access import Access
from fundops.portfolio.ledger import APPEND_ONLY_TABLES
from fundops.portfolio.queries import get_fund_totals, list_lp_positions
from tests.factories import fund_with_activity, make_fund, make_user, make_world
from tests.integration.test_app import pending_approval

DB_SETTINGS = settings(max_examples=20, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture,
                                              HealthCheck.too_slow])

cents = st.integers(min_value=1, max_value=10**12).map(lambda c: Decimal(c).scaleb(-2))
# At most 1e9 yuan per entry, so eight calls never exceed the fixture's 1e10 commitments.
call_cents = st.integers(min_value=1, max_value=10**11).map(lambda c: Decimal(c).scaleb(-2))


def _lp_fund(actor: Any, commitments: list[Decimal]) -> tuple[Any, list[Any]]:
    fund = make_fund(actor)
    lps = []
    for i, amount in enumerate(commitments):
        lp = services.create_investor(actor, f"LP-{fund.id}-{i}", "private")
        services.add_commitment(actor, fund.id, lp.id, amount, "2020-02-01")
        lps.append(lp)
    return fund, lps


@DB_SETTINGS
@given(data=st.data())
def test_call_allocations_sum_exactly_and_stay_within_a_cent(
    app: Flask, data: st.DataObject
) -> None:
    commitments = data.draw(st.lists(cents, min_size=1, max_size=25), label="commitments")
    total_committed = sum(commitments, Decimal(0))
    call = data.draw(st.integers(min_value=1, max_value=int(total_committed * 100))
                     .map(lambda c: Decimal(c).scaleb(-2)), label="call")
    _, actor = make_user(f"org-{id(data)}-{len(commitments)}-{call}")
    fund, lps = _lp_fund(actor, commitments)
    entry = ledger.record_capital_call(actor, fund.id, value_on="2021-03-31", amount=call,
                                       purpose="investment")
    rows = db.session.execute(sa.select(CashFlowAllocation.investor_id, CashFlowAllocation.amount)
                              .where(CashFlowAllocation.cash_flow_id == entry.id)).all()
    assert sum((amt for _, amt in rows), Decimal(0)) == call
    by_investor = dict(rows)
    for lp, committed in zip(lps, commitments, strict=True):
        exact = call * committed / total_committed
        assert abs(by_investor[lp.id] - exact) < Decimal("0.01")
        assert by_investor[lp.id] <= committed


@DB_SETTINGS
@given(ops=st.lists(st.tuples(st.sampled_from(["call", "distribution"]), call_cents,
                              st.booleans()), min_size=1, max_size=8))
def test_reversals_net_to_zero_for_the_fund_and_every_lp(app: Flask, ops: list[Any]) -> None:
    _, actor = make_user(f"org-rev-{id(ops)}-{len(ops)}")
    fund, _lps = _lp_fund(actor, [Decimal("7000000000.00"), Decimal("3000000000.01"),
                                  Decimal("12345.67")])
    kept: dict[str, Decimal] = defaultdict(Decimal)
    for i, (kind, amount, reverse) in enumerate(ops):
        if kind == "call":
            entry = ledger.record_capital_call(actor, fund.id, value_on="2021-01-01",
                                               amount=amount, purpose="investment")
        else:
            entry = ledger.record_distribution(actor, fund.id, value_on="2021-01-01",
                                               amount=amount, distribution_type="gain")
        if reverse:
            reversal = ledger.reverse_entry(actor, fund.id, entry.id, f"typo {i}")
            assert reversal.amount == -entry.amount
            orig = {a.investor_id: a.amount for a in entry.allocations}
            back = {a.investor_id: a.amount for a in reversal.allocations}
            assert {k: orig[k] + back[k] for k in orig} == {k: Decimal(0) for k in orig}
        else:
            kept[kind] += amount
    totals = get_fund_totals(fund)
    assert totals.paid_in_amount == kept["call"]
    assert totals.distributed_amount == kept["distribution"]
    positions = list_lp_positions(fund, Access.MANAGER, actor.organisation_id)
    assert sum((p.paid_in_amount for p in positions), Decimal(0)) == kept["call"]
    assert sum((p.distributed_amount for p in positions), Decimal(0)) == kept["distribution"]


def test_an_entry_is_reversed_once_and_a_reversal_not_at_all(app: Flask) -> None:
    world = make_world()
    ids = fund_with_activity(world)
    reversal = ledger.reverse_entry(world.gp, world.fund.id, ids["call"], "wrong date")
    with pytest.raises(ConflictError) as again:
        ledger.reverse_entry(world.gp, world.fund.id, ids["call"], "again")
    assert again.value.code == "entry_already_reversed"
    with pytest.raises(ValidationError, match="reversal cannot be reversed"):
        ledger.reverse_entry(world.gp, world.fund.id, reversal.id, "undo")
    with pytest.raises(ValidationError) as no_reason:
        ledger.reverse_entry(world.gp, world.fund.id, ids["distribution"], "  ")
    assert no_reason.value.field == "reason"


def test_no_service_or_route_updates_or_deletes_posted_rows(app: Flask) -> None:
    """An engine hook counts UPDATE/DELETE statements on ledger tables over a full workload."""
    from tests.conftest import Browser
    from tests.factories import PASSWORD
    from tests.integration.test_tenancy import is_syndication

    mutations: list[str] = []

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        head = statement.lstrip().upper()
        if head.startswith(("UPDATE", "DELETE")) and any(
            f" {t.upper()}" in head.split("WHERE")[0] for t in APPEND_ONLY_TABLES
        ):
            mutations.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        world = make_world()
        ids = fund_with_activity(world)
        ledger.reverse_entry(world.gp, world.fund.id, ids["distribution"], "duplicate")
        ledger.record_valuation(world.gp, world.fund.id, as_of="2022-12-31", nav_amount="71000000")
        request_id = pending_approval(world)
        browser = Browser(app.test_client())
        browser.login(world.gp_user.email, PASSWORD)
        for rule in app.url_map.iter_rules():
            if is_syndication(app, rule.endpoint):
                continue  # test_syndication_tenancy.py walks these with its own objects
            if "GET" in (rule.methods or ()) and rule.endpoint != "static":
                args = {"fund_id": world.fund.id, "company_id": world.company.id,
                        "entry_id": ids["call"], "investor_id": world.lps[0].id,
                        "request_id": request_id, "transfer_id": 999999, "option_id": 999999,
                        "exit_id": 999999, "release_id": 999999, "claim_id": 999999,
                        "listing_id": 999999, "run_id": 999999}
                url = rule.build({k: args.get(k, 999999) for k in rule.arguments},
                                 append_unknown=False)[1]
                assert browser.client.get(url).status_code < 500
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert mutations == []


def test_orm_edit_of_a_posted_entry_is_refused_by_the_database(app: Flask) -> None:
    world = make_world()
    ids = fund_with_activity(world)
    entry = db.session.get(CashFlow, ids["call"])
    entry.amount = Decimal("1.00")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(CashFlow, ids["call"]).amount == Decimal("60000000.00")


@pytest.mark.parametrize("value", ["99999999999999.99", "0.01", "-0.01", "12345678901234.56"])
def test_money_round_trips_exactly_and_sums_exactly(app: Flask, value: str) -> None:
    world = make_world(commitments=("99999999999999.99",))
    amount = Decimal(value)
    if amount < 0:
        entry = ledger.record_capital_call(world.gp, world.fund.id, value_on="2021-01-01",
                                           amount="0.01", purpose="other")
        ledger.reverse_entry(world.gp, world.fund.id, entry.id, "test")
    else:
        ledger.record_capital_call(world.gp, world.fund.id, value_on="2021-01-01", amount=amount,
                                   purpose="other")
    db.session.expire_all()
    stored = db.session.scalar(sa.select(CashFlow.amount).order_by(CashFlow.id.desc()).limit(1))
    assert stored == amount and isinstance(stored, Decimal)
    total = db.session.scalar(sa.select(sa.func.sum(CashFlowAllocation.amount)))
    expected = Decimal(0) if amount < 0 else amount
    assert total == expected


def test_last_call_never_takes_an_lp_past_its_commitment(app: Flask) -> None:
    _, actor = make_user("org-last-call")
    fund, _lps = _lp_fund(actor, [Decimal("1.00")] * 3)
    shares = []
    for _ in range(3):
        entry = ledger.record_capital_call(actor, fund.id, value_on="2021-01-01", amount="1.00",
                                           purpose="investment")
        shares.append([a.amount for a in sorted(entry.allocations, key=lambda a: a.investor_id)])
    # Ties go to the earlier LP on the first two calls; the last call falls back to
    # pro rata on uncalled capital so that everybody ends exactly at its commitment.
    assert shares[0] == shares[1] == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
    assert shares[2] == [Decimal("0.32"), Decimal("0.34"), Decimal("0.34")]
    positions = list_lp_positions(fund, Access.MANAGER, actor.organisation_id)
    assert [p.uncalled_amount for p in positions] == [Decimal("0.00")] * 3
    with pytest.raises(ValidationError, match="exceeds the LPs' total uncalled capital"):
        ledger.record_capital_call(actor, fund.id, value_on="2021-01-01", amount="0.01",
                                   purpose="investment")
