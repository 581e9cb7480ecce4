"""Tests for fundops.calc.pme against the domain-rules §1.6 test vectors."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundops.calc.pme import IndexSeries, direct_alpha, ks_pme, ln_pme, m_pme, pme_plus
from fundops.calc.returns import xirr

START = date(2021, 1, 1)


def periods(n):
    """Dates exactly 365 days apart: Actual/365 then equals the vectors' periodic convention."""
    return [START + timedelta(days=365 * i) for i in range(n)]


def index_on(levels):
    return dict(zip(periods(len(levels)), levels, strict=True))


def test_ks_pme_vector():
    value = ks_pme(periods(3), [-25, 15, 0], 20, index_on([100, 115, 130]))
    assert round(value, 4) == 1.1371


def test_ln_pme_vector():
    result = ln_pme(periods(5), [-100, -50, 60, 10, 0], index_on([100, 105, 115, 117, 120]))
    assert round(result.nav, 3) == 104.278
    assert round(result.irr * 100, 3) == 5.302


def test_pme_plus_vector():
    result = pme_plus(periods(5), [-100, -50, 60, 100, 0], 20, index_on([100, 105, 115, 110, 120]))
    assert round(result.scale, 4) == 0.9152
    assert round(result.irr * 100, 3) == 4.330


def test_direct_alpha_vector():
    result = direct_alpha(periods(5), [-100, -50, 60, 10, 0], 110,
                          index_on([100, 105, 115, 117, 120]))
    assert round(result.alpha * 100, 4) == 1.0898
    assert round(result.log_alpha * 100, 4) == 1.0839
    assert result.log_alpha == pytest.approx(math.log1p(result.alpha))


DAM_AMOUNTS = [-100, 0, -75, 0, 100, 0, 150, 0, 100, 0]
DAM_INDEX = [100, 77.9, 100.24, 111.15, 116.61, 135.03, 142.45, 89.75, 113.50, 130.59]


def test_direct_alpha_directalphamethod_vector():
    result = direct_alpha(periods(10), DAM_AMOUNTS, 75, index_on(DAM_INDEX))
    assert round(result.alpha * 100, 3) == 12.578
    fund_irr = xirr([*periods(10), periods(10)[-1]], [*DAM_AMOUNTS, 75])
    assert round(fund_irr * 100, 2) == 17.53


def test_calendar_year_dates_differ_slightly_from_the_periodic_vector():
    # with 1 January dates the leap years make some periods 366/365 long
    dates = [date(2019 + i, 1, 1) for i in range(10)]
    result = direct_alpha(dates, DAM_AMOUNTS, 75, dict(zip(dates, DAM_INDEX, strict=True)))
    assert result.alpha == pytest.approx(0.1257, abs=2e-4)
    assert round(result.alpha * 100, 3) != 12.578


def test_m_pme_vector():
    value = m_pme(periods(5), [-100, -50, 60, 100, 0], [100, 165, 125, 15, 20],
                  index_on([100, 105, 115, 100, 120]))
    assert round(value * 100, 4) == 2.0152


def test_index_uses_last_close_on_or_before_a_date():
    series = IndexSeries([(date(2024, 1, 5), Decimal("101.5")), (date(2024, 1, 2), 100)])
    assert series.level_on(date(2024, 1, 2)) == 100.0
    assert series.level_on(date(2024, 1, 4)) == 100.0  # no close on the 4th: use the 2nd
    assert series.level_on(date(2024, 3, 1)) == 101.5
    with pytest.raises(ValueError, match="no index level"):
        series.level_on(date(2024, 1, 1))
    # flows on non-trading days take the previous close
    flows = [date(2024, 1, 3), date(2024, 1, 6)]
    assert ks_pme(flows, [-100, 50], 60, series) == pytest.approx((50 + 60) / (100 * 1.015))


def test_valuation_date_and_invalid_input():
    idx = index_on([100, 110, 121])
    # NAV valued a year after the last flow: the contribution grows by 21 %
    assert ks_pme(periods(1), [-100], 130, idx, valuation_date=periods(3)[-1]) == pytest.approx(
        130 / 121)
    with pytest.raises(ValueError, match="after the valuation date"):
        ks_pme(periods(2), [-100, 10], 100, idx, valuation_date=periods(1)[0])
    with pytest.raises(ValueError, match="index levels must be finite and positive"):
        IndexSeries({START: 0})
    with pytest.raises(ValueError, match="an index series needs at least one level"):
        IndexSeries([])
    with pytest.raises(ValueError, match="2 dates but 1 amounts"):
        ks_pme(periods(2), [-1], 1, idx)


def test_log_alpha_stays_finite_when_alpha_is_too_near_minus_one_for_a_float():
    idx = index_on([100, 100])
    result = direct_alpha([START, START + timedelta(days=1)], [-1e12, 0.0], 1e-6, idx,
                          valuation_date=START + timedelta(days=1))
    assert result.alpha is None  # 1 + alpha ~ 1e-6570: no float rate represents it
    assert result.log_alpha == pytest.approx(365 * math.log(1e-18), rel=1e-12)


def test_undefined_cases():
    idx = index_on([100, 110])
    assert ks_pme(periods(2), [0, 50], 10, idx) is None  # no contributions
    assert pme_plus(periods(2), [-100, 0], 120, idx).scale is None  # no distributions
    assert direct_alpha(periods(2), [-100, 0], 0, idx).alpha is None  # only a loss: no IRR


@given(st.floats(min_value=0.5, max_value=2.0), st.floats(min_value=0.0, max_value=3.0))
def test_property_flat_index_reduces_to_plain_measures(growth, multiple):
    # with a constant index KS-PME is the TVPI and Direct Alpha is the fund's own IRR
    dates = periods(4)
    amounts = [-100.0, -50.0, 150.0 * multiple * 0.4, 0.0]
    nav = 150.0 * multiple * 0.6 * growth
    flat = index_on([100, 100, 100, 100])
    assert ks_pme(dates, amounts, nav, flat) == pytest.approx(
        (amounts[2] + nav) / 150.0, rel=1e-12)
    fund = xirr([*dates, dates[-1]], [*amounts, nav])
    alpha = direct_alpha(dates, amounts, nav, flat).alpha
    if fund is None:
        assert alpha is None
    else:
        assert alpha == pytest.approx(fund, rel=1e-9, abs=1e-12)
