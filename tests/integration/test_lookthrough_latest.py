"""The look-through's single-date load (each holding's and fund's latest valuation and the
flows after it) gives the same results as the full dated load, on random fund trees."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundops.calc.lookthrough import compute_look_through, compute_sub_fund_shares
from fundops.metrics.lookthrough import load_look_through_inputs
from tests.integration.test_focus_ledger import build_tree, op, run


def same_look_through(root: int, on: date) -> None:
    latest = load_look_through_inputs(root, on, latest_only=True)
    full = load_look_through_inputs(root, on)
    for basis in ("paid_in", "commitment"):
        for value in ("fair_value", "cost"):
            assert (compute_look_through(latest, on, basis, value)
                    == compute_look_through(full, on, basis, value))
            assert (compute_sub_fund_shares(latest, on, basis, value)
                    == compute_sub_fund_shares(full, on, basis, value))


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=10, max_size=40))
def test_latest_only_load_gives_the_same_look_through(
        app: Flask, ops: list[tuple[str, int, int, int]]) -> None:
    tree = build_tree()
    days = run(tree, ops)
    parent, first = tree.funds[0].id, tree.funds[1].id  # the first sub-fund has a sub-fund
    for on in sorted(days | {d + timedelta(days=1) for d in days} | {date(2024, 6, 30)}):
        same_look_through(parent, on)
        same_look_through(first, on)
