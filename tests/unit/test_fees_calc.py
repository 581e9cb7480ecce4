"""The management-fee arithmetic (fundops.calc.fees): worked examples exact to the fen and
properties (additivity over sub-intervals, zero rate, monotone in the rate)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundops.calc.fees import (
    Basis,
    FeeLine,
    FeePeriod,
    Frequency,
    Tier,
    check_tiers,
    days_counted,
    fee_lines,
    fee_of,
    offset_of,
    periods_between,
    split_fee,
)
from fundops.errors import ValidationError

D = Decimal
Q1_2025 = FeePeriod(2025, 1, Frequency.QUARTERLY)


def test_a_commitment_basis_in_the_investment_period() -> None:
    """100,000,000 committed × 2 % × 90 / 365 (1 Jan – 31 Mar 2025, 90 days)
    = 180,000,000 / 365 = 493,150.684931… → 493,150.68."""
    tiers = [Tier(Basis.COMMITMENT, D("0.02"), date(2025, 1, 1))]
    lines = fee_lines(tiers, Q1_2025.start, Q1_2025.end,
                      {Basis.COMMITMENT: [(date(2025, 1, 1), D("100000000.00"))]})
    assert [(x.base, x.rate, x.days) for x in lines] == [(D("100000000.00"), D("0.02"), 90)]
    assert fee_of(lines) == D("493150.68")


def test_b_step_down_mid_quarter_to_invested_cost() -> None:
    """The investment period ends on 14 Feb 2025. By hand:
    1 Jan – 14 Feb: 45 days, 100,000,000 × 2 % × 45 / 365 = 90,000,000 / 365
        = 246,575.342465…;
    15 Feb – 31 Mar: 14 + 31 = 45 days, 60,000,000 × 1.5 % × 45 / 365 = 40,500,000 / 365
        = 110,958.904109…;
    fee = 130,500,000 / 365 = 357,534.246575… → 357,534.25 (rounded once; rounding each
    line first would give 246,575.34 + 110,958.90 = 357,534.24)."""
    tiers = [Tier(Basis.COMMITMENT, D("0.02"), date(2025, 1, 1), date(2025, 2, 14)),
             Tier(Basis.INVESTED_COST, D("0.015"), date(2025, 2, 15))]
    bases = {Basis.COMMITMENT: [(date(2025, 1, 1), D("100000000.00"))],
             Basis.INVESTED_COST: [(date(2025, 1, 1), D("60000000.00"))]}
    lines = fee_lines(tiers, Q1_2025.start, Q1_2025.end, bases)
    assert [(x.basis, x.base, x.days) for x in lines] == [
        (Basis.COMMITMENT, D("100000000.00"), 45), (Basis.INVESTED_COST, D("60000000.00"), 45)]
    assert fee_of(lines) == D("357534.25")
    assert sum(fee_of([x]) for x in lines) == D("357534.24")


def test_c_late_closer_catch_up_charged_to_it_alone() -> None:
    """First close 1 Jan 2025: A 60,000,000 and B 40,000,000; fee 2 % on commitments,
    quarterly in advance, from 1 Jan 2025. C commits 20,000,000 at the second closing on
    15 May 2025, so it joins the base with Q3 2025 and pays, alone, what Q1 and Q2 would
    have charged it:
    Q1: 20,000,000 × 2 % × 90 / 365 = 98,630.136986…; Q2: × 91 / 365 = 99,726.027397…;
    catch-up = 72,400,000 / 365 = 198,356.164383… → 198,356.16.
    Q3 fee: 120,000,000 × 2 % × 92 / 365 = 220,800,000 / 365 = 604,931.506849… → 604,931.51,
    split 3 : 2 : 1 by largest remainder: exact 302,465.755 / 201,643.8366… / 100,821.9183…,
    truncated 302,465.75 + 201,643.83 + 100,821.91 = 604,931.49; the 2 fen left go to the
    largest remainders (C .83, B .67): A 302,465.75, B 201,643.84, C 100,821.92;
    C pays 100,821.92 + 198,356.16 = 299,178.08."""
    tiers = [Tier(Basis.COMMITMENT, D("0.02"), date(2025, 1, 1))]
    own = {Basis.COMMITMENT: [(date(2025, 1, 1), D("20000000.00"))]}
    catch_up = [line for q in (1, 2) for line in fee_lines(
        tiers, FeePeriod(2025, q, Frequency.QUARTERLY).start,
        FeePeriod(2025, q, Frequency.QUARTERLY).end, own)]
    assert [x.days for x in catch_up] == [90, 91]
    assert fee_of(catch_up) == D("198356.16")
    q3 = FeePeriod(2025, 3, Frequency.QUARTERLY)
    regular = fee_of(fee_lines(tiers, q3.start, q3.end,
                               {Basis.COMMITMENT: [(q3.start, D("120000000.00"))]}))
    assert regular == D("604931.51")
    shares = split_fee(regular, [(1, D("60000000")), (2, D("40000000")), (3, D("20000000"))],
                       {3: fee_of(catch_up)})
    assert [(s.investor_id, s.regular, s.catch_up, s.amount) for s in shares] == [
        (1, D("302465.75"), D("0.00"), D("302465.75")),
        (2, D("201643.84"), D("0.00"), D("201643.84")),
        (3, D("100821.92"), D("198356.16"), D("299178.08"))]


def test_days_are_counted_first_day_in_day_after_last_out() -> None:
    assert days_counted(date(2025, 1, 1), date(2025, 1, 1)) == 1
    assert days_counted(date(2025, 1, 1), date(2025, 3, 31)) == 90
    assert sum(days_counted(p.start, p.end) for p in
               periods_between(Frequency.QUARTERLY, date(2024, 1, 1), date(2024, 12, 31))) == 366


def test_periods_parse_and_print() -> None:
    assert str(FeePeriod.parse(" 2025q3 ")) == "2025Q3"
    half = FeePeriod.parse("2025H2")
    assert (half.start, half.end, str(half.next()), str(half.previous())) == (
        date(2025, 7, 1), date(2025, 12, 31), "2026H1", "2025H1")
    assert FeePeriod.of(Frequency.SEMI_ANNUAL, date(2025, 6, 30)) == FeePeriod.parse("2025H1")
    for bad in ("2025H3", "2025Q5", "25Q1", "", None, "2025-Q1"):
        with pytest.raises(ValidationError) as caught:
            FeePeriod.parse(bad)
        assert caught.value.code == "fee_period_invalid"


@pytest.mark.parametrize(("tiers", "code"), [
    ([], "fee_tiers_required"),
    ([Tier(Basis.NAV, D("-0.01"), date(2025, 1, 1))], "fee_rate_negative"),
    ([Tier(Basis.NAV, D("1.5"), date(2025, 1, 1))], "fee_rate_above_one"),
    ([Tier(Basis.NAV, D("0.01"), date(2025, 1, 2), date(2025, 1, 1))], "fee_tier_dates_reversed"),
    ([Tier(Basis.COMMITMENT, D("0.02"), date(2025, 1, 1), date(2025, 6, 30)),
      Tier(Basis.NAV, D("0.01"), date(2025, 6, 30))], "fee_tiers_overlap"),
    ([Tier(Basis.NAV, D("0.01"), date(2026, 1, 1)),
      Tier(Basis.COMMITMENT, D("0.02"), date(2025, 1, 1))], "fee_tiers_overlap"),
])
def test_bad_tiers_are_named(tiers: list[Tier], code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_tiers(tiers)
    assert caught.value.code == code


def test_offset_is_capped_at_the_fee() -> None:
    assert offset_of(D("1000.00"), D("300.00"), D("0.8")) == D("240.00")
    assert offset_of(D("100.00"), D("300.00"), D("0.8")) == D("100.00")
    assert offset_of(D("100.00"), D("0.01"), D("0.5")) == D("0.01")  # 0.005 half up


def test_no_lp_to_charge_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        split_fee(D("1.00"), [], {})
    assert caught.value.code == "fee_no_lp_commitments"
    assert split_fee(D("0.00"), [], {}) == []


# --- properties ------------------------------------------------------------------------

START = date(2024, 1, 1)
days = st.integers(min_value=0, max_value=730)
amounts = st.decimals(min_value=0, max_value=10**10, places=2, allow_nan=False,
                      allow_infinity=False)
rates = st.decimals(min_value=0, max_value=1, places=8, allow_nan=False, allow_infinity=False)


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[Tier], dict[Basis, list[tuple[date, Decimal]]],
                                         date, date]:
    """Non-overlapping tiers on random bases, step functions for every base, a span."""
    cuts = sorted(draw(st.sets(days, min_size=1, max_size=4)))
    tiers = []
    for i, first in enumerate(cuts):
        last = cuts[i + 1] - 1 if i + 1 < len(cuts) else None
        if last is not None and last < first:
            continue
        tiers.append(Tier(draw(st.sampled_from(list(Basis))), draw(rates),
                          START + timedelta(days=first),
                          None if last is None else START + timedelta(days=last)))
    bases = {b: sorted({(START + timedelta(days=d), draw(amounts))
                        for d in draw(st.sets(days, min_size=1, max_size=4))},
                       key=lambda s: s[0]) for b in Basis}
    bases = {b: [s for i, s in enumerate(v) if i == 0 or s[0] != v[i - 1][0]]
             for b, v in bases.items()}
    lo = draw(days)
    hi = draw(st.integers(min_value=lo, max_value=760))
    return tiers, bases, START + timedelta(days=lo), START + timedelta(days=hi)


@settings(max_examples=200, deadline=None)
@given(schedules(), st.lists(st.integers(min_value=0, max_value=760), max_size=5))
def test_fee_is_additive_over_sub_intervals_within_a_fen_per_split(
        case: tuple[list[Tier], dict[Basis, list[tuple[date, Decimal]]], date, date],
        splits: list[int]) -> None:
    tiers, bases, lo, hi = case
    inner = sorted({START + timedelta(days=s) for s in splits
                    if lo < START + timedelta(days=s) <= hi})
    edges = [lo, *inner, hi + timedelta(days=1)]
    parts = [fee_of(fee_lines(tiers, a, b - timedelta(days=1), bases))
             for a, b in itertools.pairwise(edges)]
    whole = fee_of(fee_lines(tiers, lo, hi, bases))
    assert abs(whole - sum(parts, D(0))) <= D("0.01") * len(inner)
    # the unrounded lines add up exactly (to 60 digits): splitting only moves rounding
    assert sum(x.days for x in fee_lines(tiers, lo, hi, bases)) == sum(
        x.days for a, b in itertools.pairwise(edges)
        for x in fee_lines(tiers, a, b - timedelta(days=1), bases))


@settings(max_examples=100, deadline=None)
@given(schedules())
def test_zero_rate_charges_nothing(
        case: tuple[list[Tier], dict[Basis, list[tuple[date, Decimal]]], date, date]) -> None:
    tiers, bases, lo, hi = case
    zero = [Tier(t.basis, D(0), t.start, t.end) for t in tiers]
    assert fee_of(fee_lines(zero, lo, hi, bases)) == 0


@settings(max_examples=150, deadline=None)
@given(schedules(), st.decimals(min_value=1, max_value=3, places=4, allow_nan=False,
                                allow_infinity=False))
def test_fee_is_monotone_in_the_rate(
        case: tuple[list[Tier], dict[Basis, list[tuple[date, Decimal]]], date, date],
        factor: Decimal) -> None:
    tiers, bases, lo, hi = case
    higher = [Tier(t.basis, t.rate * factor, t.start, t.end) for t in tiers]
    assert fee_of(fee_lines(higher, lo, hi, bases)) >= fee_of(fee_lines(tiers, lo, hi, bases))


@settings(max_examples=150, deadline=None)
@given(schedules())
def test_lines_cover_each_charged_day_once(
        case: tuple[list[Tier], dict[Basis, list[tuple[date, Decimal]]], date, date]) -> None:
    tiers, bases, lo, hi = case
    lines = fee_lines(tiers, lo, hi, bases)
    covered = [lo + timedelta(days=i) for i in range((hi - lo).days + 1)
               if any(t.covers(lo + timedelta(days=i)) for t in tiers)]
    assert sum(x.days for x in lines) == len(covered)
    assert all(isinstance(x, FeeLine) and lo <= x.start <= x.end <= hi for x in lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(days, st.integers(min_value=0, max_value=200)), max_size=4))
def test_overlap_check_agrees_with_day_by_day(spans: list[tuple[int, int]]) -> None:
    tiers = [Tier(Basis.COMMITMENT, D("0.01"), START + timedelta(days=a),
                  START + timedelta(days=a + n)) for a, n in spans]
    claimed = [d for a, n in spans for d in range(a, a + n + 1)]
    try:
        check_tiers(tiers)
        refused = None
    except ValidationError as exc:
        refused = exc.code
    if not tiers:
        assert refused == "fee_tiers_required"
    else:
        assert (refused == "fee_tiers_overlap") == (len(claimed) != len(set(claimed)))
