"""Quarter snapshots and the shared fund-metrics cache: the same numbers as a live
computation from one ledger load, recomputed exactly where a change reaches."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundops.extensions import db
from fundops.metrics import snapshots
from fundops.metrics.engine import compute
from fundops.metrics.frames import load_ledger
from fundops.metrics.perspectives import fund_report, quarterly_history
from fundops.metrics.snapshots import cut, quarter_ends, sub_fund_ids
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio.models import Fund
from fundops.uow import Actor
from tests.integration.test_lookthrough import build_fof

AS_OF = date(2023, 9, 15)
M = 1_000_000


def reference(fund_id: int, as_of: date) -> list[tuple[date, Any, Any]]:
    """Every point from one ledger load (what the page computed before snapshots)."""
    fund = db.session.get(Fund, fund_id)
    assert fund is not None
    loaded = load_ledger(as_of, [fund_id, *sub_fund_ids(fund_id)])
    out = []
    for on in quarter_ends(fund.inception_on, as_of):
        m = compute(cut(loaded, on), focus={fund_id}, deals=False)
        out.append((on, m.fund_net.get(fund_id), m.gross.get(fund_id)))
    return out


def same(actor: Actor, fund_id: int, as_of: date = AS_OF) -> None:
    expected = reference(fund_id, as_of)
    got = quarterly_history(actor, fund_id, as_of)
    assert [p.on for p in got] == [on for on, _n, _g in expected]
    for point, (on, net, gross) in zip(got, expected, strict=True):
        if net is not None:
            assert point.net == net, on
        else:
            assert point.net.paid_in == 0 and point.net.value == 0, on
        assert point.gross == gross, on


@pytest.fixture
def recomputed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, date]]:
    """(fund, quarter end) of every snapshot point computed (not read from the store)."""
    calls: list[tuple[int, date]] = []
    real = snapshots.compute

    def spy(ledger_: Any, focus: Any = None, deals: bool = True) -> Any:
        if not deals:
            calls.append((next(iter(focus)), ledger_.as_of))
        return real(ledger_, focus=focus, deals=deals)

    monkeypatch.setattr(snapshots, "compute", spy)
    return calls


def test_history_equals_one_ledger_load_cold_warm_and_from_another_process(
        app: Flask, recomputed: list[tuple[int, date]]) -> None:
    f = build_fof()
    for actor, fund in ((f.guidance, f.p), (f.gp_a, f.a), (f.gp_b, f.b), (f.gp_c, f.c)):
        same(actor, fund.id)
    assert {fid for fid, _on in recomputed} == {f.p.id, f.a.id, f.b.id, f.c.id}
    recomputed.clear()
    same(f.guidance, f.p.id)  # warm: every closed quarter from the snapshot
    app.extensions.pop("fundops.metric_cache")  # a second process
    same(f.guidance, f.p.id)
    assert recomputed == []


def test_a_correction_in_a_closed_quarter_recomputes_that_fund_and_its_parents_from_it(
        app: Flask, recomputed: list[tuple[int, date]]) -> None:
    f = build_fof()
    funds = {f.p.id: f.guidance, f.a.id: f.gp_a, f.b.id: f.gp_b, f.c.id: f.gp_c}
    for fund_id, actor in funds.items():
        quarterly_history(actor, fund_id, AS_OF)
    recomputed.clear()
    # a late expense of A dated in the closed second quarter of 2022
    ledger.record_fund_flow(f.gp_a, f.a.id, kind="expense", value_on="2022-05-10",
                            amount=str(3 * M))
    for fund_id, actor in funds.items():
        same(actor, fund_id)
    closed_from_q2 = [on for on in quarter_ends(date(2022, 6, 30), AS_OF) if on < AS_OF]
    assert sorted(recomputed) == sorted(
        [(f.a.id, on) for on in closed_from_q2] + [(f.p.id, on) for on in closed_from_q2])
    recomputed.clear()
    # a write dated in the open quarter changes no closed quarter's point
    ledger.record_fund_flow(f.gp_c, f.c.id, kind="expense", value_on="2023-08-01",
                            amount=str(1 * M))
    for fund_id, actor in funds.items():
        same(actor, fund_id)
    assert recomputed == []


def test_the_performance_report_is_shared_and_follows_writes(app: Flask) -> None:
    f = build_fof()
    first, _ = fund_report(f.guidance, f.p.id, AS_OF)
    app.extensions.pop("fundops.metric_cache")
    again, _ = fund_report(f.guidance, f.p.id, AS_OF)
    assert again.net == first.net and again.gross == first.gross and again.lps == first.lps
    ledger.record_fund_flow(f.gp_a, f.a.id, kind="expense", value_on="2023-08-01",
                            amount=str(10 * M))
    after, _ = fund_report(f.guidance, f.p.id, AS_OF)
    assert after.gross is not None and first.gross is not None
    assert after.gross.value < first.gross.value  # P's share of A's NAV
    fresh = compute(load_ledger(AS_OF, [f.p.id, *sub_fund_ids(f.p.id)]), focus={f.p.id})
    assert after.net == fresh.fund_net[f.p.id] and after.gross == fresh.gross[f.p.id]


step = st.tuples(st.sampled_from(["a", "b", "c", "p"]), st.sampled_from(["expense", "nav"]),
                 st.integers(0, 900), st.integers(1, 50))


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=5))
def test_random_writes_keep_every_history_equal_to_a_live_computation(
        app: Flask, steps: list[tuple[str, str, int, int]]) -> None:
    f = build_fof()
    funds = {"p": (f.guidance, f.p), "a": (f.gp_a, f.a), "b": (f.gp_b, f.b),
             "c": (f.gp_c, f.c)}
    for actor, fund in funds.values():
        quarterly_history(actor, fund.id, AS_OF)
    for which, kind, day, millions in steps:
        actor, fund = funds[which]
        on = date.fromordinal(date(2021, 7, 1).toordinal() + day)
        if kind == "nav":
            ledger.record_valuation(actor, fund.id, as_of=on, nav_amount=str(millions * 10 * M))
        else:
            ledger.record_fund_flow(actor, fund.id, kind="expense", value_on=on,
                                    amount=str(millions * M // 10))
        for other_actor, other in funds.values():
            same(other_actor, other.id)


def test_the_jobs_process_warms_snapshots_metrics_and_overviews(
        app: Flask, recomputed: list[tuple[int, date]]) -> None:
    from fundops.metrics.parent import parent_overview
    from fundops.metrics.refresh import funds_to_refresh, refresh_fund

    f = build_fof()
    ids = funds_to_refresh(AS_OF)
    assert {f.p.id, f.a.id, f.b.id, f.c.id} <= set(ids)
    assert all(refresh_fund(fund_id, AS_OF) for fund_id in (f.p.id, f.a.id, f.b.id, f.c.id))
    db.session.commit()
    app.extensions.pop("fundops.metric_cache")  # the web process is another process
    recomputed.clear()
    same(f.guidance, f.p.id)
    assert recomputed == []
    assert parent_overview(f.guidance, f.p.id, AS_OF).cached
    assert not refresh_fund(f.p.id, AS_OF)  # nothing changed since
    ledger.record_fund_flow(f.gp_b, f.b.id, kind="expense", value_on="2023-02-01",
                            amount=str(2 * M))
    assert refresh_fund(f.p.id, AS_OF) and refresh_fund(f.b.id, AS_OF)
    assert not refresh_fund(f.a.id, AS_OF)  # B is not below A


def test_the_jobs_process_warms_what_the_last_quarters_report_reads(app: Flask) -> None:
    """The parent's overview, metrics and sub-funds' metrics at the last quarter end."""
    from fundops.metrics.parent import stored_overview
    from fundops.metrics.refresh import refresh_fund
    from fundops.metrics.snapshots import stored_metrics, sub_fund_metrics

    f = build_fof()
    quarter_end = date(2023, 6, 30)  # the quarter before AS_OF's
    assert refresh_fund(f.p.id, AS_OF)
    db.session.commit()
    app.extensions.pop("fundops.metric_cache")
    subs = sorted(sub_fund_ids(f.p.id))
    assert stored_overview(f.p.id, quarter_end, "paid_in").hit
    assert stored_metrics(f.p.id, quarter_end).hit
    warm = sub_fund_metrics(f.p.id, subs, quarter_end, False)
    assert warm.hit
    fresh = compute(load_ledger(quarter_end), focus=set(subs), deals=False)
    assert warm.value.fund_net == {k: v for k, v in fresh.fund_net.items() if k in subs}
    # a write in the parent's own book leaves the sub-funds' metrics warm
    ledger.record_fund_flow(f.guidance, f.p.id, kind="expense", value_on="2023-05-02",
                            amount=str(M))
    assert sub_fund_metrics(f.p.id, subs, quarter_end, False).hit
    assert not stored_overview(f.p.id, quarter_end, "paid_in").hit
