"""Tests for fundops.calc.multiples (exact Decimal multiples) and fundops.calc.loans."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundops.calc.loans import interest_part, payment, principal_part, schedule
from fundops.calc.multiples import (
    PLACES,
    dpi,
    fund_multiples,
    moic,
    multiples_from_flows,
    pic,
    ratio,
    rvpi,
    tvpi,
)

money = st.decimals(min_value=0, max_value=Decimal("1e15"), places=2,
                    allow_nan=False, allow_infinity=False)


def test_worked_example():
    m = fund_multiples(Decimal("100000000.00"), Decimal("45000000.00"), Decimal("98765432.10"),
                       committed=Decimal(150000000))
    assert m.dpi == Decimal("0.4500000000")
    assert m.rvpi == Decimal("0.9876543210")
    assert m.tvpi == Decimal("1.4376543210")
    assert m.pic == Decimal("0.6666666667")
    assert m.tvpi == m.dpi + m.rvpi


def test_every_multiple_has_ten_places_and_rounds_half_even():
    assert ratio(1, 3) == Decimal("0.3333333333")
    assert ratio(2, 3) == Decimal("0.6666666667")
    assert ratio(Decimal("0.00000000005"), 1) == Decimal("0E-10")  # half to even: down
    assert ratio(Decimal("0.00000000015"), 1) == Decimal("2E-10")  # half to even: up
    assert ratio(-1, 3) == Decimal("-0.3333333333")
    for value in (ratio(7, 2), dpi(1, 3), moic(1, 2, 3), pic(5, 8)):
        assert value.as_tuple().exponent == -PLACES


def test_tvpi_is_the_sum_of_the_rounded_parts():
    # 1/3 + 1/3 rounds to ...66 when summed from the parts, ...67 when divided directly
    assert tvpi(1, 1, 3) == Decimal("0.6666666666") == dpi(1, 3) + rvpi(1, 3)
    assert ratio(2, 3) == Decimal("0.6666666667")


@pytest.mark.parametrize(
    "value",
    [dpi(10, 0), rvpi(10, 0), tvpi(10, 10, 0), pic(10, 0), moic(1, 1, 0), ratio(0, 0)],
)
def test_zero_denominator_is_not_applicable_never_zero(value):
    assert value is None


def test_zero_numerators_are_zero_not_na():
    m = fund_multiples(Decimal(500), Decimal(0), Decimal(0))
    assert (m.dpi, m.rvpi, m.tvpi, m.pic) == (Decimal("0E-10"), Decimal("0E-10"),
                                             Decimal("0E-10"), None)
    assert fund_multiples(0, 0, 0).tvpi is None


def test_moic_and_pic():
    assert moic(Decimal(30), Decimal("45.5"), Decimal(25)) == Decimal("3.0200000000")
    assert pic(Decimal(60), Decimal(80)) == Decimal("0.7500000000")


def test_negative_nav_is_allowed_but_not_negative_bases():
    assert rvpi(Decimal(-5), Decimal(10)) == Decimal("-0.5000000000")
    with pytest.raises(ValueError, match="denominator must not be negative"):
        dpi(1, -1)
    with pytest.raises(ValueError, match="distributions must not be negative"):
        dpi(-1, 1)
    with pytest.raises(ValueError, match="denominator must not be negative"):
        pic(1, Decimal(-2))


def test_inexact_or_non_finite_inputs_are_rejected():
    with pytest.raises(TypeError):
        dpi(1.5, 3)
    with pytest.raises(TypeError):
        ratio(True, 3)
    with pytest.raises(ValueError, match="numerator must be finite"):
        ratio(Decimal("NaN"), 3)
    with pytest.raises(ValueError, match="denominator must be finite"):
        ratio(1, Decimal("Infinity"))


def test_multiples_from_lp_signed_flows():
    flows = [Decimal("-100.10"), Decimal("-50.00"), Decimal("20.05"), Decimal(0), 30]
    m = multiples_from_flows(flows, nav=Decimal(120), committed=Decimal(300))
    assert (m.paid_in, m.distributions) == (Decimal("150.10"), Decimal("50.05"))
    assert m.dpi == ratio(Decimal("50.05"), Decimal("150.10"))
    assert m.pic == Decimal("0.5003333333")
    assert multiples_from_flows([], nav=0).dpi is None


@given(money, money, money)
def test_property_tvpi_equals_dpi_plus_rvpi_exactly(paid, dist, nav):
    m = fund_multiples(paid, dist, nav)
    if paid == 0:
        assert m.dpi is m.rvpi is m.tvpi is None
    else:
        assert Fraction(m.tvpi) == Fraction(m.dpi) + Fraction(m.rvpi)
        assert m.tvpi == m.dpi + m.rvpi
        # each part is the exact ratio rounded: within half a unit of the 10th place
        assert abs(Fraction(m.dpi) - Fraction(dist) / Fraction(paid)) <= Fraction(1, 2 * 10**10)
        exact = (Fraction(dist) + Fraction(nav)) / Fraction(paid)
        assert abs(Fraction(m.tvpi) - exact) <= Fraction(1, 10**10)


# --------------------------------------------------------------------------- loans


def test_level_payment_matches_numpy_financial():
    assert payment(1_000_000, 0.0435, 36) == pytest.approx(-npf.pmt(0.0435 / 12, 36, 1_000_000))
    assert payment(1200, 0, 12) == pytest.approx(100.0)
    total = sum(interest_part(1_000_000, 0.0435, 36, k) + principal_part(1_000_000, 0.0435, 36, k)
                for k in range(1, 37))
    assert total == pytest.approx(36 * payment(1_000_000, 0.0435, 36))
    assert interest_part(1_000_000, 0.06, 12, 1) == pytest.approx(5000.0)


def test_schedule_repays_exactly():
    rows = schedule(Decimal("1000000.00"), Decimal("0.0435"), 36)
    assert len(rows) == 36 and rows[-1].balance == 0
    assert sum(r.principal for r in rows) == Decimal("1000000.00")
    assert rows[0].interest == Decimal("3625.00")
    level = rows[0].payment
    assert all(r.payment == level for r in rows[:-1])
    assert abs(rows[-1].payment - level) <= Decimal("0.005") * 36  # rounding drift
    assert all(r.payment == r.interest + r.principal for r in rows)


def test_loan_input_checks():
    with pytest.raises(ValueError, match="periods and periods_per_year must be at least 1"):
        payment(100, 0.05, 0)
    with pytest.raises(ValueError, match=r"period must be within 1\.\.12"):
        interest_part(100, 0.05, 12, 13)
    with pytest.raises(TypeError):
        schedule(100.0, Decimal("0.05"), 12)
