"""Export and import of the exit stage (listings, prices, claims, exit events, escrow,
reminders, buy-out options and LP-interest transfers), on both databases: the worlds the
exit tests build round-trip exactly into an empty database, and bad exit rows are named
by sheet, row and field with nothing written.

The rich dataset's round trip (every record type, JSON and xlsx) is in
tests/integration/test_exchange.py; its exit records come from exit_world.build_exits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from fundops.demo import load_demo
from fundops.exchange import ImportFailed, export_dataset, import_dataset
from fundops.extensions import db
from tests.integration import (
    test_exits,
    test_ipo_exits,
    test_transfer_options,
    test_transfers,
)
from tests.integration.test_exchange import (
    FORMATS,
    build_rich_data,
    first_row,
    foreign,
    load_records,
    normalise_ids,
    second_app,
    table_counts,
    write_dataset,
)

WORLDS: dict[str, tuple[Any, str]] = {
    "partial_then_full_sale": (
        test_exits, "test_partial_then_full_sale_realises_at_average_cost_and_closes"),
    "escrow": (test_exits, "test_escrow_released_and_forfeited"),
    "buyback": (test_exits, "test_buyback_claim_accrues_settles_and_reopens_on_reversal"),
    "write_off": (test_exits, "test_write_off_tolerated_and_liquidation"),
    "ipo_sales": (
        test_ipo_exits, "test_sales_against_the_window_and_selling_out_closes_the_holding"),
    "in_kind": (
        test_ipo_exits, "test_in_kind_distribution_allocates_to_the_lps_and_nets_to_zero_cash"),
    "sfund": (test_transfers, "test_sfund_transfer_worked_example"),
    "transfer_reversal": (test_transfers, "test_reversal_restores_the_register_unless_used"),
    "buyout": (test_transfer_options, "test_buyout_option_worked_example"),
    "early_exit": (test_transfer_options, "test_early_exit_by_charter_and_by_appraisal"),
}
"""Tests of the exit modules whose data (built through the services) is round-tripped."""


@pytest.mark.parametrize("name", WORLDS)
def test_exit_test_worlds_round_trip_exactly(
    app: Flask, backend: str, request: pytest.FixtureRequest, tmp_root: str, tmp_path: Path,
    name: str,
) -> None:
    module, function = WORLDS[name]
    build: Callable[[Flask], None] = getattr(module, function)
    build(app)
    db.session.rollback()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    exported = export_dataset(str(first))
    assert exported["exit_event"] + exported["interest_transfer"] > 0
    with second_app(backend, request, tmp_root):
        assert import_dataset(str(first)) == exported
        assert export_dataset(str(second)) == exported
    assert normalise_ids(load_records(first)) == normalise_ids(load_records(second))


def test_the_demo_round_trips_exactly(
    app: Flask, backend: str, request: pytest.FixtureRequest, tmp_root: str, tmp_path: Path,
) -> None:
    load_demo()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    exported = export_dataset(str(first))
    for name in ("ipo_listing", "listed_price", "buyback_claim", "exit_event",
                 "escrow_release", "buyout_option", "interest_transfer", "waterfall_terms",
                 "waterfall_concession", "waterfall_beneficiary", "waterfall_run",
                 "waterfall_slice"):
        assert exported[name] > 0, name
    with second_app(backend, request, tmp_root):
        assert import_dataset(str(first)) == exported
        assert export_dataset(str(second)) == exported
    assert normalise_ids(load_records(first)) == normalise_ids(load_records(second))


def _by_id(rows: list[dict[str, Any]], key: Any) -> dict[str, Any]:
    return next(r for r in rows if r["id"] == key)


def _position(rows: list[dict[str, Any]], row: dict[str, Any], ext: str) -> int:
    return rows.index(row) + first_row(ext)


@pytest.mark.parametrize("ext", FORMATS)
def test_bad_exit_rows_are_named_by_sheet_row_and_field_and_write_nothing(
    app: Flask, tmp_path: Path, ext: str
) -> None:
    ids = build_rich_data()
    export_dataset(str(tmp_path / "clean.json"))
    records = foreign(load_records(tmp_path / "clean.json"))
    sale = _by_id(records["exit_event"], ids["sale"])
    sale["realised_gain_amount"] = "1.00"
    write_off = _by_id(records["exit_event"], ids["write_off"])
    write_off["closes_holding"] = False
    forfeited = next(r for r in records["escrow_release"] if r["outcome"] == "forfeited")
    forfeited["cash_flow_id"] = records["cash_flow"][0]["id"]
    reminder = records["exit_reminder"][0]
    reminder["object_id"] = 999
    transfer = _by_id(records["interest_transfer"], ids["transfer"])
    entry = _by_id(records["cash_flow"], transfer["cash_flow_id"])
    allocation = next(a for a in records["cash_flow_allocation"]
                      if a["cash_flow_id"] == entry["id"] and a["amount"].startswith("-"))
    allocation["amount"] = allocation["amount"].replace("-", "-1")
    path = tmp_path / f"bad.{ext}"
    write_dataset(path, records)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    problems = caught.value.problems
    row = lambda sheet, r: _position(records[sheet], r, ext)  # noqa: E731
    expected = [
        (f"sheet 'exit_reminder', row {row('exit_reminder', reminder)}, field 'object_id': "
         f"refers to {_target(reminder)} id '999', which is not in the file"),
        (f"sheet 'cash_flow', row {row('cash_flow', entry)}, field 'amount': its allocations "
         f"(sheet 'cash_flow_allocation', rows"),
        (f"sheet 'exit_event', row {row('exit_event', sale)}, field 'realised_gain_amount': "
         f"is 1.00, not proceeds {sale['proceeds_amount']} − cost basis "
         f"{sale['cost_basis_amount']}"),
        (f"sheet 'exit_event', row {row('exit_event', write_off)}, field 'closes_holding': is "
         "set exactly when the whole holding is disposed of (fraction_disposed 1)"),
        (f"sheet 'escrow_release', row {row('escrow_release', forfeited)}, field "
         "'cash_flow_id': must be empty for a forfeited escrow"),
        (f"sheet 'interest_transfer', row {row('interest_transfer', transfer)}, field "
         f"'cash_flow_id': the allocations of sheet 'cash_flow', row {row('cash_flow', entry)}"),
    ]
    for line in expected:
        assert any(p.startswith(line) for p in problems), (line, problems)
    assert len(problems) == len(expected), problems
    db.session.rollback()
    assert table_counts() == before


def _target(reminder: dict[str, Any]) -> str:
    return {"lockup_end": "ipo_listing", "escrow_due": "exit_event",
            "buyback_trigger": "buyback_claim"}[reminder["kind"]]


def test_transfer_rows_are_accepted_exactly_as_the_services_write_them(
    app: Flask, tmp_path: Path
) -> None:
    """A negative commitment, a zero or mis-signed lp_transfer entry, a transfer to the
    seller itself and an existing listed price are refused; nothing is written."""
    ids = build_rich_data()
    export_dataset(str(tmp_path / "clean.json"))
    original = load_records(tmp_path / "clean.json")
    records = foreign(original)
    plain = next(c for c in records["commitment"] if not c["amount"].startswith("-"))
    plain["amount"] = "-" + plain["amount"]
    transfer = _by_id(records["interest_transfer"], ids["transfer"])
    entry = _by_id(records["cash_flow"], transfer["cash_flow_id"])
    entry["amount"] = "0.01"
    orphan = dict(entry, id=90001, source_ref=None)
    orphan["amount"] = "0.00"
    records["cash_flow"].append(orphan)
    call = next(r for r in records["cash_flow"] if r["kind"] == "capital_call")
    zero_call = dict(call, id=90002, amount="0.00", source_ref=None)
    records["cash_flow"].append(zero_call)
    records["listed_price"][0]["ticker"] = original["listed_price"][0]["ticker"]
    transfer["buyer_id"] = transfer["seller_id"]
    path = tmp_path / "bad.json"
    write_dataset(path, records)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    problems = "\n".join(caught.value.problems)
    n_flows = len(records["cash_flow"])
    for expected in (
        (f"sheet 'commitment', row {records['commitment'].index(plain) + 1}, field 'amount': "
        f"must not be negative, got '{plain['amount']}' (only the seller's row"),
        (f"sheet 'cash_flow', row {records['cash_flow'].index(entry) + 1}, field 'amount': is "
        "0.01, but an lp_transfer entry holds 0.00"),
        (f"sheet 'cash_flow', row {n_flows - 1}, field 'kind': an lp_transfer entry must be the "
        "cash_flow_id of an interest_transfer row"),
        (f"sheet 'cash_flow', row {n_flows}, field 'amount': must not be zero (only an "
        "lp_transfer entry holds 0.00)"),
        (f"sheet 'interest_transfer', row {records['interest_transfer'].index(transfer) + 1}, "
        "field 'buyer_id': is the seller"),
        "sheet 'listed_price', row 1, field 'traded_on': SSE:688001 already has a price on",
    ):
        assert expected in problems, (expected, problems)
    db.session.rollback()
    assert table_counts() == before
