"""The shared metrics cache under concurrent writers, in real threads on both databases.

Storing is an upsert on (kind, fund, params) that never replaces a newer figure: racing
stores leave one row holding the newest version, nothing fails, and a fresh process reads
that row without recomputing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import data_version
from fundops.extensions import db
from fundops.metrics import cache
from fundops.metrics.models import MetricCache
from fundops.portfolio import services
from fundops.uow import Actor
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
