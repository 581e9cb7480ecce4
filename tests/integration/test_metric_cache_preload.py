"""A new server process loads the large stored figures before its first request
(fundops.metrics.cache.preload, called from gunicorn's post_worker_init)."""

from __future__ import annotations

import gc
import runpy
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import data_version
from fundops.extensions import db
from fundops.metrics import cache, follow
from fundops.metrics.models import MetricCache
from tests.factories import make_fund, make_user, next_n

KIND = "preload_test"


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()
    follow.stop()  # a follower a test started (the gunicorn hook's) ends with it


def large(tag: str) -> dict[str, object]:
    """A figure that pickles to more than heap.LARGE bytes."""
    return {"tag": tag, "rows": [f"{tag}-{i:07d}" * 4 for i in range(40_000)]}


def never() -> object:
    raise AssertionError("a preloaded figure was recomputed")


def token(fund_id: int, params: str) -> str:
    table = cast(sa.Table, MetricCache.__table__)
    return str(db.session.scalar(sa.select(table.c.token).where(
        table.c.kind == KIND, table.c.fund_id == fund_id, table.c.params == params)))


def test_the_newest_large_figures_are_in_memory_before_the_first_request(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund_id = make_fund(gp).id
    now = data_version()
    cache.store(KIND, fund_id, "old", now, large("old"), 5)
    cache.store(KIND, fund_id, "new", now, large("new"), 5)
    cache.store(KIND, fund_id, "small", now, {"tag": "small"}, 5)
    db.session.commit()
    app.extensions.pop("fundops.metric_cache")  # a fresh process: nothing in memory

    assert cache.preload(1) == 1  # only the newest large one
    memory = cache._local()
    assert memory.get(token(fund_id, "new")) == large("new")
    assert memory.get(token(fund_id, "old")) is None
    assert memory.get(token(fund_id, "small")) is None
    assert gc.get_freeze_count() > 0  # its objects are out of the collector's scans

    got = cache.cached(KIND, fund_id, "new", never)
    assert got.hit and got.value == large("new")

    app.extensions.pop("fundops.metric_cache")
    assert cache.preload(2) == 2
    assert cache._local().get(token(fund_id, "old")) == large("old")


def test_preload_off(app: Flask) -> None:
    app.extensions.pop("fundops.metric_cache", None)
    assert cache.preload(0) == 0
    app.config["METRIC_CACHE_PRELOAD"] = 0
    try:
        assert cache.preload() == 0
    finally:
        app.config["METRIC_CACHE_PRELOAD"] = 8


def test_a_gunicorn_worker_preloads_before_its_first_request(app: Flask) -> None:
    """gunicorn.conf.py's post_worker_init runs the preload in the worker's app."""
    _, gp = make_user(f"GP {next_n()}")
    fund_id = make_fund(gp).id
    cache.store(KIND, fund_id, "boot", data_version(), large("boot"), 5)
    db.session.commit()
    app.extensions.pop("fundops.metric_cache")
    conf = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))
    conf["post_worker_init"](SimpleNamespace(wsgi=app))
    assert cache._local().get(token(fund_id, "boot")) == large("boot")
    assert threading.active_count() and any(
        t.name == "metric-cache-follow" for t in threading.enumerate())  # and it follows


def test_a_running_worker_loads_the_large_figures_computed_after_it_started(
        app: Flask) -> None:
    """What another process stored after this one started is loaded by the follower
    (fundops.metrics.follow), once; a figure already held is not read again."""
    _, gp = make_user(f"GP {next_n()}")
    fund_id = make_fund(gp).id
    app.extensions.pop("fundops.metric_cache", None)
    cache.preload()  # the worker's boot: nothing large stored yet for this fund
    cache.store(KIND, fund_id, "later", data_version(), large("later"), 5)
    db.session.commit()
    app.extensions.pop("fundops.metric_cache")  # stored by another process
    assert cache._local().get(token(fund_id, "later")) is None
    assert follow.follow_once(app) >= 1
    assert cache._local().get(token(fund_id, "later")) == large("later")
    assert follow.follow_once(app) == 0  # held: nothing read again
    got = cache.cached(KIND, fund_id, "later", never)
    assert got.hit and got.value == large("later")


def test_the_follower_thread_runs_until_stopped(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund_id = make_fund(gp).id
    app.extensions.pop("fundops.metric_cache", None)
    app.config["METRIC_CACHE_FOLLOW_S"] = 0
    try:
        assert follow.start(app) is None  # switched off
        app.config["METRIC_CACHE_FOLLOW_S"] = 0.05
        cache.store(KIND, fund_id, "thread", data_version(), large("thread"), 5)
        db.session.commit()
        app.extensions.pop("fundops.metric_cache")
        thread = follow.start(app)
        assert thread is not None
        deadline = time.monotonic() + 20
        while cache._local().get(token(fund_id, "thread")) is None:
            assert time.monotonic() < deadline, "the follower never loaded the figure"
            time.sleep(0.05)
    finally:
        follow.stop()
        app.config["METRIC_CACHE_FOLLOW_S"] = 2
    thread.join(5)
    assert not thread.is_alive()
