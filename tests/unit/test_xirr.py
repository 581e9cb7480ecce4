"""Tests for fundops.calc.returns: XIRR against Excel and an independent mpmath reference."""

from __future__ import annotations

import importlib.util
import math
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fundops.calc.returns import (
    compiled_kernel,
    xirr,
    xirr_detail,
    xirr_flat,
    xirr_many,
    xirr_roots,
)

D = date
YEAR = timedelta(days=365)


@pytest.fixture(scope="module", params=["compiled", "numpy"])
def batch_kernel(request):
    """Runs a batch test with each kernel: the compiled one (numba) and the numpy one."""
    if request.param == "compiled" and importlib.util.find_spec("numba") is None:
        pytest.skip("numba is not installed")
    assert compiled_kernel(request.param == "compiled") == (request.param == "compiled")
    yield request.param
    compiled_kernel(True)


# --------------------------------------------------------------------------- reference


def reference_irr(dates, amounts, lo=-0.9999999999, hi=1e5, dps=50):
    """Independent high-precision XIRR: safeguarded regula falsi at ``dps`` digits (mpmath).

    NPV(x) = sum(a / (1 + x) ** (days / 365)) is evaluated with mpmath as
    sum(a * exp(-t * y)), y = log(1 + x), and solved for y between log(1 + lo) and
    log(1 + hi), which must bracket a sign change (the root found is then in it). Steps are
    Illinois-modified false position, replaced by bisection whenever the bracket has not
    halved over three steps. Returns the rate as an mpmath number.
    """
    with mpmath.workdps(dps):
        first = min(d.toordinal() for d in dates)
        terms = [
            (
                mpmath.mpf(str(a)) if isinstance(a, Decimal) else mpmath.mpf(a),
                mpmath.mpf(d.toordinal() - first) / 365,
            )
            for d, a in zip(dates, amounts, strict=True)
        ]

        def npv(y):
            return mpmath.fsum(a * mpmath.exp(-t * y) for a, t in terms)

        a, b = mpmath.log(1 + mpmath.mpf(lo)), mpmath.log(1 + mpmath.mpf(hi))
        fa, fb = npv(a), npv(b)
        assert fa * fb < 0, "reference bracket does not straddle a root"
        side, tol, widths = 0, mpmath.mpf(10) ** (8 - dps), [abs(b - a)] * 3
        while abs(b - a) > tol * (1 + abs(a)):
            c = (a * fb - b * fa) / (fb - fa)
            if abs(b - a) > widths[-3] / 2 or not min(a, b) < c < max(a, b):
                c = (a + b) / 2
            fc = npv(c)
            if fc == 0:
                return mpmath.expm1(c)
            if fc * fb > 0:  # c replaces b; Illinois halves the stale end's value
                b, fb = c, fc
                fa, side = (fa / 2 if side == -1 else fa), -1
            else:
                a, fa = c, fc
                fb, side = (fb / 2 if side == 1 else fb), 1
            widths.append(abs(b - a))
        return mpmath.expm1((a + b) / 2)


def assert_close(value, ref, rel=1e-9, abs_tol=1e-14):
    assert value is not None
    ref = float(ref)
    assert abs(value - ref) <= max(rel * abs(ref), abs_tol), (value, ref)


START = D(2021, 1, 1)


def spaced(n, start=START, days=365):
    return [start + timedelta(days=days * i) for i in range(n)]


# --------------------------------------------------------------------------- Excel and basics

EXCEL_DATES = [D(2008, 1, 1), D(2008, 3, 1), D(2008, 10, 30), D(2009, 2, 15), D(2009, 4, 1)]
EXCEL_AMOUNTS = [-10000, 2750, 4250, 3250, 2750]


def test_excel_documented_example():
    rate = xirr(EXCEL_DATES, EXCEL_AMOUNTS)
    # Excel shows 0.373362535 and stops iterating once within 0.000001 % (1e-8)
    assert rate == pytest.approx(0.373362535, abs=1e-8)
    assert round(rate, 10) == 0.3733625335
    assert_close(rate, reference_irr(EXCEL_DATES, EXCEL_AMOUNTS), rel=1e-13)


def test_domain_rules_interim_irr_example():
    dates = [D(2020, 1, 15), D(2020, 7, 1), D(2021, 3, 31), D(2022, 12, 31)]
    amounts = [Decimal(-1000), Decimal(-500), Decimal(200), Decimal(1600)]
    assert round(xirr(dates, amounts), 6) == 0.072523
    assert_close(xirr(dates, amounts), reference_irr(dates, amounts), rel=1e-13)


def test_order_and_datetime_do_not_matter():
    pairs = list(zip(EXCEL_DATES, EXCEL_AMOUNTS, strict=True))
    random.Random(7).shuffle(pairs)
    dates, amounts = zip(*pairs, strict=True)
    assert xirr(dates, amounts) == xirr(EXCEL_DATES, EXCEL_AMOUNTS)
    stamped = [datetime(d.year, d.month, d.day, 17, 45, tzinfo=UTC) for d in EXCEL_DATES]
    assert xirr(stamped, EXCEL_AMOUNTS) == xirr(EXCEL_DATES, EXCEL_AMOUNTS)


def test_same_day_flows_are_netted_exactly():
    # domain rules §2.2 rule 3: the duplicated 2020-07-01 gives the netted series' 7.2523 %
    dates = [D(2020, 1, 15), D(2020, 7, 1), D(2020, 7, 1), D(2021, 3, 31), D(2022, 12, 31)]
    gross = xirr(dates, [-1000, -700, 200, 200, 1600])
    netted = xirr([D(2020, 1, 15), D(2020, 7, 1), D(2021, 3, 31), D(2022, 12, 31)],
                  [-1000, -500, 200, 1600])
    assert gross == netted
    # 0.1 + 0.2 - 0.3 nets to exactly zero in Decimal, so only the later flows remain
    day = D(2020, 1, 1)
    amounts = [Decimal("-0.1"), Decimal("-0.2"), Decimal("0.3"), Decimal(-100), Decimal(110)]
    assert xirr([day, day, day, day + YEAR, day + 2 * YEAR], amounts) == pytest.approx(0.1)
    assert xirr([day, day], [Decimal("-0.1"), Decimal("0.1")]) is None


@pytest.mark.parametrize(
    ("dates", "amounts", "reason"),
    [
        ([], [], "zero_flows"),
        ([D(2020, 1, 1)], [100], "no_sign_change"),
        ([D(2020, 1, 1), D(2021, 1, 1)], [-100, -5], "no_sign_change"),
        ([D(2020, 1, 1), D(2021, 1, 1)], [100, 5], "no_sign_change"),
        ([D(2020, 1, 1), D(2021, 1, 1)], [0, 0], "zero_flows"),
        ([D(2020, 1, 1), D(2020, 1, 1)], [-100, 100], "zero_flows"),
        ([D(2020, 1, 1), D(2020, 1, 1), D(2021, 1, 1)], [-100, 100, 50], "no_sign_change"),
        (spaced(3), [1, -1, 1], "no_root"),  # 1 - v + v**2 > 0 for every discount factor v
        ([D(2020, 1, 1), D(2020, 1, 2)], [-0.01, 1e13], "rate_overflow"),
    ],
)
def test_none_cases(dates, amounts, reason):
    detail = xirr_detail(dates, amounts)
    assert xirr(dates, amounts) is None
    assert detail.rate is None and detail.reason == reason


def test_zero_rate():
    assert xirr(spaced(2), [-100, 100]) == 0.0
    assert xirr(spaced(3), [-100, 50, 50]) == pytest.approx(0.0, abs=1e-15)


def test_invalid_input():
    with pytest.raises(ValueError, match="dates but"):
        xirr([D(2020, 1, 1)], [1, 2])
    with pytest.raises(ValueError, match="not finite"):
        xirr(spaced(2), [-1, float("nan")])
    with pytest.raises(ValueError, match="not finite"):
        xirr(spaced(2), [-1, Decimal("Infinity")])
    with pytest.raises(TypeError):
        xirr(spaced(2), [-1, True])
    with pytest.raises(TypeError):
        xirr(["2020-01-01", "2021-01-01"], [-1, 2])


# --------------------------------------------------------------------------- multiple roots


def test_two_roots_returns_the_one_nearest_ten_percent():
    # -1, +2.55, -1.575 a year apart: NPV = -1.575 (v - 1/1.05)(v - 1/1.5), roots 5 % and 50 %
    amounts = [Decimal(-1), Decimal("2.55"), Decimal("-1.575")]
    detail = xirr_detail(spaced(3), amounts)
    assert detail.multiple_roots and detail.complete and detail.sign_changes == 2
    assert detail.roots == pytest.approx((0.05, 0.5), rel=1e-12)
    assert detail.rate == pytest.approx(0.05, rel=1e-12)
    assert xirr_roots(spaced(3), amounts) == list(detail.roots)
    # roots 10 % and 20 %: equally near the guess would pick the smaller; here 10 % is nearer
    assert xirr(spaced(3), [-100, 230, -132]) == pytest.approx(0.1, rel=1e-12)


def test_double_root_is_found():
    detail = xirr_detail(spaced(3), [-1, 2, -1])  # -(1 - v)**2: tangent at 0 %
    assert detail.rate == pytest.approx(0.0, abs=1e-7)
    assert detail.roots == (detail.rate,) and not detail.multiple_roots


def test_several_sign_changes_with_a_certified_unique_root():
    dates = [D(2015, 3, 31), D(2015, 9, 30), D(2016, 6, 30), D(2017, 3, 31), D(2018, 12, 31),
             D(2020, 6, 30), D(2021, 12, 31)]
    amounts = [-500, -300, 120, -200, 400, 350, 600]
    detail = xirr_detail(dates, amounts)
    assert detail.sign_changes == 3 and not detail.multiple_roots and detail.complete
    assert_close(detail.rate, reference_irr(dates, amounts))


def test_multiple_roots_match_reference_on_each_bracket():
    # a borrow-invest-borrow pattern with three IRRs: 10 %, 30 % and 60 % a year apart
    roots = [0.1, 0.3, 0.6]
    coeffs = np.poly([1 / (1 + x) for x in roots])[::-1] * -1000  # in powers of v
    amounts = [float(c) for c in coeffs]
    detail = xirr_detail(spaced(4), amounts)
    assert detail.complete and len(detail.roots) == 3
    for found, lo, hi in zip(detail.roots, [0.0, 0.2, 0.45], [0.2, 0.45, 1.0], strict=True):
        assert_close(found, reference_irr(spaced(4), amounts, lo, hi), rel=1e-10)
    assert detail.rate == detail.roots[0]


def test_many_sign_changes_use_the_grid_search_and_find_true_roots():
    rng = random.Random(5)
    dates = [D(2000, 1, 1) + timedelta(days=40 * i) for i in range(90)]
    amounts = [rng.randint(1, 1000) * (-1) ** i for i in range(90)]
    detail = xirr_detail(dates, amounts)
    assert detail.sign_changes > 40
    for root in detail.roots:  # each reported root is a sign change of the exact NPV
        ref = reference_irr(dates, amounts, root - 1e-9 * max(1, abs(root)),
                            root + 1e-9 * max(1, abs(root)), dps=40)
        assert_close(root, ref, rel=1e-9, abs_tol=1e-12)
    if detail.complete:
        assert len(detail.roots) <= detail.sign_changes


@pytest.mark.usefixtures("batch_kernel")
def test_log_rate_is_the_continuous_rate():
    detail = xirr_detail(*HARD_SIMPLE["minus_99.9"])
    assert detail.log_rate == pytest.approx(math.log(0.001), rel=1e-12)
    # a rate that rounds to -1.0 in floating point is no rate (None) but keeps a finite log rate
    tiny = xirr_detail([D(2021, 1, 1), D(2021, 1, 2)], [-1e13, 0.01])
    assert tiny.rate is None and tiny.reason == "rate_underflow" and tiny.roots == ()
    assert tiny.log_rate == pytest.approx(365 * math.log(1e-15), rel=1e-12)
    assert tiny.log_roots == (tiny.log_rate,)
    assert xirr_many([([D(2021, 1, 1), D(2021, 1, 2)], [-1e13, 0.01])]) == [None]
    assert np.isnan(xirr_flat(np.array([0, 0]), np.array([1, 2]), np.array([-1e13, 0.01])))[0]
    overflow = xirr_detail([D(2020, 1, 1), D(2020, 1, 2)], [-0.01, 1e13])
    assert overflow.rate is None and overflow.log_rate == pytest.approx(365 * math.log(1e15))


def test_extreme_magnitudes_are_scaled_exactly():
    dates = [D(2021, 1, 1), D(2022, 1, 1)]
    for scale in (1e-300, 1e-160, 1e160, 1e300):
        assert xirr(dates, [-100 * scale, 110 * scale]) == pytest.approx(0.1, rel=1e-14)
    # a span beyond float range: the negligible flow underflows and is dropped
    assert xirr([D(2021, 1, 1), D(2021, 1, 2), D(2022, 1, 1)],
                [-1e300, 5e-300, 1.1e300]) == pytest.approx(0.1, rel=1e-14)
    with pytest.raises(ValueError, match="too large"):
        xirr([D(2021, 1, 1), D(2021, 1, 1)], [1.5e308, 1.5e308])


@pytest.mark.usefixtures("batch_kernel")
def test_batch_edge_cases():
    assert xirr_many([]) == []
    assert xirr_many([([], []), ([D(2020, 1, 1)], [5])]) == [None, None]
    with pytest.raises(ValueError, match="dates and amounts differ in length"):
        xirr_many([([D(2020, 1, 1)], [1, 2])])
    with pytest.raises(ValueError, match="amounts must be finite"):
        xirr_flat(np.array([0, 0]), np.array([1, 2]), np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match="groups, days and amounts differ in length"):
        xirr_flat(np.array([0]), np.array([1, 2]), np.array([1.0]))
    with pytest.raises(ValueError, match="group labels"):
        xirr_flat(np.array([0, 3]), np.array([1, 2]), np.array([-1.0, 2.0]), n_groups=2)
    empty = xirr_flat(np.zeros(0, int), np.zeros(0, int), np.zeros(0), n_groups=2)
    assert empty.shape == (2,) and np.isnan(empty).all()


# --------------------------------------------------------------------------- hard cases


def _near_minus_100():
    start = D(2000, 1, 31)
    dates = [start + timedelta(days=30 * i) for i in range(24)] + [D(2003, 1, 31)]
    return dates, [-1_000_000.0] * 24 + [25.0]


def _above_1000():
    return ([D(2021, 1, 1), D(2021, 2, 1), D(2021, 3, 1), D(2021, 6, 30)],
            [-1_000_000, -500_000, 3_000_000, 8_000_000])


def _wide_amounts():
    start = D(2001, 6, 30)
    amounts = [Decimal("-1E13"), Decimal("0.01"), Decimal("123.45"), Decimal("-0.01"),
               Decimal("1E9"), Decimal("4.2E12"), Decimal("0.99"), Decimal("1.1E13")]
    return [start + timedelta(days=200 * i) for i in range(len(amounts))], amounts


def _thirty_years(n=3000, seed=11):
    rng = random.Random(seed)
    start = D(1995, 1, 1)
    step = 30 * 365 / n
    dates = [start + timedelta(days=int(i * step)) for i in range(n)]
    amounts = []
    for i in range(n):
        if i < n // 3:
            amounts.append(-round(rng.uniform(1e5, 5e7), 2))
        elif i < n - 1:
            amounts.append(round(rng.uniform(-2e7, 9e7), 2))  # interleaved calls
        else:
            amounts.append(round(rng.uniform(1e9, 5e9), 2))  # NAV
    return dates, amounts


def _big_long_horizon():
    start = D(1996, 3, 31)
    dates = [start + timedelta(days=91 * i) for i in range(120)]
    amounts = [-7.5e12] * 20 + [1.1e12] * 99 + [3e11]
    return dates, amounts


HARD_SIMPLE = {"minus_99.9": ([D(2021, 1, 1), D(2022, 1, 1)], [-1000, 1])}
HARD = {
    "minus_99.9_percent_one_year": HARD_SIMPLE["minus_99.9"],
    "minus_100_percent_monthly": _near_minus_100(),
    "5000_percent": ([D(2021, 1, 1), D(2022, 1, 1)], [-100, 5100]),
    "above_1000_percent": _above_1000(),
    "amounts_0.01_to_1e13": _wide_amounts(),
    "thirty_years_3000_flows": _thirty_years(),
    "1e12_amounts_30_years": _big_long_horizon(),
}


@pytest.mark.usefixtures("batch_kernel")
@pytest.mark.parametrize("name", list(HARD))
def test_hard_cases_against_reference(name):
    dates, amounts = HARD[name]
    detail = xirr_detail(dates, amounts)
    assert not detail.multiple_roots and detail.complete
    ref = reference_irr(dates, amounts, dps=40 if len(dates) > 1000 else 50)
    assert_close(detail.rate, ref, rel=1e-9)
    assert xirr_many([(dates, amounts)])[0] == pytest.approx(detail.rate, rel=1e-10)


def test_hard_case_magnitudes():
    assert xirr(*HARD["minus_99.9_percent_one_year"]) == pytest.approx(-0.999, abs=1e-5)
    assert xirr(*HARD["minus_100_percent_monthly"]) < -0.99
    assert xirr(*HARD["5000_percent"]) == pytest.approx(50.0, rel=1e-14)
    assert xirr(*HARD["above_1000_percent"]) > 10.0


# --------------------------------------------------------------------------- properties


@st.composite
def conventional(draw, max_each=6):
    """Contributions then distributions, distinct dates, amounts in cents up to 1e9."""
    n_c, n_d = draw(st.integers(1, max_each)), draw(st.integers(1, max_each))
    start = draw(st.dates(D(1980, 1, 1), D(2060, 1, 1)))
    gaps = draw(st.lists(st.integers(1, 800), min_size=n_c + n_d - 1, max_size=n_c + n_d - 1))
    dates, day = [start], start
    for g in gaps:
        day += timedelta(days=g)
        dates.append(day)
    cents = st.integers(1, 10**11).map(lambda c: Decimal(c) / 100)
    amounts = [-x for x in draw(st.lists(cents, min_size=n_c, max_size=n_c))]
    amounts += draw(st.lists(cents, min_size=n_d, max_size=n_d))
    return dates, amounts


@st.composite
def any_series(draw):
    """Arbitrary signs, repeated dates, short spans: exercises netting and the root search."""
    n = draw(st.integers(0, 8))
    start = draw(st.dates(D(2000, 1, 1), D(2030, 1, 1)))
    dates = [start + timedelta(days=draw(st.integers(0, 2000))) for _ in range(n)]
    amounts = draw(st.lists(st.integers(-1000, 1000), min_size=n, max_size=n))
    return dates, amounts


def _rate_or_inf(dates, amounts):
    detail = xirr_detail(dates, amounts)
    return math.inf if detail.reason == "rate_overflow" else detail.rate


@settings(max_examples=30, deadline=None)
@given(conventional())
def test_property_matches_reference(series):
    dates, amounts = series
    rate = xirr(dates, amounts)
    assume(rate is not None and -0.999999 < rate < 1e4)
    assert_close(rate, reference_irr(dates, amounts, dps=40), rel=1e-9, abs_tol=1e-13)


@settings(deadline=None)
@given(conventional(), st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3))
def test_property_scaling_amounts_leaves_rate_unchanged(series, factor):
    assume(factor > 0)
    dates, amounts = series
    base, scaled = _rate_or_inf(dates, amounts), _rate_or_inf(dates, [a * factor for a in amounts])
    if base is None or math.isinf(base):
        assert scaled == base
    else:
        assert scaled == pytest.approx(base, rel=1e-9, abs=1e-13)


@settings(deadline=None)
@given(conventional(), st.integers(-3000, 3000))
def test_property_shifting_dates_leaves_rate_unchanged(series, k):
    dates, amounts = series
    assert xirr([d + timedelta(days=k) for d in dates], amounts) == xirr(dates, amounts)


@settings(deadline=None)
@given(conventional(), st.integers(1, 6000), st.integers(1, 10**11))
def test_property_adding_a_distribution_never_lowers_rate(series, offset, cents):
    dates, amounts = series
    base = _rate_or_inf(dates, amounts)
    assume(base is not None and not math.isinf(base))
    more = _rate_or_inf([*dates, dates[0] + timedelta(days=offset)],
                        [*amounts, Decimal(cents) / 100])
    assert more is not None
    assert more >= base - 1e-12 * max(1.0, abs(base))


@settings(deadline=None)
@given(any_series(), st.randoms(use_true_random=False))
def test_property_order_independence(series, rng):
    dates, amounts = series
    pairs = list(zip(dates, amounts, strict=True))
    rng.shuffle(pairs)
    assert xirr_detail([p[0] for p in pairs], [p[1] for p in pairs]) == xirr_detail(dates, amounts)


@pytest.mark.usefixtures("batch_kernel")
@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(conventional(), any_series()), min_size=1, max_size=25))
def test_property_batch_equals_single(many):
    batch = xirr_many(many)
    for (dates, amounts), got in zip(many, batch, strict=True):
        want = xirr(dates, amounts)
        if want is None:
            assert got is None
        else:
            assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


@pytest.mark.usefixtures("batch_kernel")
def test_batch_with_flat_arrays_unsorted_and_duplicated():
    rng = random.Random(3)
    series = [_thirty_years(60, seed=s) for s in range(20)] + [(EXCEL_DATES, EXCEL_AMOUNTS)]
    series.append(([D(2021, 1, 1), D(2021, 1, 1), D(2022, 1, 1)], [-50, -50, 110]))
    groups, days, amounts = [], [], []
    for g, (ds, amts) in enumerate(series):
        for d, a in zip(ds, amts, strict=True):
            groups.append(g)
            days.append(d.toordinal())
            amounts.append(float(a))
    order = list(range(len(groups)))
    rng.shuffle(order)
    got = xirr_flat(np.array(groups)[order], np.array(days)[order], np.array(amounts)[order],
                    n_groups=len(series) + 1)
    assert math.isnan(got[-1])  # a group without flows
    for g, (ds, amts) in enumerate(series):
        assert got[g] == pytest.approx(xirr(ds, amts), rel=1e-10)
    assert got[len(series) - 1] == pytest.approx(0.1, rel=1e-12)


def test_package_level_entry_point() -> None:
    import fundops.calc

    assert fundops.calc.xirr is xirr
    assert fundops.calc.xirr([date(2021, 1, 1), date(2022, 1, 1)], [-100, 110]) == pytest.approx(
        0.1
    )


# ----------------------------------------------------- roots with 1 + rate below 2**-50


def _npv_residual(amounts, rate):
    """|NPV| at the float ``rate`` over the sum of |discounted flows| (flows a year apart),
    in 60-digit arithmetic: the float rate's own error, not the evaluation's."""
    with mpmath.workdps(60):
        v = 1 / (1 + mpmath.mpf(rate))
        terms = [mpmath.mpf(a) * v**i for i, a in enumerate(amounts)]
        return float(abs(mpmath.fsum(terms)) / mpmath.fsum(abs(x) for x in terms))


@st.composite
def near_minus_one_roots(draw):
    """Yearly flows whose NPV, a polynomial in v = 1/(1 + rate), has chosen positive roots:
    one with 1 + rate = 2**-e (e in 50..80, a rate that rounds to -1.0 or nearly), 1 to 3
    ordinary rates (no two equally far from 10 %), times 8 to 50 factors (v + c), c > 0,
    that add length but no root."""
    e = draw(st.integers(50, 80))
    ordinary = sorted(draw(st.sets(st.sampled_from([-0.6, -0.3, -0.1, 0.05, 0.2, 0.6, 1.0,
                                                     2.0, 4.0]), min_size=1, max_size=3)))
    extra = draw(st.lists(st.floats(0.25, 3.0), min_size=8, max_size=50))
    sign = draw(st.sampled_from([1.0, -1.0]))
    coeffs = np.poly([2.0**e, *(1 / (1 + x) for x in ordinary), *(-c for c in extra)])
    amounts = (sign * coeffs[::-1] / np.abs(coeffs).max() * 1e9).tolist()  # powers of v
    dates = [D(2001, 3, 31) + timedelta(days=365 * i) for i in range(len(amounts))]
    return dates, amounts, ordinary


@pytest.mark.usefixtures("batch_kernel")
@settings(max_examples=60, deadline=None)
@given(near_minus_one_roots())
def test_property_a_root_near_minus_one_is_never_returned_as_minus_one(series):
    dates, amounts, ordinary = series
    detail = xirr_detail(dates, amounts)
    assert detail.multiple_roots and len(detail.log_roots) >= 2
    assert detail.log_roots[0] < math.log(2.0**-49)  # the near -1 root was found...
    assert all(x > -1.0 + 1e-9 for x in detail.roots)  # ...but is no float rate
    for root in detail.roots:
        assert _npv_residual(amounts, root) <= 1e-8
    # an ordinary root exists, so one is returned: the one nearest to 10 %
    assert detail.rate is not None and detail.rate > -1.0 + 1e-9 and detail.reason is None
    assert detail.rate == pytest.approx(min(ordinary, key=lambda x: (abs(x - 0.1), x)),
                                        rel=1e-6, abs=1e-9)
    assert _npv_residual(amounts, detail.rate) <= 1e-8
    assert xirr(dates, amounts) == detail.rate
    assert xirr_roots(dates, amounts) == list(detail.roots)
    many = xirr_many([(dates, amounts), (dates[:2], [*amounts[:1], -amounts[0]])])
    assert many[0] == pytest.approx(detail.rate, rel=1e-10, abs=1e-12)
    flat = xirr_flat(np.zeros(len(dates), int), np.array([d.toordinal() for d in dates]),
                     np.array(amounts))
    assert flat[0] == pytest.approx(detail.rate, rel=1e-10, abs=1e-12)


@pytest.mark.usefixtures("batch_kernel")
@settings(max_examples=30, deadline=None)
@given(st.integers(50, 80), st.lists(st.floats(0.25, 3.0), min_size=8, max_size=40))
def test_property_only_root_near_minus_one_gives_none_everywhere(e, extra):
    coeffs = np.poly([2.0**e, *(-c for c in extra)])
    amounts = (coeffs[::-1] / np.abs(coeffs).max() * 1e9).tolist()
    dates = [D(2001, 3, 31) + timedelta(days=365 * i) for i in range(len(amounts))]
    detail = xirr_detail(dates, amounts)
    assert detail.rate is None and detail.reason == "rate_underflow"
    assert detail.log_rate is not None and math.isfinite(detail.log_rate)
    assert detail.roots == () and xirr_roots(dates, amounts) == []
    assert xirr_many([(dates, amounts)]) == [None]
    assert np.isnan(xirr_flat(np.zeros(len(dates), int),
                              np.array([d.toordinal() for d in dates]), np.array(amounts))[0])
