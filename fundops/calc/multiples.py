"""Exact Decimal performance multiples (DPI, RVPI, TVPI, PIC, MOIC); "n/a" for a zero base."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Decimal, Inexact, localcontext
from fractions import Fraction

__all__ = ["PLACES", "Multiples", "dpi", "fund_multiples", "moic", "multiples_from_flows", "pic",
    "ratio", "rvpi", "tvpi"]

PLACES = 10
"""Every multiple is a Decimal with exactly 10 decimal places (ROUND_HALF_EVEN)."""

Money = Decimal | int


def _exact(x: Money, name: str) -> Fraction:
    """``x`` as an exact Fraction; only Decimal and int are accepted (floats are inexact)."""
    if isinstance(x, bool) or not isinstance(x, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal or int, not {type(x).__name__}")
    if isinstance(x, Decimal) and not x.is_finite():
        raise ValueError(f"{name} must be finite, got {x}")
    return Fraction(x)


def _base(x: Money, name: str) -> Fraction:
    value = _exact(x, name)
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {x}")
    return value


def _quantize(q: Fraction, places: int = PLACES) -> Decimal:
    """``q`` rounded half-to-even to ``places`` decimals, exactly (no binary or context step)."""
    units = round(q * 10**places)  # Fraction.__round__ rounds half to even
    sign = 1 if units < 0 else 0
    return Decimal((sign, tuple(int(c) for c in str(abs(units))), -places))


def ratio(numerator: Money, denominator: Money) -> Decimal | None:
    """``numerator / denominator`` rounded half-to-even to :data:`PLACES` decimals.

    Both are amounts in the same currency units. Returns ``None`` ("n/a", never 0) when
    the denominator is zero. The denominator must not be negative; the numerator may be
    (e.g. a negative NAV). Raises ``TypeError`` for floats and bools, ``ValueError`` for
    NaN or infinite Decimals and negative denominators.
    """
    num, den = _exact(numerator, "numerator"), _base(denominator, "denominator")
    return None if den == 0 else _quantize(num / den)


def dpi(distributions: Money, paid_in: Money) -> Decimal | None:
    """DPI (realisation multiple) = cumulative distributions / paid-in capital; ``None`` if PIC = 0.

    Amounts are positive magnitudes in currency units (distributions as received, paid-in
    as the total contributed), not LP-signed flows.
    """
    _base(distributions, "distributions")
    return ratio(distributions, paid_in)


def rvpi(nav: Money, paid_in: Money) -> Decimal | None:
    """RVPI = residual value (NAV at the valuation date) / paid-in capital; ``None`` if PIC = 0."""
    return ratio(nav, paid_in)


def tvpi(distributions: Money, nav: Money, paid_in: Money) -> Decimal | None:
    """TVPI = DPI + RVPI, summed from the two rounded multiples so the identity is exact.

    It can differ from ``(distributions + nav) / paid_in`` rounded directly by one unit in
    the 10th decimal place. ``None`` when paid-in is zero.
    """
    d, r = dpi(distributions, paid_in), rvpi(nav, paid_in)
    return None if d is None or r is None else _quantize(Fraction(d) + Fraction(r))  # exact


def pic(paid_in: Money, committed: Money) -> Decimal | None:
    """PIC multiple (called %, 出资到位率) = paid-in / committed; ``None`` if committed = 0."""
    _base(paid_in, "paid_in")
    return ratio(paid_in, committed)


def moic(realised: Money, unrealised: Money, invested: Money) -> Decimal | None:
    """Deal MOIC = (realised proceeds + unrealised value) / invested cost; ``None`` if cost = 0.

    Realised and unrealised are rounded together (a single division), unlike TVPI.
    """
    total = _exact(realised, "realised") + _exact(unrealised, "unrealised")
    den = _base(invested, "invested")
    return None if den == 0 else _quantize(total / den)


@dataclass(frozen=True)
class Multiples:
    """A fund's or LP position's multiples, each ``None`` ("n/a") when its base is zero.

    ``paid_in``, ``distributions``, ``nav`` and ``committed`` echo the inputs (currency
    units, positive magnitudes). Multiples carry :data:`PLACES` decimals, ROUND_HALF_EVEN;
    ``tvpi == dpi + rvpi`` holds exactly whenever they are not ``None``.
    """

    paid_in: Decimal
    distributions: Decimal
    nav: Decimal
    committed: Decimal | None
    dpi: Decimal | None
    rvpi: Decimal | None
    tvpi: Decimal | None
    pic: Decimal | None


def fund_multiples(paid_in: Money, distributions: Money, nav: Money,
                   committed: Money | None = None) -> Multiples:
    """DPI, RVPI, TVPI and (when ``committed`` is given) PIC from cumulative totals."""
    return Multiples(
        paid_in=Decimal(paid_in), distributions=Decimal(distributions), nav=Decimal(nav),
        committed=None if committed is None else Decimal(committed),
        dpi=dpi(distributions, paid_in), rvpi=rvpi(nav, paid_in),
        tvpi=tvpi(distributions, nav, paid_in),
        pic=None if committed is None else pic(paid_in, committed),
    )


def multiples_from_flows(amounts: Iterable[Money], nav: Money,
                         committed: Money | None = None) -> Multiples:
    """:func:`fund_multiples` from LP-signed flows (contributions negative, distributions positive).

    Paid-in is minus the sum of the negative flows and distributions the sum of the
    positive ones, each flow counted gross (no same-day netting). ``nav`` is the positive
    residual value at the valuation date and is not part of ``amounts``.
    """
    paid, dist = Decimal(0), Decimal(0)
    with localcontext() as ctx:  # exact sums: precision never limits, inexactness traps
        ctx.prec, ctx.Emax, ctx.Emin = MAX_PREC, MAX_EMAX, MIN_EMIN
        ctx.traps[Inexact] = True
        for x in amounts:
            _exact(x, "amount")
            v = Decimal(x)
            if v < 0:
                paid -= v
            else:
                dist += v
    return fund_multiples(paid, dist, nav, committed)
