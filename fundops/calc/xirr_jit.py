"""Compiled (numba) batch XIRR kernel, private to :mod:`fundops.calc.returns`.

The same method as the numpy kernel (:mod:`fundops.calc.xirr_kernel`), series by series
instead of lock-step over a matrix: log space ``r = ln(1 + rate)``, the same bracket and
start, the same safeguarded Halley steps with the same stopping rules (f, f' and f'' from
one ``exp`` per flow per step), and the same running-balance proof of uniqueness. A series
it cannot settle (first and last flow of one sign, amounts that need scaling, no
convergence, a root not proven unique) is left to the single-series solver. Importing this
module imports numba and compiles lazily; compiled code is cached on disk
(``cache=True``). :func:`read_series` reads lists or tuples of CPython ``date`` and
``float`` objects directly (the layouts behind ``PyList_GET_ITEM``, ``PyDateTime_GET_YEAR``
and ``PyFloat_AS_DOUBLE``), each object checked against its exact type, on a layout
verified at first use (:func:`object_layout`); anything else is refused.
"""

from __future__ import annotations

import math
import struct
import sys
import sysconfig
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["FALLBACK", "NO_RATE", "ROOT", "object_layout", "read_series", "solve_sorted"]

F = TypeVar("F", bound=Callable[..., Any])

NO_RATE, ROOT, FALLBACK = 0, 1, 2
"""Status per series: no rate (no flows, no sign change), a root certified unique (its
log-rate in ``r``), or left to the single-series solver."""

(L_TYPE_AT, L_SIZE_AT, L_ITEMS_AT, L_DATE_AT, L_FLOAT_AT, L_LIST, L_TUPLE, L_DATE,
 L_DATETIME, L_FLOAT) = range(10)
"""Slots of the ``layout`` array :func:`read_series` reads objects with: byte offsets of
the type pointer, a list's or tuple's size, its items (a tuple's inline, a list's pointer),
a date's year-month-day bytes, a float's value; addresses of the types list, tuple, date,
datetime and float."""

EPS = 2.0**-52
MAX_ITER = 200


SMALL_MOVE = 0.25
"""Largest |Δr t_max| for which discount factors are moved by a polynomial, not exp."""


def _compiled(fn: F, **options: Any) -> F:
    """``numba.njit`` with the on-disk cache: in ``__pycache__`` beside this file, else
    numba's user-wide cache directory (or ``NUMBA_CACHE_DIR`` when set); where none is
    writable, compiled afresh in each process (about 10 s, at the first batch or at
    :func:`fundops.calc.returns.compiled_kernel`)."""
    try:
        return cast(F, numba.njit(cache=True, error_model="numpy", **options)(fn))
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return cast(F, numba.njit(cache=False, error_model="numpy", **options)(fn))


def _jit(fn: F) -> F:
    """Compiled; releases the GIL while it runs."""
    return _compiled(fn, nogil=True)


def _fast(fn: F) -> F:
    """:func:`_jit` allowing reassociation (so sums vectorise) and fused multiply-adds."""
    return _compiled(fn, nogil=True, fastmath={"reassoc", "contract", "nsz"})


# ------------------------------------------------------------- reading Python objects


def _typer_i64(typingctx: Any, addr: Any) -> Any:
    """The int64 at a raw address."""
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.load(builder.inttoptr(args[0], ir.IntType(64).as_pointer()))
    return types.int64(types.int64), codegen


def _typer_u8(typingctx: Any, addr: Any) -> Any:
    """The byte at a raw address, as int64."""
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        byte = builder.load(builder.inttoptr(args[0], ir.IntType(8).as_pointer()))
        return builder.zext(byte, ir.IntType(64))
    return types.int64(types.int64), codegen


def _typer_f64(typingctx: Any, addr: Any) -> Any:
    """The float64 at a raw address."""
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.load(builder.inttoptr(args[0], ir.DoubleType().as_pointer()))
    return types.float64(types.int64), codegen


_load_i64 = cast(Callable[[int], int], intrinsic(_typer_i64))
_load_u8 = cast(Callable[[int], int], intrinsic(_typer_u8))
_load_f64 = cast(Callable[[int], float], intrinsic(_typer_f64))


@_jit
def _ordinal(y: int, m: int, d: int) -> int:
    """date(y, m, d).toordinal() (proleptic Gregorian, 0001-01-01 is day 1; y >= 1)."""
    yy = y - 1
    days = yy * 365 + yy // 4 - yy // 100 + yy // 400 + (367 * m - 362) // 12 + d
    if m > 2:  # (367 m - 362) // 12 counts February as 30 days
        days -= 1 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 2
    return days


def _reader(fn: F) -> F:
    """Compiled holding the GIL (unlike the solver): no other thread may change the
    objects while their memory is read."""
    return _compiled(fn)


@_jit
def _items(seq: int, layout: np.ndarray) -> tuple[int, int]:
    """Address of the item pointers and the length of a list or tuple, or (0, -1)."""
    tp = _load_i64(seq + layout[L_TYPE_AT])
    if tp == layout[L_LIST]:
        return _load_i64(seq + layout[L_ITEMS_AT]), _load_i64(seq + layout[L_SIZE_AT])
    if tp == layout[L_TUPLE]:
        return seq + layout[L_ITEMS_AT], _load_i64(seq + layout[L_SIZE_AT])
    return 0, -1


@_jit
def _pair(obj: int, layout: np.ndarray) -> tuple[int, int, int]:
    """Item addresses of a (dates, amounts) pair, a list or tuple of two lists or tuples
    of equal length, and that length; length -1 if it is not one."""
    items, size = _items(obj, layout)
    if size != 2:
        return 0, 0, -1
    d_items, n = _items(_load_i64(items), layout)
    a_items, m = _items(_load_i64(items + 8), layout)
    return d_items, a_items, n if n == m else -1


@_reader
def read_series(series: int, layout: np.ndarray) -> tuple[int, np.ndarray, np.ndarray,
                                                           np.ndarray]:
    """The flows of a list of ``(dates, amounts)`` series (address ``id(series)``):
    status (1 read, each series' days ascending and distinct; 2 read, not so ordered;
    0 not readable), series lengths, day numbers (``toordinal``) and amounts,
    concatenated. Only exact lists and tuples of exact ``date`` or ``datetime`` and
    exact ``float`` objects are read (``layout``: see :data:`L_TYPE_AT`)."""
    none = np.zeros(0, np.int64)
    outer, count = _items(series, layout)
    lengths = np.empty(max(count, 0), np.int64)
    total = 0
    for j in range(count):
        lengths[j] = _pair(_load_i64(outer + 8 * j), layout)[2]
        if lengths[j] < 0:
            return 0, none, none, np.zeros(0)
        total += lengths[j]
    days, amounts = np.empty(total, np.int64), np.empty(total)
    type_at, data_at, value_at = layout[L_TYPE_AT], layout[L_DATE_AT], layout[L_FLOAT_AT]
    at, ordered = 0, True
    for j in range(count):
        d_items, a_items, n = _pair(_load_i64(outer + 8 * j), layout)
        if n != lengths[j]:
            return 0, none, none, np.zeros(0)
        for i in range(n):
            obj = _load_i64(d_items + 8 * i)
            tp = _load_i64(obj + type_at)
            if tp != layout[L_DATE] and tp != layout[L_DATETIME]:
                return 0, none, none, np.zeros(0)
            p = obj + data_at
            days[at + i] = _ordinal(_load_u8(p) * 256 + _load_u8(p + 1), _load_u8(p + 2),
                                    _load_u8(p + 3))
            ordered = ordered and (i == 0 or days[at + i] > days[at + i - 1])
            obj = _load_i64(a_items + 8 * i)
            if _load_i64(obj + type_at) != layout[L_FLOAT]:
                return 0, none, none, np.zeros(0)
            amounts[at + i] = _load_f64(obj + value_at)
        at += n
    return (1 if ordered else 2), lengths, days, amounts


# ------------------------------------------------------------------- the solver


@_jit
def _bracket(t: np.ndarray, a: np.ndarray, n: int) -> tuple[float, float]:
    """[lo, hi] in r holding every root (as :func:`xirr_kernel.bounds`)."""
    total = 0.0
    for i in range(n):
        total += abs(a[i])
    a0, an = abs(a[0]), abs(a[n - 1])
    hi = (math.log(max(total - a0, a0)) - math.log(a0)) / (t[1] - t[0]) + 1.0
    lo = -(math.log(max(total - an, an)) - math.log(an)) / (t[n - 1] - t[n - 2]) - 1.0
    return lo, hi


@_jit
def _start(t: np.ndarray, a: np.ndarray, n: int, lo: float, hi: float) -> float:
    """All inflows and all outflows at their centroids: the rate equating them."""
    p_sum = net = pt = at = 0.0
    for i in range(n):
        p = max(a[i], 0.0)
        p_sum += p
        net += a[i]
        pt += p * t[i]
        at += a[i] * t[i]
    m = p_sum - net
    r0 = math.nan
    if p_sum > 0 and m > 0:
        den = pt / p_sum - (pt - at) / m
        if den != 0:
            r0 = math.log(p_sum / m) / den
    if not math.isfinite(r0):
        r0 = math.log1p(0.1)
    return min(max(r0, lo), hi)


@_jit
def _exact(t: np.ndarray, a: np.ndarray, e: np.ndarray, n: int,
           r: float) -> tuple[float, float, float, float]:
    """e = exp(-r t) (divided by exp(-r t_max) when that exceeds e**300, as the numpy
    kernel's ``_discount``), and f, f', f'' and the sum of the positive terms at r."""
    t_max = t[n - 1]
    shift = r * t_max if r * t_max < -300.0 else 0.0
    f = d1 = d2 = pos = 0.0
    for i in range(n):
        e[i] = math.exp(t[i] * -r + shift)
        ae = a[i] * e[i]
        f += ae
        d1 -= ae * t[i]
        d2 += ae * t[i] * t[i]
        pos += max(ae, 0.0)
    return f, d1, d2, pos


@_fast
def _moved(t: np.ndarray, a: np.ndarray, e: np.ndarray, n: int,
           dr: float) -> tuple[float, float, float, float]:
    """e *= exp(-dr t), for |dr t| <= :data:`SMALL_MOVE`, by a Taylor polynomial (error
    below 1e-19, plus one rounding: a few ulp per move), and f, f', f'' and the sum of
    the positive terms there. No libm call: the loop vectorises."""
    f = d1 = d2 = pos = 0.0
    for i in range(n):
        z = t[i] * -dr
        p = 1.0 / 6227020800.0
        p = p * z + 1.0 / 479001600.0
        p = p * z + 1.0 / 39916800.0
        p = p * z + 1.0 / 3628800.0
        p = p * z + 1.0 / 362880.0
        p = p * z + 1.0 / 40320.0
        p = p * z + 1.0 / 5040.0
        p = p * z + 1.0 / 720.0
        p = p * z + 1.0 / 120.0
        p = p * z + 1.0 / 24.0
        p = p * z + 1.0 / 6.0
        p = p * z + 0.5
        p = p * z + 1.0
        p = p * z + 1.0
        ei = e[i] * p
        e[i] = ei
        ae = a[i] * ei
        f += ae
        d1 -= ae * t[i]
        d2 += ae * t[i] * t[i]
        pos += max(ae, 0.0)
    return f, d1, d2, pos


@_jit
def _iterate(t: np.ndarray, a: np.ndarray, e: np.ndarray, n: int, lo: float, hi: float,
             sign_lo: float, r: float) -> tuple[float, bool, float, int]:
    """Safeguarded Halley steps on [lo, hi] (as :func:`xirr_kernel.iterate`, one row).

    Returns the root, whether it converged, the rate last evaluated (``e`` holds the
    discount factors there) and how many polynomial moves those went through since
    their last exact evaluation.
    """
    t_max = t[n - 1]
    dx_old, fast = hi - lo, False
    tol = (n + 8) * EPS
    r_e, moves = r, 0
    f, d1, d2, pos = _exact(t, a, e, n, r)
    for _ in range(MAX_ITER):
        size = 2 * pos - f
        s = 0.0 if f == 0 else math.copysign(1.0, f)
        if s == sign_lo:
            lo = r
        elif s == -sign_lo:
            hi = r
        h = f / d1  # inf or nan (numpy's error model) end in a bisection
        c = h * d2 / (2 * d1)
        step = h / (1 - c) if abs(c) < 0.5 else h
        rn = r - step
        bis = not (rn > lo and rn < hi) or abs(2 * step) > abs(dx_old)
        new = 0.5 * (lo + hi) if bis else rn
        s2, dx = step * step, abs(dx_old)
        settled = fast and not bis and s2 * s2 <= EPS * abs(new) * dx * dx * dx
        fast = not bis
        dx_old = hi - lo if bis else step
        quiet = abs(f) <= tol * size
        done = s == 0 or quiet or settled or abs(new - r) <= 4 * EPS * abs(new)
        done = done or (hi - lo) <= 4 * EPS * max(abs(lo), abs(hi))
        if done:
            return (r if s == 0 or (quiet and bis) else new), True, r_e, moves
        if abs(new - r) * t_max <= SMALL_MOVE and r * t_max >= -300.0:
            f, d1, d2, pos = _moved(t, a, e, n, new - r)
            moves += 1
        else:
            f, d1, d2, pos = _exact(t, a, e, n, new)
            moves = 0
        r = r_e = new
    return r, False, r_e, moves


@_jit
def _unique(t: np.ndarray, a: np.ndarray, e: np.ndarray, n: int, r: float, r_e: float,
            moves: int, w: np.ndarray) -> bool:
    """Whether every running balance of the flows discounted at the root r surely keeps
    the first flow's sign (as :func:`xirr_kernel._balance`), proving r the only root.
    ``e`` holds the discount factors at ``r_e`` after ``moves`` polynomial moves (each
    adds a few ulp to the error bound); ``w`` is scratch space of 3 n."""
    t_max = t[n - 1]
    if abs(r - r_e) * t_max <= SMALL_MOVE and r_e * t_max >= -300.0:
        _moved(t, a, e, n, r - r_e)
        moves += 1
    else:
        _exact(t, a, e, n, r)
        moves = 0
    fwd, fwd_abs = w[:n], w[n:2 * n]
    tot = tot_abs = slope = 0.0
    for i in range(n):
        wi = a[i] * e[i]
        w[2 * n + i] = wi
        tot += wi
        tot_abs += abs(wi)
        fwd[i], fwd_abs[i] = tot, tot_abs
        slope += wi * t[i]
    w = w[2 * n:]
    gamma = (4 * (n + 2) + 4 * moves) * EPS
    kappa = gamma + t_max * ((abs(tot) + gamma * tot_abs) / abs(slope))
    if math.isnan(kappa):
        kappa = math.inf
    elif kappa == math.inf:
        kappa = 1.7976931348623157e308  # numpy.nan_to_num's stand-in for inf
    sign0 = 1.0 if a[0] > 0 else -1.0
    vague, proven = False, True
    for j in range(n - 1):
        err = kappa * fwd_abs[j]
        vague = vague or abs(fwd[j]) <= err
        proven = proven and (fwd[j] * sign0 > err or math.isinf(err))
    if not vague:
        return proven
    tail = tail_abs = 0.0  # retry from the tail end where that adds fewer |w|
    for j in range(n - 2, -1, -1):
        tail += w[j + 1]
        tail_abs += abs(w[j + 1])
        val, err = fwd[j], kappa * fwd_abs[j]
        if tail_abs < fwd_abs[j]:
            val = -tail
            if math.isfinite(err):
                err = kappa * tail_abs
        if not (val * sign0 > err or math.isinf(err)):
            return False
    return True


@_jit
def _series(days: np.ndarray, amounts: np.ndarray, lo_i: int, hi_i: int, t: np.ndarray,
            a: np.ndarray, w: np.ndarray) -> tuple[int, float, float]:
    """Status, log-rate and span (years) of the flows ``lo_i:hi_i`` (ascending distinct
    days); ``t``, ``a`` (n) and ``w`` (4 n) are scratch space."""
    n = 0
    for i in range(lo_i, hi_i):
        if amounts[i] != 0.0:
            t[n] = days[i]
            a[n] = amounts[i]
            n += 1
    k = 0
    for i in range(1, n):
        if (a[i] < 0) != (a[i - 1] < 0):
            k += 1
    if k == 0:
        return NO_RATE, 0.0, 0.0
    top = 0.0
    for i in range(n):
        top = max(top, abs(a[i]))
    if (a[0] < 0) == (a[n - 1] < 0) or top >= 2.0**500 or abs(a[0]) <= 2.0**-500:
        return FALLBACK, 0.0, 0.0
    first = t[0]
    for i in range(n):
        t[i] = max(t[i] - first, 0.0) / 365.0
    lo, hi = _bracket(t, a, n)
    sign_lo = 1.0 if a[n - 1] > 0 else -1.0
    e = w[:n]
    r, ok, r_e, moves = _iterate(t, a, e, n, lo, hi, sign_lo, _start(t, a, n, lo, hi))
    if not ok or (k > 1 and not _unique(t, a, e, n, r, r_e, moves, w[n:])):
        return FALLBACK, 0.0, 0.0
    return ROOT, r, t[n - 1]


@_jit
def solve_sorted(starts: np.ndarray, days: np.ndarray, amounts: np.ndarray,
                 status: np.ndarray, r: np.ndarray, span: np.ndarray) -> None:
    """Each series ``starts[j]:starts[j + 1]`` of flows sorted by day, one per day
    (``days`` integer, ``amounts`` float, zeros allowed): fills ``status`` (see
    :data:`ROOT`), ``r`` (the log-rate) and ``span`` (years, first to last flow)."""
    width = 2
    for j in range(len(starts) - 1):
        width = max(width, starts[j + 1] - starts[j])
    t, a, w = np.empty(width), np.empty(width), np.empty(4 * width)
    for j in range(len(starts) - 1):
        status[j], r[j], span[j] = _series(days, amounts, starts[j], starts[j + 1], t, a, w)


def object_layout() -> np.ndarray | None:
    """The ``layout`` for :func:`read_series` on this interpreter, checked on sample
    objects (every date field and float bit read back); ``None`` where objects cannot be
    read so (not a 64-bit CPython with the GIL, or the check fails)."""
    if (sys.implementation.name != "cpython" or struct.calcsize("P") != 8
            or sysconfig.get_config_var("Py_GIL_DISABLED")):
        return None
    layout = np.array([8, 16, 24, 25, 16, id(list), id(tuple), id(date), id(datetime),
                       id(float)], np.int64)
    dates = [date(1, 1, 1), date(9999, 12, 31), date(2024, 2, 29), date(1900, 3, 1),
             datetime(2000, 3, 1, 23, 59, tzinfo=UTC), date(2100, 12, 31)]
    amounts = [0.0, -0.0, 1.5e308, -2.5, 5e-324, 0.1]
    sample = [(dates, amounts), [tuple(dates), tuple(amounts)]]
    status, lengths, days, values = read_series(id(sample), layout)
    want = np.array([d.toordinal() for d in dates] * 2)
    if (status != 2 or lengths.tolist() != [6, 6] or (days != want).any()
            or values.tobytes() != np.array(amounts * 2).tobytes()):
        return None
    return layout
