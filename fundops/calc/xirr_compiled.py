"""Loading the compiled batch XIRR kernel (numba) on first use, and its settings, for
:mod:`fundops.calc.returns`.

The kernel is :mod:`fundops.calc.xirr_jit` (the solver) with
:mod:`fundops.calc.xirr_objects` (reading lists of dates and floats). Importing this
module does not import numba; :func:`compiled_kernel` (or the first batch) does, then
compiles the kernel (about 10 s, once: numba caches it on disk) or loads it from the
cache (under a second), and checks it on a known answer. Where numba is missing or fails,
the batch solvers use the numpy kernel (:mod:`fundops.calc.xirr_kernel`).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["PER_THREAD", "compiled_kernel", "object_reader", "run_blocks", "solver"]

PER_THREAD = 2000
"""Fewest series a thread of one batch takes (see ``threads`` of :func:`compiled_kernel`)."""

_THREADS = [1]
_WANTED = [os.environ.get("FUNDOPS_XIRR_COMPILED", "1") != "0"]
_LOADED: list[tuple[ModuleType, tuple[ModuleType, np.ndarray] | None] | None] = []
_LOCK = threading.Lock()
_POOLS: dict[int, ThreadPoolExecutor] = {}


def compiled_kernel(enable: bool | None = None, threads: int | None = None) -> bool:
    """Whether the batch solvers use the compiled (numba) kernel, loading it now (the
    first load compiles, about 10 s, or reads numba's on-disk cache, under 1 s: call
    this at start-up to keep that out of a request). ``enable=False`` switches to the
    numpy kernel, ``True`` back (if numba can compile here); the environment variable
    ``FUNDOPS_XIRR_COMPILED=0`` starts with it off. ``threads``: at most this many
    threads solve one large batch (at least :data:`PER_THREAD` series each; default 1:
    in a server the workers already use the cores, and on a loaded 2-core machine a
    second thread measured no faster). Rates agree with the numpy kernel's to about
    1e-16 absolute."""
    if enable is not None:
        _WANTED[0] = enable
    if threads is not None:
        _THREADS[0] = max(1, int(threads))
    return solver() is not None


def solver() -> ModuleType | None:
    """:mod:`fundops.calc.xirr_jit`, or ``None`` (switched off, numba missing, or the
    kernel does not compile or answer correctly here); loaded once, on first use."""
    loaded = _load()
    return loaded[0] if loaded is not None else None


def object_reader() -> tuple[ModuleType, np.ndarray] | None:
    """:mod:`fundops.calc.xirr_objects` and the object layout of this interpreter, or
    ``None`` where the compiled kernel is off or objects cannot be read directly."""
    loaded = _load()
    return loaded[1] if loaded is not None else None


def run_blocks(fn: Callable[..., Any], blocks: Sequence[tuple[Any, ...]]) -> None:
    """``fn(*block)`` for each block, on up to the configured number of threads (the
    compiled solver releases the GIL)."""
    workers = min(_THREADS[0], len(blocks))
    if workers <= 1:
        for block in blocks:
            fn(*block)
        return
    with _LOCK:
        if workers not in _POOLS:
            _POOLS[workers] = ThreadPoolExecutor(workers, thread_name_prefix="xirr")
        pool = _POOLS[workers]
    for future in [pool.submit(fn, *block) for block in blocks]:
        future.result()


def threads() -> int:
    """The configured most threads for one batch."""
    return _THREADS[0]


def _load() -> tuple[ModuleType, tuple[ModuleType, np.ndarray] | None] | None:
    if not _WANTED[0]:
        return None
    if not _LOADED:
        with _LOCK:
            if not _LOADED:
                _LOADED.append(_compile())
    return _LOADED[0]


def _compile() -> tuple[ModuleType, tuple[ModuleType, np.ndarray] | None] | None:
    try:
        from fundops.calc import xirr_jit, xirr_objects

        status, r, span = np.empty(1, np.int64), np.empty(1), np.empty(1)
        xirr_jit.solve_sorted(np.array([0, 2]), np.array([0, 365]), np.array([-100.0, 110.0]),
                              status, r, span)
        layout = xirr_objects.object_layout()
    except Exception:  # noqa: BLE001 - any failure to import or compile: the numpy kernel
        return None
    if status[0] != xirr_jit.ROOT or abs(math.expm1(r[0]) - 0.1) > 1e-15:
        return None
    return xirr_jit, (None if layout is None else (xirr_objects, layout))
