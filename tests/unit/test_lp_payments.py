"""LP payments calculations (fundops.calc.lp_payments): default interest day by day with
one rounding, and the equalisation of a later closer; worked examples exact to the fen and
hypothesis properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundops.calc.allocation import allocate_pro_rata
from fundops.calc.lp_payments import (
    DefaultConvention,
    EarlierCall,
    PremiumCompounding,
    accrue_default_interest,
    equalise,
    half_up,
    premium_factor,
)

D = Decimal
DAILY, ANNUAL = DefaultConvention.DAILY, DefaultConvention.ANNUAL_ACT365
DUE_ON = date(2025, 3, 31)


def interest(due: str, receipts: list[tuple[date, str]], as_of: date, rate: str = "0.0005",
             convention: DefaultConvention = DAILY, grace: int = 0) -> Decimal:
    return accrue_default_interest(D(due), DUE_ON, [(d, D(a)) for d, a in receipts], as_of,
                                   rate=D(rate), convention=convention,
                                   grace_days=grace).interest


def test_daily_rate_on_the_whole_amount() -> None:
    """1,000,000 due 2025-03-31 at 万分之五 a day, nothing paid: 30 days to 2025-04-30."""
    result = accrue_default_interest(D("1000000.00"), DUE_ON, [], date(2025, 4, 30),
                                     rate=D("0.0005"), convention=DAILY)
    assert result.interest == D("15000.00")
    assert result.days_past_due == 30 and result.outstanding == D("1000000.00")
    assert [(s.start, s.end, s.days) for s in result.segments] == [
        (date(2025, 4, 1), date(2025, 4, 30), 30)]


def test_a_partial_receipt_stops_interest_on_its_amount_from_its_day() -> None:
    """400,000 received on 2025-04-11: 10 days on 1,000,000 (5,000) and 20 days on
    600,000 (6,000)."""
    assert interest("1000000", [(date(2025, 4, 11), "400000")], date(2025, 4, 30)) == D("11000.00")
    # a receipt and its reversal (same date) count as never made
    assert interest("1000000", [(date(2025, 4, 11), "400000"), (date(2025, 4, 11), "-400000")],
                    date(2025, 4, 30)) == D("15000.00")
    # paid in full on the due date: nothing
    assert interest("1000000", [(DUE_ON, "1000000")], date(2025, 12, 31)) == D("0.00")
    # a receipt after as_of does not count yet
    assert interest("1000000", [(date(2025, 5, 5), "1000000")], date(2025, 4, 30)) == D("15000.00")


def test_annual_rate_actual_365_and_grace_days() -> None:
    """18 % a year, 30 days: 1,000,000 × 0.18 × 30 / 365 = 14,794.5205… → 14,794.52; with 5
    grace days, 25 days at 万分之五: 12,500.00."""
    assert interest("1000000", [], date(2025, 4, 30), "0.18", ANNUAL) == D("14794.52")
    assert interest("1000000", [], date(2025, 4, 30), grace=5) == D("12500.00")
    assert interest("1000000", [], date(2025, 4, 5), grace=5) == D("0.00")


def test_rounded_once_at_the_end_not_per_day() -> None:
    """333.33 × 0.0005 = 0.166665 a day; 3 days = 0.499995 → 0.50 (per day: 3 × 0.17)."""
    assert interest("333.33", [], date(2025, 4, 3)) == D("0.50")


def test_half_up_to_the_fen() -> None:
    assert half_up(Fraction(1, 200)) == D("0.01")
    assert half_up(Fraction(-1, 200)) == D("-0.01")
    assert half_up(Fraction(1, 300)) == D("0.00")
    assert half_up(D("376986.30136986")) == D("376986.30")


def test_worked_equalisation_example() -> None:
    """First close A 60m + B 40m; a call of 30m on 2025-01-10 (A 18m, B 12m); C commits 50m
    on 2025-07-01 and is equalised that day at 8 % simple: C should have paid 10m; A and B
    get 6m and 4m back; 172 days; premium 10m × 0.08 × 172 / 365 = 376,986.30, shared
    226,191.78 / 150,794.52 (pro rata to the excess)."""
    call = EarlierCall(1, date(2025, 1, 10), D("30000000.00"),
                       {"A": D("18000000.00"), "B": D("12000000.00")})
    plan = equalise([call], [("A", D(60_000_000)), ("B", D(40_000_000)), ("C", D(50_000_000))],
                    date(2025, 7, 1), D("0.08"), PremiumCompounding.SIMPLE)
    (row,) = plan.calls
    assert row.days == 172 == (date(2025, 7, 1) - date(2025, 1, 10)).days
    assert dict(row.delta) == {"A": D("-6000000.00"), "B": D("-4000000.00"),
                               "C": D("10000000.00")}
    assert dict(plan.catch_up) == {"C": D("10000000.00")}
    assert dict(plan.refund) == {"A": D("6000000.00"), "B": D("4000000.00")}
    assert plan.premium_total == D("376986.30")
    assert dict(plan.premium_received) == {"A": D("226191.78"), "B": D("150794.52")}


def test_equalisation_of_a_20m_call_is_one_third_of_it() -> None:
    """With the call of 20m instead: C's share is 20m × 50/150 = 6,666,666.67 (largest
    remainder), A and B get 4,000,000.00 and 2,666,666.67 back (A should have paid 8m,
    B 5,333,333.33); premium 6,666,666.67 × 0.08 × 172/365 = 251,324.20."""
    call = EarlierCall(1, date(2025, 1, 10), D("20000000.00"),
                       {"A": D("12000000.00"), "B": D("8000000.00")})
    plan = equalise([call], [("A", D(60_000_000)), ("B", D(40_000_000)), ("C", D(50_000_000))],
                    date(2025, 7, 1), D("0.08"), PremiumCompounding.SIMPLE)
    assert dict(plan.catch_up) == {"C": D("6666666.67")}
    assert dict(plan.refund) == {"A": D("4000000.00"), "B": D("2666666.67")}
    exact = Fraction(D("6666666.67")) * Fraction(D("0.08")) * 172 / 365
    assert plan.premium_total == half_up(exact) == D("251324.20")


def test_premium_compounded_annually() -> None:
    """2 years and 100 days at 8 %: 1.08² × (1 + 0.08 × 100/365) − 1."""
    start = date(2020, 1, 1)
    end = start + timedelta(days=2 * 365 + 100)
    factor = premium_factor(D("0.08"), PremiumCompounding.ANNUAL, start, end)
    assert factor == Fraction(108, 100) ** 2 * (1 + Fraction(8, 100) * 100 / 365) - 1
    assert premium_factor(D("0.08"), PremiumCompounding.SIMPLE, end, start) == 0


def test_negative_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        accrue_default_interest(D(1), DUE_ON, [], DUE_ON, rate=D("-0.1"), convention=DAILY)
    with pytest.raises(ValueError, match="negative"):
        equalise([], [], DUE_ON, D("-0.01"), PremiumCompounding.SIMPLE)


fen = st.integers(min_value=1, max_value=10**10).map(lambda n: Decimal(n) / 100)
receipt = st.tuples(st.integers(0, 400), st.integers(1, 10**9).map(lambda n: Decimal(n) / 100))


@given(fen, st.lists(receipt, max_size=5), st.integers(0, 400), st.integers(0, 30),
       st.integers(0, 50).map(lambda n: Decimal(n) / 10000), st.sampled_from(list(
           DefaultConvention)))
@settings(max_examples=150, deadline=None)
def test_interest_properties(due: Decimal, raw: list[tuple[int, Decimal]], days: int,
                             grace: int, rate: Decimal, convention: DefaultConvention) -> None:
    receipts = [(DUE_ON + timedelta(days=d), a) for d, a in raw]
    on = DUE_ON + timedelta(days=days)

    def at(when: date, paid: list[tuple[date, Decimal]]) -> Decimal:
        return accrue_default_interest(due, DUE_ON, paid, when, rate=rate,
                                       convention=convention, grace_days=grace).interest

    now, later = at(on, receipts), at(on + timedelta(days=7), receipts)
    assert D(0) <= now <= later  # interest never falls as time passes
    assert now <= at(on, [])  # receipts never add interest
    # exact: the day-by-day sum, rounded once
    daily = Fraction(rate) if convention is DAILY else Fraction(rate) / 365
    total = Fraction(0)
    for n in range(grace + 1, days + 1):
        day = DUE_ON + timedelta(days=n)
        left = due - sum((a for d, a in receipts if d <= day), D(0))
        total += Fraction(max(left, D(0))) * daily
    assert now == half_up(total)


@given(st.integers(-10**12, 10**12), st.integers(1, 10**6))
def test_half_up_matches_decimal_rounding(numerator: int, denominator: int) -> None:
    exact = Fraction(numerator, denominator)
    with localcontext() as ctx:
        ctx.prec = 60
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(
            D("0.01"), rounding=ROUND_HALF_UP)
    assert half_up(exact) == expected


parties = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]),
                          st.integers(1, 10**8).map(Decimal), min_size=1)


@given(parties, st.integers(1, 10**8).map(Decimal), st.lists(
    st.tuples(st.integers(1, 10**11), st.integers(0, 500)), min_size=1, max_size=4),
    st.integers(0, 1500), st.integers(0, 2000).map(lambda n: Decimal(n) / 10000),
    st.sampled_from(list(PremiumCompounding)))
@settings(max_examples=150, deadline=None)
def test_equalisation_properties(first: dict[str, Decimal], later: Decimal,
                                 raw_calls: list[tuple[int, int]], after: int, rate: Decimal,
                                 compounding: PremiumCompounding) -> None:
    """Each call: paid + difference = what should have been paid (pro rata to the
    commitments, largest remainder); the differences sum to 0; the premium received equals
    the premium paid; the later closer pays, never receives."""
    start = date(2020, 1, 1)
    calls = []
    for i, (units, day) in enumerate(raw_calls):
        amount = Decimal(units) / 100
        paid = allocate_pro_rata(amount, list(first.items()))
        calls.append(EarlierCall(i, start + timedelta(days=day), amount, paid))
    commitments = [*first.items(), ("late", later)]
    on = start + timedelta(days=500 + after)
    plan = equalise(calls, commitments, on, rate, compounding)
    for row, call in zip(plan.calls, sorted(calls, key=lambda c: (c.value_on, c.call_id)),
                         strict=True):
        assert dict(row.should) == allocate_pro_rata(call.amount, commitments)
        assert sum(row.delta.values(), D(0)) == 0
        assert all(row.paid[k] + row.delta[k] == row.should[k] for k in row.should)
        assert sum(row.premium_received.values(), D(0)) == sum(row.premium_paid.values(), D(0))
        assert row.delta["late"] >= 0 and "late" not in row.premium_received
    assert plan.catch_up_total == sum(plan.refund.values(), D(0))
    assert plan.premium_total == sum(plan.premium_received.values(), D(0))
