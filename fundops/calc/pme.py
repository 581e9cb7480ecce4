"""Public market equivalents of dated fund cash flows: KS-PME, Direct Alpha, LN-PME, PME+, mPME."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fundops.calc.returns import xirr, xirr_detail

__all__ = ["DirectAlpha", "IndexLike", "IndexSeries", "LnPme", "PmePlus", "direct_alpha", "ks_pme",
    "ln_pme", "m_pme", "pme_plus"]

Amount = Decimal | int | float

# Conventions shared by every function here (domain rules §0 and §1.5):
# * ``dates`` / ``amounts``: the fund's flows, LP view, in currency units: contributions
#   negative, distributions positive. Flows are taken one by one (a contribution and a
#   distribution on the same date are not netted for the C and D sums).
# * ``nav``: the residual value (positive, currency units) at ``valuation_date`` T, which
#   defaults to the last flow date and may not precede any flow.
# * ``index``: an :class:`IndexSeries` (or anything it accepts); the level on a date without
#   a published value is the last close before it. F_t = I_T / I_t.
# * IRRs use fundops.calc.returns.xirr: Actual/365 from the first flow, annual fractions,
#   unrounded (display: 4 decimals). The domain-rules §1.6 vectors are periodic (equal
#   periods); dates exactly 365 days apart reproduce them, since Actual/365 then makes one
#   period one year: KS-PME 1.1371; LN-PME NAV 104.278, IRR 5.302 %; PME+ lambda 0.9152,
#   IRR 4.330 %; Direct Alpha 1.0898 % (ln 1.0839 %) and 12.578 %; mPME 2.0152 %. With
#   1 January dates the leap years lengthen some periods (12.578 % becomes 12.569 %).


class IndexSeries:
    """A benchmark index's closing levels, with as-of lookup (last close on or before a date)."""

    def __init__(self, levels: Mapping[date, Amount] | Iterable[tuple[date, Amount]]) -> None:
        """``levels``: ``{date: level}`` or ``(date, level)`` pairs, levels finite and positive."""
        pairs = sorted(levels.items() if isinstance(levels, Mapping) else levels,
                       key=lambda p: p[0].toordinal())
        if not pairs:
            raise ValueError("an index series needs at least one level")
        self._days = [d.toordinal() for d, _ in pairs]
        if len(set(self._days)) != len(self._days):
            raise ValueError("an index series has two levels on one date")
        self._levels = [float(v) for _, v in pairs]
        if not all(math.isfinite(v) and v > 0 for v in self._levels):
            raise ValueError("index levels must be finite and positive")

    def level_on(self, day: date) -> float:
        """The level on ``day``, or the last one before it; ValueError if none precedes it."""
        i = bisect.bisect_right(self._days, day.toordinal()) - 1
        if i < 0:
            raise ValueError(f"no index level on or before {day}")
        return self._levels[i]


IndexLike = IndexSeries | Mapping[date, Amount] | Iterable[tuple[date, Amount]]
"""An :class:`IndexSeries`, or the ``{date: level}`` mapping or pairs it is built from."""


@dataclass(frozen=True)
class DirectAlpha:
    """Direct Alpha (Gredil, Griffiths & Stucke 2014): excess return over the index.

    ``alpha`` is the discrete annual rate (fraction), the XIRR of the index-compounded
    flows plus NAV; ``log_alpha`` = ln(1 + alpha), the continuously compounded alpha
    (computed directly, so finite even when ``alpha`` is ``None`` because it is too near -1
    for a float rate or overflows; see :data:`fundops.calc.returns.DISCOUNT_TOL`).
    Both ``None`` when that IRR does not exist.
    """

    alpha: float | None
    log_alpha: float | None


@dataclass(frozen=True)
class LnPme:
    """Long–Nickels PME (ICM): ``nav`` = sum((C_t - D_t) F_t), the index position at T
    (currency units; negative after large distributions), and ``irr``, the annual XIRR of
    the fund's flows with that NAV (``None`` if it has none)."""

    nav: float
    irr: float | None


@dataclass(frozen=True)
class PmePlus:
    """PME+ (Rouvinez 2003): ``scale`` = lambda = (sum(C_t F_t) - NAV) / sum(D_t F_t) and
    ``irr``, the annual XIRR of {-C_t, lambda D_t, NAV at T}; ``None`` without distributions."""

    scale: float | None
    irr: float | None


def _flows(dates: Sequence[date], amounts: Sequence[Amount], nav: Amount,
           index: IndexLike,
           valuation_date: date | None) -> tuple[date, list[float], list[float], float]:
    """Valuation date, float flows, their factors F_t = I_T / I_t, and NAV as a float."""
    if len(dates) != len(amounts):
        raise ValueError(f"{len(dates)} dates but {len(amounts)} amounts")
    if not dates:
        raise ValueError("a PME needs at least one cash flow")
    series = index if isinstance(index, IndexSeries) else IndexSeries(index)
    end = valuation_date or max(dates, key=date.toordinal)
    if any(d.toordinal() > end.toordinal() for d in dates):
        raise ValueError(f"a cash flow falls after the valuation date {end}")
    flows = [float(x) for x in amounts]
    value = float(nav)
    if not all(math.isfinite(x) for x in [*flows, value]):
        raise ValueError("amounts and NAV must be finite")
    level_end = series.level_on(end)
    return end, flows, [level_end / series.level_on(d) for d in dates], value


def ks_pme(dates: Sequence[date], amounts: Sequence[Amount], nav: Amount,
           index: IndexLike,
           valuation_date: date | None = None) -> float | None:
    """Kaplan–Schoar PME = (sum(D_t F_t) + NAV) / sum(C_t F_t), a ratio (> 1: beat the index).

    It is the TVPI with each flow grown at the index to T; independent of the day count.
    ``None`` when there are no contributions. Unrounded float (display: 4 decimals).
    """
    _, flows, factor, value = _flows(dates, amounts, nav, index, valuation_date)
    paid = sum(-x * f for x, f in zip(flows, factor, strict=True) if x < 0)
    back = sum(x * f for x, f in zip(flows, factor, strict=True) if x > 0)
    return None if paid == 0 else (back + value) / paid


def direct_alpha(dates: Sequence[date], amounts: Sequence[Amount], nav: Amount,
                 index: IndexLike,
                 valuation_date: date | None = None) -> DirectAlpha:
    """Direct Alpha: the XIRR of {a_t F_t} plus NAV at T (see :class:`DirectAlpha`)."""
    end, flows, factor, value = _flows(dates, amounts, nav, index, valuation_date)
    detail = xirr_detail(
        [*dates, end], [*(x * f for x, f in zip(flows, factor, strict=True)), value]
    )
    return DirectAlpha(detail.rate, detail.log_rate)


def ln_pme(dates: Sequence[date], amounts: Sequence[Amount],
           index: IndexLike,
           valuation_date: date | None = None) -> LnPme:
    """Long–Nickels PME: the fund's flows with the index position as terminal value.

    The fund's own NAV is not an input: the terminal value is the value at T of buying the
    index with each contribution and selling it for each distribution.
    """
    end, flows, factor, _ = _flows(dates, amounts, 0, index, valuation_date)
    nav_ln = -sum(x * f for x, f in zip(flows, factor, strict=True))
    return LnPme(nav_ln, xirr([*dates, end], [*flows, nav_ln]))


def pme_plus(dates: Sequence[date], amounts: Sequence[Amount], nav: Amount,
             index: IndexLike,
             valuation_date: date | None = None) -> PmePlus:
    """PME+: distributions scaled by one lambda so the index position ends at the fund's NAV."""
    end, flows, factor, value = _flows(dates, amounts, nav, index, valuation_date)
    paid = sum(-x * f for x, f in zip(flows, factor, strict=True) if x < 0)
    back = sum(x * f for x, f in zip(flows, factor, strict=True) if x > 0)
    if back == 0:
        return PmePlus(None, None)
    scale = (paid - value) / back
    return PmePlus(scale, xirr([*dates, end], [*(x * scale if x > 0 else x for x in flows), value]))


def m_pme(dates: Sequence[date], amounts: Sequence[Amount], navs: Sequence[Amount],
          index: IndexLike) -> float | None:
    """Cambridge Associates mPME: annual XIRR of {-C_t, D^m_t, NAV^m at the last date}.

    ``dates`` must be ascending and distinct (one row per reporting date, a zero amount
    where there is no flow); ``navs`` holds the fund's reported NAV on each date (currency
    units), the last being the valuation-date NAV. Each period the index position (grown
    by the index, plus contributions) pays out the fund's distribution share
    w_t = D_t / (D_t + NAV_t). ``None`` if the IRR does not exist.
    """
    if not (len(dates) == len(amounts) == len(navs)) or not dates:
        raise ValueError("dates, amounts and navs must be non-empty and of equal length")
    days = [d.toordinal() for d in dates]
    if any(b <= a for a, b in itertools.pairwise(days)):
        raise ValueError("mPME dates must be strictly ascending")
    series = index if isinstance(index, IndexSeries) else IndexSeries(index)
    levels = [series.level_on(d) for d in dates]
    position, prev, out = 0.0, levels[0], []
    for x, fund_nav, level in zip(
        (float(a) for a in amounts), (float(v) for v in navs), levels, strict=True
    ):
        paid, dist = max(-x, 0.0), max(x, 0.0)
        grown = position * level / prev + paid
        w = dist / (dist + fund_nav) if dist + fund_nav else 0.0
        out.append(w * grown - paid)
        position, prev = (1 - w) * grown, level
    out[-1] += position
    return xirr(list(dates), out)
