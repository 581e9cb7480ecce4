"""Prices of exits agreed by formula: buy-backs, early exits, transfers (domain-rules §5.3–5.6).

The kinds are defined here so the stored values and the calculation share one list.

Buy-back (回购) price, :func:`buyback_price` (conventions of domain-rules §5.5.1 stated):

- ``simple``:   P × (1 + r × years);  ``compound``: P × (1 + r) ** years;
- ``years`` = days ÷ 365, days = ``end − start`` in calendar days (actual/365 fixed: a leap
  day counts as a day, part years pro rata, also inside the compound power);
- dividends received are deducted at face value (no interest on them), the result is
  floored at 0;
- computed exactly in Decimal (40 significant digits for the fractional power) and
  rounded to the fen (0.01) half-up once, at the end.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = ["DAYS_PER_YEAR", "InterestMethod", "accrual_years", "buyback_price"]

DAYS_PER_YEAR = 365
_FEN = Decimal("0.01")


class InterestMethod(enum.StrEnum):
    """How an agreed return accrues: ``simple`` = P × (1 + r × years),
    ``compound`` = P × (1 + r) ** years."""

    SIMPLE = "simple"
    COMPOUND = "compound"


def accrual_years(start: date, end: date) -> Decimal:
    """(end − start) in days ÷ 365 (actual/365 fixed), exact to 40 digits; ValueError if
    ``end`` is before ``start``."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal((end - start).days) / Decimal(DAYS_PER_YEAR)


def buyback_price(principal: Decimal, rate: Decimal, method: InterestMethod,
                  start: date, end: date, dividends: Decimal = Decimal(0)) -> Decimal:
    """The buy-back price on ``end`` of ``principal`` accruing at ``rate`` (a fraction per
    year, 0.08 = 8 %) from ``start``, less ``dividends`` received (yuan, face value);
    floored at 0, rounded to the fen half-up at the end only (module docstring).

    ValueError for a negative principal, rate or dividends, or ``end`` before ``start``.
    """
    if principal < 0 or rate < 0 or dividends < 0:
        raise ValueError("principal, rate and dividends must not be negative")
    years = accrual_years(start, end)
    with localcontext() as ctx:
        ctx.prec = 40
        if InterestMethod(method) is InterestMethod.SIMPLE:
            factor = 1 + rate * years
        else:
            factor = (1 + rate) ** years
        gross = principal * factor - dividends
    return max(gross, Decimal(0)).quantize(_FEN, rounding=ROUND_HALF_UP)
