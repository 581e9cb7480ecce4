"""XIRR on Excel's convention: robust single-series solver, all-roots search, vectorised batch."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np

__all__ = ["DAYS_PER_YEAR", "EXCEL_GUESS", "XirrResult", "xirr", "xirr_detail", "xirr_flat",
    "xirr_many", "xirr_roots"]

Amount = Decimal | int | float
DAYS_PER_YEAR = 365
"""Actual/365 Fixed: year fraction = days since the earliest flow / 365 (no leap-year rule)."""
EXCEL_GUESS = 0.1
"""Excel's default XIRR guess; of several IRRs the one nearest to it is returned."""

_EPS = float(np.finfo(float).eps)
_MAX_LOG_RATE = math.log(np.finfo(float).max)  # ln(1 + rate) above this overflows a float
_MAX_ITER = 200
_ROLLE_MAX = 40  # most sign changes for the exact all-roots search (a grid search above)
_GRID = 2048
_BLOCK = 24000  # matrix cells per block of the batch solver (~190 KiB arrays)


@dataclass(frozen=True)
class XirrResult:
    """Outcome of :func:`xirr_detail`.

    ``rate``: the annual IRR as a fraction (0.0734 = 7.34 %), unrounded (round for display
    only), or ``None`` with ``reason``: ``"zero_flows"`` (no flows, or all net to zero: NPV
    is zero at every rate), ``"no_sign_change"``, ``"no_root"`` (both signs, but NPV never
    reaches zero) or ``"rate_overflow"`` (IRR above the largest float, ~1.8e308).
    ``log_rate``: ln(1 + rate) of the chosen root, the continuously compounded rate (finite
    even when ``rate`` overflows or rounds to -1). ``roots``: every IRR, ascending
    (``math.inf`` for one that overflows). ``multiple_roots``: ``len(roots) > 1``; then
    ``rate`` is the root nearest to :data:`EXCEL_GUESS` (10 %), the lower one on a tie.
    ``sign_changes``: of the netted, date-ordered flows (an upper bound on the roots).
    ``complete``: False only when, with more than 40 sign changes and no proof from the
    grid search, another root cannot be ruled out.
    """

    rate: float | None
    log_rate: float | None
    roots: tuple[float, ...]
    multiple_roots: bool
    sign_changes: int
    reason: str | None = None
    complete: bool = True


def xirr(dates: Sequence[date], amounts: Sequence[Amount]) -> float | None:
    """Annual IRR (a fraction) of dated flows on Excel's XIRR convention, or ``None``.

    Solves ``sum(a_i / (1 + rate) ** ((d_i - d_min) / 365)) = 0``. ``amounts`` are in
    currency units, LP view (contributions negative, distributions and NAV positive; the
    mirrored convention gives the same rate). Dates may come in any order; a datetime
    counts as its date. Same-day flows are netted exactly first. The rate is unrounded
    (domain rules show 4 decimals), relative error near 1e-15 on well-conditioned flows.
    ``None``: see :class:`XirrResult`.
    Raises ValueError for unequal lengths or non-finite amounts, TypeError for bools or
    non-dates.
    """
    return xirr_detail(dates, amounts).rate


def xirr_roots(dates: Sequence[date], amounts: Sequence[Amount]) -> list[float]:
    """Every IRR of the flows (annual fractions, ascending); empty when none exists."""
    return list(xirr_detail(dates, amounts).roots)


def xirr_detail(dates: Sequence[date], amounts: Sequence[Amount]) -> XirrResult:
    """XIRR with diagnostics (see :class:`XirrResult`); arguments as for :func:`xirr`.

    Method: in ``r = ln(1 + rate)`` (any real) NPV is ``f(r) = sum(a_i exp(-r t_i))``, t_i
    in years. All roots lie in a bracket beyond which the first or the last flow dominates.
    Safeguarded Halley/Newton steps with bisection solve it to full double precision, and
    the root is certified unique when the running balance of the flows discounted at it
    keeps one sign (the Laplace-transform form of Descartes' rule of signs). Otherwise
    every root is found by applying Rolle's theorem recursively (over 40 sign changes: a
    grid search) and the one nearest to 10 % is returned.
    """
    return _detail_prepared(*_prepare(dates, amounts))


def xirr_many(series: Iterable[tuple[Sequence[date], Sequence[Amount]]]) -> list[float | None]:
    """:func:`xirr` of many ``(dates, amounts)`` series at once, vectorised with numpy.

    One rate (or ``None``) per series, equal to :func:`xirr` up to the last bits. Series
    with same-day flows are netted exactly as in :func:`xirr`; other amounts go through
    ``float()`` (bools are not rejected here).
    """
    series = list(series)
    lengths = np.fromiter(map(len, (s[0] for s in series)), np.int64, len(series))
    if any(len(s[1]) != n for s, n in zip(series, lengths.tolist())):
        raise ValueError("dates and amounts differ in length")
    # blocks of about _BLOCK flows keep every array small (see _solve_flat)
    cuts = np.searchsorted(np.cumsum(lengths), np.arange(_BLOCK, int(lengths.sum()), _BLOCK))
    bounds = [0, *sorted(set((cuts + 1).tolist()) - {0, len(series)}), len(series)]
    return [x for lo, hi in itertools.pairwise(bounds)
            for x in _many_block(series[lo:hi], lengths[lo:hi])]


def xirr_flat(groups: np.ndarray, days: np.ndarray, amounts: np.ndarray,
              n_groups: int | None = None) -> np.ndarray:
    """Batch XIRR on flat ("long") arrays, one element per flow, e.g. rows from a query.

    ``groups``: integer series labels ``0 .. n_groups - 1`` in any order; ``days``: integer
    day numbers (``date.toordinal()`` or days since any epoch); ``amounts``: floats in
    currency units, LP signs. Returns the annual rates (fractions), ``nan`` where
    :func:`xirr` gives ``None``. Same-day flows are netted by float addition. All series
    iterate together; one whose root is not certified unique gets the all-roots search.
    """
    g = np.asarray(groups, dtype=np.int64)
    d = np.asarray(days, dtype=np.int64)
    a = np.asarray(amounts, dtype=np.float64)
    if not len(g) == len(d) == len(a):
        raise ValueError("groups, days and amounts differ in length")
    if not np.isfinite(a).all():
        raise ValueError("amounts must be finite")
    n = (int(g.max()) + 1 if len(g) else 0) if n_groups is None else int(n_groups)
    if len(g) and not 0 <= int(g.min()) <= int(g.max()) < n:
        raise ValueError(f"group labels must lie in 0..{n - 1}")
    dg = np.diff(g)
    if not ((dg > 0) | ((dg == 0) & (np.diff(d) > 0))).all():  # sort, then net same-day flows
        order = np.lexsort((d, g))
        g, d, a = g[order], d[order], a[order]
        first = np.flatnonzero(np.r_[True, (np.diff(g) != 0) | (np.diff(d) != 0)])
        if len(first) < len(g):
            with np.errstate(over="ignore"):
                g, d, a = g[first], d[first], np.add.reduceat(a, first)
            if not np.isfinite(a).all():
                raise ValueError("a same-day net is too large for a float")
    return _solve_flat(g, d, a, n)


# ----------------------------------------------------------------------------- internals


def _many_block(series: list[tuple[Sequence[date], Sequence[Amount]]],
                lengths: np.ndarray) -> list[float | None]:
    """:func:`xirr_many` for one block of series."""
    days = np.fromiter(map(date.toordinal, itertools.chain.from_iterable(s[0] for s in series)),
                       np.int64, int(lengths.sum()))
    amts = np.array(list(itertools.chain.from_iterable(s[1] for s in series)), dtype=np.float64)
    groups = np.repeat(np.arange(len(series)), lengths)
    step, ends = np.diff(days), np.cumsum(lengths)
    step[ends[(lengths > 0) & (ends < len(days))] - 1] = 1  # series boundaries
    if (step > 0).all():  # each series sorted with distinct dates: the common case
        if not np.isfinite(amts).all():
            raise ValueError("amounts must be finite")
        rates = _solve_flat(groups, days, amts, len(series))
    else:
        order = np.lexsort((days, groups))
        gs, ds = groups[order], days[order]
        dup = np.unique(gs[1:][(np.diff(gs) == 0) & (np.diff(ds) == 0)])
        if len(dup):  # net these series' same-day flows exactly, as the single solver does
            keep = ~np.isin(groups, dup)
            parts = [(groups[keep], days[keep], amts[keep])]
            for row in dup.tolist():
                d, a = _prepare(*series[row])
                parts.append((np.full(len(d), row), d, a))
            groups, days, amts = (np.concatenate(p) for p in zip(*parts))
        rates = xirr_flat(groups, days, amts, len(series))
    return [None if math.isnan(x) else x for x in rates.tolist()]


def _solve_flat(g: np.ndarray, d: np.ndarray, a: np.ndarray, n: int) -> np.ndarray:
    """:func:`xirr_flat` on flows sorted by (group, day), at most one per day.

    Series go in blocks of at most ``_BLOCK`` matrix cells: temporaries that small are
    recycled by the allocator instead of being mapped and page-faulted afresh for every
    operation, which about halves the time.
    """
    per = max(1, _BLOCK // max(int(np.bincount(g).max()) if len(g) else 1, 2))
    if n <= per:
        return _solve_block(g, d, a, n)
    out = np.empty(n)
    cuts = np.searchsorted(g, np.arange(0, n + per, per)).tolist()
    for base, lo, hi in zip(range(0, n, per), cuts, cuts[1:]):
        m = min(per, n - base)
        out[base:base + m] = _solve_block(g[lo:hi] - base, d[lo:hi], a[lo:hi], m)
    return out


def _solve_block(g: np.ndarray, d: np.ndarray, a: np.ndarray, n: int) -> np.ndarray:
    """:func:`_solve_flat` for one block of series."""
    if not a.all():
        keep = np.flatnonzero(a)
        g, d, a = g.take(keep), d.take(keep), a.take(keep)
    out = np.full(n, np.nan)
    counts = np.bincount(g, minlength=n)
    width = max(int(counts.max()) if n else 0, 2)
    starts = np.cumsum(counts) - counts
    sb = np.signbit(a)
    k = np.bincount(g[1:][(sb[1:] != sb[:-1]) & (g[1:] == g[:-1])], minlength=n)
    if n and int(counts.min()) == width:
        T, A = d.reshape(n, width).astype(np.float64), a.reshape(n, width)
    else:  # left-aligned rows padded with zero amounts
        flat = np.arange(len(g))
        flat += np.repeat(np.arange(n) * width - starts, counts)
        T, A = np.zeros((n, width)), np.zeros((n, width))
        T.ravel()[flat], A.ravel()[flat] = d, a
    T -= T[:, 0].copy()[:, None]  # days since each series' first flow, as in the single solver
    np.maximum(T, 0.0, out=T)  # padding: t = 0
    T /= DAYS_PER_YEAR
    scaled = _scaled(A)  # rows where it underflowed a flow go to the single solver
    lost = ((scaled == 0) & (A != 0)).any(axis=1) if scaled is not A else np.zeros(n, bool)
    rows = np.flatnonzero((k > 0) & ~lost)
    if len(rows) < n:
        T, scaled, counts_k, k = T[rows], scaled[rows], counts[rows], k[rows]
    else:
        counts_k = counts
    r, ok = _solve_rows(T, scaled, counts_k, k)
    out[rows[ok]] = np.expm1(np.minimum(r[ok], _MAX_LOG_RATE))
    out[rows[ok & (r > _MAX_LOG_RATE)]] = np.nan
    for row in rows[~ok].tolist() + np.flatnonzero(lost).tolist():
        span = slice(starts[row], starts[row] + counts[row])
        rate = _detail_prepared(d[span], a[span]).rate
        out[row] = np.nan if rate is None else rate
    return out


def _to_float(x: Amount | Fraction) -> float:
    if isinstance(x, bool):
        raise TypeError("amounts must be numbers, not bool")
    try:
        v = float(x)
    except OverflowError:
        raise ValueError("an amount (or a same-day net) is too large for a float") from None
    if not math.isfinite(v):
        raise ValueError(f"amount {x!r} is not finite")
    return v


def _prepare(dates: Sequence[date], amounts: Sequence[Amount]) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (ascending, distinct) and float amounts (netted per day, zeros dropped)."""
    if len(dates) != len(amounts):
        raise ValueError(f"{len(dates)} dates but {len(amounts)} amounts")
    days = [date.toordinal(d) for d in dates]
    values = [_to_float(x) for x in amounts]
    if len(set(days)) != len(days):  # exact: Decimal, int and float are exact Fractions
        total: dict[int, Fraction] = {}
        for day, x in zip(days, amounts):
            total[day] = total.get(day, Fraction(0)) + Fraction(x)
        days, values = list(total), [_to_float(v) for v in total.values()]
    d, a = np.array(days, dtype=np.int64), np.array(values, dtype=np.float64)
    order = np.argsort(d, kind="stable")
    keep = a[order] != 0
    return d[order][keep], a[order][keep]


def _scaled(a: np.ndarray) -> np.ndarray:
    """Rows scaled exactly by powers of two so each largest |a| is within 2**-500..2**500.

    Then no NPV sum overflows (see :func:`_discount`). A flow below 2**-1574 times its
    row's largest (a span beyond float range, ~1e474) underflows to zero.
    """
    # a row's largest |a| is tiny only if its first (nonzero) flow is
    if not a.size or (max(a.max(), -a.min()) < 2.0**500 and np.abs(a[:, 0]).min() > 2.0**-500):
        return a
    top = np.frexp(np.maximum(a.max(axis=1), -a.min(axis=1)))[1]
    shift = np.where(top > 500, top - 500, np.where(top < -500, top, 0))
    out: np.ndarray = np.ldexp(a, -shift[:, None])
    return out


def _detail_prepared(days: np.ndarray, amts: np.ndarray) -> XirrResult:
    if len(amts) == 0:
        return XirrResult(None, None, (), False, 0, "zero_flows")
    k = int((np.signbit(amts[1:]) != np.signbit(amts[:-1])).sum())
    if k == 0:
        return XirrResult(None, None, (), False, 0, "no_sign_change")
    a = _scaled(amts[None, :])
    if not a.all():  # underflowed flows (see _scaled) count as zero
        return _detail_prepared(days[a[0] != 0], a[0][a[0] != 0])
    t = ((days - days[0]) / DAYS_PER_YEAR)[None, :]
    r, ok = _solve_rows(t, a, np.array([len(amts)]), np.array([k]))
    roots_r, complete = ([float(r[0])], True) if ok[0] else _all_roots(t[0], a[0], k)
    if not roots_r:
        return XirrResult(None, None, (), False, k, "no_root", complete)
    roots_r.sort()
    roots = tuple(math.expm1(x) if x <= _MAX_LOG_RATE else math.inf for x in roots_r)
    best = min(range(len(roots)), key=lambda i: (abs(roots[i] - EXCEL_GUESS), roots[i]))
    rate, overflow = roots[best], math.isinf(roots[best])
    return XirrResult(None if overflow else rate, roots_r[best], roots, len(roots) > 1, k,
                      "rate_overflow" if overflow else None, complete)


def _discount(t: np.ndarray, r: np.ndarray, t_max: np.ndarray,
              out: np.ndarray | None = None) -> np.ndarray:
    """exp(-r t) per row; rows where that exceeds e**300 are divided by their largest term.

    With amounts below 2**500 (:func:`_scaled`) no NPV sum or derivative can overflow.
    """
    e: np.ndarray = np.multiply(t, -r[:, None], out=out)
    big = r * t_max < -300.0
    if big.any():
        e += np.where(big, r * t_max, 0.0)[:, None]
    np.exp(e, out=e)
    return e


def _bounds(t: np.ndarray, a: np.ndarray, counts: np.ndarray,
            total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row a bracket [lo, hi] in r holding every root (``total`` = row sum of |a|).

    For r >= hi the first flow outweighs all others discounted at r (they come at least
    t[1] - t[0] later); for r <= lo the last flow outweighs the rest.
    """
    rows = np.arange(len(counts))
    a0, an = np.abs(a[:, 0]), np.abs(a[rows, counts - 1])
    gap = t[rows, counts - 1] - t[rows, counts - 2]
    hi = (np.log(np.maximum(total - a0, a0)) - np.log(a0)) / (t[:, 1] - t[:, 0]) + 1.0
    lo = -(np.log(np.maximum(total - an, an)) - np.log(an)) / gap - 1.0
    return lo, hi


def _iterate(t: np.ndarray, a: np.ndarray, pos: np.ndarray, t_max: np.ndarray, lo: np.ndarray,
             hi: np.ndarray, sign_lo: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Safeguarded Halley steps per row on brackets [lo, hi] across which f changes sign.

    A step leaving the bracket, or not halving the one before, becomes a bisection (as in
    rtsafe). A row stops when f is zero or within rounding noise of the sum of |terms|,
    when the step or the bracket is below 4 ulp, or when cubic convergence puts the error
    after the step below 1 ulp. ``pos`` = max(a, 0) gives sum|terms| = 2 * sum(pos e) - f.
    """
    n = len(r)
    out, ok, idx, live = r.copy(), np.zeros(n, bool), np.arange(n), np.ones(n, bool)
    ta, e = a * t, np.empty(t.shape)
    dx_old, fast = hi - lo, np.zeros(n, bool)
    tol = (t.shape[1] + 8) * _EPS
    for _ in range(_MAX_ITER):
        _discount(t, r, t_max, out=e)
        f = np.einsum("ij,ij->i", a, e)
        d1 = -np.einsum("ij,ij->i", ta, e)
        d2 = np.einsum("ij,ij,ij->i", ta, t, e)
        size = 2 * np.einsum("ij,ij->i", pos, e) - f
        s = np.sign(f)
        lo, hi = np.where(s == sign_lo, r, lo), np.where(s == -sign_lo, r, hi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            h = f / d1
            c = h * d2 / (2 * d1)
            step = np.where(np.abs(c) < 0.5, h / (1 - c), h)
            rn = r - step
            bis = ~((rn > lo) & (rn < hi)) | (np.abs(2 * step) > np.abs(dx_old))
            new = np.where(bis, 0.5 * (lo + hi), rn)
            s2, dx = step * step, np.abs(dx_old)  # error after a Halley step ~ step**4/dx**3
            settled = fast & ~bis & (s2 * s2 <= _EPS * np.abs(new) * dx * dx * dx)
        fast, dx_old = ~bis, np.where(bis, hi - lo, step)
        quiet = np.abs(f) <= tol * size
        done = (s == 0) | quiet | settled | (np.abs(new - r) <= 4 * _EPS * np.abs(new))
        done |= (hi - lo) <= 4 * _EPS * np.maximum(np.abs(lo), np.abs(hi))
        done &= live  # finished rows run on harmlessly until the arrays are compacted
        if done.any():
            out[idx[done]] = np.where((s == 0) | (quiet & bis), r, new)[done]
            ok[idx[done]] = True
            live &= ~done
            n_live = int(live.sum())
            if not n_live:
                break
            if n_live <= len(live) // 2:
                idx, t, a, ta, pos = idx[live], t[live], a[live], ta[live], pos[live]
                t_max, lo, hi, sign_lo = t_max[live], lo[live], hi[live], sign_lo[live]
                new, dx_old, fast, live = new[live], dx_old[live], fast[live], live[live]
                e = e[:n_live]
        r = new
    return out, ok


def _solve_rows(t: np.ndarray, a: np.ndarray, counts: np.ndarray,
                k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-rates of rows with a sign change; ``ok`` is False unless certified unique."""
    rows = np.arange(len(counts))
    r_out, ok = np.zeros(len(counts)), np.zeros(len(counts), bool)
    sn = np.sign(a[rows, counts - 1])
    odd = np.flatnonzero(np.sign(a[:, 0]) != sn)  # f changes sign over the reals: a root
    if not len(odd):
        return r_out, ok
    if len(odd) < len(rows):
        t, a, counts, k = t[odd], a[odd], counts[odd], k[odd]
    t_max = t[np.arange(len(counts)), counts - 1]
    pos = np.maximum(a, 0.0)
    p_sum, net = pos.sum(axis=1), a.sum(axis=1)
    lo, hi = _bounds(t, a, counts, 2 * p_sum - net)
    pt, at = np.einsum("ij,ij->i", pos, t), np.einsum("ij,ij->i", a, t)
    with np.errstate(divide="ignore", invalid="ignore"):  # all in/out flows at their centroids
        r0 = np.log(p_sum / (p_sum - net)) / (pt / p_sum - (pt - at) / (p_sum - net))
    r0 = np.clip(np.where(np.isfinite(r0), r0, math.log1p(EXCEL_GUESS)), lo, hi)
    r, conv = _iterate(t, a, pos, t_max, lo, hi, sn[odd], r0)
    unique = k == 1
    multi = np.flatnonzero(~unique & conv)
    if len(multi):  # certified unique: every balance surely has the first flow's sign
        val, err = _balance(t[multi], a[multi], r[multi], counts[multi])
        unique[multi] = ((val * np.sign(a[multi, :1]) > err) | np.isinf(err)).all(axis=1)
    r_out[odd], ok[odd] = r, conv & unique
    return r_out, ok


def _balance(t: np.ndarray, a: np.ndarray, r: np.ndarray,
             counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running balance of the flows discounted at their root r, with error bounds, per row.

    With b_i = a_i exp(-r t_i) summing to 0, f(r + s) = s * integral of B(t) exp(-s t) dt,
    B the running balance before the last flow; so f has no more other roots than B has
    sign changes (Laplace-transform form of Descartes' rule). Balance j (after flow j,
    j < count - 1) is the forward partial sum or, where that is within its error bound,
    minus the remaining tail if that adds fewer |b|. ``err`` bounds the rounding and root
    error; it is inf for the last flow and the padding.
    """
    w = a * _discount(t, r, t[np.arange(len(r)), counts - 1])
    aw = np.abs(w)
    fwd, fwd_abs = _cumsum(w), _cumsum(aw)
    gamma = 4 * (counts + 2) * _EPS
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slope = np.abs(np.einsum("ij,ij->i", w, t))
        root_err = (np.abs(fwd[:, -1]) + gamma * fwd_abs[:, -1]) / slope
        kappa = np.nan_to_num(gamma + t.max(axis=1) * root_err, nan=np.inf)[:, None]
        val, err = fwd[:, :-1], kappa * fwd_abs[:, :-1]
        err[np.arange(t.shape[1] - 1)[None, :] >= (counts - 1)[:, None]] = np.inf
        vague = np.flatnonzero((np.abs(val) <= err).any(axis=1))
        if len(vague):  # retry those from the tail end, which can be far more accurate
            tail, tail_abs = _cumsum(w[vague, ::-1])[:, ::-1], _cumsum(aw[vague, ::-1])[:, ::-1]
            use = tail_abs[:, 1:] < fwd_abs[vague, :-1]
            val[vague] = np.where(use, -tail[:, 1:], val[vague])
            err[vague] = np.where(use & np.isfinite(err[vague]), kappa[vague] * tail_abs[:, 1:],
                                  err[vague])
    return val, err


def _cumsum(x: np.ndarray) -> np.ndarray:
    """Cumulative sums along rows (a loop over columns when rows are many and short)."""
    if x.shape[0] < 4 * x.shape[1]:
        return np.cumsum(x, axis=1)
    out = np.array(x.T, order="C")
    for j in range(1, len(out)):
        out[j] += out[j - 1]
    return out.T


def _all_roots(t: np.ndarray, a: np.ndarray, sign_changes: int) -> tuple[list[float], bool]:
    """Every root r of f(r) = sum(a exp(-r t)) (1-D arrays), and whether the set is proven."""
    if sign_changes <= _ROLLE_MAX:
        return _rolle_roots(t, a, sign_changes), True
    return _grid_roots(t, a, sign_changes)


def _rolle_roots(t: np.ndarray, a: np.ndarray, sign_changes: int) -> list[float]:
    """Every root of f by Rolle's theorem, recursively (exact up to rounding).

    With s between the times of two flows of opposite sign, d/dr[exp(r s) f(r)] equals
    exp(r s) * sum(a_i (s - t_i) exp(-r t_i)): the same form with one sign change fewer.
    Between consecutive roots of it exp(r s) f is strictly monotone, so each such interval
    holds a root of f exactly when f changes sign across it; f vanishing at a critical
    point (to rounding) is a double root. One sign change means exactly one root.
    """
    if not sign_changes:
        return []
    lo, hi = _bounds(t[None, :], a[None, :], np.array([len(a)]), np.abs(a).sum(keepdims=True))
    if sign_changes == 1:
        return _solve_brackets(t, a, lo, hi, np.sign(a[-1:]))
    j = int(np.flatnonzero(np.signbit(a[1:]) != np.signbit(a[:-1]))[0])
    c = _scaled((a * (0.5 * (t[j] + t[j + 1]) - t))[None, :])[0]
    tc, c = t[c != 0] - t[c != 0][0], c[c != 0]  # drop underflowed terms; restart t at 0
    k = int((np.signbit(c[1:]) != np.signbit(c[:-1])).sum())
    crit = [x for x in _rolle_roots(tc, c, k) if lo[0] < x < hi[0]]
    pts = np.array([lo[0], *crit, hi[0]])
    e = _discount(np.broadcast_to(t, (len(pts), len(t))), pts, np.full(len(pts), t[-1]))
    f, size = e @ a, e @ np.abs(a)
    sf = np.where(np.abs(f) <= 64 * _EPS * size, 0.0, np.sign(f))  # 0: touches zero
    sf[0], sf[-1] = np.sign(a[-1]), np.sign(a[0])
    cross = np.flatnonzero(sf[:-1] * sf[1:] < 0)
    roots = _solve_brackets(t, a, pts[cross], pts[cross + 1], sf[cross])
    return sorted(roots + pts[1:-1][sf[1:-1] == 0].tolist())


def _solve_brackets(t: np.ndarray, a: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                    sign_lo: np.ndarray) -> list[float]:
    """The root of f in each bracket (lo[i], hi[i]) across which it changes sign."""
    if not len(lo):
        return []
    n = len(lo)
    tb, ab = np.broadcast_to(t, (n, len(t))), np.broadcast_to(a, (n, len(t)))
    r, _ = _iterate(tb, ab, np.maximum(ab, 0.0), np.full(n, t[-1]), lo, hi,
                    np.asarray(sign_lo, float), 0.5 * (lo + hi))
    return [float(x) for x in r]


def _grid_roots(t: np.ndarray, a: np.ndarray, sign_changes: int) -> tuple[list[float], bool]:
    """Roots of f at the sign changes of a grid, and whether the set is proven complete.

    The ``_GRID`` points of [lo, hi] are evenly spaced in asinh(r / 0.05): 0.06 % of rate
    apart near 0 %, about 1.2 % relative far out. Two roots within one cell (or a double
    root) can be missed. Proven: as many roots as sign changes, or at some root a running
    balance (:func:`_balance`) with no more sign changes than the other roots.
    """
    lo, hi = _bounds(t[None, :], a[None, :], np.array([len(a)]), np.abs(a).sum(keepdims=True))
    grid = 0.05 * np.sinh(np.linspace(math.asinh(lo[0] / 0.05), math.asinh(hi[0] / 0.05), _GRID))
    sf = np.empty(_GRID)
    for i in range(0, _GRID, max(1, 2_000_000 // len(t))):  # bounded memory
        g = grid[i:i + max(1, 2_000_000 // len(t))]
        sf[i:i + len(g)] = np.sign(_discount(np.broadcast_to(t, (len(g), len(t))), g,
                                             np.full(len(g), t[-1])) @ a)
    cross = np.flatnonzero(sf[:-1] * sf[1:] < 0)
    roots = sorted(grid[sf == 0].tolist() + _solve_brackets(t, a, grid[cross], grid[cross + 1],
                                                            sf[cross]))
    if len(roots) == sign_changes:
        return roots, True
    if roots:
        val, err = _balance(np.broadcast_to(t, (len(roots), len(t))),
                            np.broadcast_to(a, (len(roots), len(t))),
                            np.array(roots), np.full(len(roots), len(t)))
        for row in np.where(np.abs(val) > err, np.sign(val), 0.0):
            # bound on its sign changes: an unknown (0) sign may add two
            known = row[row != 0]
            if (known[1:] != known[:-1]).sum() + 2 * (row == 0).sum() <= len(roots) - 1:
                return roots, True
    return roots, False
