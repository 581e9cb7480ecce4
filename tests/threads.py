"""Run one call per argument in real threads released together by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from flask import Flask

from fundops.extensions import db


def race(app: Flask, call: Callable[[int], object], args: Sequence[int],
         refused: type[Exception], timeout: float = 60) -> list[str]:
    """``call(arg)`` in one thread per arg, each in its own app context and session, all
    starting at once; returns "ok" or "refused" per finished thread (any other error
    leaves its thread out, so a count check fails)."""
    barrier, lock = threading.Barrier(len(args)), threading.Lock()
    outcomes: list[str] = []

    def run(arg: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                call(arg)
                result = "ok"
            except refused:
                result = "refused"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return outcomes
