"""The rolled-forward holding value and NAV (fundops.calc.rollforward), and its use by the
look-through and the deal view: a naive reference, exits, the NAV identity."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fundops.calc.lookthrough import (
    CompanyInfo,
    LookThroughInputs,
    compute_look_through,
    compute_look_through_history,
)
from fundops.calc.rollforward import roll_forward
from fundops.metrics.engine import compute
from fundops.metrics.frames import K, Ledger, to_day
from fundops.portfolio.enums import CashFlowKind

BASE = date(2021, 1, 1)
DAYS = 40


def _reference(vals: list[tuple[int, int, int, int]], flows: list[tuple[int, int, int]],
               key: int, day: int) -> int:
    """Naive: latest valuation ≤ day (last id wins), + flows strictly after it, ≥ 0."""
    mine = [v for v in vals if v[0] == key and v[1] <= day]
    if mine:
        _, vday, fen, _ = max(mine, key=lambda v: (v[1], v[3]))  # (key, day, fen, id)
        rolled = fen + sum(a for k, d, a in flows if k == key and vday < d <= day)
    else:
        rolled = sum(a for k, d, a in flows if k == key and d <= day)
    return max(rolled, 0)


valuation = st.tuples(st.integers(0, 3), st.integers(0, DAYS), st.integers(0, 10**6),
                      st.integers(0, 10**9))
flow = st.tuples(st.integers(0, 3), st.integers(0, DAYS), st.integers(-10**6, 10**6))


@settings(max_examples=200, deadline=None)
@given(st.lists(valuation, max_size=8, unique_by=lambda v: v[3]), st.lists(flow, max_size=12),
       st.lists(st.integers(0, DAYS), min_size=1, max_size=5, unique=True))
def test_roll_forward_matches_the_naive_definition(vals: list[tuple[int, int, int, int]],
                                                   flows: list[tuple[int, int, int]],
                                                   days: list[int]) -> None:
    keys, grid = np.arange(4, dtype=np.int64), np.array(sorted(days), dtype=np.int64)
    r = roll_forward(keys, grid, val_keys=np.array([v[0] for v in vals], dtype=np.int64),
                     val_days=np.array([v[1] for v in vals], dtype=np.int64),
                     val_fen=np.array([v[2] for v in vals], dtype=np.int64),
                     val_ids=np.array([v[3] for v in vals], dtype=np.int64),
                     flow_keys=np.array([f[0] for f in flows], dtype=np.int64),
                     flow_days=np.array([f[1] for f in flows], dtype=np.int64),
                     flow_fen=np.array([f[2] for f in flows], dtype=np.int64))
    for k in range(4):
        for q, day in enumerate(grid.tolist()):
            assert r.value[k, q] == _reference(vals, flows, k, day)


def test_flows_on_the_valuation_date_are_inside_it() -> None:
    # invest 100 on day 5, valued 120 on day 5 (end of day): 120, not 220; proceeds of 150
    # on day 9 take it below zero → 0; with an investment of 30 on day 12 the rolled sum is
    # 120 − 150 + 30 = 0: the floor applies once, to the sum (as the deal view always did)
    r = roll_forward(np.array([7]), np.array([5, 9, 12]), val_keys=np.array([7]),
                     val_days=np.array([5]), val_fen=np.array([120]),
                     flow_keys=np.array([7, 7, 7]), flow_days=np.array([5, 9, 12]),
                     flow_fen=np.array([100, -150, 30]))
    assert r.value.tolist() == [[120, 0, 0]] and r.unfloored.tolist() == [[120, -30, 0]]


# --- random ledgers: the look-through and the deal view agree --------------------------------

FUND = 1
event = st.tuples(st.sampled_from(["investment", "proceeds", "valuation"]),
                  st.integers(1, 3), st.integers(0, DAYS), st.integers(1, 10**7))


def _day(n: int) -> date:
    return BASE + timedelta(days=n)


@settings(max_examples=150, deadline=None)
@given(st.lists(event, min_size=1, max_size=15), st.integers(0, DAYS))
def test_look_through_direct_value_equals_the_deal_view(
        events: list[tuple[str, int, int, int]], at: int) -> None:
    as_of = _day(at)
    rows = [(kind, c, _day(d), fen, i) for i, (kind, c, d, fen) in enumerate(events)]
    invested = {c for kind, c, *_ in rows if kind == "investment"}
    rows = [r for r in rows if r[1] in invested and r[2] <= as_of]  # as the services allow
    inputs = LookThroughInputs(
        FUND, [], [], [], [],
        investments=[(FUND, c, d, fen) for k, c, d, fen, _ in rows if k == "investment"],
        proceeds=[(FUND, c, d, fen) for k, c, d, fen, _ in rows if k == "proceeds"],
        valuations=[(FUND, c, d, i, fen) for k, c, d, fen, i in rows if k == "valuation"],
        companies={c: CompanyInfo(c, f"c{c}", "s", "seed", "440300") for c in (1, 2, 3)})
    lt = compute_look_through(inputs, as_of)
    flows = sorted((FUND, K[CashFlowKind(k)], to_day(d), fen, c, 0)
                   for k, c, d, fen, _ in rows if k != "valuation")
    holdings = sorted(((FUND, c, to_day(d), i), fen)  # by holding, date, record id
                      for k, c, d, fen, i in rows if k == "valuation")
    ledger = Ledger(as_of, np.array(flows, dtype=np.int64).reshape(-1, 6),
                    np.zeros((0, 5), dtype=np.int64), np.zeros((0, 4), dtype=np.int64),
                    np.zeros((0, 3), dtype=np.int64),
                    np.array([(*h[:3], fen) for h, fen in holdings],
                             dtype=np.int64).reshape(-1, 4),
                    np.zeros((0, 2), dtype=np.int64))
    deals = compute(ledger).deals
    got = {r.company_id: r.exposure_exact for r in lt.rows}
    for (fund, company), position in deals.items():
        assert fund == FUND
        assert got.get(company, Fraction(0)) == Fraction(position.value)
    assert set(got) <= {c for _, c in deals} | {c for _, c, *_ in inputs.valuations}


# --- a closed holding contributes 0 everywhere after its exit --------------------------------

R, S, T = 1, 2, 3
COMPANIES = {c: CompanyInfo(c, f"c{c}", sector, "seed", "440300", False, ("srdi",))
             for c, sector in ((10, "a"), (11, "b"), (12, "a"))}


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 10**8), st.integers(1, 10**8), st.integers(0, 20),
       st.integers(1, 10**7), st.lists(st.integers(0, DAYS), min_size=1, max_size=4),
       st.integers(1, 99))
def test_a_holding_valued_at_zero_contributes_nothing_after(
        cost: int, other: int, exit_day: int, proceeds: int, later: list[int],
        share_pct: int) -> None:
    """R → S (share_pct %) → T (50 %); T holds 10 (exited at ``exit_day`` with a 0 valuation
    and proceeds), S holds 11, R holds 12 directly; proceeds on the exit date only."""
    exit_on = _day(exit_day)
    inputs = LookThroughInputs(
        R, [(R, S, BASE, share_pct), (S, T, BASE, 50)], [], [(S, BASE, 100), (T, BASE, 100)],
        [], investments=[(T, 10, BASE, cost), (S, 11, BASE, other), (R, 12, BASE, other)],
        proceeds=[(T, 10, exit_on, proceeds)],
        valuations=[(T, 10, _day(max(exit_day - 1, 0)), 1, cost * 2), (T, 10, exit_on, 2, 0)],
        companies=COMPANIES)
    dates = [exit_on + timedelta(days=d) for d in later]
    without = LookThroughInputs(R, inputs.parent_commitments, [], inputs.fund_commitments, [],
                                investments=inputs.investments[1:], proceeds=[], valuations=[],
                                companies=COMPANIES)
    for on in dates:
        lt, ref = (compute_look_through(x, on, "commitment") for x in (inputs, without))
        rows = {r.company_id: r.exposure_exact for r in lt.rows}
        assert rows[10] == 0
        assert lt.total_exact == ref.total_exact
        for dim in ("by_sector", "by_stage", "by_region", "by_tag"):
            assert ({b.key: b.exposure_exact for b in getattr(lt, dim)}
                    == {b.key: b.exposure_exact for b in getattr(ref, dim)})
        assert lt.consistent and lt.net_assets is not None and lt.net_assets.consistent
    hist = compute_look_through_history(inputs, dates, "commitment")
    ref_hist = compute_look_through_history(without, dates, "commitment")
    for p, q in zip(hist.points, ref_hist.points, strict=True):
        assert p.total_exact == q.total_exact
        assert dict(p.by_sector) == dict(q.by_sector)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([R, S, T]), st.sampled_from(
    ["capital_call", "distribution", "management_fee", "expense", "investment", "proceeds",
     "fund_contribution", "fund_return"]), st.integers(0, DAYS), st.integers(1, 10**7)),
    max_size=20),
       st.lists(st.tuples(st.sampled_from([R, S, T]), st.integers(0, DAYS),
                          st.integers(0, 10**8)), max_size=5),
       st.integers(1, 100), st.integers(1, 100), st.integers(0, DAYS))
def test_companies_plus_cash_lines_equal_the_root_nav(
        books: list[tuple[int, str, int, int]], navs: list[tuple[int, int, int]],
        p1: int, p2: int, at: int) -> None:
    investments = [(f, 10 + f, _day(d), fen) for f, k, d, fen in books if k == "investment"]
    inputs = LookThroughInputs(
        R, [(R, S, BASE, p1), (S, T, BASE, p2), (R, T, BASE, 7)], [],
        [(S, BASE, 100 + p1), (T, BASE, 100 + p2 + 7)], [],
        investments=investments,
        proceeds=[(f, 10 + f, _day(d), fen) for f, k, d, fen in books if k == "proceeds"],
        valuations=[(f, 10 + f, _day(d), i, fen) for i, (f, d, fen) in enumerate(navs)
                    if any(x[0] == f for x in investments)],
        companies={c: CompanyInfo(c, f"c{c}", "s", "seed", "440300") for c in (11, 12, 13)},
        fund_navs=[(f, _day(d), i, fen) for i, (f, d, fen) in enumerate(navs)],
        fund_flows=[(f, k, _day(d), fen) for f, k, d, fen in books])
    lt = compute_look_through(inputs, _day(at), "commitment")
    na = lt.net_assets
    assert na is not None and na.consistent and lt.consistent
    lines = sum((x.attributed_exact for x in na.cash_lines), Fraction(0))
    assert lt.total_exact + lines + na.own_cash_exact + na.difference_exact == na.nav_exact
    assert {x.fund_id for x in na.cash_lines} == {S, T}
