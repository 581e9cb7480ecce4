"""Compiled (numba) batch XIRR kernel, private to :mod:`fundops.calc.returns`.

The same method as the numpy kernel (:mod:`fundops.calc.xirr_kernel`), series by series
instead of lock-step over a matrix: log space ``r = ln(1 + rate)``, the same bracket and
start, the same safeguarded Halley steps with the same stopping rules (f, f' and f'' from
one ``exp`` per flow per step), and the same running-balance proof of uniqueness. A series
it cannot settle (first and last flow of one sign, amounts that need scaling, no
convergence, a root not proven unique) is left to the single-series solver. Only the
first evaluation calls ``exp`` once per flow: later steps move the discount factors by a
Taylor polynomial (:data:`SMALL_MOVE`), a loop that vectorises. Importing this module
imports numba; functions compile on first call and are cached on disk (``cache=True``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np

__all__ = ["FALLBACK", "NO_RATE", "ROOT", "compiled", "solve_sorted"]

F = TypeVar("F", bound=Callable[..., Any])

NO_RATE, ROOT, FALLBACK = 0, 1, 2
"""Status per series: no rate (no flows, no sign change), a root certified unique (its
log-rate in ``r``), or left to the single-series solver."""

EPS = 2.0**-52
MAX_ITER = 200


SMALL_MOVE = 0.25
"""Largest |Δr t_max| for which discount factors are moved by a polynomial, not exp."""


def compiled(fn: F, **options: Any) -> F:
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
    return compiled(fn, nogil=True)


def _fast(fn: F) -> F:
    """:func:`_jit` allowing reassociation (so sums vectorise) and fused multiply-adds."""
    return compiled(fn, nogil=True, fastmath={"reassoc", "contract", "nsz"})


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
