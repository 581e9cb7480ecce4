"""XIRR on Excel's convention: a robust single-series solver, an all-roots search and a batch solver."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np

__all__ = [
    "DAYS_PER_YEAR", "EXCEL_GUESS", "XirrResult", "xirr", "xirr_detail", "xirr_roots",
    "xirr_many", "xirr_flat",
]

Amount = Decimal | int | float
DAYS_PER_YEAR = 365
"""Actual/365 Fixed: year fraction = days since the earliest flow / 365 (no leap-year rule)."""
EXCEL_GUESS = 0.1
"""Excel's default XIRR guess; with several IRRs the root nearest to it is returned."""

_EPS = float(np.finfo(float).eps)
_MAX_LOG_RATE = math.log(np.finfo(float).max)  # ln(1 + rate) above this overflows a float
_MAX_ITER = 200
_GRID = 1024  # grid points of the all-roots search


@dataclass(frozen=True)
class XirrResult:
    """Outcome of an XIRR computation.

    ``rate`` is the annual IRR as a fraction (0.0734 = 7.34 %), unrounded (round for
    display only), or ``None`` with ``reason`` set: ``"zero_flows"`` (no flows, or all
    flows net to zero, so NPV is zero at every rate), ``"no_sign_change"`` (the netted
    flows all have one sign), ``"no_root"`` (both signs but NPV never reaches zero) or
    ``"rate_overflow"`` (the IRR exceeds the largest float, about 1.8e308).
    ``roots`` lists every IRR found, ascending (``math.inf`` for one that overflows);
    ``multiple_roots`` is ``len(roots) > 1`` and then ``rate`` is the root nearest to
    :data:`EXCEL_GUESS` (10 %), the smaller one on a tie. ``sign_changes`` counts sign
    changes of the netted, date-ordered flows (there are never more roots than that).
    ``complete`` is True when the root set is proven complete (always for one sign change
    or a root certified unique); False means another root could not be ruled out.
    """

    rate: float | None
    roots: tuple[float, ...]
    multiple_roots: bool
    sign_changes: int
    reason: str | None = None
    complete: bool = True


def xirr(dates: Sequence[date], amounts: Sequence[Amount]) -> float | None:
    """Annual IRR (a fraction) of dated flows on Excel's XIRR convention, or ``None``.

    Solves ``sum(a_i / (1 + rate) ** ((d_i - d_min) / 365)) = 0``. ``amounts`` are in
    currency units, LP view (contributions negative, distributions and NAV positive; the
    mirrored convention gives the same rate). Dates may come in any order; a ``datetime``
    counts as its date. Flows on the same date are netted exactly before solving. The rate
    is unrounded, with relative error near 1e-15 on well-conditioned series. See
    :func:`xirr_detail` for the method, the multiple-root rule and the reasons for ``None``.
    Raises ``ValueError`` for unequal lengths or non-finite amounts and ``TypeError`` for
    bool amounts or non-date dates.
    """
    return xirr_detail(dates, amounts).rate


def xirr_roots(dates: Sequence[date], amounts: Sequence[Amount]) -> list[float]:
    """Every IRR of the flows (annual fractions, ascending); empty when none exists."""
    return list(xirr_detail(dates, amounts).roots)


def xirr_detail(dates: Sequence[date], amounts: Sequence[Amount]) -> XirrResult:
    """XIRR with diagnostics (see :class:`XirrResult`).

    Method: with ``r = ln(1 + rate)`` (any real) the NPV is ``f(r) = sum(a_i exp(-r t_i))``,
    ``t_i`` in years. Every root lies in a bracket beyond which the first or the last flow
    dominates. A safeguarded Halley/Newton iteration with bisection fallback solves to full
    double precision; the root is certified unique when the running balance of the flows
    discounted at it keeps one sign before the last flow (Laplace-transform form of
    Descartes' rule of signs). Otherwise a grid search finds every root, and the one nearest
    to 10 % (Excel's default guess) is returned, the smaller on a tie.
    """
    days, amts = _prepare(dates, amounts)
    return _detail_prepared(days, amts)


def xirr_many(series: Iterable[tuple[Sequence[date], Sequence[Amount]]]) -> list[float | None]:
    """:func:`xirr` of many ``(dates, amounts)`` series at once, vectorised with numpy.

    Returns one rate (or ``None``) per series, equal to :func:`xirr` on that series up to
    the last bits. Series with same-day flows are netted exactly, as in :func:`xirr`;
    other amounts go through ``float()`` (bools are not rejected here).
    """
    series = list(series)
    lengths = np.fromiter(map(len, (s[0] for s in series)), np.int64, len(series))
    if any(len(s[1]) != n for s, n in zip(series, lengths.tolist())):
        raise ValueError("dates and amounts differ in length")
    days = np.fromiter(map(date.toordinal, itertools.chain.from_iterable(s[0] for s in series)),
                       np.int64, int(lengths.sum()))
    amts = np.array(list(itertools.chain.from_iterable(s[1] for s in series)), dtype=np.float64)
    groups = np.repeat(np.arange(len(series)), lengths)
    step = np.diff(days)
    ends = np.cumsum(lengths)
    step[ends[(lengths > 0) & (ends < len(days))] - 1] = 1  # series boundaries
    if (step > 0).all():  # every series sorted with distinct dates: the common case
        if not np.isfinite(amts).all():
            raise ValueError("amounts must be finite")
        rates = _solve_flat(groups, days, amts, len(series))
        return [None if math.isnan(x) else x for x in rates.tolist()]
    order = np.lexsort((days, groups))
    gs, ds = groups[order], days[order]
    dup_rows = np.unique(gs[1:][(np.diff(gs) == 0) & (np.diff(ds) == 0)])
    if len(dup_rows):  # net these rows' same-day flows exactly, like the single solver
        keep = ~np.isin(groups, dup_rows)
        parts = [(groups[keep], days[keep], amts[keep])]
        for row in dup_rows.tolist():
            d, a = _prepare(*series[row])
            parts.append((np.full(len(d), row), d, a))
        groups, days, amts = (np.concatenate(p) for p in zip(*parts))
    rates = xirr_flat(groups, days, amts, len(series))
    return [None if math.isnan(x) else x for x in rates.tolist()]


def xirr_flat(groups: np.ndarray, days: np.ndarray, amounts: np.ndarray,
              n_groups: int | None = None) -> np.ndarray:
    """Batch XIRR on flat ("long") arrays with one element per flow.

    ``groups`` holds integer series labels ``0 .. n_groups - 1`` (any order), ``days`` the
    dates as integer day numbers (``date.toordinal()`` or days since any epoch), ``amounts``
    the flows as floats in currency units (LP sign convention). Returns an array of annual
    rates (fractions) with ``nan`` where :func:`xirr` gives ``None``. Same-day flows are
    netted by float addition. All rows iterate together; a row whose root is not certified
    unique is finished by the single-series all-roots search.
    """
    g = np.asarray(groups, dtype=np.int64)
    d = np.asarray(days, dtype=np.int64)
    a = np.asarray(amounts, dtype=np.float64)
    if not (len(g) == len(d) == len(a)):
        raise ValueError("groups, days and amounts differ in length")
    n = (int(g.max()) + 1 if len(g) else 0) if n_groups is None else int(n_groups)
    if not np.isfinite(a).all():
        raise ValueError("amounts must be finite")
    dg = np.diff(g)
    if not ((dg > 0) | ((dg == 0) & (np.diff(d) > 0))).all():  # sort, then net same-day flows
        order = np.lexsort((d, g))
        g, d, a = g[order], d[order], a[order]
        first = np.flatnonzero(np.r_[True, (np.diff(g) != 0) | (np.diff(d) != 0)])
        if len(first) < len(g):
            g, d, a = g[first], d[first], np.add.reduceat(a, first)
    return _solve_flat(g, d, a, n)


def _solve_flat(g: np.ndarray, d: np.ndarray, a: np.ndarray, n: int) -> np.ndarray:
    """:func:`xirr_flat` on flows sorted by (group, day) with at most one flow per day."""
    if not a.all():
        nz = a != 0
        g, d, a = g[nz], d[nz], a[nz]
    out = np.full(n, np.nan)
    counts = np.bincount(g, minlength=n)
    width = max(int(counts.max()) if n else 0, 2)
    starts = np.cumsum(counts) - counts
    if (counts == width).all():
        dm, A = d.reshape(n, width), a.reshape(n, width)
    else:
        flat = g * width + (np.arange(len(g)) - np.repeat(starts, counts))
        dm, A = np.zeros(n * width, np.int64), np.zeros(n * width)
        dm[flat], A.ravel()[flat] = d, a
        dm, A = dm.reshape(n, width), A.reshape(n, width)
        dm[np.arange(width)[None, :] >= counts[:, None]] = 0
    T = np.subtract(dm, dm[:, :1], dtype=np.float64)
    T /= DAYS_PER_YEAR
    if len(counts) and counts.min() < width:
        T[T < 0] = 0.0  # padding
        pos, neg = A > 0, A < 0
        k = ((pos[:, 1:] & neg[:, :-1]) | (neg[:, 1:] & pos[:, :-1])).sum(axis=1)
    else:
        sb = np.signbit(A)
        k = (sb[:, 1:] != sb[:, :-1]).sum(axis=1)
    rows = np.flatnonzero(k > 0)
    if len(rows) < n:
        T, A, counts_k, k = T[rows], A[rows], counts[rows], k[rows]
    else:
        counts_k = counts
    r, ok = _solve_rows(T, _scaled(A), counts_k, k)
    out[rows[ok]] = np.expm1(np.minimum(r[ok], _MAX_LOG_RATE))
    out[rows[ok & (r > _MAX_LOG_RATE)]] = np.nan
    for row in rows[~ok].tolist():
        span = slice(starts[row], starts[row] + counts[row])
        rate = _detail_prepared(d[span], a[span]).rate
        out[row] = np.nan if rate is None else rate
    return out


# ----------------------------------------------------------------------------- internals


def _to_float(x: Amount) -> float:
    if isinstance(x, bool):
        raise TypeError("amounts must be numbers, not bool")
    try:
        v = float(x)
    except OverflowError:
        raise ValueError(f"amount {x!r} is too large") from None
    if not math.isfinite(v):
        raise ValueError(f"amount {x!r} is not finite")
    return v


def _prepare(dates: Sequence[date], amounts: Sequence[Amount]) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (ascending, unique) and float amounts (netted per day, zeros dropped)."""
    if len(dates) != len(amounts):
        raise ValueError(f"{len(dates)} dates but {len(amounts)} amounts")
    days = [date.toordinal(d) for d in dates]
    values = [_to_float(x) for x in amounts]
    if len(set(days)) != len(days):  # exact: Decimal, int and float are exact Fractions
        total: dict[int, Fraction] = {}
        for day, x in zip(days, amounts):
            total[day] = total.get(day, Fraction(0)) + Fraction(x)
        days, values = list(total), [float(v) for v in total.values()]
    d, a = np.array(days, dtype=np.int64), np.array(values, dtype=np.float64)
    order = np.argsort(d, kind="stable")
    d, a = d[order], a[order]
    keep = a != 0
    return d[keep], a[keep]


def _scaled(a: np.ndarray) -> np.ndarray:
    """Rows scaled by a power of two (exact) when magnitudes risk overflow or underflow."""
    # a row's largest |a| is tiny only if its first (nonzero) flow is tiny
    if not a.size or (max(a.max(), -a.min()) < 2.0**400 and np.abs(a[:, 0]).min() > 2.0**-400):
        return a
    big = np.maximum(a.max(axis=1), -a.min(axis=1))
    return np.ldexp(a, -np.frexp(big)[1][:, None])


def _detail_prepared(days: np.ndarray, amts: np.ndarray) -> XirrResult:
    if len(amts) == 0:
        return XirrResult(None, (), False, 0, "zero_flows")
    k = int((np.signbit(amts[1:]) != np.signbit(amts[:-1])).sum())
    if k == 0:
        return XirrResult(None, (), False, 0, "no_sign_change")
    t = ((days - days[0]) / DAYS_PER_YEAR)[None, :]
    a = _scaled(amts[None, :])
    r, ok = _solve_rows(t, a, np.array([len(amts)]), np.array([k]))
    if ok[0]:
        roots_r, complete = [float(r[0])], True
    else:
        roots_r, complete = _all_roots(t[0], a[0], k)
    if not roots_r:
        return XirrResult(None, (), False, k, "no_root", complete)
    roots = tuple(math.expm1(x) if x <= _MAX_LOG_RATE else math.inf for x in sorted(roots_r))
    best = min(roots, key=lambda x: (abs(x - EXCEL_GUESS), x))
    if math.isinf(best):
        return XirrResult(None, roots, len(roots) > 1, k, "rate_overflow", complete)
    return XirrResult(best, roots, len(roots) > 1, k, None, complete)


def _discount(t: np.ndarray, r: np.ndarray, t_max: np.ndarray,
              out: np.ndarray | None = None) -> np.ndarray:
    """exp(-r t) per row; rows where it exceeds e**300 are divided by their largest term.

    With amounts below 2**400 (see :func:`_scaled`) no NPV sum or derivative can overflow.
    """
    e = np.multiply(t, -r[:, None], out=out)
    big = r * t_max < -300.0
    if big.any():
        e += np.where(big, r * t_max, 0.0)[:, None]
    return np.exp(e, out=e)


def _eval(t: np.ndarray, a: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, ...]:
    """Row-wise NPV, its r-derivative and sum of |terms|, all times one positive factor."""
    e = _discount(t, r, t.max(axis=1))
    return (np.einsum("ij,ij->i", a, e), -np.einsum("ij,ij->i", a * t, e),
            np.einsum("ij,ij->i", np.abs(a), e))


def _bounds(t: np.ndarray, a: np.ndarray, counts: np.ndarray,
            total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A bracket [lo, hi] in r holding every root: beyond it the first / last flow dominates.

    ``total`` is the row sum of |a|. For r >= hi the first flow exceeds the sum of all the
    others discounted at r (they are at least t[1] later); for r <= lo the last flow does.
    """
    rows = np.arange(len(counts))
    a0, an = np.abs(a[:, 0]), np.abs(a[rows, counts - 1])
    gap = t[rows, counts - 1] - t[rows, counts - 2]
    hi = np.log(np.maximum(total - a0, a0) / a0) / t[:, 1] + 1.0
    lo = -np.log(np.maximum(total - an, an) / an) / gap - 1.0
    return lo, hi


def _iterate(t: np.ndarray, a: np.ndarray, pos: np.ndarray, t_max: np.ndarray, lo: np.ndarray,
             hi: np.ndarray, sign_lo: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Safeguarded Halley/Newton steps on brackets [lo, hi] where f changes sign, per row.

    A step leaving the bracket, or not halving the previous one, is replaced by bisection
    (as in rtsafe). A row stops when f is exactly zero, |f| is within rounding noise of the
    sum of |terms|, the step is below 4 ulp or the bracket shrank to 4 ulp, or when the step
    just taken leaves an error below 1 ulp by the rate of cubic convergence seen so far.
    ``pos`` is ``max(a, 0)`` (gives the sum of |terms| as 2 * positive part - f).
    """
    n = len(r)
    out, ok, idx, live = r.copy(), np.zeros(n, bool), np.arange(n), np.ones(n, bool)
    ta = a * t
    e = np.empty(t.shape)
    dx_old, fast = hi - lo, np.zeros(n, bool)
    tol = (t.shape[1] + 8) * _EPS
    for _ in range(_MAX_ITER):
        _discount(t, r, t_max, out=e)
        f = np.einsum("ij,ij->i", a, e)
        d1 = -np.einsum("ij,ij->i", ta, e)
        d2 = np.einsum("ij,ij,ij->i", ta, t, e)
        size = 2 * np.einsum("ij,ij->i", pos, e) - f
        s = np.sign(f)
        lo = np.where(s == sign_lo, r, lo)
        hi = np.where(s == -sign_lo, r, hi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            h = f / d1
            c = h * d2 / (2 * d1)
            step = np.where(np.abs(c) < 0.5, h / (1 - c), h)
        rn = r - step
        bis = ~((rn > lo) & (rn < hi)) | (np.abs(2 * step) > np.abs(dx_old))
        new = np.where(bis, 0.5 * (lo + hi), rn)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            # cubic convergence: the error left after this step is about step**4 / dx_old**3
            s2, dx = step * step, np.abs(dx_old)
            settled = fast & ~bis & (s2 * s2 <= _EPS * np.abs(new) * dx * dx * dx)
        fast = ~bis
        dx_old = np.where(bis, hi - lo, step)
        quiet = np.abs(f) <= tol * size
        done = (s == 0) | quiet | settled | (np.abs(new - r) <= 4 * _EPS * np.abs(new))
        done |= (hi - lo) <= 4 * _EPS * np.maximum(np.abs(lo), np.abs(hi))
        done &= live  # finished rows iterate on harmlessly until the arrays are compacted
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
    """Log-rates of rows with a sign change; ``ok`` is False where not certified unique."""
    rows = np.arange(len(counts))
    r_out, ok = np.zeros(len(counts)), np.zeros(len(counts), bool)
    s0, sn = np.sign(a[:, 0]), np.sign(a[rows, counts - 1])
    odd = np.flatnonzero(s0 != sn)  # f has opposite signs at -inf and +inf: a root exists
    if not len(odd):
        return r_out, ok
    if len(odd) < len(rows):
        t, a, counts, k = t[odd], a[odd], counts[odd], k[odd]
    t_max = t[np.arange(len(counts)), counts - 1]
    pos = np.maximum(a, 0.0)
    p_sum, net = pos.sum(axis=1), a.sum(axis=1)
    n_sum = p_sum - net
    lo, hi = _bounds(t, a, counts, p_sum + n_sum)
    pt, at = np.einsum("ij,ij->i", pos, t), np.einsum("ij,ij->i", a, t)
    with np.errstate(divide="ignore", invalid="ignore"):  # root of the two-point collapse
        r0 = np.log(p_sum / n_sum) / (pt / p_sum - (pt - at) / n_sum)
    r0 = np.clip(np.where(np.isfinite(r0), r0, math.log1p(EXCEL_GUESS)), lo, hi)
    r, conv = _iterate(t, a, pos, t_max, lo, hi, sn[odd], r0)
    unique = k == 1
    multi = np.flatnonzero(~unique & conv)
    if len(multi):
        unique[multi] = _balance_changes(t[multi], a[multi], r[multi], counts[multi]) == 0
    r_out[odd], ok[odd] = r, conv & unique
    return r_out, ok


def _balance_changes(t: np.ndarray, a: np.ndarray, r: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per row, sign changes of the running balance of the flows discounted at the root r.

    With b_i = a_i exp(-r t_i) summing to zero, f(r + s) = s * integral of B(t) exp(-s t),
    B the running balance before the last flow, so f has at most that many other roots
    (Laplace transform form of Descartes' rule); 0 certifies a unique root. Each balance is
    taken as the forward partial sum or minus the remaining tail, whichever sums fewer
    |b|, and a balance within its rounding-and-root-error bound counts as a sign change.
    """
    cols = t.shape[1]
    w = a * _discount(t, r, t[np.arange(len(r)), counts - 1])
    aw = np.abs(w)
    fwd, fwd_abs = np.cumsum(w, axis=1), np.cumsum(aw, axis=1)
    tail, tail_abs = np.zeros_like(w), np.zeros_like(w)
    tail[:, :-1] = np.cumsum(w[:, :0:-1], axis=1)[:, ::-1]
    tail_abs[:, :-1] = np.cumsum(aw[:, :0:-1], axis=1)[:, ::-1]
    slope = np.abs(np.einsum("ij,ij->i", w, t))
    gamma = 4 * (counts + 2) * _EPS
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = (np.abs(fwd[:, -1]) + gamma * fwd_abs[:, -1]) / slope  # |root error| bound
    kappa = np.where(np.isfinite(shift), gamma + t.max(axis=1) * shift, np.inf)[:, None]
    use_fwd = fwd_abs <= tail_abs
    val = np.where(use_fwd, fwd, -tail)
    err = kappa * np.where(use_fwd, fwd_abs, tail_abs)
    sign = np.where(np.abs(val) > err, np.sign(val), 0.0)  # 0: sign not reliable
    sign[np.arange(cols)[None, :] >= (counts - 1)[:, None]] = np.nan  # last flow and padding
    first = np.sign(w[:, :1])
    return (np.isfinite(sign) & (sign != first)).sum(axis=1)


def _all_roots(t: np.ndarray, a: np.ndarray, sign_changes: int) -> tuple[list[float], bool]:
    """Every root r of f(r) = sum(a exp(-r t)) by a grid search, and whether it is proven.

    f and f' are evaluated at ``_GRID`` points of [lo, hi] evenly spaced in
    ``asinh(r / 0.05)`` (0.13 % apart near a 0 % rate, about 2.5 % relative far out). Each
    sign change of f is solved as a bracket; each extremum of f inside a cell (found by
    bisecting f') that crosses zero gives a close pair, one that touches zero within
    rounding a double root. The set is proven complete when the roots found (double roots
    counted twice) equal the sign changes, or when at some root the discounted running
    balance has no more sign changes than the other roots found: it bounds their number.
    """
    lo, hi = _bounds(t[None, :], a[None, :], np.array([len(a)]), np.abs(a).sum(keepdims=True))
    grid = 0.05 * np.sinh(np.linspace(math.asinh(lo[0] / 0.05), math.asinh(hi[0] / 0.05), _GRID))
    f, df = np.empty(_GRID), np.empty(_GRID)
    chunk = max(1, 2_000_000 // len(t))
    for i in range(0, _GRID, chunk):
        g = grid[i:i + chunk]
        f[i:i + chunk], df[i:i + chunk], _ = _eval(np.broadcast_to(t, (len(g), len(t))),
                                                   np.broadcast_to(a, (len(g), len(t))), g)
    roots = [float(x) for x in grid[f == 0]]
    sf, sd = np.sign(f), np.sign(df)
    cross = np.flatnonzero(sf[:-1] * sf[1:] < 0)
    lo_b, hi_b, f_lo = list(grid[cross]), list(grid[cross + 1]), list(f[cross])
    double = 0
    for i in np.flatnonzero((sf[:-1] * sf[1:] > 0) & (sd[:-1] * sd[1:] < 0)).tolist():
        c = _extremum(t, a, float(grid[i]), float(grid[i + 1]), float(df[i]))
        fc, _, size = (float(v[0]) for v in _eval(t[None, :], a[None, :], np.array([c])))
        if np.sign(fc) == -sf[i]:  # a pair of roots inside one cell
            lo_b += [grid[i], c]
            hi_b += [c, grid[i + 1]]
            f_lo += [f[i], fc]
        elif abs(fc) <= 64 * _EPS * size:  # tangent: a double root
            roots.append(c)
            double += 1
    if lo_b:
        n = len(lo_b)
        tb, ab = np.broadcast_to(t, (n, len(t))), np.broadcast_to(a, (n, len(t)))
        lo_a, hi_a = np.array(lo_b), np.array(hi_b)
        r, _ = _iterate(tb, ab, np.maximum(ab, 0.0), np.full(n, t[-1]), lo_a, hi_a, np.sign(f_lo),
                        0.5 * (lo_a + hi_a))
        roots += r.tolist()
    roots.sort()
    if len(roots) + double == sign_changes:
        return roots, True
    if roots:
        changes = _balance_changes(np.broadcast_to(t, (len(roots), len(t))),
                                   np.broadcast_to(a, (len(roots), len(t))),
                                   np.array(roots), np.full(len(roots), len(t)))
        if changes.min() <= len(roots) - 1 + double:
            return roots, True
    return roots, False


def _extremum(t: np.ndarray, a: np.ndarray, x: float, y: float, slope_x: float) -> float:
    """The point in (x, y) where f' changes sign, by bisection."""
    for _ in range(64):
        m = 0.5 * (x + y)
        if m in (x, y):
            break
        if np.sign(_eval(t[None, :], a[None, :], np.array([m]))[1][0]) == np.sign(slope_x):
            x = m
        else:
            y = m
    return 0.5 * (x + y)
