"""A running server process keeps holding what a new one would preload.

A gunicorn worker preloads the most recently computed large figures before it takes
requests (:func:`fundops.metrics.cache.preload`). Figures computed later (a national
parent's overview recomputed after a write below it, by whichever worker got the request)
used to be unpickled by every other worker on its first request that needed them: 0.2-0.5 s
each, holding the GIL, so that worker's other requests waited too (with 50 people, the
first 10 s after the parent's figures were computed had a p99 of 2.2 s on PostgreSQL).

:func:`start` runs a daemon thread that every ``METRIC_CACHE_FOLLOW_S`` seconds (default
2; 0: off) repeats the preload, reading only the rows this process does not hold yet. So
the load happens seconds after the figure is computed, off any request's path; a process
that holds a figure that is still current reads nothing but the short list of the
newest large rows (one query).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from fundops.extensions import db

__all__ = ["follow_once", "start", "stop"]

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 2.0


def follow_once(app: Any) -> int:
    """One look: load the newest large figures this process lacks; returns how many."""
    from fundops.metrics.cache import preload

    with app.app_context():
        try:
            return preload()
        finally:
            db.session.remove()


def interval(app: Any) -> float:
    """``METRIC_CACHE_FOLLOW_S`` in seconds (a bad value: logged, the default used)."""
    raw = app.config.get("METRIC_CACHE_FOLLOW_S", DEFAULT_INTERVAL_S)
    try:
        return float(raw)
    except (TypeError, ValueError):
        log.warning("METRIC_CACHE_FOLLOW_S=%r is not a number of seconds: using %s", raw,
                    DEFAULT_INTERVAL_S)
        return DEFAULT_INTERVAL_S


_running: list[threading.Event] = []
_lock = threading.Lock()


def start(app: Any) -> threading.Thread | None:
    """Start following in this process (None: switched off); :func:`stop` ends it."""
    every = interval(app)
    if every <= 0:
        return None
    done = threading.Event()
    with _lock:
        _running.append(done)

    def run() -> None:
        while not done.wait(every):
            try:
                follow_once(app)
            except (SQLAlchemyError, OSError, ValueError, TypeError) as exc:
                log.warning("figures not followed: %s", exc)  # try again next time

    thread = threading.Thread(target=run, name="metric-cache-follow", daemon=True)
    thread.start()
    return thread


def stop() -> None:
    """End every following thread started so far (a worker's shutdown, tests)."""
    with _lock:
        for done in _running:
            done.set()
        _running.clear()
