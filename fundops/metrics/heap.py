"""Keeping large cached figures out of the cyclic garbage collector's way.

A national parent's cached figures unpickle into millions of small objects (rows of
Decimals and Fractions). CPython's collector scans every tracked object on each full
collection, and a burst of allocation triggers full collections: under load, with a few
such figures per server process, collections stopped a process for up to 1.3 s at a time
and took some 30 % of the CPU (measured with 50 people on the benchmark portfolio).

Two measures, both process-wide:

* :func:`paused` switches the collector off while a large payload is unpickled (nested
  and thread-safe: it is switched on again when the last pause ends, and only if it was
  on before the first);
* :func:`settle` then moves every object tracked so far to the permanent generation
  (``gc.freeze()``), which collections no longer scan.

Reference counting still frees frozen objects that fall out of use; only garbage held in
reference cycles among them is not reclaimed until the worker is recycled (gunicorn's
``max_requests``). The figures are trees of tuples, dicts, Decimals and Fractions, and
:func:`settle` is called only after a payload of at least :data:`LARGE` bytes, so this is
a few large loads per worker between recycles.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LARGE = 1 << 20
"""Payloads of at least this many bytes (1 MiB, pickled) are handled here."""

_lock = threading.Lock()
_state = {"pauses": 0, "was_enabled": False}


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block (and for other threads meanwhile)."""
    with _lock:
        if _state["pauses"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["pauses"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["pauses"] -= 1
            if _state["pauses"] == 0 and _state["was_enabled"]:
                gc.enable()


def settle() -> None:
    """Every object tracked so far moved out of the collector's scans (``gc.freeze``)."""
    gc.freeze()
