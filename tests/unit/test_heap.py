"""The collector policy for large cached figures (fundops.metrics.heap)."""

from __future__ import annotations

import gc
import threading

import pytest

from fundops.metrics import heap


@pytest.fixture(autouse=True)
def _collector_restored() -> object:
    enabled = gc.isenabled()
    yield None
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_paused_nests_and_restores() -> None:
    """Off inside nested pauses, on again only when the outermost ends."""
    gc.enable()
    with heap.paused():
        assert not gc.isenabled()
        with heap.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_keeps_a_disabled_collector_disabled() -> None:
    """A collector switched off by someone else stays off after the pause."""
    gc.disable()
    with heap.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_paused_across_threads() -> None:
    """Overlapping pauses in two threads: the collector comes back on after the last."""
    gc.enable()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with heap.paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(5)
    with heap.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's pause is still on
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_settle_freezes_the_objects_tracked_so_far() -> None:
    """After settle, existing objects are in the permanent generation."""
    kept = [[i] for i in range(1000)]
    before = gc.get_freeze_count()
    heap.settle()
    assert gc.get_freeze_count() >= before + len(kept)
    gc.unfreeze()


def test_a_large_figure_round_trips_with_its_objects_frozen() -> None:
    """A payload over LARGE unpickles equal, leaves the collector on, and freezes."""
    from flask import Flask

    from fundops.metrics import cache

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test-heap"
    figure = {"rows": [(i, str(i) * 20) for i in range(60_000)]}
    gc.enable()
    with app.app_context():
        sealed = cache._seal(figure)
        assert len(sealed) > heap.LARGE
        gc.unfreeze()
        ok, value = cache._open(sealed)
    assert ok and value == figure
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(figure["rows"])
    gc.unfreeze()


def test_a_small_figure_is_not_frozen() -> None:
    """Below LARGE nothing is frozen."""
    from flask import Flask

    from fundops.metrics import cache

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test-heap"
    gc.unfreeze()
    with app.app_context():
        assert cache._open(cache._seal({"a": 1})) == (True, {"a": 1})
    assert gc.get_freeze_count() == 0
