"""Unit and property tests for fundops.calc.lockup: lock-ups, reverse-linkage bands, the
sellable schedule per channel, the rolling-window check and the discounted mark."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundops.calc.lockup import (
    Band,
    HolderCategory,
    Sale,
    SaleCheck,
    TradeChannel,
    check_sale,
    complete_months,
    investment_band,
    listed_mark,
    lockup_end,
    lockup_months,
    sale_value,
    sell_down_limit,
    sellable_on,
    sellable_schedule,
    window_quota,
)

D = Decimal
BID, BLOCK = TradeChannel.BIDDING, TradeChannel.BLOCK
TOTAL = D(400_000_000)  # 1 % = 4,000,000 shares; 2 % = 8,000,000
HELD = D(10_000_000)  # 2.5 % of the company
LISTED = date(2021, 3, 15)
UNLOCK = date(2022, 3, 15)  # general 12 months


def rows(unlock: date, months: int, channel: TradeChannel) -> list[tuple[date, date | None, D]]:
    limit = sell_down_limit(True, months)
    return [(w.starts_on, w.ends_on, w.cumulative)
            for w in sellable_schedule(unlock, HELD, TOTAL, limit, channel)]


# --- months, lock-up, bands ------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "months"), [
    (date(2018, 3, 15), date(2021, 3, 15), 36),
    (date(2018, 3, 16), date(2021, 3, 15), 35),  # one day short of 36: 35 complete months
    (date(2020, 1, 31), date(2020, 2, 29), 1),  # month-end clamped
    (date(2020, 1, 31), date(2020, 2, 28), 0),
    (date(2021, 3, 15), date(2021, 3, 15), 0),
])
def test_complete_calendar_months(start: date, end: date, months: int) -> None:
    assert complete_months(start, end) == months


def test_months_refuse_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="before"):
        complete_months(date(2021, 3, 15), date(2021, 3, 14))


@pytest.mark.parametrize(("category", "held", "months"), [
    (HolderCategory.GENERAL, D("0.30"), 12),
    (HolderCategory.CONTROLLING, D("0.01"), 36),
    (HolderCategory.TOP_51, D("0.05"), 36),  # exactly 5 %: not "below 5 %"
    (HolderCategory.TOP_51, D("0.0499"), 12),
    (HolderCategory.QUALIFYING_VC, D("0.20"), 12),
])
def test_lockup_months_by_holder_category(category: HolderCategory, held: D, months: int) -> None:
    assert lockup_months(category, held) == months


def test_lockup_end_is_the_unlock_date_month_end_clamped() -> None:
    assert lockup_end(LISTED, 12) == UNLOCK
    assert lockup_end(date(2020, 2, 29), 12) == date(2021, 2, 28)
    assert lockup_end(date(2021, 8, 31), 36) == date(2024, 8, 31)
    assert lockup_end(date(2021, 11, 30), 3) == date(2022, 2, 28)


@pytest.mark.parametrize(("months", "band"), [
    (0, Band.UNDER_36), (35, Band.UNDER_36), (36, Band.FROM_36), (47, Band.FROM_36),
    (48, Band.FROM_48), (59, Band.FROM_48), (60, Band.FROM_60), (200, Band.FROM_60),
])
def test_bands_are_lower_bound_inclusive(months: int, band: Band) -> None:
    assert investment_band(months) is band
    assert sell_down_limit(True, months).band is band
    assert sell_down_limit(False, months).band is Band.GENERAL


# --- worked examples: the schedule in each band ------------------------------------------------

def test_band_under_36_months_90_day_windows() -> None:
    months = complete_months(date(2019, 6, 20), LISTED)
    assert months == 20
    assert rows(UNLOCK, months, BID) == [
        (date(2022, 3, 15), date(2022, 6, 12), D(4_000_000)),
        (date(2022, 6, 13), date(2022, 9, 10), D(8_000_000)),
        (date(2022, 9, 11), date(2022, 12, 9), D(10_000_000)),  # the position caps it
    ]
    assert rows(UNLOCK, months, BLOCK) == [
        (date(2022, 3, 15), date(2022, 6, 12), D(8_000_000)),
        (date(2022, 6, 13), date(2022, 9, 10), D(10_000_000)),
    ]


def test_band_36_to_48_months_60_day_windows_at_exactly_36() -> None:
    months = complete_months(date(2018, 3, 15), LISTED)
    assert months == 36
    assert rows(UNLOCK, months, BID) == [
        (date(2022, 3, 15), date(2022, 5, 13), D(4_000_000)),
        (date(2022, 5, 14), date(2022, 7, 12), D(8_000_000)),
        (date(2022, 7, 13), date(2022, 9, 10), D(10_000_000)),
    ]
    assert rows(UNLOCK, months, BLOCK)[0] == (date(2022, 3, 15), date(2022, 5, 13), D(8_000_000))


def test_band_48_to_60_months_30_day_windows_at_exactly_48() -> None:
    months = complete_months(date(2017, 3, 15), LISTED)
    assert months == 48
    assert rows(UNLOCK, months, BID) == [
        (date(2022, 3, 15), date(2022, 4, 13), D(4_000_000)),
        (date(2022, 4, 14), date(2022, 5, 13), D(8_000_000)),
        (date(2022, 5, 14), date(2022, 6, 12), D(10_000_000)),
    ]
    assert [r[2] for r in rows(UNLOCK, months, BLOCK)] == [D(8_000_000), D(10_000_000)]


def test_band_60_months_and_more_has_no_ratio_limit() -> None:
    months = complete_months(date(2016, 3, 15), LISTED)
    assert months == 60
    for channel in (BID, BLOCK):
        assert rows(UNLOCK, months, channel) == [(UNLOCK, None, HELD)]
        assert sellable_on(UNLOCK, UNLOCK, HELD, TOTAL, sell_down_limit(True, 60),
                           channel) == HELD
    check = check_sale(UNLOCK, BID, unlock_on=UNLOCK, position=HELD, total_shares=TOTAL,
                       limit=sell_down_limit(True, 60), sales=[Sale(UNLOCK, D(9_000_000), BID)])
    assert (check.allowed, check.window_room, check.next_frees_on) == (D(1_000_000), None, None)


def test_a_holder_that_is_not_a_qualifying_vc_fund_has_the_general_limits() -> None:
    general = sell_down_limit(False, 80)
    assert (general.window_days, general.bidding_rate, general.block_rate) == (
        90, D("0.01"), D("0.02"))
    assert window_quota(general, BID, TOTAL) == D(4_000_000)
    assert window_quota(general, BLOCK, TOTAL) == D(8_000_000)


def test_quota_rounds_down_to_whole_shares() -> None:
    limit = sell_down_limit(True, 10)
    assert window_quota(limit, BID, D(123_456_789)) == D(1_234_567)
    with pytest.raises(ValueError, match="too small"):
        window_quota(limit, BID, D(99))


# --- check_sale: rolling windows ---------------------------------------------------------------

def check(on: date, channel: TradeChannel, sales: list[Sale], months: int = 20) -> SaleCheck:
    return check_sale(on, channel, unlock_on=UNLOCK, position=HELD, total_shares=TOTAL,
                      limit=sell_down_limit(True, months), sales=sales)


def test_nothing_is_sellable_before_the_unlock_date() -> None:
    result = check(UNLOCK - timedelta(days=1), BID, [])
    assert result.allowed == 0 and result.next_frees_on == UNLOCK


def test_bidding_window_full_frees_up_90_days_after_the_sale() -> None:
    sold = [Sale(date(2022, 3, 20), D(3_000_000), BID)]
    result = check(date(2022, 4, 1), BID, sold)
    assert result.allowed == D(1_000_000)
    sold.append(Sale(date(2022, 4, 1), D(1_000_000), BID))
    full = check(date(2022, 4, 2), BID, sold)
    assert full.allowed == 0
    assert full.next_frees_on == date(2022, 6, 18)
    assert check(date(2022, 6, 18), BID, sold).allowed == D(3_000_000)
    # the block quota is separate; the position caps both together
    block = check(date(2022, 4, 2), BLOCK, sold)
    assert block.allowed == D(6_000_000) and block.window_room == D(8_000_000)


def test_a_backdated_sale_must_fit_the_windows_of_later_sales() -> None:
    sold = [Sale(date(2022, 5, 1), D(4_000_000), BID)]
    assert check(date(2022, 4, 1), BID, sold).allowed == 0
    assert check(date(2022, 3, 31), BID, sold).allowed == 0
    assert check(date(2022, 7, 30), BID, sold).allowed == D(4_000_000)


@pytest.mark.parametrize(("months", "frees"), [
    (36, date(2022, 5, 19)), (48, date(2022, 4, 19))])
def test_shorter_windows_free_up_sooner(months: int, frees: date) -> None:
    sold = [Sale(date(2022, 3, 20), D(4_000_000), BID)]
    result = check(date(2022, 3, 25), BID, sold, months)
    assert result.allowed == 0 and result.next_frees_on == frees


def test_sold_out_never_frees_up() -> None:
    sold = [Sale(date(2022, 3, 20), D(4_000_000), BID),
            Sale(date(2022, 3, 20), HELD - D(4_000_000), None)]
    result = check(date(2022, 9, 1), BID, sold)
    assert (result.allowed, result.remaining, result.next_frees_on) == (0, 0, None)


# --- money ------------------------------------------------------------------------------

def test_sale_value_and_mark_round_half_up_to_the_fen() -> None:
    assert sale_value(D(3), D("0.005")) == D("0.02")  # 0.015 → 0.02
    assert listed_mark(D(1_000), D("12.345"), D("0.15"), locked=True) == D("10493.25")
    assert listed_mark(D(1_000), D("12.345"), D("0.15"), locked=False) == D("12345.00")
    assert listed_mark(D(1_000), D("12.345"), None, locked=True) == D("12345.00")


# --- properties ---------------------------------------------------------------------------

def _limits() -> st.SearchStrategy[tuple[bool, int]]:
    return st.tuples(st.booleans(), st.integers(0, 80))


@settings(max_examples=150)
@given(limit=_limits(), total=st.integers(100, 10**9), held_share=st.integers(1, 10_000),
       channel=st.sampled_from(list(TradeChannel)), offsets=st.lists(st.integers(0, 2000),
                                                                     min_size=2, max_size=8))
def test_cumulative_sellable_never_exceeds_the_position_nor_decreases(
        limit: tuple[bool, int], total: int, held_share: int, channel: TradeChannel,
        offsets: list[int]) -> None:
    rule = sell_down_limit(*limit)
    position = max(D(1), (D(total) * held_share / 10_000).quantize(D(1)))
    schedule = sellable_schedule(UNLOCK, position, D(total), rule, channel)
    assert schedule[-1].cumulative == position
    assert all(a.cumulative <= b.cumulative <= position for a, b in pairwise(schedule))
    dates = sorted(UNLOCK + timedelta(days=o - 30) for o in offsets)
    values = [sellable_on(d, UNLOCK, position, D(total), rule, channel) for d in dates]
    assert all(0 <= a <= b <= position for a, b in pairwise(values))


def _windows_ok(sales: list[Sale], days: int | None, quotas: dict[TradeChannel, D | None],
                position: D) -> bool:
    assert sum((s.shares for s in sales), D(0)) <= position
    if days is None:
        return True
    for channel, quota in quotas.items():
        dated = [s for s in sales if s.channel is channel]
        for s in dated:  # every window starting on a sale date is the worst one after it
            total = sum((x.shares for x in dated if s.on <= x.on < s.on + timedelta(days=days)),
                        D(0))
            assert quota is not None and total <= quota, (channel, s.on, total, quota)
    return True


@settings(max_examples=120, deadline=None)
@given(limit=_limits(), held=st.integers(1, 30_000_000),
       steps=st.lists(st.tuples(st.integers(-200, 400), st.sampled_from(list(TradeChannel)),
                                st.integers(0, 100)), min_size=1, max_size=12))
def test_a_sale_allowed_by_check_sale_keeps_every_window_within_its_limit(
        limit: tuple[bool, int], held: int, steps: list[tuple[int, TradeChannel, int]]) -> None:
    rule = sell_down_limit(*limit)
    position = D(held)
    sales: list[Sale] = []
    for offset, channel, percent in steps:  # dates in any order, back-dated ones too
        on = UNLOCK + timedelta(days=offset)
        result = check_sale(on, channel, unlock_on=UNLOCK, position=position,
                            total_shares=TOTAL, limit=rule, sales=sales)
        assert 0 <= result.allowed <= result.remaining
        if on < UNLOCK:
            assert result.allowed == 0
        quantity = (result.allowed * percent / 100).quantize(D(1), rounding="ROUND_DOWN")
        if quantity > 0:
            sales.append(Sale(on, quantity, channel))
        if result.next_frees_on is not None:
            assert result.next_frees_on > on
            later = check_sale(result.next_frees_on, channel, unlock_on=UNLOCK,
                               position=position, total_shares=TOTAL, limit=rule, sales=sales)
            assert later.allowed > 0 or quantity > 0
    quotas = {c: window_quota(rule, c, TOTAL) for c in TradeChannel}
    assert _windows_ok(sales, rule.window_days, quotas, position)
