"""The shared metrics cache under concurrent writers, in real threads on both databases.

Storing is an upsert on (kind, fund, params) that never replaces a newer figure: racing
stores leave one row holding the newest version, nothing fails, and a fresh process reads
that row without recomputing. The fund-of-funds edge list behind every lookup is read once
per transaction and data version, and a committed new edge is seen by the next lookup.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from typing import Any, cast

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import data_version
from fundops.extensions import db
from fundops.metrics import cache
from fundops.metrics.models import MetricCache
from fundops.portfolio import services
from fundops.uow import Actor, unit_of_work
from tests.factories import make_fund, make_user, next_n
from tests.threads import race

KIND = "race_test"
THREADS = 8


def rows(fund_id: int, params: str) -> list[Any]:
    db.session.rollback()  # see what the threads committed
    table = cast(sa.Table, MetricCache.__table__)
    return list(db.session.execute(sa.select(table).where(
        table.c.kind == KIND, table.c.fund_id == fund_id, table.c.params == params)))


def versions(actor: Actor, n: int) -> list[int]:
    """``n`` real values of the write counter, one per committed write, oldest first."""
    seen = []
    for _ in range(n):
        services.create_investor(actor, f"LP {next_n()}", "private")
        seen.append(data_version())
    return seen


def figure(version: int) -> dict[str, object]:
    return {"version": version, "rows": [version] * 50}


def never() -> object:
    raise AssertionError("a stored figure was recomputed")


def together(app: Flask, call: Callable[[int], object], args: list[int]) -> list[str]:
    """``call`` per arg in racing threads (own app context and session each): "ok" or the
    exception a thread raised."""
    seen: list[str] = []

    def run(arg: int) -> None:
        try:
            call(arg)
            seen.append("ok")
        except Exception as exc:  # noqa: BLE001 - reported, so the check names it
            seen.append(f"{type(exc).__name__}: {exc}")

    db.session.remove()
    race(app, run, args, Exception)
    return seen


def swallowed(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The failures :func:`cache.store` swallowed (it logs "metric cache not stored")."""
    return [str(getattr(r, "error", r.getMessage())) for r in caplog.records
            if r.name == cache.log.name]


@pytest.mark.parametrize("existing", [None, "middle", "newest"])
def test_racing_stores_keep_one_row_with_the_newest_version(
        app: Flask, caplog: pytest.LogCaptureFixture, existing: str | None) -> None:
    caplog.set_level(logging.INFO, logger=cache.log.name)
    _, gp = make_user(f"GP {next_n()}")
    fund_id = make_fund(gp).id
    stamps = versions(gp, THREADS)
    newest = max(stamps)
    for round_no in range(3):  # a fresh key per round: every round races the first insert
        params = f"{existing}-{round_no}"
        if existing == "middle":
            cache.store(KIND, fund_id, params, stamps[THREADS // 2], figure(-1), 0)
        elif existing == "newest":
            cache.store(KIND, fund_id, params, newest, figure(newest), 0)
        db.session.commit()
        order = stamps[round_no:] + stamps[:round_no]  # threads start in another order

        def store(version: int, params: str = params) -> None:
            cache.store(KIND, fund_id, params, version, figure(version), version)

        done = together(app, store, order)
        assert done == ["ok"] * THREADS, done
        (row,) = rows(fund_id, params)
        assert row.version == newest
        assert swallowed(caplog) == []  # no busy database, no unique violation
        ok, value = cache._open(bytes(row.payload))
        assert ok and value == figure(newest)

        app.extensions.pop("fundops.metric_cache")  # a fresh process: nothing in memory
        got = cache.cached(KIND, fund_id, params, never)
        assert got.hit and got.version == newest and got.value == figure(newest)


def test_two_requests_that_both_miss_compute_and_keep_one_row(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=cache.log.name)
    _, gp = make_user(f"GP {next_n()}")
    fund_id = make_fund(gp).id
    now = data_version()
    both = threading.Barrier(2)
    results: list[cache.Cached] = []

    def compute() -> object:
        both.wait(30)  # neither has stored when the other looks up
        return figure(now)

    def request(_arg: int) -> None:
        results.append(cache.cached(KIND, fund_id, "both", compute))

    assert together(app, request, [1, 2]) == ["ok", "ok"]
    assert [(r.hit, r.version, r.value) for r in results] == [(False, now, figure(now))] * 2
    assert swallowed(caplog) == []
    (row,) = rows(fund_id, "both")
    assert row.version == now
    app.extensions.pop("fundops.metric_cache")
    again = cache.cached(KIND, fund_id, "both", never)
    assert again.hit and again.value == figure(now)


def test_an_older_figure_never_replaces_a_newer_one(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund = make_fund(gp)
    old, new = versions(gp, 2)
    cache.store(KIND, fund.id, "p", new, figure(new), 1)
    cache.store(KIND, fund.id, "p", old, figure(old), 1)
    (row,) = rows(fund.id, "p")
    assert row.version == new and cache._open(bytes(row.payload)) == (True, figure(new))
    cache.store(KIND, fund.id, "p", new, {"recomputed": True}, 1)  # same version: replaced
    (again,) = rows(fund.id, "p")
    assert again.id == row.id and again.token != row.token
    assert cache._open(bytes(again.payload)) == (True, {"recomputed": True})


def _fof(n: int) -> tuple[Actor, Actor, int, int, int]:
    """Parent P (guidance fund) committed to A; C a fund of another GP, not yet below P.
    Returns the two managers and the three fund ids."""
    _, g = make_user(f"引导基金{n}", kind="guidance_fund_manager")
    _, gc = make_user(f"GP C {n}")
    p = make_fund(g, kind="parent_fund", registration_no=f"P{n}", is_guidance_fund=True)
    a = make_fund(g, registration_no=f"A{n}")
    c = make_fund(gc)
    p_in_a = services.create_investor(g, "母基金P", "guidance_fund", fund_registration_no=f"P{n}")
    services.add_commitment(g, a.id, p_in_a.id, "100000000", date(2021, 3, 1))
    return g, gc, p.id, a.id, c.id


def test_a_committed_new_edge_is_seen_by_the_next_lookup(app: Flask) -> None:
    n = next_n()
    _, gc, p, a, c = _fof(n)
    reads = _edge_reads()
    assert cache.subtree(p) == sorted([p, a])
    assert cache.subtree(p) == sorted([p, a]) and cache.subtree(a) == [a]
    assert reads() == 1  # one transaction, one data version: the edge list read once

    # the parent fund commits to C (C's GP records P as an LP): the next lookup sees it
    p_in_c = services.create_investor(gc, "母基金P", "guidance_fund", fund_registration_no=f"P{n}")
    services.add_commitment(gc, c, p_in_c.id, "50000000", date(2022, 1, 1))
    before = reads()  # (the commitment's cycle check reads the graph too)
    assert cache.subtree(p) == sorted([p, a, c]) and cache.subtree(c) == [c]
    assert reads() == before + 1


def test_an_edge_another_process_commits_is_seen_in_the_same_session(app: Flask) -> None:
    """The jobs process keeps its session: a commitment made elsewhere (another thread, its
    own session) is seen by its next lookup."""
    n = next_n()
    _, gc, p, a, c = _fof(n)
    lp_id = services.create_investor(gc, "子基金A", "corporate", fund_registration_no=f"A{n}").id
    assert cache.subtree(a) == [a]  # the session's transaction begins, and stays open
    transaction = db.session().get_transaction()

    def elsewhere(_arg: int) -> None:
        services.add_commitment(gc, c, lp_id, "20000000", date(2022, 1, 1))

    assert race(app, elsewhere, [1], Exception) == ["ok"]  # (this session kept open)
    assert cache.subtree(a) == sorted([a, c])
    assert db.session().get_transaction() is transaction
    assert cache.subtree(p) == sorted([p, a, c])


def test_an_edge_written_in_the_open_transaction_is_seen(app: Flask) -> None:
    """A job computing inside its own unit of work sees the edge it has just flushed."""
    n = next_n()
    _, gc, p, a, c = _fof(n)
    assert cache.subtree(p) == sorted([p, a])

    class Undo(Exception):
        """Raised inside the unit of work to roll it back."""

    def write_look_and_undo() -> None:
        with unit_of_work():
            p_in_c = services.create_investor(gc, "母基金P", "guidance_fund",
                                              fund_registration_no=f"P{n}")
            assert cache.subtree(p) == sorted([p, a])  # read at this transaction's counter
            services.add_commitment(gc, c, p_in_c.id, "50000000", date(2022, 1, 1))
            assert cache.subtree(p) == sorted([p, a, c])
            raise Undo

    with pytest.raises(Undo):
        write_look_and_undo()
    assert cache.subtree(p) == sorted([p, a])  # rolled back: the edge is gone


def _edge_reads() -> Any:
    """A counter of the edge-list queries run from now on."""
    count = {"n": 0}

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        flat = " ".join(statement.lower().split())
        if "from investor join commitment" in flat:
            count["n"] += 1

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    return lambda: count["n"]
