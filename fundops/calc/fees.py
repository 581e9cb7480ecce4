"""Management fees (domain rules §3.8): fee periods, tiers and the fee of a period as
calculation lines "base × rate × days / 365".

Conventions (printed on the draft pages):

* **Day count** Actual/365: a line covering ``start`` … ``end`` counts
  ``(end − start).days + 1`` days — its first day included, the day after its last day
  excluded; 365 in every year (leap years too).
* **Lines**: a period's charged days are split at every tier boundary (a step-down is the
  boundary between two tiers) and every day its base changes; each line is
  ``base × rate × days / 365``, kept unrounded (60 significant digits).
* **Rounding**: the fee of a set of lines is their unrounded sum quantised ONCE to the
  fen (0.01) with ROUND_HALF_UP; a line is never rounded on its own.
* Amounts are yuan (the fund's currency), positive; rates are annual fractions
  (0.02 = 2 %/yr), never negative.

Pure: dates and Decimals in, frozen records out; no Flask, no database.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from fundops.calc.allocation import allocate_pro_rata
from fundops.errors import ValidationError

DAYS_IN_YEAR = 365
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
_PRECISION = 60


class Basis(StrEnum):
    """What a tier charges on (see :mod:`fundops.reports.fees.bases` for how each is read)."""

    COMMITMENT = "commitment"  # 认缴出资
    PAID_IN = "paid_in"  # 实缴出资
    INVESTED_COST = "invested_cost"  # 在投成本 (cost of investments still held)
    NAV = "nav"  # 基金净值


class Frequency(StrEnum):
    QUARTERLY = "quarterly"
    SEMI_ANNUAL = "semi_annual"


class Timing(StrEnum):
    ADVANCE = "advance"  # 预收: due on the period's first day, base read on that day
    ARREARS = "arrears"  # 后收: due after the period's last day, base as it moved


class PaymentSource(StrEnum):
    PRINCIPAL = "principal"  # called from the LPs (a capital call for the fee)
    INCOME = "income"  # paid from the fund's income: no call


_PERIOD = re.compile(r"^\s*(\d{4})\s*([QqHh])\s*([1-4])\s*$")


@dataclass(frozen=True, order=True, slots=True)
class FeePeriod:
    """A fee period: calendar quarter ``2025Q1`` or half-year ``2025H1``."""

    year: int
    number: int
    frequency: Frequency

    @classmethod
    def parse(cls, text: object, field: str = "period") -> FeePeriod:
        """``"2025Q1"`` / ``"2025h2"`` (spaces ignored) → the period; anything else is
        ``fee_period_invalid`` naming ``field``."""
        match = _PERIOD.match(text) if isinstance(text, str) else None
        if match is not None and 1900 <= int(match.group(1)) <= 2999:
            year, letter, number = int(match.group(1)), match.group(2).upper(), int(match.group(3))
            if letter == "Q":
                return cls(year, number, Frequency.QUARTERLY)
            if number <= 2:
                return cls(year, number, Frequency.SEMI_ANNUAL)
        raise ValidationError(field, "fee_period_invalid", value=str(text)[:20])

    @classmethod
    def of(cls, frequency: Frequency, day: date) -> FeePeriod:
        """The period of ``frequency`` containing ``day``."""
        months = 3 if frequency is Frequency.QUARTERLY else 6
        return cls(day.year, (day.month - 1) // months + 1, frequency)

    @property
    def months(self) -> int:
        return 3 if self.frequency is Frequency.QUARTERLY else 6

    @property
    def start(self) -> date:
        return date(self.year, self.months * (self.number - 1) + 1, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> FeePeriod:
        last = 12 // self.months
        if self.number == last:
            return FeePeriod(self.year + 1, 1, self.frequency)
        return FeePeriod(self.year, self.number + 1, self.frequency)

    def previous(self) -> FeePeriod:
        if self.number == 1:
            return FeePeriod(self.year - 1, 12 // self.months, self.frequency)
        return FeePeriod(self.year, self.number - 1, self.frequency)

    def __str__(self) -> str:
        return f"{self.year}{'Q' if self.frequency is Frequency.QUARTERLY else 'H'}{self.number}"


def periods_between(frequency: Frequency, first: date, last: date) -> list[FeePeriod]:
    """Every period of ``frequency`` from the one containing ``first`` to the one
    containing ``last`` (empty when ``last`` < ``first``)."""
    out: list[FeePeriod] = []
    if last < first:
        return out
    period, end = FeePeriod.of(frequency, first), FeePeriod.of(frequency, last)
    while period <= end:
        out.append(period)
        period = period.next()
    return out


def days_counted(start: date, end: date) -> int:
    """Actual days from ``start`` to ``end`` both included (first day in, day after the
    last day out): ``(end − start).days + 1``."""
    return (end - start).days + 1


@dataclass(frozen=True, slots=True)
class Tier:
    """A fee tier: ``rate`` (annual fraction) on ``basis`` from ``start`` to ``end``
    (both included; ``end`` None = open-ended)."""

    basis: Basis
    rate: Decimal
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def check_tiers(tiers: Sequence[Tier], field: str = "tiers") -> None:
    """Refuse tiers that cannot be charged: none given (``fee_tiers_required``), a negative
    rate (``fee_rate_negative``), a rate above 100 %/yr (``fee_rate_above_one``), a tier
    ending before it starts (``fee_tier_dates_reversed``) or two tiers covering a common
    day (``fee_tiers_overlap``). Tiers are numbered from 1 in the messages."""
    if not tiers:
        raise ValidationError(field, "fee_tiers_required")
    for number, tier in enumerate(tiers, start=1):
        where = f"{field}[{number - 1}]"
        if tier.rate < 0:
            raise ValidationError(f"{where}.rate", "fee_rate_negative", tier=number,
                                  rate=tier.rate)
        if tier.rate > 1:
            raise ValidationError(f"{where}.rate", "fee_rate_above_one", tier=number,
                                  rate=tier.rate)
        if tier.end is not None and tier.end < tier.start:
            raise ValidationError(f"{where}.end", "fee_tier_dates_reversed", tier=number,
                                  start=tier.start, end=tier.end)
    ordered = sorted(enumerate(tiers, start=1), key=lambda pair: pair[1].start)
    for (n1, first), (n2, second) in itertools.pairwise(ordered):
        if first.end is None or first.end >= second.start:
            raise ValidationError(field, "fee_tiers_overlap", first=min(n1, n2),
                                  second=max(n1, n2), on=second.start)


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One calculation line: ``base × rate × days / 365`` over ``start`` … ``end``."""

    basis: Basis
    rate: Decimal
    start: date
    end: date
    base: Decimal

    @property
    def days(self) -> int:
        return days_counted(self.start, self.end)

    @property
    def amount(self) -> Decimal:
        """The line's amount, unrounded (60 significant digits; never quantised)."""
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            return self.base * self.rate * self.days / DAYS_IN_YEAR


Steps = Sequence[tuple[date, Decimal]]
"""A base as a step function: (first day, value) pairs in date order; the value holds
from its day until the next pair's day. Before the first pair the base is 0."""


def value_on(steps: Steps, day: date) -> Decimal:
    """The step function's value on ``day``."""
    current = ZERO
    for since, value in steps:
        if since > day:
            break
        current = value
    return current


def fee_lines(tiers: Sequence[Tier], start: date, end: date,
              bases: Mapping[Basis, Steps]) -> list[FeeLine]:
    """The lines of ``start`` … ``end`` (both included): for each tier covering some of
    those days, one line per run of days over which its base is constant (split at the
    days ``bases[tier.basis]`` changes). Days no tier covers are not charged. Lines come in
    date order."""
    lines: list[FeeLine] = []
    for tier in sorted(tiers, key=lambda t: t.start):
        lo = max(start, tier.start)
        hi = end if tier.end is None else min(end, tier.end)
        if hi < lo:
            continue
        steps = bases.get(tier.basis, ())
        cuts = sorted({day for day, _ in steps if lo < day <= hi})
        for first, after in zip([lo, *cuts], [*cuts, hi + timedelta(days=1)], strict=True):
            lines.append(FeeLine(tier.basis, tier.rate, first, after - timedelta(days=1),
                                 value_on(steps, first)))
    return lines


def fee_of(lines: Sequence[FeeLine]) -> Decimal:
    """Σ line amounts (unrounded) quantised once to the fen, ROUND_HALF_UP."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        total = sum((line.amount for line in lines), Decimal(0))
    return total.quantize(FEN, rounding=ROUND_HALF_UP)


def charged(tiers: Sequence[Tier], start: date, end: date) -> bool:
    """Whether any tier covers a day of ``start`` … ``end``."""
    return any(max(start, t.start) <= (end if t.end is None else min(end, t.end))
               for t in tiers)


def offset_of(fee: Decimal, income: Decimal, offset_rate: Decimal) -> Decimal:
    """The offset: ``offset_rate`` × the transaction and monitoring fees received, rounded
    to the fen ROUND_HALF_UP, capped at ``fee`` (an excess is not carried forward)."""
    raw = (income * offset_rate).quantize(FEN, rounding=ROUND_HALF_UP)
    return min(max(raw, ZERO), fee)


@dataclass(frozen=True, slots=True)
class Share:
    """One LP's part of a fee call: ``regular`` (its commitment-weighted part of the
    period's net fee) + ``catch_up`` (charged to it alone); yuan, ≥ 0."""

    investor_id: int
    weight: Decimal
    regular: Decimal
    catch_up: Decimal

    @property
    def amount(self) -> Decimal:
        return self.regular + self.catch_up


def split_fee(net_regular: Decimal, weights: Sequence[tuple[int, Decimal]],
              catch_ups: Mapping[int, Decimal]) -> list[Share]:
    """Each LP's share: ``net_regular`` pro rata to ``weights`` (commitments) by the largest
    remainder rule of :func:`fundops.calc.allocation.allocate_pro_rata` (exact to the fen,
    the parts sum to the total), plus its own catch-up. An LP with only a catch-up (weight
    0) is listed too. ``net_regular`` > 0 with no positive weight is ``no_lp_commitments``."""
    keyed = dict(weights)
    for inv in catch_ups:
        keyed.setdefault(inv, ZERO)
    if net_regular > 0 and not any(w > 0 for w in keyed.values()):
        raise ValidationError("period", "fee_no_lp_commitments")
    parts = (allocate_pro_rata(net_regular, list(keyed.items())) if net_regular > 0
             else dict.fromkeys(keyed, ZERO))
    return [Share(inv, keyed[inv], parts[inv], catch_ups.get(inv, ZERO)) for inv in keyed]
