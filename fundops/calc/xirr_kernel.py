"""The numeric kernel of the XIRR solvers (private to :mod:`fundops.calc.returns`).

Works on float64 arrays of year fractions ``t`` (Actual/365 from each series' first
flow) and amounts ``a``, one series per row, in log space: ``r = ln(1 + rate)``, so
f(r) = sum(a exp(-r t)). Safeguarded Newton inside proven brackets, a running-balance
uniqueness proof, and an all-roots search (Rolle recursion, or a grid with many sign
changes) for series with several IRRs.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "EPS",
    "EXCEL_GUESS",
    "MAX_LOG_RATE",
    "all_roots",
    "bounds",
    "iterate",
    "scaled",
    "solve_rows",
]

EPS = float(np.finfo(float).eps)
EXCEL_GUESS = 0.1
"""Excel's default XIRR guess; of several IRRs the one nearest to it is returned."""
MAX_LOG_RATE = math.log(np.finfo(float).max)  # ln(1 + rate) above this overflows a float
_MAX_ITER = 200
_ROLLE_MAX = 40  # most sign changes for the exact all-roots search (a grid search above)
_GRID = 2048


def scaled(a: np.ndarray) -> np.ndarray:
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


def _discount(t: np.ndarray, r: np.ndarray, t_max: np.ndarray,
              out: np.ndarray | None = None) -> np.ndarray:
    """exp(-r t) per row; rows where that exceeds e**300 are divided by their largest term.

    With amounts below 2**500 (:func:`scaled`) no NPV sum or derivative can overflow.
    """
    e: np.ndarray = np.multiply(t, -r[:, None], out=out)
    big = r * t_max < -300.0
    if big.any():
        e += np.where(big, r * t_max, 0.0)[:, None]
    np.exp(e, out=e)
    return e


def bounds(t: np.ndarray, a: np.ndarray, counts: np.ndarray,
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


def iterate(t: np.ndarray, a: np.ndarray, pos: np.ndarray, t_max: np.ndarray, lo: np.ndarray,
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
    tol = (t.shape[1] + 8) * EPS
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
            settled = fast & ~bis & (s2 * s2 <= EPS * np.abs(new) * dx * dx * dx)
        fast, dx_old = ~bis, np.where(bis, hi - lo, step)
        quiet = np.abs(f) <= tol * size
        done = (s == 0) | quiet | settled | (np.abs(new - r) <= 4 * EPS * np.abs(new))
        done |= (hi - lo) <= 4 * EPS * np.maximum(np.abs(lo), np.abs(hi))
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


def solve_rows(t: np.ndarray, a: np.ndarray, counts: np.ndarray,
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
    lo, hi = bounds(t, a, counts, 2 * p_sum - net)
    pt, at = np.einsum("ij,ij->i", pos, t), np.einsum("ij,ij->i", a, t)
    with np.errstate(divide="ignore", invalid="ignore"):  # all in/out flows at their centroids
        r0 = np.log(p_sum / (p_sum - net)) / (pt / p_sum - (pt - at) / (p_sum - net))
    r0 = np.clip(np.where(np.isfinite(r0), r0, math.log1p(EXCEL_GUESS)), lo, hi)
    r, conv = iterate(t, a, pos, t_max, lo, hi, sn[odd], r0)
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
    gamma = 4 * (counts + 2) * EPS
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


def all_roots(t: np.ndarray, a: np.ndarray, sign_changes: int) -> tuple[list[float], bool]:
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
    lo, hi = bounds(t[None, :], a[None, :], np.array([len(a)]), np.abs(a).sum(keepdims=True))
    if sign_changes == 1:
        return _solve_brackets(t, a, lo, hi, np.sign(a[-1:]))
    j = int(np.flatnonzero(np.signbit(a[1:]) != np.signbit(a[:-1]))[0])
    c = scaled((a * (0.5 * (t[j] + t[j + 1]) - t))[None, :])[0]
    tc, c = t[c != 0] - t[c != 0][0], c[c != 0]  # drop underflowed terms; restart t at 0
    k = int((np.signbit(c[1:]) != np.signbit(c[:-1])).sum())
    crit = [x for x in _rolle_roots(tc, c, k) if lo[0] < x < hi[0]]
    pts = np.array([lo[0], *crit, hi[0]])
    e = _discount(np.broadcast_to(t, (len(pts), len(t))), pts, np.full(len(pts), t[-1]))
    f, size = e @ a, e @ np.abs(a)
    sf = np.where(np.abs(f) <= 64 * EPS * size, 0.0, np.sign(f))  # 0: touches zero
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
    r, _ = iterate(tb, ab, np.maximum(ab, 0.0), np.full(n, t[-1]), lo, hi,
                    np.asarray(sign_lo, float), 0.5 * (lo + hi))
    return [float(x) for x in r]


def _grid_roots(t: np.ndarray, a: np.ndarray, sign_changes: int) -> tuple[list[float], bool]:
    """Roots of f at the sign changes of a grid, and whether the set is proven complete.

    The ``_GRID`` points of [lo, hi] are evenly spaced in asinh(r / 0.05): 0.06 % of rate
    apart near 0 %, about 1.2 % relative far out. Two roots within one cell (or a double
    root) can be missed. Proven: as many roots as sign changes, or at some root a running
    balance (:func:`_balance`) with no more sign changes than the other roots.
    """
    lo, hi = bounds(t[None, :], a[None, :], np.array([len(a)]), np.abs(a).sum(keepdims=True))
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
