"""Level-payment loan helpers on numpy-financial: instalment, interest/principal split, schedule."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy_financial as npf

__all__ = ["Instalment", "interest_part", "payment", "principal_part", "schedule"]

# Conventions: ``principal`` is the amount lent, in currency units (positive);
# ``annual_rate`` is the nominal annual rate as a fraction (0.0435 = 4.35 %), charged at
# annual_rate / periods_per_year per period on the outstanding balance; payments are in
# arrears. Results are positive amounts paid by the borrower (numpy-financial's own sign
# convention makes them negative). Float helpers are unrounded; the schedule is Decimal.


def _check(principal: Decimal | float, annual_rate: Decimal | float, periods: int,
           periods_per_year: int) -> tuple[float, float]:
    if periods < 1 or periods_per_year < 1:
        raise ValueError("periods and periods_per_year must be at least 1")
    if principal < 0 or annual_rate <= -periods_per_year:
        raise ValueError("principal must not be negative and the periodic rate must exceed -100%")
    return float(principal), float(annual_rate) / periods_per_year


def payment(principal: Decimal | float, annual_rate: Decimal | float, periods: int,
            periods_per_year: int = 12) -> float:
    """The level instalment (interest + principal) that repays ``principal`` in ``periods``."""
    pv, rate = _check(principal, annual_rate, periods, periods_per_year)
    return -float(npf.pmt(rate, periods, pv))


def interest_part(principal: Decimal | float, annual_rate: Decimal | float, periods: int,
                  period: int, periods_per_year: int = 12) -> float:
    """Interest inside instalment number ``period`` (1-based) of the level-payment loan."""
    pv, rate = _check(principal, annual_rate, periods, periods_per_year)
    if not 1 <= period <= periods:
        raise ValueError(f"period must be within 1..{periods}")
    return -float(npf.ipmt(rate, period, periods, pv))


def principal_part(principal: Decimal | float, annual_rate: Decimal | float, periods: int,
                   period: int, periods_per_year: int = 12) -> float:
    """Principal repaid by instalment number ``period`` (1-based) of the level-payment loan."""
    pv, rate = _check(principal, annual_rate, periods, periods_per_year)
    if not 1 <= period <= periods:
        raise ValueError(f"period must be within 1..{periods}")
    return -float(npf.ppmt(rate, period, periods, pv))


@dataclass(frozen=True)
class Instalment:
    """One row of a schedule, amounts in currency units rounded to ``places`` decimals."""

    period: int
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


def schedule(principal: Decimal, annual_rate: Decimal, periods: int, periods_per_year: int = 12,
             places: int = 2) -> list[Instalment]:
    """Amortisation schedule of a level-payment loan in exact Decimal arithmetic.

    The instalment is :func:`payment` rounded half-to-even to ``places`` decimals; each
    period's interest is balance * annual_rate / periods_per_year rounded the same way,
    principal = instalment - interest, and the last instalment repays the remaining
    balance exactly, so the principal column sums to ``principal`` and the final balance
    is zero. ``annual_rate`` is a Decimal fraction (pass ``Decimal("0.0435")``).
    """
    if not isinstance(principal, Decimal) or not isinstance(annual_rate, Decimal):
        raise TypeError("principal and annual_rate must be Decimals")
    _check(principal, annual_rate, periods, periods_per_year)
    unit = Decimal(1).scaleb(-places)
    level = Decimal(repr(payment(principal, annual_rate, periods, periods_per_year)))
    level = level.quantize(unit, ROUND_HALF_EVEN)
    balance, rows = principal, []
    for k in range(1, periods + 1):
        interest = (balance * annual_rate / periods_per_year).quantize(unit, ROUND_HALF_EVEN)
        repaid = balance if k == periods else min(level - interest, balance)
        balance -= repaid
        rows.append(Instalment(k, interest + repaid, interest, repaid, balance))
    return rows
