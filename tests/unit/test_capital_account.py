"""The capital account roll-forward in fen (fundops.calc.capital_account): allocation is
exact, an account closes by construction, totals add up; reporting periods."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundops.calc.capital_account import Account, Line, allocate, allocate_result, totals
from fundops.calc.periods import Period, PeriodKind, Quarter, period_ending, quarters_between
from fundops.errors import ValidationError

weights = st.dictionaries(st.integers(1, 50), st.integers(0, 10**12), min_size=1, max_size=12)


@given(st.integers(-(10**13), 10**13), weights)
def test_allocation_is_exact_and_pro_rata_within_a_fen(total: int, w: dict[int, int]) -> None:
    parts = allocate(total, w)
    assert set(parts) == set(w)
    if not any(w.values()):
        assert all(p == 0 for p in parts.values())
        return
    assert sum(parts.values()) == total
    whole = sum(w.values())
    for key, part in parts.items():
        assert abs(part * whole - total * w[key]) < whole  # within one fen of exact
        assert part == 0 or (part > 0) == (total > 0)


@given(st.dictionaries(st.sampled_from(list(Line)), st.integers(-(10**10), 10**10)),
       st.integers(-(10**10), 10**10), st.integers(-(10**10), 10**10))
def test_an_account_closes_through_its_reallocation(lines: dict[Line, int], opening: int,
                                                    closing: int) -> None:
    account = Account(opening=opening)
    for line, fen in lines.items():
        account.add(line, fen)
    account.close(closing)
    assert account.opening + sum(account.lines.values()) == account.closing == closing


@given(weights, st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9))
def test_allocated_results_sum_to_the_funds_figures(w: dict[int, int], fees: int,
                                                    gain: int) -> None:
    accounts: dict[int, Account] = {}
    allocate_result({Line.MANAGEMENT_FEES: -abs(fees), Line.UNREALISED: gain}, w, accounts)
    total = totals(accounts.values())
    if any(w.values()):
        assert total.lines[Line.MANAGEMENT_FEES] == -abs(fees)
        assert total.lines[Line.UNREALISED] == gain
    assert total.lines[Line.CONTRIBUTIONS] == 0


def test_one_lp_with_everything_pro_rata_has_no_reallocation() -> None:
    account = Account(opening=1_000_00)
    allocate_result({Line.MANAGEMENT_FEES: -2_00, Line.UNREALISED: 50_00}, {7: 1}, {7: account})
    account.add(Line.CONTRIBUTIONS, 300_00)
    account.close(1_348_00)
    assert account.lines[Line.REALLOCATION] == 0


def test_quarters_and_statement_periods() -> None:
    q = Quarter.parse(" 2025q2 ")
    assert (str(q), q.start, q.end) == ("2025Q2", date(2025, 4, 1), date(2025, 6, 30))
    assert (q.previous(), q.next()) == (Quarter(2025, 1), Quarter(2025, 3))
    assert Quarter(2024, 4).next() == Quarter(2025, 1) and Quarter(2025, 1).previous() == \
        Quarter(2024, 4)
    assert Quarter.of(date(2024, 12, 31)) == Quarter(2024, 4)
    assert Quarter(2025, 3).label_zh == "2025年第三季度"
    assert [str(x) for x in quarters_between(date(2024, 11, 5), date(2025, 4, 1))] == [
        "2024Q4", "2025Q1", "2025Q2"]
    inception = date(2025, 2, 10)
    end = date(2025, 8, 15)
    assert period_ending(PeriodKind.QTD, end, inception) == Period(date(2025, 7, 1), end)
    assert period_ending(PeriodKind.YTD, end, inception) == Period(inception, end)
    assert period_ending(PeriodKind.ITD, end, inception).opening_on == date(2025, 2, 9)


@pytest.mark.parametrize("text", ["2025Q5", "2025-Q2", "", "Q2 2025", "２０２５Q1", None, 2025])
def test_a_bad_quarter_is_a_named_error(text: object) -> None:
    with pytest.raises(ValidationError) as err:
        Quarter.parse(text)
    assert err.value.code == "quarter_invalid"


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        Period.checked(date(2025, 6, 30), date(2025, 4, 1))
    assert (err.value.code, err.value.field) == ("statement_period_reversed", "end")
