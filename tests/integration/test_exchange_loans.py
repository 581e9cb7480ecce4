"""Whole-dataset import of term sheets, loans, risk pools, policy rules and index levels:
bad rows named by sheet, row and field, and nothing written.

The round trip of these record types is in tests/integration/test_exchange.py, whose
rich dataset includes them (see ``build_loans`` there).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from fundops.exchange import ImportFailed, export_dataset, import_dataset
from fundops.extensions import db
from tests.integration.test_exchange import (
    FORMATS,
    build_rich_data,
    first_row,
    foreign,
    load_records,
    table_counts,
    write_dataset,
)


@pytest.mark.parametrize("ext", FORMATS)
def test_bad_loan_rows_are_reported_by_sheet_row_and_field_and_write_nothing(
    app: Flask, tmp_path: Path, ext: str
) -> None:
    build_rich_data()
    export_dataset(str(tmp_path / "clean.json"))
    records = foreign(load_records(tmp_path / "clean.json"))
    records["loan_entry"][0]["loan_id"] = 999
    records["term_sheet"][0]["reserved_amount"] = "1.00"
    records["risk_pool"][0]["enrolled_amount"] = "0.00"
    path = tmp_path / f"bad.{ext}"
    write_dataset(path, records)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    row = first_row(ext)
    assert caught.value.problems == [
        (f"sheet 'term_sheet', row {row}, field 'reserved_amount': is 1.00, but the live "
         f"reserved_amount of sheet 'loan' (rows {row + 1}) sum to 10000000.00"),
        (f"sheet 'loan_entry', row {row}, field 'loan_id': refers to loan id '999', which is "
         "not in the file"),
        (f"sheet 'risk_pool', row {row}, field 'enrolled_amount': is 0.00, but the amount of "
         f"sheet 'risk_pool_enrolment' (rows {row}) sum to 10000000.00"),
    ]
    db.session.rollback()
    assert table_counts() == before


def test_loan_reversals_duplicates_and_existing_index_levels_are_refused(
    app: Flask, tmp_path: Path
) -> None:
    build_rich_data()
    export_dataset(str(tmp_path / "clean.json"))
    original = load_records(tmp_path / "clean.json")
    records = foreign(original)
    records["index_level"][0]["index_code"] = original["index_level"][0]["index_code"]
    entry = records["loan_entry"][0]
    records["loan_entry"].append({**entry, "id": 9001, "amount": "-1.00",
                                  "reverses_id": entry["id"]})
    records["loan_schedule_row"].append({**records["loan_schedule_row"][0], "id": 9002})
    records["risk_pool_enrolment"][0]["loan_id"] = records["loan"][0]["id"]
    records["risk_pool_enrolment"].append({**records["risk_pool_enrolment"][0], "id": 9003})
    records["term_sheet_funding"][0]["cash_flow_id"] = None
    path = tmp_path / "bad.json"
    write_dataset(path, records)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    n_entries, n_rows = len(records["loan_entry"]), len(records["loan_schedule_row"])
    schedule_loan = records["loan_schedule_row"][0]["loan_id"]
    assert caught.value.problems == [
        (f"sheet 'index_level', row 1, field 'on': index "
         f"'{original['index_level'][0]['index_code']}' already has a level on 2024-01-02 in "
         "the database"),
        ("sheet 'term_sheet_funding', row 1, field 'cash_flow_id': is required for ledger "
         "funding"),
        (f"sheet 'loan_entry', row {n_entries}, field 'amount': -1.00 is not the negation of "
         f"the reversed entry's amount {entry['amount']} (row 1)"),
        (f"sheet 'loan_schedule_row', row {n_rows}, field 'period': loan and period "
         f"({schedule_loan}, 1) is already used by row 1"),
        ("sheet 'risk_pool', row 1, field 'enrolled_amount': is 10000000.00, but the amount of "
         "sheet 'risk_pool_enrolment' (rows 1, 2) sum to 20000000.00"),
        (f"sheet 'risk_pool_enrolment', row 2, field 'loan_id': loan "
         f"({records['loan'][0]['id']}) is already used by row 1"),
    ]
    assert table_counts() == before
