"""Pure look-through core: hand-computed example, rounding, history and random trees."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundops.calc.lookthrough import (
    CompanyInfo,
    LookThroughInputs,
    compute_look_through,
    compute_look_through_history,
    fund_order,
    quantize_fraction,
)
from fundops.calc.lookthrough_rows import below_rows

D1, D2, D3 = date(2021, 3, 31), date(2021, 6, 30), date(2021, 9, 30)
R, A, B, C = 1, 2, 3, 4
X, Y, Z = 10, 11, 12
Y100 = 100  # fen per yuan

COMPANIES = {
    X: CompanyInfo(X, "X", "半导体", "seed", "440300", True, ("high_tech", "srdi")),
    Y: CompanyInfo(Y, "Y", "医疗", "growth", "310000", False, ("srdi",)),
    Z: CompanyInfo(Z, "Z", "半导体", "start_up", "440300", True, ()),
}


def diamond(**overrides: object) -> LookThroughInputs:
    """R → A → C, R → B → C (a diamond); X is held by R directly and by C."""
    fields: dict[str, object] = {
        "root_fund_id": R,
        "parent_commitments": [(R, A, D1, 40 * Y100), (R, B, D1, 30 * Y100),
                               (A, C, D1, 50 * Y100), (B, C, D1, 20 * Y100)],
        "parent_paid_in": [(R, A, D1, 20 * Y100), (R, B, D1, 10 * Y100),
                           (A, C, D1, 30 * Y100), (B, C, D1, 10 * Y100)],
        "fund_commitments": [(A, D1, 100 * Y100), (B, D1, 120 * Y100), (C, D1, 200 * Y100)],
        "fund_paid_in": [(A, D1, 50 * Y100), (B, D1, 60 * Y100), (C, D1, 100 * Y100)],
        "investments": [(R, X, D1, 100 * Y100), (A, Y, D1, 300 * Y100), (B, Z, D1, 500 * Y100),
                        (C, X, D1, 400 * Y100)],
        "valuations": [(C, X, D1, 1, 1000 * Y100), (B, Z, D1, 2, 600 * Y100)],
        "companies": COMPANIES,
    }
    fields.update(overrides)
    return LookThroughInputs(**fields)  # type: ignore[arg-type]


def test_commitment_basis_by_hand() -> None:
    # shares: R/A = 40/100 = 2/5, R/B = 30/120 = 1/4, A/C = 50/200 = 1/4, B/C = 20/200 = 1/10
    # weight(C) = 2/5·1/4 + 1/4·1/10 = 1/10 + 1/40 = 1/8
    # X = 1·100 (R's own, at cost) + 1/8·1000 (C's fair value) = 225
    # Y = 2/5·300 (A, cost) = 120;  Z = 1/4·600 (B, fair value) = 150;  total 495
    res = compute_look_through(diamond(), D2, "commitment")
    got = {r.company_id: r for r in res.rows}
    assert got[X].exposure_exact == 225 and got[X].paths == 3 and got[X].value_basis == "mixed"
    assert got[Y].exposure_amount == Decimal("120.00") and got[Y].value_basis == "cost"
    assert got[Z].exposure_amount == Decimal("150.00") and got[Z].value_basis == "fair_value"
    assert res.total_exact == 495 and res.total_amount == Decimal("495.00")
    assert [r.company_id for r in res.rows] == [X, Z, Y]  # largest first
    assert res.direct_total_exact == 100
    subs = {s.sub_fund_id: s for s in res.sub_funds}
    assert subs[A].share == Fraction(2, 5) and subs[B].share == Fraction(1, 4)
    # A's own look-through: 300 + 1/4·1000 = 550; B's: 600 + 1/10·1000 = 700
    assert subs[A].own_total_exact == 550 and subs[B].own_total_exact == 700
    assert res.direct_total_exact + subs[A].attributed_exact + subs[B].attributed_exact == 495
    assert res.consistent
    via = {p.fund_id: p for p in got[X].via}
    assert via[C].weight == Fraction(1, 8) and via[C].paths == 2 and via[C].value_on == D1
    assert via[R].value_basis == "cost" and via[R].value_on is None


def test_paid_in_basis_by_hand_and_rounding() -> None:
    # shares: R/A = 20/50 = 2/5, R/B = 10/60 = 1/6, A/C = 30/100, B/C = 10/100
    # weight(C) = 2/5·3/10 + 1/6·1/10 = 36/300 + 5/300 = 41/300
    # X = 100 + 41/300·1000 = 100 + 410/3 = 710/3 = 236.666… → 236.67
    # Y = 2/5·300 = 120;  Z = 1/6·600 = 100;  total = 710/3 + 220 = 1370/3 = 456.67
    res = compute_look_through(diamond(), D2, "paid_in")
    got = {r.company_id: r for r in res.rows}
    assert got[X].exposure_exact == Fraction(710, 3)
    assert got[X].exposure_amount == Decimal("236.67")
    assert got[Z].exposure_exact == 100
    assert res.total_exact == Fraction(1370, 3) and res.total_amount == Decimal("456.67")
    assert res.consistent
    # by sector: 半导体 = X + Z = 1010/3 (336.67), 医疗 = 120
    sector = {b.key: b for b in res.by_sector}
    assert sector["半导体"].exposure_amount == Decimal("336.67") and sector["半导体"].companies == 2
    assert sector["医疗"].share_of_total == quantize_fraction(Fraction(120) / Fraction(1370, 3), 4)
    tags = {b.key: b.exposure_exact for b in res.by_tag}
    assert tags == {"srdi": Fraction(710, 3) + 120, "high_tech": Fraction(710, 3)}
    assert {b.key for b in res.by_stage} == {"seed", "growth", "start_up"}
    assert {b.key: b.companies for b in res.by_region} == {"440300": 2, "310000": 1}


def test_dates_filter_events_and_valuations_between_dates() -> None:
    inputs = diamond(
        valuations=[(C, X, D1, 1, 1000 * Y100), (C, X, D3, 3, 2000 * Y100),
                    (C, X, D3, 4, 1800 * Y100), (B, Z, D1, 2, 600 * Y100)])
    at = {d: {r.company_id: r for r in compute_look_through(inputs, d, "commitment").rows}
          for d in (D1 - timedelta(days=1), D2, D3)}
    assert at[D1 - timedelta(days=1)] == {}  # nothing committed or invested yet
    via_c = next(p for p in at[D2][X].via if p.fund_id == C)
    assert via_c.holding_value == Decimal("1000.00") and via_c.value_on == D1  # between valuations
    via_c = next(p for p in at[D3][X].via if p.fund_id == C)
    assert via_c.holding_value == Decimal("1800.00")  # same date: the later record wins


def test_paid_in_share_is_zero_without_paid_in_and_cost_mode() -> None:
    inputs = diamond(fund_paid_in=[(A, D1, 50 * Y100), (C, D1, 100 * Y100)],
                     parent_paid_in=[(R, A, D1, 20 * Y100), (A, C, D1, 30 * Y100)])
    res = compute_look_through(inputs, D2, "paid_in")
    subs = {s.sub_fund_id: s for s in res.sub_funds}
    assert subs[B].share == 0 and subs[B].share_denominator == Decimal("0.00")
    z = next(r for r in res.rows if r.company_id == Z)
    assert z.exposure_exact == 0 and z.paths == 1  # reached, but nothing attributable
    cost = compute_look_through(diamond(), D2, "commitment", holding_value="cost")
    # X = 100 + 1/8·400 = 150; Y = 120; Z = 1/4·500 = 125
    assert {r.company_id: r.exposure_exact for r in cost.rows} == {X: 150, Y: 120, Z: 125}
    assert {r.value_basis for r in cost.rows} == {"cost"}


def test_history_matches_single_dates() -> None:
    inputs = diamond(
        valuations=[
            (C, X, D1, 1, 1000 * Y100),
            (C, X, D3, 3, 2000 * Y100),
            (B, Z, D2, 2, 600 * Y100),
        ],
        investments=[
            (R, X, D1, 100 * Y100),
            (A, Y, D2, 300 * Y100),
            (A, Y, D3, -300 * Y100),
            (B, Z, D1, 500 * Y100),
            (C, X, D1, 400 * Y100),
        ],
    )
    dates = [D3, D1, D2, D2]
    hist = compute_look_through_history(inputs, dates, "paid_in")
    assert [p.as_of for p in hist.points] == [D1, D2, D3]
    for point in hist.points:
        single = compute_look_through(inputs, point.as_of, "paid_in")
        assert point.total_exact == single.total_exact
        sectors = dict(point.by_sector)
        for b in single.by_sector:
            assert sectors[b.key] == pytest.approx(float(b.exposure_exact), rel=1e-12)


def test_rejects_cycles_and_unknown_basis() -> None:
    with pytest.raises(ValueError, match="cycle"):
        fund_order(1, {(1, 2), (2, 3), (3, 2)})
    with pytest.raises(ValueError, match="basis"):
        compute_look_through(diamond(), D2, "nav")


def test_quantize_fraction_is_half_even() -> None:
    assert quantize_fraction(Fraction(1, 200)) == Decimal("0.00")
    assert quantize_fraction(Fraction(3, 200)) == Decimal("0.02")
    assert quantize_fraction(Fraction(-3, 200)) == Decimal("-0.02")
    assert quantize_fraction(Fraction(10**30 + 1, 3), 2) == Decimal(
        "333333333333333333333333333333.67")


@st.composite
def random_trees(draw: st.DrawFn) -> tuple[LookThroughInputs, dict[int, list[int]]]:
    """A random tree of funds below fund 0, random shares and holdings (fen)."""
    n = draw(st.integers(1, 7))
    parents = {f: draw(st.integers(0, f - 1)) for f in range(1, n)}
    commitments, paid, totals_c, totals_p = [], [], [], []
    for f, p in parents.items():
        mine_c = draw(st.integers(1, 10**9))
        others_c = draw(st.integers(0, 10**9))
        mine_p = draw(st.integers(0, mine_c))
        others_p = draw(st.integers(0, others_c))
        commitments.append((p, f, D1, mine_c))
        paid.append((p, f, D1, mine_p))
        totals_c.append((f, D1, mine_c + others_c))
        totals_p.append((f, D1, mine_p + others_p))
    investments, valuations = [], []
    held: dict[int, list[int]] = {}
    for f in range(n):
        for c in draw(st.sets(st.integers(100, 105), max_size=3)):
            investments.append((f, c, D1, draw(st.integers(1, 10**11))))
            if draw(st.booleans()):
                valuations.append((f, c, D1, len(valuations), draw(st.integers(0, 10**11))))
            held.setdefault(f, []).append(c)
    companies = {c: CompanyInfo(c, f"c{c}", f"s{c % 2}", "seed", "440300") for c in range(100, 106)}
    inputs = LookThroughInputs(0, commitments, paid, totals_c, totals_p, investments, valuations,
                               companies)
    return inputs, held


def _naive_total(inputs: LookThroughInputs, basis: str) -> Fraction:
    """Enumerate every path explicitly: Σ (product of shares) × holding value."""
    num = {(p, s): a for p, s, _, a in (inputs.parent_commitments if basis == "commitment"
                                        else inputs.parent_paid_in)}
    den = {f: a for f, _, a in (inputs.fund_commitments if basis == "commitment"
                                else inputs.fund_paid_in)}
    value: dict[int, int] = {}
    fair = {(f, c): v for f, c, _, _, v in inputs.valuations}
    for f, c, _, amount in inputs.investments:
        value[f] = value.get(f, 0) + fair.get((f, c), amount)

    def walk(fund: int, weight: Fraction) -> Fraction:
        acc = weight * value.get(fund, 0)
        for (p, s), n in num.items():
            if p == fund:
                acc += walk(s, weight * (Fraction(n, den[s]) if den[s] else 0))
        return acc

    return walk(0, Fraction(1)) / 100


@settings(max_examples=60, deadline=None)
@given(random_trees(), st.sampled_from(["paid_in", "commitment"]))
def test_random_trees_sum_to_shares_times_holdings(
        tree: tuple[LookThroughInputs, dict[int, list[int]]], basis: str) -> None:
    inputs, _ = tree
    res = compute_look_through(inputs, D2, basis)
    assert res.total_exact == sum((r.exposure_exact for r in res.rows), Fraction(0))
    assert res.total_exact == _naive_total(inputs, basis)
    assert res.consistent
    assert abs(sum(r.exposure_amount for r in res.rows) - res.total_amount) <= Decimal("0.005") * (
        len(res.rows) + 1)
    hist = compute_look_through_history(inputs, [D1, D2], basis)
    assert hist.points[-1].total_exact == res.total_exact


def _without_root(inputs: LookThroughInputs) -> LookThroughInputs:
    return dataclasses.replace(
        inputs, investments=[r for r in inputs.investments if r[0] != 0],
        valuations=[r for r in inputs.valuations if r[0] != 0])


@settings(max_examples=80, deadline=None)
@given(random_trees(), st.sampled_from(["paid_in", "commitment"]),
       st.lists(st.tuples(st.integers(100, 107), st.integers(1, 10**10)), max_size=4),
       st.dictionaries(st.integers(100, 105), st.integers(100, 105), max_size=3))
def test_rows_below_the_root_reused_after_a_write_in_the_roots_own_book(
        tree: tuple[LookThroughInputs, dict[int, list[int]]], basis: str,
        own: list[tuple[int, int]], relabel: dict[int, int]) -> None:
    """The root's own holdings replaced (new companies, more of a company held below, a
    company whose label moves to another record): the result with the rows below reused
    is the result computed in full."""
    inputs, _ = tree
    below = below_rows(_without_root(inputs), D2, basis, "fair_value")
    companies = {c: CompanyInfo(c, f"c{c}", f"s{c % 2}", "seed", "440300") for c in range(100, 108)}
    companies.update({c: companies[to] for c, to in relabel.items()})
    after = dataclasses.replace(
        _without_root(inputs), companies=companies,
        investments=[*_without_root(inputs).investments, *((0, c, D1, fen) for c, fen in own)])
    assert compute_look_through(after, D2, basis, below=below) == compute_look_through(
        after, D2, basis)
    assert compute_look_through(inputs, D2, basis, below=below) == compute_look_through(
        inputs, D2, basis)
