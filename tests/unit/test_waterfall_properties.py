"""Hypothesis properties of the waterfall engine (fundops.calc.waterfall, carry, clawback)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fundops.calc.clawback import Deal, clawback
from fundops.calc.returns import xirr
from fundops.calc.waterfall import replay, run_distribution
from fundops.calc.waterfall_terms import (
    ConcessionPlacement,
    ConcessionTier,
    Contribution,
    Hurdle,
    PartyHistory,
    Structure,
    WaterfallTerms,
)

T0 = date(2020, 1, 1)
FEN = Decimal("0.01")

fen = st.integers(min_value=1, max_value=10**9).map(lambda n: Decimal(n) / 100)
share = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)
rate = st.integers(min_value=0, max_value=2000).map(lambda n: Decimal(n) / 10000)
contribution = st.builds(lambda days, amount: Contribution(T0 + timedelta(days=days), amount),
                         st.integers(0, 2000), fen)
histories = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]),
                            st.lists(contribution, min_size=1, max_size=4), min_size=1)


@st.composite
def terms(draw: st.DrawFn, concessions: bool = True) -> WaterfallTerms:
    c = Decimal(draw(st.integers(0, 40))) / 100
    hurdle = draw(st.sampled_from(list(Hurdle)))
    k = draw(st.one_of(st.none(), st.integers(int(c * 100) or 1, 100)))
    tiers: tuple[ConcessionTier, ...] = ()
    if concessions and draw(st.booleans()):
        tiers = (ConcessionTier("a", draw(rate), draw(share),
                                ((draw(st.sampled_from(["b", "gp"])), Decimal(1)),)),)
    return WaterfallTerms(
        carry=c, catch_up=None if k is None else Decimal(k) / 100, hurdle=hurdle,
        hurdle_rate=Decimal(0) if hurdle is Hurdle.NONE else draw(rate),
        gp_commitment=frozenset(draw(st.sets(st.sampled_from(["c", "d"])))),
        holdback=draw(share), concessions=tiers,
        concession_placement=draw(st.sampled_from(list(ConcessionPlacement))))


def as_histories(flows: dict[str, list[Contribution]]) -> dict[str, PartyHistory]:
    return {p: PartyHistory(tuple(f)) for p, f in flows.items()}


ON = T0 + timedelta(days=2500)


@settings(max_examples=200, deadline=None)
@given(terms(), histories, fen)
def test_lp_plus_gp_is_the_distribution_exactly(t: WaterfallTerms,
                                                flows: dict[str, list[Contribution]],
                                                amount: Decimal) -> None:
    run = run_distribution(t, as_histories(flows), "gp", amount, ON)
    assert sum(run.payments.values()) + run.escrow == amount
    pools = sum((s.waterfall + s.carry + s.ceded_before_carry for s in run.slices.values()),
                Decimal(0))
    assert pools == amount
    ceded = sum((s.ceded for s in run.slices.values()), Decimal(0))
    assert sum((s.concession_in for s in run.slices.values()), Decimal(0)) == ceded
    assert all(v >= 0 for s in run.slices.values() for v in (s.received, s.carry))
    assert all(v.as_tuple().exponent == -2 for v in run.payments.values())


@settings(max_examples=200, deadline=None)
@given(terms(concessions=False), histories, st.integers(3, 50))
def test_gp_gets_carry_times_profit_past_the_catch_up(t: WaterfallTerms,
                                                     flows: dict[str, list[Contribution]],
                                                     multiple: int) -> None:
    """With a catch-up (k > c) and every carried pool into the split, the GP's carry is
    c × (the carried pools' share − their capital), within one fen per carry line."""
    assume(t.catch_up is not None and t.catch_up > t.carry)
    h = as_histories(flows)
    paid = {p: sum((c.amount for c in f), Decimal(0)) for p, f in flows.items()}
    amount = (sum(paid.values()) * multiple).quantize(FEN)
    run = run_distribution(t, h, "gp", amount, ON)
    carried = [p for p in flows if p not in t.gp_commitment]
    assume(all(run.slices[p].split > FEN for p in carried))
    profit = sum((amount * paid[p] / sum(paid.values()) - paid[p] for p in carried), Decimal(0))
    assert abs(run.carry - t.carry * profit) <= FEN * 2 * len(carried)


@settings(max_examples=150, deadline=None)
@given(terms(), histories, fen, st.integers(1, 99))
def test_two_distributions_on_one_day_equal_one(t: WaterfallTerms,
                                                flows: dict[str, list[Contribution]],
                                                amount: Decimal, percent: int) -> None:
    """Same-day split, same cumulative totals. Tolerance: 4 fen for each party's total and
    for the GP's carry. Each run rounds every line to within one fen of its exact value,
    and the second run builds on the first run's rounded slices, so totals of a few lines
    can move by a few fen (never more than 4 in the runs tried here)."""
    first = (amount * percent / 100).quantize(FEN)
    assume(0 < first < amount)
    contributions = {p: tuple(f) for p, f in flows.items()}
    (one,) = replay(t, contributions, [(ON, amount)], "gp")
    a, b = replay(t, contributions, [(ON, first), (ON, amount - first)], "gp")
    tolerance = FEN * 4
    for party in set(one.payments) | set(a.payments) | set(b.payments):
        split = a.payments.get(party, Decimal(0)) + b.payments.get(party, Decimal(0))
        assert abs(split - one.payments.get(party, Decimal(0))) <= tolerance
    assert abs(a.carry + b.carry - one.carry) <= tolerance


deal = st.builds(
    lambda key, days, cost, exit_days, proceeds: Deal(
        key, {"lp": (Contribution(T0 + timedelta(days=days), cost),)},
        ((T0 + timedelta(days=days + exit_days), proceeds),)),
    st.integers(), st.integers(0, 1000), fen, st.integers(1, 3000), fen)


@settings(max_examples=150, deadline=None)
@given(terms(concessions=False), st.lists(deal, min_size=1, max_size=5,
                                          unique_by=lambda d: d.key))
def test_clawback_is_deal_by_deal_less_whole_fund_carry(t: WaterfallTerms,
                                                        deals: list[Deal]) -> None:
    dbd = replace(t, structure=Structure.DEAL_BY_DEAL)
    result = clawback(dbd, deals, "gp")
    difference = result.deal_by_deal_carry - result.whole_fund_carry
    assert result.amount == max(Decimal(0), difference)
    assert result.from_escrow + result.from_gp == result.amount
    assert sum(result.to_lps.values(), Decimal(0)) == result.amount


@settings(max_examples=100, deadline=None)
@given(st.lists(contribution, min_size=1, max_size=6), rate,
       st.sampled_from([Hurdle.IRR, Hurdle.COMPOUND]))
def test_the_pref_brings_the_lp_xirr_to_the_hurdle(flows: list[Contribution], h: Decimal,
                                                   hurdle: Hurdle) -> None:
    """Paying exactly capital + pref gives the LP an XIRR equal to the hurdle rate."""
    t = WaterfallTerms(hurdle=hurdle, hurdle_rate=h)
    paid = sum((c.amount for c in flows), Decimal(0))
    big = (paid * 10).quantize(FEN)
    run = run_distribution(t, {"lp": PartyHistory(tuple(flows))}, "gp", big, ON)
    owed = run.tier_sizes.capital + run.tier_sizes.pref
    dates = [c.on for c in flows] + [ON]
    amounts = [-c.amount for c in flows] + [owed]
    rate_found = xirr(dates, amounts)
    assert rate_found is not None and abs(rate_found - float(h)) < 1e-9

