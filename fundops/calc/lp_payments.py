"""LP payments: default interest on an overdue capital-call line (逾期出资违约金) and a later
closer's equalisation (catch-up and premium), exact to the fen.

Conventions (stated on every page that shows a result):

* **Amounts** are positive yuan (or the fund's currency) with 2 decimals; a receipt is
  positive, its reversal negative (same date), so a reversed receipt counts as never made.
* **Default interest** runs day by day on the amount still outstanding: it starts on the
  first day after the due date plus the grace days (``due_on + grace_days + 1``) and runs
  to ``as_of`` inclusive; a receipt dated day *d* stops interest on its amount from day
  *d* (the day of receipt bears none). The daily factor is the rate itself for a daily
  rate (万分之五/日 = 0.0005 per day, simple) or rate / 365 for an annual rate (Actual/365,
  simple). Interest is never compounded. The sum is exact (fractions) and rounded once,
  at the end, to the fen with ROUND_HALF_UP.
* **Equalisation** of a later closer, for each earlier capital call: what every LP should
  have paid had the later closer been in from the start is the call split pro rata to the
  commitments on the later closer's admission date (largest remainder to the fen,
  :func:`fundops.calc.allocation.allocate_pro_rata`); minus what it paid gives each LP's
  difference (positive: it pays a catch-up; negative: it gets the excess back; the
  differences of a call sum to zero). The **premium** on each catch-up runs from the
  call's date to the equalisation date at the equalisation rate, Actual/365, simple
  (amount × rate × days / 365) or compounded annually (whole 365-day periods compound, the
  rest is simple); each call's premium per payer is rounded to the fen (ROUND_HALF_UP) and
  shared among that call's refunded LPs pro rata to their refunds (largest remainder).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Generic, TypeVar

from fundops.calc.allocation import allocate_pro_rata

K = TypeVar("K", bound=Hashable)
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
YEAR_DAYS = 365


class DefaultConvention(StrEnum):
    """How the default-interest rate is read."""

    DAILY = "daily"  # a rate per day, simple (万分之五/日 = 0.0005)
    ANNUAL_ACT365 = "annual_act365"  # a rate per year, Actual/365, simple


class PremiumCompounding(StrEnum):
    """How the equalisation premium accrues (Actual/365 either way)."""

    SIMPLE = "simple"
    ANNUAL = "annual"  # compounded once per whole 365-day period


def half_up(value: Fraction | Decimal) -> Decimal:
    """``value`` rounded to the fen, ROUND_HALF_UP (exact input, one rounding)."""
    exact = Fraction(value)
    scaled = exact * 100
    sign = -1 if scaled < 0 else 1
    units = (abs(scaled.numerator) * 2 + scaled.denominator) // (2 * scaled.denominator)
    return (Decimal(sign * units) / 100).quantize(FEN)


def daily_factor(rate: Decimal, convention: DefaultConvention) -> Fraction:
    """The fraction of the outstanding amount that one day of default costs."""
    if convention is DefaultConvention.DAILY:
        return Fraction(rate)
    return Fraction(rate) / YEAR_DAYS


@dataclass(frozen=True, slots=True)
class Segment:
    """Days ``start`` … ``end`` (inclusive) on which ``outstanding`` bore interest;
    ``interest`` is exact (not rounded)."""

    start: date
    end: date
    days: int
    outstanding: Decimal
    interest: Fraction


@dataclass(frozen=True, slots=True)
class Accrual:
    """Default interest of one line to ``as_of``: ``outstanding`` (due − receipts to
    ``as_of``), ``days_past_due`` (0 when nothing is outstanding or not yet due),
    ``interest`` rounded once (ROUND_HALF_UP) and the segments that make it up."""

    as_of: date
    outstanding: Decimal
    days_past_due: int
    interest: Decimal
    segments: tuple[Segment, ...]


def accrue_default_interest(
    due: Decimal, due_on: date, receipts: Sequence[tuple[date, Decimal]], as_of: date, *,
    rate: Decimal, convention: DefaultConvention, grace_days: int = 0,
) -> Accrual:
    """Default interest on a line of ``due`` yuan due on ``due_on`` (module docstring).

    ``receipts``: (received_on, amount) pairs, reversals negative; those after ``as_of``
    are ignored. ``rate`` ≥ 0; ``grace_days`` ≥ 0. Raises ``ValueError`` otherwise.
    """
    if rate < 0 or grace_days < 0:
        raise ValueError("rate and grace days must not be negative")
    factor = daily_factor(rate, convention)
    shown = sorted((d, a) for d, a in receipts if d <= as_of)
    outstanding = due - sum((a for _, a in shown), ZERO)
    late = (as_of - due_on).days if outstanding > 0 else 0
    first = due_on + timedelta(days=grace_days + 1)
    segments: list[Segment] = []
    if first <= as_of:
        balance = due - sum((a for d, a in shown if d <= first), ZERO)
        cuts = sorted({d for d, _ in shown if first < d <= as_of})
        start = first
        for cut in [*cuts, as_of + timedelta(days=1)]:
            days = (cut - start).days
            if days > 0 and balance > 0:
                segments.append(Segment(start, cut - timedelta(days=1), days, balance,
                                        Fraction(balance) * factor * days))
            balance -= sum((a for d, a in shown if d == cut), ZERO)
            start = cut
    total = sum((s.interest for s in segments), Fraction(0))
    return Accrual(as_of, outstanding, max(late, 0), half_up(total), tuple(segments))


def premium_factor(rate: Decimal, compounding: PremiumCompounding, start: date,
                   end: date) -> Fraction:
    """Growth − 1 from ``start`` to ``end`` (Actual/365; 0 when ``end`` ≤ ``start``)."""
    days = max((end - start).days, 0)
    r = Fraction(rate)
    if compounding is PremiumCompounding.SIMPLE:
        return r * days / YEAR_DAYS
    years, rest = divmod(days, YEAR_DAYS)
    return (1 + r) ** years * (1 + r * rest / YEAR_DAYS) - 1


@dataclass(frozen=True, slots=True)
class EarlierCall(Generic[K]):
    """A capital call before the later closer's admission: ``amount`` (its net total) and
    what each LP ``paid`` towards it (its allocation plus earlier equalisations' changes)."""

    call_id: int
    value_on: date
    amount: Decimal
    paid: Mapping[K, Decimal]


@dataclass(frozen=True, slots=True)
class CallEqualisation(Generic[K]):
    """One earlier call equalised: per LP what it should have paid, what it paid, the
    difference (+ catch-up, − refund), the premium each payer owes (rounded) and each
    refunded LP's share of it; ``days`` and ``factor`` of the premium."""

    call_id: int
    value_on: date
    amount: Decimal
    days: int
    factor: Fraction
    should: Mapping[K, Decimal]
    paid: Mapping[K, Decimal]
    delta: Mapping[K, Decimal]
    premium_paid: Mapping[K, Decimal]
    premium_received: Mapping[K, Decimal]


@dataclass(frozen=True, slots=True)
class EqualisationPlan(Generic[K]):
    """Every earlier call equalised, and the totals per LP: ``catch_up`` (to call),
    ``refund`` (to return, positive), ``premium_paid`` and ``premium_received``."""

    equalised_on: date
    calls: tuple[CallEqualisation[K], ...]
    catch_up: Mapping[K, Decimal]
    refund: Mapping[K, Decimal]
    premium_paid: Mapping[K, Decimal]
    premium_received: Mapping[K, Decimal]

    @property
    def catch_up_total(self) -> Decimal:
        return sum(self.catch_up.values(), ZERO)

    @property
    def premium_total(self) -> Decimal:
        return sum(self.premium_paid.values(), ZERO)


def _add(into: dict[K, Decimal], key: K, amount: Decimal) -> None:
    if amount:
        into[key] = into.get(key, ZERO) + amount


def equalise_call(call: EarlierCall[K], commitments: Sequence[tuple[K, Decimal]],
                  equalised_on: date, rate: Decimal,
                  compounding: PremiumCompounding) -> CallEqualisation[K]:
    """One call equalised (module docstring); ``commitments``: (LP, commitment) on the
    later closer's admission date, every LP that paid included."""
    weights = dict(commitments)
    for key in call.paid:
        weights.setdefault(key, ZERO)
    should = allocate_pro_rata(call.amount, list(weights.items()))
    paid = {k: call.paid.get(k, ZERO) for k in weights}
    delta = {k: should[k] - paid[k] for k in weights}
    factor = premium_factor(rate, compounding, call.value_on, equalised_on)
    premium_paid = {k: half_up(Fraction(d) * factor) for k, d in delta.items() if d > 0}
    premium = sum(premium_paid.values(), ZERO)
    refunds = [(k, -d) for k, d in delta.items() if d < 0]
    received = allocate_pro_rata(premium, refunds) if refunds and premium else {}
    return CallEqualisation(call.call_id, call.value_on, call.amount,
                            max((equalised_on - call.value_on).days, 0), factor, should, paid,
                            delta, premium_paid, dict(received))


def equalise(calls: Sequence[EarlierCall[K]], commitments: Sequence[tuple[K, Decimal]],
             equalised_on: date, rate: Decimal,
             compounding: PremiumCompounding) -> EqualisationPlan[K]:
    """Equalise every earlier call (module docstring). ``rate`` ≥ 0 (``ValueError``)."""
    if rate < 0:
        raise ValueError("the equalisation rate must not be negative")
    rows = tuple(equalise_call(c, commitments, equalised_on, rate, compounding)
                 for c in sorted(calls, key=lambda c: (c.value_on, c.call_id)))
    catch_up: dict[K, Decimal] = {}
    refund: dict[K, Decimal] = {}
    paid: dict[K, Decimal] = {}
    received: dict[K, Decimal] = {}
    for row in rows:
        for key, d in row.delta.items():
            _add(catch_up if d > 0 else refund, key, abs(d))
        for key, p in row.premium_paid.items():
            _add(paid, key, p)
        for key, p in row.premium_received.items():
            _add(received, key, p)
    return EqualisationPlan(equalised_on, rows, catch_up, refund, paid, received)
