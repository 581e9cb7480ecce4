"""Unit and property tests for fundops.calc.schedules (schedules, subsidy, sizing, equity)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext
from itertools import pairwise

import numpy_financial as npf
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from fundops.calc.loan_sizing import equity_condition, loan_headroom
from fundops.calc.schedules import (
    REPAYMENT_TYPES,
    ScheduleRow,
    add_months,
    interest_subsidy,
    repayment_schedule,
)

D = Decimal
FEN = D("0.01")
HALF_FEN = D("0.005")
START = date(2025, 1, 31)

amounts = st.integers(min_value=1, max_value=10**12).map(lambda fen: D(fen).scaleb(-2))
rates = st.one_of(
    st.just(D(0)),
    st.just(D("0.3")),
    st.decimals(min_value=D("0.0001"), max_value=D("0.3"), places=4),
    # near-zero rates: rounding rather than interest dominates, the clamp paths run
    st.integers(min_value=1, max_value=10**4).map(lambda n: D(n).scaleb(-10)),
)
tenors = st.one_of(st.integers(min_value=1, max_value=360), st.sampled_from([1, 2, 360]))


def exact_pmt(principal: Decimal, annual_rate: Decimal, periods: int) -> Decimal:
    """numpy_financial.pmt on Decimals at 60 digits, as a positive instalment."""
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(-npf.pmt(annual_rate / 12, periods, principal))


def exact_total_interest(principal: Decimal, annual_rate: Decimal, periods: int) -> Decimal:
    """Sum of numpy_financial.ipmt over all periods, on Decimals at 60 digits."""
    if annual_rate == 0:
        return D(0)  # npf.ipmt divides by the rate
    with localcontext() as ctx:
        ctx.prec = 60
        rate = annual_rate / 12
        return -sum((npf.ipmt(rate, k, periods, principal).item() for k in
                     range(1, periods + 1)), Decimal(0))


def check_rows(rows: tuple[ScheduleRow, ...], principal: Decimal, periods: int) -> None:
    """Invariants every schedule must satisfy, whatever its type."""
    assert len(rows) == periods
    assert sum((r.principal for r in rows), D(0)) == principal
    assert rows[0].opening_balance == principal
    assert rows[-1].closing_balance == 0
    for i, row in enumerate(rows, start=1):
        assert row.period == i
        assert row.payment == row.principal + row.interest
        assert row.closing_balance == row.opening_balance - row.principal
        for value in (row.opening_balance, row.principal, row.interest, row.payment,
                      row.closing_balance):
            assert value >= 0
            assert value.as_tuple().exponent == -2
    for before, after in pairwise(rows):
        assert after.opening_balance == before.closing_balance
        assert after.due_on > before.due_on


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 11, 30), 2, date(2026, 1, 30)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
    (date(2025, 5, 15), 0, date(2025, 5, 15)),
])
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
       st.integers(min_value=-1200, max_value=1200))
def test_add_months_matches_dateutil(start: date, months: int) -> None:
    assert add_months(start, months) == start + relativedelta(months=months)


def test_due_dates_count_from_the_first_date_so_month_ends_do_not_drift() -> None:
    rows = repayment_schedule(D("1200.00"), D("0.06"), 4, START)
    assert [r.due_on for r in rows] == [date(2025, 1, 31), date(2025, 2, 28),
                                        date(2025, 3, 31), date(2025, 4, 30)]
    quarterly = repayment_schedule(D("1200.00"), D("0.06"), 3, START, periods_per_year=4)
    assert [r.due_on for r in quarterly] == [date(2025, 1, 31), date(2025, 4, 30),
                                             date(2025, 7, 31)]


# --- worked examples -----------------------------------------------------------------------


def test_equal_instalment_one_million_at_4_35_percent_for_a_year() -> None:
    rows = repayment_schedule(D("1000000.00"), D("0.0435"), 12, START)
    assert {r.payment for r in rows} == {D("85309.90")}  # pmt = 85309.9004
    assert (rows[0].interest, rows[0].principal) == (D("3625.00"), D("81684.90"))
    assert (rows[1].interest, rows[1].principal) == (D("3328.89"), D("81981.01"))
    assert (rows[-1].opening_balance, rows[-1].interest) == (D("85001.77"), D("308.13"))
    total = sum(r.interest for r in rows)
    assert total == D("23718.80")  # Σ ipmt = 23718.8044: 11 instalments × -0.0004 each
    assert abs(total - exact_total_interest(D("1000000.00"), D("0.0435"), 12)) < D("0.01")


def test_equal_principal_one_million_at_4_35_percent_for_a_year() -> None:
    rows = repayment_schedule(D("1000000.00"), D("0.0435"), 12, START,
                              repayment_type="equal_principal")
    assert [r.principal for r in rows] == [D("83333.33")] * 11 + [D("83333.37")]
    assert rows[0].interest == D("3625.00")
    assert rows[1].interest == D("3322.92")  # 916666.67 × 0.0435 / 12 = 3322.9167
    assert sum(r.interest for r in rows) == D("23562.50")  # = P × r/12 × (n + 1) / 2


def test_interest_only_repays_principal_at_the_end() -> None:
    rows = repayment_schedule(D("1000000.00"), D("0.0435"), 12, START,
                              repayment_type="interest_only")
    assert [r.payment for r in rows] == [D("3625.00")] * 11 + [D("1003625.00")]
    assert [r.principal for r in rows[:-1]] == [D("0.00")] * 11


def test_high_rate_long_loan_does_not_turn_into_a_bullet() -> None:
    # pmt = 2.50034 rounds to 2.50 = the first month's interest; charging interest on the
    # actual balance would defer every fen of principal to the end (last payment 102.50)
    rows = repayment_schedule(D("100.00"), D("0.3"), 360, START)
    assert {r.payment for r in rows[:-1]} == {D("2.50")}
    assert rows[-1].opening_balance == D("2.44")  # exact balance before the last: 2.4394
    # the last instalment absorbs 359 × 0.00034 of rounding: 900.12 − 359 × 2.50 = 2.62
    assert rows[-1].payment == D("2.62") and sum(r.payment for r in rows) == D("900.12")


@pytest.mark.parametrize("kind", REPAYMENT_TYPES)
def test_zero_rate_loans_charge_no_interest(kind: str) -> None:
    rows = repayment_schedule(D("100.00"), D(0), 3, START, repayment_type=kind)  # type: ignore[arg-type]
    assert all(r.interest == 0 for r in rows)
    if kind != "interest_only":
        assert [r.payment for r in rows] == [D("33.33"), D("33.33"), D("33.34")]


def test_zero_rate_level_part_rounds_down_when_rounding_up_would_repay_early() -> None:
    # 1.99 / 360 = 0.0055 -> 0.01 would repay everything by period 199; 0.00 keeps the shape
    rows = repayment_schedule(D("1.99"), D(0), 360, START)
    assert {r.payment for r in rows[:-1]} == {D("0.00")}
    assert rows[-1].payment == D("1.99")


def test_single_period_loan() -> None:
    (row,) = repayment_schedule(D("1000.00"), D("0.12"), 1, START)
    assert (row.principal, row.interest, row.payment) == (D("1000.00"), D("10.00"), D("1010.00"))


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"principal": 100.0}, TypeError),
    ({"principal": D("100.001")}, ValueError),
    ({"principal": D("-1.00")}, ValueError),
    ({"annual_rate": D("-0.01")}, ValueError),
    ({"annual_rate": 0.05}, TypeError),
    ({"periods": 0}, ValueError),
    ({"repayment_type": "balloon"}, ValueError),
    ({"periods_per_year": 5}, ValueError),
    ({"months_between": 0}, ValueError),
])
def test_invalid_inputs_are_rejected(kwargs: dict[str, object], error: type[Exception]) -> None:
    args: dict[str, object] = {"principal": D("100.00"), "annual_rate": D("0.05"),
                               "periods": 12, "first_due_on": START}
    args.update(kwargs)
    with pytest.raises(error):
        repayment_schedule(**args)  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(amounts, rates, tenors, st.sampled_from(REPAYMENT_TYPES))
def test_principal_sums_exactly_and_the_loan_closes(
    principal: Decimal, rate: Decimal, periods: int, kind: str
) -> None:
    rows = repayment_schedule(principal, rate, periods, START, repayment_type=kind)  # type: ignore[arg-type]
    check_rows(rows, principal, periods)


@settings(max_examples=200, deadline=None)
@given(amounts, rates, tenors)
def test_equal_instalments_agree_with_pmt_to_the_cent(
    principal: Decimal, rate: Decimal, periods: int
) -> None:
    rows = repayment_schedule(principal, rate, periods, START)
    level = exact_pmt(principal, rate, periods)
    # r > 0: pmt rounded half-to-even, so within half a fen. r = 0: P / n may be rounded
    # down instead (see the 1.99 example), so within one fen.
    tolerance = HALF_FEN if rate > 0 else FEN
    for row in rows[:-1]:
        assert abs(row.payment - level) <= tolerance


@settings(max_examples=100, deadline=None)
@given(amounts, st.decimals(min_value=D("0.0001"), max_value=D("0.3"), places=4), tenors)
def test_instalment_agrees_with_float_pmt_at_ordinary_rates(
    principal: Decimal, rate: Decimal, periods: int
) -> None:
    # float pmt has a relative error of order 1e-11 at 1 bp (cancellation in (1+r)^n - 1), so
    # on large loans it is off by more than a tenth of a fen: bound it relative to the
    # instalment (1e-10, with margin). At rates near 1e-8 it drifts by yuan, which is why
    # the module calls pmt with Decimals.
    rows = repayment_schedule(principal, rate, periods, START)
    level = D(repr(-float(npf.pmt(float(rate) / 12, periods, float(principal)))))
    float_error = max(D("0.001"), abs(level) * D("1e-10"))
    for row in rows[:-1]:
        assert abs(row.payment - level) <= HALF_FEN + float_error


@settings(max_examples=200, deadline=None)
@given(amounts, rates, tenors)
def test_total_interest_agrees_with_ipmt_sum(
    principal: Decimal, rate: Decimal, periods: int
) -> None:
    """To the fen: the last instalment absorbs the rounding of the first n - 1, so total
    payments are n × pmt rounded and total interest is Σ ipmt rounded (within ½ fen).

    Fallback (tiny loans whose accumulated rounding exceeds the last month's interest,
    and zero rates): within (n - 1) × ½ fen + 2 fen — each of the first n - 1 instalments
    is up to ½ fen from the exact one and the last row adds about 1.5 fen.
    """
    rows = repayment_schedule(principal, rate, periods, START)
    total = sum((r.interest for r in rows), D(0))
    exact = exact_total_interest(principal, rate, periods)
    last = rows[-1]
    if rate == 0 or last.interest == (last.opening_balance * rate / 12).quantize(FEN):
        # zero rate, or the tiny-loan fallback (the last row charges interest on its
        # balance): the bound of the rounded instalments
        assert abs(total - exact) <= (periods - 1) * HALF_FEN + D("0.02")
    else:
        assert abs(total - exact) <= HALF_FEN  # to the fen: Σ ipmt rounded
    assert sum(r.payment for r in rows) == principal + total


@settings(max_examples=200, deadline=None)
@given(amounts, rates, tenors)
def test_equal_instalment_interest_rows_track_the_balance(
    principal: Decimal, rate: Decimal, periods: int
) -> None:
    # ½ fen from the instalment plus ½ fen from each of the two rounded balances
    rows = repayment_schedule(principal, rate, periods, START)
    for row in rows[:-1]:
        assert abs(row.interest - row.opening_balance * rate / 12) <= D("0.015")
    last = rows[-1]  # absorbs up to (n - 1) × ½ fen of the instalments' rounding
    assert abs(last.interest - last.opening_balance * rate / 12) <= periods * HALF_FEN + D("0.01")


@settings(max_examples=150, deadline=None)
@given(amounts, rates, tenors)
def test_equal_principal_rows_are_level_and_interest_is_on_the_balance(
    principal: Decimal, rate: Decimal, periods: int
) -> None:
    rows = repayment_schedule(principal, rate, periods, START, repayment_type="equal_principal")
    level = rows[0].principal
    assert all(r.principal == level for r in rows[:-1])
    assert abs(level - principal / periods) < FEN
    for row in rows:
        assert row.interest == (row.opening_balance * rate / 12).quantize(FEN)


@settings(max_examples=100, deadline=None)
@given(amounts, rates, tenors)
def test_interest_only_keeps_the_balance_until_the_end(
    principal: Decimal, rate: Decimal, periods: int
) -> None:
    rows = repayment_schedule(principal, rate, periods, START, repayment_type="interest_only")
    interest = (principal * rate / 12).quantize(FEN)
    assert all(r.principal == 0 and r.interest == interest for r in rows[:-1])
    assert rows[-1].payment == principal + interest


# --- interest subsidy ----------------------------------------------------------------------


def loan() -> tuple[ScheduleRow, ...]:
    return repayment_schedule(D("1000000.00"), D("0.0435"), 12, START)


def test_subsidy_share_capped_at_one_percentage_point() -> None:
    result = interest_subsidy(loan(), D("0.0435"), D("0.5"), max_subsidy_rate=D("0.01"))
    assert result.subsidy_rate == D("0.01")  # half of 4.35 % would be 2.175 %
    assert result.net_annual_rate == D("0.0335")
    assert result.rows[0].subsidy == D("833.33")  # 3625.00 × 0.01 / 0.0435 = 833.333 down
    assert result.total_interest == D("23718.80")
    assert result.total_subsidy == D("5452.53")
    assert result.net_interest == result.net_cost == D("18266.27")
    assert result.effective_net_rate == D("0.03350012")
    assert result.capped_years == ()


def test_subsidy_half_of_interest_without_rate_cap() -> None:
    result = interest_subsidy(loan(), D("0.0435"), D("0.5"))
    assert result.subsidy_rate == D("0.02175")
    assert result.rows[0].subsidy == D("1812.50")
    assert all(r.subsidy <= r.interest - r.subsidy + FEN for r in result.rows)


def test_annual_cap_cuts_subsidy_in_due_date_order() -> None:
    result = interest_subsidy(loan(), D("0.0435"), D("0.5"), max_subsidy_rate=D("0.01"),
                              annual_cap=D("2000.00"), used_by_year={2025: D("500.00")})
    subsidies = [r.subsidy for r in result.rows]
    assert subsidies[:2] == [D("833.33"), D("666.67")]  # 500 + 833.33 + 666.67 = 2000
    assert subsidies[2:] == [D("0.00")] * 10
    assert result.total_subsidy == D("1500.00")
    assert result.capped_years == (2025,)
    assert result.effective_net_rate > result.net_annual_rate


def test_annual_cap_restarts_each_calendar_year() -> None:
    rows = repayment_schedule(D("1000000.00"), D("0.05"), 24, date(2025, 7, 1),
                              repayment_type="interest_only")  # 4166.67 interest a month
    result = interest_subsidy(rows, D("0.05"), D("1"), annual_cap=D("10000.00"))
    by_year: dict[int, Decimal] = {}
    for row in result.rows:
        by_year[row.due_on.year] = by_year.get(row.due_on.year, D(0)) + row.subsidy
    assert by_year == {2025: D("10000.00"), 2026: D("10000.00"), 2027: D("10000.00")}


def test_zero_rate_loan_has_no_subsidy() -> None:
    rows = repayment_schedule(D("1000.00"), D(0), 3, START)
    result = interest_subsidy(rows, D(0), D("0.5"))
    assert result.total_subsidy == 0
    assert result.effective_net_rate == 0


@settings(max_examples=100, deadline=None)
@given(amounts, rates, st.integers(1, 60), st.decimals(min_value=D(0), max_value=D(1), places=2),
       st.one_of(st.none(), amounts))
def test_subsidy_is_bounded_by_interest_and_cap(
    principal: Decimal, rate: Decimal, periods: int, share: Decimal, cap: Decimal | None
) -> None:
    rows = repayment_schedule(principal, rate, periods, START)
    result = interest_subsidy(rows, rate, share, annual_cap=cap)
    per_year: dict[int, Decimal] = {}
    for row in result.rows:
        assert 0 <= row.subsidy <= row.interest
        assert row.net_interest == row.interest - row.subsidy
        per_year[row.due_on.year] = per_year.get(row.due_on.year, D(0)) + row.subsidy
    if cap is not None:
        assert all(total <= cap for total in per_year.values())
    assert result.total_subsidy + result.net_interest == result.total_interest


# --- loan sizing ----------------------------------------------------------------------------


def test_headroom_product_cap_binds() -> None:
    h = loan_headroom(D("10000000"), D("0.3"), D("50000000"), D("0.05"), D("400000000"),
                      D("2500000"))
    assert (h.product_cap, h.equity_limit, h.valuation_limit) == (
        D("10000000.00"), D("15000000.00"), D("20000000.00"))
    assert (h.binding, h.limit, h.reserved, h.headroom) == (
        "product_cap", D("10000000.00"), D("2500000.00"), D("7500000.00"))


def test_headroom_equity_arrived_binds() -> None:
    h = loan_headroom(D("10000000"), D("0.3"), D("20000000"), D("0.05"), D("200000000"),
                      D("0"))
    assert (h.binding, h.limit, h.headroom) == ("equity_arrived", D("6000000.00"),
                                                D("6000000.00"))


def test_headroom_post_money_binds_kunshan_style() -> None:
    # 昆山: at most 5 % of the latest post-money valuation, capped at 1000万 (§4.3)
    h = loan_headroom(D("10000000"), D("1"), D("30000000"), D("0.05"), D("120000000"),
                      D("4000000"))
    assert (h.binding, h.limit, h.headroom) == ("post_money", D("6000000.00"), D("2000000.00"))
    big = loan_headroom(D("10000000"), D("1"), D("30000000"), D("0.05"), D("300000000"),
                        D("0"))
    assert (big.binding, big.limit) == ("product_cap", D("10000000.00"))


def test_headroom_is_never_negative_and_rounds_down() -> None:
    h = loan_headroom(D("100"), D("0.333"), D("100.01"), D("0.5"), D("1000"), D("40.00"))
    assert h.equity_limit == D("33.30")  # 33.30333
    assert (h.binding, h.headroom) == ("equity_arrived", D("0.00"))


def test_headroom_ties_go_to_the_first_term() -> None:
    h = loan_headroom(D("6000000"), D("0.3"), D("20000000"), D("0.05"), D("120000000"), D(0))
    assert h.binding == "product_cap"


def test_headroom_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="already_reserved"):
        loan_headroom(D(1), D(1), D(1), D(1), D(1), D("-1"))
    with pytest.raises(TypeError):
        loan_headroom(D(1), 0.3, D(1), D(1), D(1), D(0))  # type: ignore[arg-type]


# --- equity condition ---------------------------------------------------------------------


def test_equity_condition_met_at_exactly_the_required_share() -> None:
    check = equity_condition(D("40000000"), D("50000000"), D("0.8"), reservation=D("10000000"))
    assert (check.allowed, check.met, check.reason) == (D("10000000.00"), True, None)
    assert check.arrived_share == D("0.8")


def test_equity_condition_not_met_without_tranches_blocks_disbursement() -> None:
    check = equity_condition(D("39999999.99"), D("50000000"), D("0.8"), reservation=D("1000"))
    assert (check.allowed, check.met) == (D("0.00"), False)
    assert check.reason is not None and "80.00%" in check.reason


def test_equity_condition_pro_rata_to_complete_tranches() -> None:
    tranches = [D("20000000"), D("20000000"), D("10000000")]
    check = equity_condition(D("30000000"), D("50000000"), D("1"), tranches,
                             reservation=D("10000000"))
    # only the first tranche (2000万) is complete: 10000000 × 20/50
    assert (check.allowed, check.counted, check.met) == (D("4000000.00"), D("20000000.00"),
                                                         False)
    assert check.reason is not None and "1 of 3 tranches" in check.reason
    odd = equity_condition(D("10000000"), D("30000000"), D("1"), [D("10000000")] * 3,
                           reservation=D("100.00"))
    assert odd.allowed == D("33.33")  # 33.333 rounded down


def test_equity_condition_rejects_tranches_not_matching_the_round() -> None:
    with pytest.raises(ValueError, match="tranches"):
        equity_condition(D(1), D(100), D(1), [D(50), D(40)], reservation=D(10))
    with pytest.raises(ValueError, match="round_size"):
        equity_condition(D(1), D(0), D(1), reservation=D(10))
    with pytest.raises(ValueError, match="required_share"):
        equity_condition(D(1), D(100), D("1.5"), reservation=D(10))


@given(amounts, amounts, st.decimals(min_value=D(0), max_value=D(1), places=3), amounts)
def test_equity_condition_allows_at_most_the_reservation(
    arrived: Decimal, round_size: Decimal, gamma: Decimal, reservation: Decimal
) -> None:
    check = equity_condition(arrived, round_size, gamma, [round_size], reservation=reservation)
    assert 0 <= check.allowed <= reservation
    assert check.met == (arrived >= gamma * round_size)
    assert check.met == (check.reason is None)


@pytest.mark.parametrize(("principal", "rate", "periods"), [
    ("1000000.00", "0.0435", 360), ("12345678.91", "0.035", 24), ("50000.00", "0.0385", 120)])
def test_thirty_year_totals_agree_with_numpy_financial_to_the_cent(
        principal: str, rate: str, periods: int) -> None:
    rows = repayment_schedule(D(principal), D(rate), periods, START)
    total_interest = sum((r.interest for r in rows), D(0))
    assert total_interest == exact_total_interest(D(principal), D(rate), periods).quantize(FEN)
    assert sum((r.payment for r in rows), D(0)) == (
        exact_pmt(D(principal), D(rate), periods) * periods).quantize(FEN)
    assert len({r.payment for r in rows[:-1]}) == 1
