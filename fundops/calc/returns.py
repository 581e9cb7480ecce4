"""XIRR on Excel's convention: robust single-series solver, all-roots search, vectorised batch."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import ModuleType

import numpy as np

from fundops.calc import xirr_compiled
from fundops.calc.xirr_compiled import compiled_kernel
from fundops.calc.xirr_kernel import (
    EXCEL_GUESS,
    MAX_LOG_RATE,
    all_roots,
    scaled,
    solve_rows,
)

__all__ = ["DAYS_PER_YEAR", "EXCEL_GUESS", "XirrResult", "compiled_kernel", "xirr",
    "xirr_detail", "xirr_flat", "xirr_many", "xirr_roots"]

Amount = Decimal | int | float
DAYS_PER_YEAR = 365
"""Actual/365 Fixed: year fraction = days since the earliest flow / 365 (no leap-year rule)."""

_BLOCK = 24000  # matrix cells per block of the batch solver (~190 KiB arrays)
DISCOUNT_TOL = 1e-9
"""Finest resolution a returned float rate must have, as a relative change of a discount
factor ``(1 + rate) ** -t`` (domain rules §2.2.8's NPV tolerance). A root is
*representable* when its float rate is above -1 and the floats there resolve it:
``ulp(rate) / (1 + rate) * span <= DISCOUNT_TOL``, ``span`` the years from the first flow
to the last; then the NPV at the returned rate is zero to about 1e-9 of the sum of the
absolute discounted flows. Near -100 % the floats are 2**-53 apart, so a root with
``1 + rate`` below ``2**-53 * span / DISCOUNT_TOL`` (about 1e-6 over 10 years; a rate of
-99.9999 % or lower, ending in -1.0 exactly below ~1e-16) has no meaningful float rate.
"""


@dataclass(frozen=True)
class XirrResult:
    """Outcome of :func:`xirr_detail`.

    ``rate``: the annual IRR as a fraction (0.0734 = 7.34 %), unrounded (round for display
    only), always a representable root (see :data:`DISCOUNT_TOL`: above -1, with the NPV
    at the returned float within rounding of zero), or ``None`` with ``reason``:
    ``"zero_flows"`` (no flows, or all net to zero: NPV is zero at every rate),
    ``"no_sign_change"``, ``"no_root"`` (both signs, but NPV never reaches zero),
    ``"rate_overflow"`` (every root's IRR above the largest float, ~1.8e308) or
    ``"rate_underflow"`` (every root so near -100 % that no float rate above -1 represents
    it). ``log_rate``: ln(1 + rate) of the chosen root, the continuously compounded rate
    (finite even when ``rate`` is ``None`` for over- or underflow: then of the root
    nearest to 10 %). ``roots``: the representable IRRs, ascending. ``log_roots``: every
    root as ln(1 + IRR), ascending, representable or not. ``multiple_roots``:
    ``len(log_roots) > 1``; then ``rate`` is the representable root nearest to
    :data:`EXCEL_GUESS` (10 %; domain rules §2.2.5), the lower one on a tie.
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
    log_roots: tuple[float, ...] = ()


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
    """Every representable IRR of the flows (annual fractions, ascending; see
    :data:`DISCOUNT_TOL`); empty when none exists. All roots, in log form:
    :attr:`XirrResult.log_roots`."""
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
    reader, kernel = xirr_compiled.object_reader(), xirr_compiled.solver()
    if reader is not None and kernel is not None:  # read the objects in compiled code
        status, lengths, days, amts = reader[0].read_series(id(series), reader[1])
        if status == 1 and np.isfinite(amts).all():  # sorted, no same-day flows
            starts = np.zeros(len(series) + 1, np.int64)
            np.cumsum(lengths, out=starts[1:])
            rates = _solve_compiled(kernel, starts, days, amts, len(series))
            return [None if math.isnan(x) else x for x in rates.tolist()]
    lengths = np.fromiter(map(len, (s[0] for s in series)), np.int64, len(series))
    if any(len(s[1]) != n for s, n in zip(series, lengths.tolist(), strict=True)):
        raise ValueError("dates and amounts differ in length")
    if xirr_compiled.solver() is not None:  # no large temporaries: one block
        return _many_block(series, lengths)
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
    :func:`xirr` gives ``None``. Same-day flows are netted by float addition. Series are
    solved by the compiled kernel (:func:`compiled_kernel`; else all iterate together in
    numpy); one whose root is not certified unique gets the all-roots search.
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
    chain = itertools.chain.from_iterable
    days = np.fromiter(map(date.toordinal, chain(s[0] for s in series)), np.int64,
                       int(lengths.sum()))
    amts = np.fromiter(chain(s[1] for s in series), np.float64, len(days))
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
            groups, days, amts = (np.concatenate(p) for p in zip(*parts, strict=True))
        rates = xirr_flat(groups, days, amts, len(series))
    return [None if math.isnan(x) else x for x in rates.tolist()]


def _solve_flat(g: np.ndarray, d: np.ndarray, a: np.ndarray, n: int) -> np.ndarray:
    """:func:`xirr_flat` on flows sorted by (group, day), at most one per day.

    Series go in blocks of at most ``_BLOCK`` matrix cells: temporaries that small are
    recycled by the allocator instead of being mapped and page-faulted afresh for every
    operation, which about halves the time.
    """
    kernel = xirr_compiled.solver()
    if kernel is not None:
        return _solve_compiled(kernel, np.searchsorted(g, np.arange(n + 1)), d, a, n)
    per = max(1, _BLOCK // max(int(np.bincount(g).max()) if len(g) else 1, 2))
    if n <= per:
        return _solve_block(g, d, a, n)
    out = np.empty(n)
    cuts = np.searchsorted(g, np.arange(0, n + per, per)).tolist()
    for base, (lo, hi) in zip(range(0, n, per), itertools.pairwise(cuts), strict=True):
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
    a_scaled = scaled(A)  # rows where it underflowed a flow go to the single solver
    lost = ((a_scaled == 0) & (A != 0)).any(axis=1) if a_scaled is not A else np.zeros(n, bool)
    rows = np.flatnonzero((k > 0) & ~lost)
    if len(rows) < n:
        T, a_scaled, counts_k, k = T[rows], a_scaled[rows], counts[rows], k[rows]
    else:
        counts_k = counts
    r, ok = solve_rows(T, a_scaled, counts_k, k)
    spans = T[np.arange(len(counts_k)), counts_k - 1]
    out[rows[ok]] = _representable_rates(r[ok], spans[ok])
    for row in rows[~ok].tolist() + np.flatnonzero(lost).tolist():
        span = slice(starts[row], starts[row] + counts[row])
        rate = _detail_prepared(d[span], a[span]).rate
        out[row] = np.nan if rate is None else rate
    return out


def _solve_compiled(kernel: ModuleType, starts: np.ndarray, d: np.ndarray, a: np.ndarray,
                    n: int) -> np.ndarray:
    """:func:`_solve_flat` by the compiled kernel (series ``i`` is ``starts[i]`` to
    ``starts[i + 1]``), in blocks run in parallel when allowed (see
    :func:`compiled_kernel`)."""
    status, r, span = np.empty(n, np.int64), np.empty(n), np.empty(n)
    parts = max(1, min(xirr_compiled.threads(), n // xirr_compiled.PER_THREAD))
    cuts = [n * i // parts for i in range(parts + 1)]
    blocks = [(starts[lo:hi + 1], d, a, status[lo:hi], r[lo:hi], span[lo:hi])
              for lo, hi in itertools.pairwise(cuts)]
    xirr_compiled.run_blocks(kernel.solve_sorted, blocks)
    out = np.full(n, np.nan)
    root = status == kernel.ROOT
    out[root] = _representable_rates(r[root], span[root])
    for row in np.flatnonzero(status == kernel.FALLBACK).tolist():
        dr, ar = d[starts[row]:starts[row + 1]], a[starts[row]:starts[row + 1]]
        rate = _detail_prepared(dr[ar != 0], ar[ar != 0]).rate
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
        for day, x in zip(days, amounts, strict=True):
            total[day] = total.get(day, Fraction(0)) + Fraction(x)
        days, values = list(total), [_to_float(v) for v in total.values()]
    d, a = np.array(days, dtype=np.int64), np.array(values, dtype=np.float64)
    order = np.argsort(d, kind="stable")
    keep = a[order] != 0
    return d[order][keep], a[order][keep]


def _detail_prepared(days: np.ndarray, amts: np.ndarray) -> XirrResult:
    if len(amts) == 0:
        return XirrResult(None, None, (), False, 0, "zero_flows")
    k = int((np.signbit(amts[1:]) != np.signbit(amts[:-1])).sum())
    if k == 0:
        return XirrResult(None, None, (), False, 0, "no_sign_change")
    a = scaled(amts[None, :])
    if not a.all():  # underflowed flows (see scaled) count as zero
        return _detail_prepared(days[a[0] != 0], a[0][a[0] != 0])
    t = ((days - days[0]) / DAYS_PER_YEAR)[None, :]
    r, ok = solve_rows(t, a, np.array([len(amts)]), np.array([k]))
    roots_r, complete = ([float(r[0])], True) if ok[0] else all_roots(t[0], a[0], k)
    if not roots_r:
        return XirrResult(None, None, (), False, k, "no_root", complete)
    roots_r.sort()
    span = float(t[0, -1])
    found = [(x, r) for r in roots_r if (x := _representable(r, span)) is not None]
    multiple = len(roots_r) > 1
    if found:  # domain rules §2.2.5: the representable root nearest to 10 %, lower on a tie
        rate, log_rate = min(found, key=lambda p: (abs(p[0] - EXCEL_GUESS), p[0]))
        return XirrResult(rate, log_rate, tuple(p[0] for p in found), multiple, k, None,
                          complete, tuple(roots_r))
    guess = math.log1p(EXCEL_GUESS)
    best = min(range(len(roots_r)), key=lambda i: (abs(roots_r[i] - guess), roots_r[i]))
    return XirrResult(None, roots_r[best], (), multiple, k,
                      "rate_overflow" if roots_r[best] > 0 else "rate_underflow", complete,
                      tuple(roots_r))


def _representable(log_rate: float, span: float) -> float | None:
    """The float IRR of a root ``ln(1 + IRR) = log_rate`` of flows spanning ``span`` years,
    or ``None`` when no float represents it (see :data:`DISCOUNT_TOL`)."""
    if log_rate > MAX_LOG_RATE:
        return None
    rate = math.expm1(log_rate)
    if rate <= -1.0 or math.ulp(rate) * span > DISCOUNT_TOL * (1.0 + rate):
        return None
    return rate


def _representable_rates(log_rates: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """:func:`_representable` per element: the float IRRs, ``nan`` where none represents
    the root (arrays of log-rates and of the series' spans in years)."""
    rates = np.expm1(np.minimum(log_rates, MAX_LOG_RATE))
    bad = (log_rates > MAX_LOG_RATE) | (rates <= -1.0)
    bad |= np.abs(np.spacing(rates)) * spans > DISCOUNT_TOL * (1.0 + rates)
    return np.where(bad, np.nan, rates)
