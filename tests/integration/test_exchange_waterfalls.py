"""Export and import of the distribution waterfall (terms, GP parties, 让利 tiers and
beneficiaries, runs, slices, run reversals), on both databases: the world of
tests/integration/test_waterfalls.py (terms with a concession tier, two runs, a
reversal) round-trips exactly into an empty database and its runs' entries stay
reversible only through the run; bad waterfall rows are named by sheet, row and field
with nothing written. The demo's round trip (with its waterfall runs) is in
tests/integration/test_exchange_exits.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.auth.models import User
from fundops.errors import ValidationError
from fundops.exchange import ImportFailed, export_dataset, import_dataset
from fundops.exits import waterfalls
from fundops.exits.models import WaterfallRun, WaterfallRunReversal
from fundops.extensions import db
from fundops.models import CashFlow, Fund
from fundops.portfolio import ledger_services as ledger
from tests.factories import actor_for, make_user, next_n
from tests.integration.test_exchange import (
    FORMATS,
    first_row,
    foreign,
    load_records,
    normalise_ids,
    second_app,
    table_counts,
    write_dataset,
)
from tests.integration.waterfall_world import build_waterfalls

TABLES = ("waterfall_terms", "waterfall_gp_party", "waterfall_concession",
          "waterfall_beneficiary", "waterfall_run", "waterfall_slice", "waterfall_run_reversal")


def build_world() -> str:
    """The waterfall world (tests/integration/waterfall_world.py) of a new GP; returns the
    GP user's email."""
    user, gp = make_user(f"GP {next_n()}")
    build_waterfalls(gp)
    return user.email


def test_the_waterfall_world_round_trips_exactly(
    app: Flask, backend: str, request: pytest.FixtureRequest, tmp_root: str, tmp_path: Path,
) -> None:
    email = build_world()
    db.session.commit()
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    exported = export_dataset(str(first))
    assert {name: exported[name] for name in TABLES} == {
        "waterfall_terms": 1, "waterfall_gp_party": 1, "waterfall_concession": 1,
        "waterfall_beneficiary": 2, "waterfall_run": 2, "waterfall_slice": 10,
        "waterfall_run_reversal": 1}
    with second_app(backend, request, tmp_root):
        assert import_dataset(str(first)) == exported
        assert export_dataset(str(second)) == exported
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None
        gp = actor_for(user)
        fund = db.session.scalar(sa.select(Fund).where(Fund.organisation_id == gp.organisation_id))
        assert fund is not None
        reversed_ids = set(db.session.scalars(sa.select(WaterfallRunReversal.run_id)))
        live = db.session.scalars(sa.select(WaterfallRun).where(
            WaterfallRun.fund_id == fund.id, WaterfallRun.id.not_in(reversed_ids))).one()
        with pytest.raises(ValidationError) as plain:
            ledger.reverse_entry(gp, fund.id, live.cash_flow_id, "plain")
        assert plain.value.code == "waterfall_reverse_the_run"
        reversal = waterfalls.reverse_run(gp, fund.id, live.id, "after the import")
        entry = db.session.get(CashFlow, reversal.cash_flow_id)
        assert entry is not None and entry.reverses_id == live.cash_flow_id
        db.session.rollback()
    assert normalise_ids(load_records(first)) == normalise_ids(load_records(second))


def _position(rows: list[dict[str, Any]], row: dict[str, Any], ext: str) -> int:
    return rows.index(row) + first_row(ext)


@pytest.mark.parametrize("ext", FORMATS)
def test_bad_waterfall_rows_are_named_by_sheet_row_and_field_and_write_nothing(
    app: Flask, tmp_path: Path, ext: str
) -> None:
    build_world()
    db.session.commit()
    export_dataset(str(tmp_path / "clean.json"))
    records = foreign(load_records(tmp_path / "clean.json"))
    terms_row = records["waterfall_terms"][0]
    terms_row["carry_rate"] = "1"
    tier = records["waterfall_concession"][0]
    tier["government_id"] = records["waterfall_beneficiary"][0]["investor_id"]
    run, later = records["waterfall_run"]
    piece = next(s for s in records["waterfall_slice"]
                 if s["run_id"] == run["id"] and Decimal(s["payment_amount"]) > 0)
    piece["payment_amount"] = str(Decimal(piece["payment_amount"]) + 1)
    reversal = records["waterfall_run_reversal"][0]
    assert reversal["run_id"] == later["id"]
    reversal["run_id"] = run["id"]
    unknown = dict(reversal, id=999, run_id=999, cash_flow_id=later["cash_flow_id"])
    records["waterfall_run_reversal"].append(unknown)
    path = tmp_path / f"bad.{ext}"
    write_dataset(path, records)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    problems = caught.value.problems
    row = lambda sheet, r: _position(records[sheet], r, ext)  # noqa: E731
    expected = [
        (f"sheet 'waterfall_terms', row {row('waterfall_terms', terms_row)}, field "
         "'carry_rate': "),
        (f"sheet 'waterfall_concession', row {row('waterfall_concession', tier)}, field "
         "'government_id': "),
        (f"sheet 'waterfall_run', row {row('waterfall_run', run)}, field 'cash_flow_id': "
         "the allocations of sheet 'cash_flow'"),
        (f"sheet 'waterfall_run_reversal', row {row('waterfall_run_reversal', reversal)}, "
         "field 'cash_flow_id': "),
        (f"sheet 'waterfall_run_reversal', row {row('waterfall_run_reversal', unknown)}, "
         "field 'run_id': refers to waterfall_run id '999', which is not in the file"),
    ]
    for line in expected:
        assert any(p.startswith(line) for p in problems), (line, "\n".join(problems))
    assert len(problems) == len(expected), problems
    db.session.rollback()
    assert table_counts() == before
