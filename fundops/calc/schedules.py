"""Loan repayment schedules and interest subsidy (贴息); loan sizing and the equity-arrival
check are in :mod:`fundops.calc.loan_sizing`, with the same units and checks.

Units and signs, for the whole module: money is ``Decimal`` yuan with at most 2 decimals
(fen); every amount in a result is a non-negative amount quantized to exactly 2 decimals,
paid by the borrower (schedules) or available to it (sizing). Rates are ``Decimal``
fractions (``Decimal("0.0435")`` = 4.35 %), never percents; an annual nominal rate is
charged at ``annual_rate / periods_per_year`` per period on the outstanding balance, in
arrears (domain-rules §4.3, §4.6). No floats: numpy-financial's ``pmt`` is called with
Decimal arguments at 60 digits. Rounding modes are stated per function: schedule rows
round half-to-even to the fen; limits and subsidies round down (nobody is promised more
than the rule allows).
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext

import numpy_financial as npf

from fundops.money import decimal_places

__all__ = [
    "REPAYMENT_TYPES", "RepaymentType", "ScheduleRow", "SizingTerm", "Subsidy", "SubsidyRow",
    "add_months", "checked_fraction", "checked_money", "interest_subsidy", "repayment_schedule",
]



class RepaymentType(enum.StrEnum):
    """How a loan is repaid (``loan_product.repayment_type``)."""

    EQUAL_INSTALMENT = "equal_instalment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY = "interest_only"  # 先息后本, bullet


REPAYMENT_TYPES: tuple[RepaymentType, ...] = tuple(RepaymentType)


class SizingTerm(enum.StrEnum):
    """The terms of the loan sizing rule; :attr:`Headroom.binding` names the smallest."""

    PRODUCT_CAP = "product_cap"
    EQUITY_ARRIVED = "equity_arrived"
    POST_MONEY = "post_money"

FEN = Decimal("0.01")
RATE_UNIT = Decimal("1e-8")  # rates in results carry 8 decimals, like the Rate(scale=8) type
WIDE = 60  # working precision: products and powers of 2-decimal yuan stay exact or 1e-40 close


def checked_money(value: Decimal, name: str) -> Decimal:
    """Check a non-negative yuan amount with at most 2 decimals; return it with exactly 2."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"{name} must be a finite Decimal, got {value!r}")
    if value < 0 or decimal_places(value) > 2:
        raise ValueError(f"{name} must be >= 0 with at most 2 decimals, got {value}")
    return value.quantize(FEN) + 0  # "+ 0" turns -0.00 into 0.00


def checked_fraction(value: Decimal, name: str, upper: Decimal | None = None) -> Decimal:
    """Check a rate or share: a finite Decimal >= 0 (and <= ``upper`` when given)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"{name} must be a finite Decimal fraction, got {value!r}")
    if value < 0 or (upper is not None and value > upper):
        limit = f" and <= {upper}" if upper is not None else ""
        raise ValueError(f"{name} must be >= 0{limit}, got {value}")
    return value


def add_months(start: date, months: int) -> date:
    """``start`` moved by ``months`` calendar months, the day clamped to the month's end.

    ``add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)``; ``months`` may be negative.
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One instalment; amounts in yuan (2 decimals, >= 0), paid by the borrower.

    ``payment == principal + interest`` and ``closing_balance == opening_balance -
    principal`` hold exactly on every row.
    """

    period: int  # 1-based
    due_on: date
    opening_balance: Decimal
    principal: Decimal
    interest: Decimal
    payment: Decimal
    closing_balance: Decimal


def _level_principal(principal: Decimal, periods: int) -> Decimal:
    """``principal / periods`` half-to-even to the fen, or rounded down if rounding up
    would repay the whole loan before the last period."""
    exact = principal / periods
    part = exact.quantize(FEN, ROUND_HALF_EVEN)
    return part if part * (periods - 1) <= principal else exact.quantize(FEN, ROUND_DOWN)


def _amortisation_targets(principal: Decimal, rate: Decimal, periods: int) -> list[Decimal]:
    """Closing balances after periods 1..n-1 of the exact level-payment loan, to the fen.

    Closed form ``B_k = P (g^n - g^k) / (g^n - 1)`` with ``g = 1 + rate`` (rate > 0),
    evaluated at 60 digits and rounded half-to-even; the list is non-increasing.
    """
    with localcontext() as ctx:
        ctx.prec = WIDE
        growth = 1 + rate
        final = growth**periods
        targets, power = [], Decimal(1)
        for _ in range(1, periods):
            power *= growth
            exact = principal * (final - power) / (final - 1)
            targets.append(exact.quantize(FEN, ROUND_HALF_EVEN))
    return targets


def _checked_spacing(periods: int, periods_per_year: int, months_between: int | None) -> int:
    """Months between instalments (default ``12 // periods_per_year``); ``ValueError`` for a
    non-positive count or a default that does not divide the year."""
    if periods < 1 or periods_per_year < 1:
        raise ValueError("periods and periods_per_year must be at least 1")
    if months_between is None:
        if 12 % periods_per_year:
            raise ValueError("give months_between when periods_per_year does not divide 12")
        months_between = 12 // periods_per_year
    if months_between < 1:
        raise ValueError("months_between must be at least 1")
    return months_between


def repayment_schedule(
    principal: Decimal,
    annual_rate: Decimal,
    periods: int,
    first_due_on: date,
    *,
    repayment_type: RepaymentType = RepaymentType.EQUAL_INSTALMENT,
    periods_per_year: int = 12,
    months_between: int | None = None,
) -> tuple[ScheduleRow, ...]:
    """The repayment schedule of a loan of ``principal`` yuan over ``periods`` instalments.

    Instalment k falls due on ``add_months(first_due_on, (k - 1) * months_between)``
    (counted from the first date, so month-end dates do not drift); ``months_between``
    defaults to ``12 // periods_per_year``. The periodic rate is ``annual_rate /
    periods_per_year`` (nominal, equal periods, no day count).

    * ``interest_only``: each row's interest is ``balance × periodic rate``; the whole
      principal is repaid with the last instalment (bullet).
    * ``equal_principal`` (等额本金): principal ``P / n`` each period (see
      :func:`_level_principal`), interest ``opening balance × periodic rate``.
    * ``equal_instalment`` (等额本息): every instalment but the last equals
      ``numpy_financial.pmt`` rounded half-to-even to the fen. The principal column
      follows the exact amortisation: each closing balance is the exact (unrounded)
      level-payment balance rounded to the fen, and interest is the instalment minus
      that principal. The instalment's rounding therefore lands in the interest column
      (within 1.5 fen of ``opening × rate``) instead of compounding in the balance —
      charging exact interest on the actual balance turns 100 yuan at 30 % over 360
      months into a bullet loan. Where interest would come out negative (near-zero
      rates) the row repays the instalment as principal and later rows catch up. A
      zero rate gives the ``equal_principal`` schedule.

    The last 等额本息 instalment is ``round(n × pmt) − (n − 1) × instalment``: it absorbs
    the instalments' rounding, so total payments are ``n × pmt`` and total interest is
    ``Σ numpy_financial.ipmt`` to the fen — unless that left the last row with negative
    interest (the accumulated rounding, up to (n − 1) × ½ fen, exceeds the last month's
    interest: loans of a few hundred yuan over decades), when it charges the interest on
    its balance instead.

    Rounding: interest half-to-even to the fen. In every type the principal column sums
    exactly to ``principal``, the last row repays the remaining balance (absorbing all
    rounding), and its closing balance is exactly 0.00; no amount is negative. Raises
    ``TypeError`` for non-Decimal money or rates and ``ValueError`` for a negative amount or
    rate, more than 2 decimals, or non-positive counts.
    """
    amount = checked_money(principal, "principal")
    rate_year = checked_fraction(annual_rate, "annual_rate")
    if repayment_type not in REPAYMENT_TYPES:
        raise ValueError(f"unknown repayment_type {repayment_type!r}")
    months_between = _checked_spacing(periods, periods_per_year, months_between)
    with localcontext() as ctx:
        ctx.prec = WIDE
        rate = rate_year / periods_per_year

        def interest_on(balance: Decimal) -> Decimal:
            # balance × annual rate first, then ÷ periods: exact when the true value is a
            # half fen (0.30 × 0.2 / 12 = 0.005), where rate_year / 12 is already inexact
            return (balance * rate_year / periods_per_year).quantize(FEN, ROUND_HALF_EVEN)

        parts: list[tuple[Decimal, Decimal]] = []  # (principal, interest) of rows 1..n-1
        balance = amount
        exact: Decimal | None = None  # the unrounded level instalment (equal instalments)
        if repayment_type == RepaymentType.INTEREST_ONLY:
            parts = [(Decimal("0.00"), interest_on(amount))] * (periods - 1)
        elif repayment_type == RepaymentType.EQUAL_PRINCIPAL or rate == 0:
            level = _level_principal(amount, periods)
            for _ in range(periods - 1):
                parts.append((level, interest_on(balance)))
                balance -= level
        else:
            # Decimal in, Decimal out: float pmt loses ~1 yuan per 1e10 at rates near 1e-8
            exact = Decimal(-npf.pmt(rate, periods, amount))
            instalment = exact.quantize(FEN, ROUND_HALF_EVEN)
            for target in _amortisation_targets(amount, rate, periods):
                repaid = min(balance - target, instalment)  # >= 0: balance >= target
                parts.append((repaid, instalment - repaid))
                balance -= repaid
        last_interest: Decimal | None = None
        if exact is not None:  # equal instalments at a non-zero rate
            # the last instalment absorbs the instalments' rounding, so that the total
            # paid is n × pmt to the fen and total interest agrees with Σ ipmt to the fen
            total = (exact * periods).quantize(FEN, ROUND_HALF_EVEN)
            natural = total - sum((p + i for p, i in parts), Decimal(0)) - balance
            last_interest = natural if natural >= 0 else None  # tiny loans: see docstring
        rows, balance = [], amount
        for k in range(1, periods + 1):
            repaid, interest = parts[k - 1] if k < periods else (
                balance, last_interest if last_interest is not None else interest_on(balance))
            due_on = add_months(first_due_on, (k - 1) * months_between)
            rows.append(ScheduleRow(k, due_on, balance, repaid, interest, repaid + interest,
                                    balance - repaid))
            balance -= repaid
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class SubsidyRow:
    """Subsidy on one instalment; yuan, 2 decimals, >= 0. ``net_interest = interest -
    subsidy`` is what the borrower bears."""

    period: int
    due_on: date
    interest: Decimal
    subsidy: Decimal
    net_interest: Decimal


@dataclass(frozen=True, slots=True)
class Subsidy:
    """Interest subsidy (贴息) over a schedule.

    ``subsidy_rate`` is the subsidised part of the annual rate before any amount cap;
    ``net_annual_rate = annual_rate - subsidy_rate``. ``effective_net_rate`` is the flat
    annual rate that, charged on the same balances, would give ``net_interest``:
    ``annual_rate × net_interest / total_interest`` (8 decimals, half-to-even); it equals
    ``net_annual_rate`` up to fen rounding unless the annual cap binds.
    """

    rows: tuple[SubsidyRow, ...]
    subsidy_rate: Decimal
    net_annual_rate: Decimal
    total_interest: Decimal
    total_subsidy: Decimal
    net_interest: Decimal
    effective_net_rate: Decimal
    capped_years: tuple[int, ...]  # calendar years in which the annual cap cut the subsidy

    @property
    def net_cost(self) -> Decimal:  # the borrower's total net interest
        return self.net_interest


def interest_subsidy(
    rows: Sequence[ScheduleRow],
    annual_rate: Decimal,
    share: Decimal,
    *,
    max_subsidy_rate: Decimal | None = None,
    annual_cap: Decimal | None = None,
    used_by_year: Mapping[int, Decimal] | None = None,
) -> Subsidy:
    """Interest subsidy per instalment and the borrower's net rate (domain-rules §4.6).

    The subsidised rate is ``min(share × annual_rate, max_subsidy_rate)`` (e.g. share 0.5,
    at most 1 percentage point: ``max_subsidy_rate=Decimal("0.01")``). Each row gets
    ``interest × subsidy_rate / annual_rate``, rounded **down** to the fen. With
    ``annual_cap`` (yuan per calendar year of the due date, for this borrower) the
    subsidy is cut in due-date order once the year's total — including
    ``used_by_year[year]`` already paid on other loans — reaches the cap. All amounts are
    yuan >= 0; the subsidy never exceeds the row's interest.
    """
    rate = checked_fraction(annual_rate, "annual_rate")
    portion = checked_fraction(share, "share", Decimal(1))
    with localcontext() as ctx:
        ctx.prec = WIDE
        sub_rate = rate * portion
        if max_subsidy_rate is not None:
            sub_rate = min(sub_rate, checked_fraction(max_subsidy_rate, "max_subsidy_rate"))
        cap = None if annual_cap is None else checked_money(annual_cap, "annual_cap")
        used = {year: checked_money(v, "used_by_year") for year, v in (used_by_year or {}).items()}
        out: list[SubsidyRow] = []
        capped: set[int] = set()
        for row in rows:
            entitled = Decimal("0.00") if rate == 0 else (
                (row.interest * sub_rate / rate).quantize(FEN, ROUND_DOWN))
            year = row.due_on.year
            if cap is not None:
                room = max(Decimal("0.00"), cap - used.get(year, Decimal("0.00")))
                if entitled > room:
                    entitled = room
                    capped.add(year)
                used[year] = used.get(year, Decimal("0.00")) + entitled
            out.append(SubsidyRow(row.period, row.due_on, row.interest, entitled,
                                  row.interest - entitled))
        total = sum((r.interest for r in out), Decimal("0.00"))
        given = sum((r.subsidy for r in out), Decimal("0.00"))
        effective = rate - sub_rate if total == 0 else rate * (total - given) / total
        return Subsidy(
            rows=tuple(out),
            subsidy_rate=sub_rate,
            net_annual_rate=rate - sub_rate,
            total_interest=total,
            total_subsidy=given,
            net_interest=total - given,
            effective_net_rate=effective.quantize(RATE_UNIT, ROUND_HALF_EVEN),
            capped_years=tuple(sorted(capped)),
        )
