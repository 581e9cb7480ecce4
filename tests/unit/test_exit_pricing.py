"""The buy-back price (fundops.calc.exit_pricing): worked examples and properties.

Conventions: actual/365 fixed (years = days ÷ 365, part years pro rata, also in the
compound power), dividends deducted at face value, floor 0, rounded to the fen half-up
once at the end.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundops.calc.exit_pricing import InterestMethod, accrual_years, buyback_price

D = Decimal
START = date(2021, 1, 1)
END = START + timedelta(days=3 * 365 + 146)  # 3 years 146 days = 3.4 years exactly


def test_worked_example_simple_1000wan_8pct_3y146d() -> None:
    # 1,000万 × (1 + 0.08 × 1,241 / 365) = 10,000,000 × 1.272
    assert date(2024, 5, 26) == END
    assert accrual_years(START, END) == D("3.4")
    assert buyback_price(D("10000000"), D("0.08"), InterestMethod.SIMPLE, START, END) == \
        D("12720000.00")
    # with 50万 of dividends received, deducted at face value
    assert buyback_price(D("10000000"), D("0.08"), InterestMethod.SIMPLE, START, END,
                         D("500000")) == D("12220000.00")


def test_worked_example_compound_with_a_dividend() -> None:
    # 10,000,000 × 1.08 ^ 3.4 = 12,990,945.734670468… (checked with mpmath at 50 digits);
    # less 500,000 of dividends = 12,490,945.73 (half-up at the fen, at the end only)
    assert buyback_price(D("10000000"), D("0.08"), InterestMethod.COMPOUND, START, END,
                         D("500000")) == D("12490945.73")
    # whole years: 1.08 ^ 3 exactly
    three = date(2024, 1, 1)  # 1,095 days: no leap day in 2021–2023
    assert buyback_price(D("10000000"), D("0.08"), "compound", START, three) == \
        D("12597120.00")


def test_leap_day_counts_as_a_day_and_floor_at_zero() -> None:
    # 2024 has 366 days: 1.0027… years of simple interest
    one = buyback_price(D("365000"), D("0.1"), "simple", date(2024, 1, 1), date(2025, 1, 1))
    assert one == D("401600.00")  # 365,000 × (1 + 0.1 × 366/365) = 365,000 + 36,600
    assert buyback_price(D("100"), D("0.08"), "simple", START, END, D("1000")) == D("0.00")
    assert buyback_price(D("100"), D("0.08"), "simple", START, START) == D("100.00")
    with pytest.raises(ValueError, match="before start"):
        buyback_price(D("100"), D("0.08"), "simple", END, START)
    with pytest.raises(ValueError, match="must not be negative"):
        buyback_price(D("-1"), D("0.08"), "simple", START, END)


amounts = st.decimals(min_value=D("0.01"), max_value=D("1e12"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("0.5"), places=8)
days = st.integers(min_value=0, max_value=20 * 366)


@given(amounts, rates, days, st.decimals(min_value=D(0), max_value=D("1e12"), places=2))
def test_price_is_fen_exact_non_negative_and_compound_beats_simple_after_a_year(
        principal: Decimal, rate: Decimal, n: int, dividends: Decimal) -> None:
    end = START + timedelta(days=n)
    simple = buyback_price(principal, rate, "simple", START, end, dividends)
    compound = buyback_price(principal, rate, "compound", START, end, dividends)
    for price in (simple, compound):
        assert price >= 0 and price == price.quantize(D("0.01"))
    if n >= 365:
        assert compound >= simple
    elif n <= 365:
        assert compound <= simple + D("0.01")
    # dividends are deducted at face value (before the floor and the rounding)
    gross = buyback_price(principal, rate, "simple", START, end)
    assert simple == max(gross - dividends, D(0))


@given(amounts, rates, days, days)
def test_price_never_falls_as_time_passes(principal: Decimal, rate: Decimal, a: int,
                                          b: int) -> None:
    early, late = sorted((a, b))
    for method in InterestMethod:
        assert buyback_price(principal, rate, method, START, START + timedelta(days=early)) <= \
            buyback_price(principal, rate, method, START, START + timedelta(days=late))
