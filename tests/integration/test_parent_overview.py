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
