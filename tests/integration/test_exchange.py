"""Whole-dataset export and import: round trips, all-or-nothing refusal, exactness, xlsx safety.

Every test runs on SQLite and on PostgreSQL (the ``app`` fixture). Data is built through
the services (tests/factories.py); a second, empty database comes from ``fresh_url``.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.security import check_password_hash

from fundops.auth.accounts import create_user
from fundops.exchange import ImportFailed, export_dataset, import_dataset
from fundops.exchange.schema import RECORD_TYPES, ref_target
from fundops.exchange.xlsx import write_xlsx
from fundops.extensions import db
from fundops.identifiers import make_uscc
from fundops.metrics.policy import load_index_levels, set_policy_rule
from fundops.models import (
    AuditEvent,
    CashFlow,
    CashFlowAllocation,
    Commitment,
    Fund,
    FundValuation,
    User,
)
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import services as pools
from fundops.syndication.term_sheets.models import TermSheetTranche
from tests.conftest import fresh_url, make_app, migrate
from tests.factories import PASSWORD, fund_with_activity, make_fund, make_user, make_world
from tests.integration.exit_world import build_exits
from tests.integration.test_risk_pools import HUBEI, drawn_loan, funded_round, pool_for
from tests.integration.waterfall_world import build_waterfalls

TRICKY_MEMOS = ("=1+2", "'=already quoted", "-minus", "+plus")
FORMATS = ("json", "xlsx")


# -- helpers ---------------------------------------------------------------------------


def build_rich_data() -> dict[str, int]:
    """Two tenants, a funded fund with one of every record type, a reversal, a
    fund-of-funds LP, a stage change, and free text that looks like formulas."""
    world = make_world()
    gp, fund = world.gp, world.fund
    ids = fund_with_activity(world)
    reversal = ledger.reverse_entry(gp, fund.id, ids["distribution"], "booked twice")
    ledger.record_fund_flow(gp, fund.id, kind="management_fee", value_on="2021-01-15",
                            amount="0.01", memo=TRICKY_MEMOS[0], counterparty="@SUM(A1)")
    for n, memo in enumerate(TRICKY_MEMOS[1:], start=1):
        ledger.record_fund_flow(gp, fund.id, kind="proceeds", value_on="2023-03-01",
                                amount=f"{n}500000.50", company_id=world.company.id, memo=memo,
                                source_ref=f"-PR-{n}")
    services.change_stage(gp, fund.id, "managing", "2025-01-01", reason="+period over")
    parent = make_fund(world.other, kind="parent_fund", registration_no="P-SXY-123",
                       is_guidance_fund=True, name_en="Parent FoF")
    lp_fund = services.create_investor(gp, "Parent FoF LP", "guidance_fund",
                                       fund_registration_no="P-SXY-123",
                                       uscc=make_uscc("91440300MA5F00001"))
    services.add_commitment(gp, fund.id, lp_fund.id, "50000000", date(2023, 1, 1), closing=2)
    ledger.record_capital_call(gp, fund.id, value_on="2023-06-30", amount="1000.03",
                               purpose="fund_expenses")
    create_user(email="viewer@gp.example.cn", display_name="Viewer", locale="en",
                organisation_name=world.gp_user.organisation.name, organisation_kind="gp",
                role="viewer", password=PASSWORD)
    set_policy_rule(world.other, parent.id, "hard_tech_min_share", {"min_share": "0.2"},
                    "subscribed", "2023-01-01", source_citation="=《办法》第十条")
    load_index_levels("CSI300", [("2024-01-02", "3386.35"), ("2024-01-03", "3370.123456")])
    build_loans()
    exits = build_exits(world, lp_fund)
    waterfall = build_waterfalls(gp)
    return {**ids, "reversal": reversal.id, "parent": parent.id, **exits, **waterfall}


def build_loans() -> None:
    """A funded term sheet with a drawn loan (and a declined application) enrolled in a
    pool with contributions, defaulted, claimed and partly recovered."""
    r = funded_round()
    for seq, (amount, condition) in enumerate((("60000000.00", ""), ("40000000.00", "=交割")), 1):
        db.session.add(TermSheetTranche(term_sheet_id=r.ts.id, seq=seq, amount=Decimal(amount),
                                        expected_on=date(2024, 7, seq), condition=condition))
    db.session.commit()
    manager, pool = pool_for(r, HUBEI, leverage_k="10", cap_per_loan="20000000")
    pools.add_contribution(manager, pool.id, funder="湖北省财政", amount="500000000",
                           contributed_on="2024-01-02")
    declined = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                      amount="1000000")
    lending.decline_loan(r.bank, declined.id, note="-no")
    loan = drawn_loan(r, "10000000")
    loan_events.add_warrant(r.bank, loan.id, holder_name="+银行甲投资", window_from="2024-07-10",
                            window_to="2027-07-10", coverage="0.1")
    pools.enrol_loan(r.bank, pool.id, loan.id, "2024-07-10")
    loan_events.declare_default(r.bank, loan.id, value_on="2025-03-31", reason="停止经营")
    pools.file_claim(r.bank, loan.id, "2025-04-15")
    loan_events.record_recovery(r.bank, loan.id, amount="1000000", value_on="2025-09-30",
                                memo="股权质押处置")


@contextmanager
def second_app(backend: str, request: pytest.FixtureRequest, tmp_root: str) -> Iterator[Flask]:
    """An application on a new, migrated, empty database; its context is pushed."""
    url = fresh_url(backend, request, tmp_root)
    migrate(url)
    other = make_app(url)
    with other.app_context():
        try:
            yield other
        finally:
            db.session.remove()
            db.engine.dispose()


def load_records(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The records of an exported file, read independently of fundops.exchange."""
    if path.suffix == ".json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert (doc["format"], doc["version"]) == ("fundops-dataset", 1)
        return doc["records"]
    book = openpyxl.load_workbook(path)
    meta = {r[0]: r[1] for r in book["meta"].iter_rows(min_row=2, values_only=True)}
    assert meta == {"format": "fundops-dataset", "version": 1}
    records = {}
    for sheet in book.worksheets[1:]:
        rows = list(sheet.iter_rows(values_only=True))
        records[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return records


def normalise_ids(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Replace every id and reference by the 1-based position of the record it names."""
    position = {name: {row.get("id"): i for i, row in enumerate(rows, start=1)}
                for name, rows in records.items()}
    out: dict[str, list[dict[str, Any]]] = {}
    for rtype in RECORD_TYPES:
        out[rtype.name] = []
        for row in records[rtype.name]:
            new = dict(row)
            for spec in rtype.fields:
                if spec.kind == "key":
                    new[spec.name] = position[rtype.name][row[spec.name]]
                elif spec.kind in ("ref", "objref") and row[spec.name] is not None:
                    new[spec.name] = position[ref_target(spec, row)][row[spec.name]]
            out[rtype.name].append(new)
    return out


def foreign(records: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The same records with every natural key changed, so they fit beside the originals."""
    copy = json.loads(json.dumps(records))
    for row in copy["organisation"]:
        row["name"] += " (copy)"
    for row in copy["user"]:
        row["email"] = "copy." + row["email"]
    for n, row in enumerate(copy["company"], start=1):
        row["uscc"] = make_uscc(f"91110000{n:09d}")
    for row in copy["fund"]:
        if row["registration_no"]:
            row["registration_no"] += "-C"
    for row in copy["index_level"]:
        row["index_code"] += "-C"
    for row in copy["listed_price"]:
        row["ticker"] += "-C"
    return copy


def write_dataset(path: Path, records: dict[str, list[dict[str, Any]]]) -> None:
    if path.suffix == ".json":
        doc = {"format": "fundops-dataset", "version": 1, "records": records}
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    else:
        write_xlsx(str(path), records)


def table_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


def first_row(ext: str) -> int:
    """Row number of the first record: the xlsx header is row 1, JSON counts from 1."""
    return 2 if ext == "xlsx" else 1


# -- 1. round trip ---------------------------------------------------------------------


@pytest.mark.parametrize("ext", FORMATS)
def test_export_import_export_is_identical_apart_from_ids(
    app: Flask, backend: str, request: pytest.FixtureRequest, tmp_root: str, tmp_path: Path,
    ext: str,
) -> None:
    build_rich_data()
    first, second = tmp_path / f"first.{ext}", tmp_path / f"second.{ext}"
    exported = export_dataset(str(first))
    assert exported["cash_flow"] == 30
    assert exported["cash_flow_allocation"] == 44
    assert all(exported[rt.name] > 0 for rt in RECORD_TYPES)
    with second_app(backend, request, tmp_root):
        imported = import_dataset(str(first))
        assert export_dataset(str(second)) == exported
        events = db.session.scalars(sa.select(AuditEvent)).all()
        assert [(e.action, e.object_type, e.auth_method, e.organisation_id, e.user_id)
                for e in events] == [("dataset.import", "dataset", "cli", None, None)]
        digest = hashlib.sha256(first.read_bytes()).hexdigest()
        assert digest.startswith(events[0].object_id)
        assert digest in events[0].reason
        assert json.loads(events[0].changes) == exported
        user = db.session.scalar(sa.select(User).where(User.email == "viewer@gp.example.cn"))
        assert user is not None
        assert check_password_hash(user.password_hash, PASSWORD)
        assert user.locale == "en"
        assert user.role.value == "viewer"
    assert imported == exported
    one, two = load_records(first), load_records(second)
    assert normalise_ids(one) == normalise_ids(two)
    assert one["user"][0]["created_at"].endswith("+00:00")


def test_import_beside_existing_data_remaps_ids(app: Flask, tmp_path: Path) -> None:
    build_rich_data()
    path = tmp_path / "data.json"
    export_dataset(str(path))
    records = load_records(path)
    before = table_counts()
    write_dataset(path, foreign(records))
    counts = import_dataset(str(path))
    after = table_counts()
    assert counts["cash_flow"] == before["cash_flow"]
    for rtype in RECORD_TYPES:
        assert after[rtype.model.__tablename__] == 2 * before[rtype.model.__tablename__]
    assert after["audit_event"] == before["audit_event"] + 1
    reversals = db.session.scalars(sa.select(CashFlow).where(CashFlow.reverses_id.is_not(None))
                                   .order_by(CashFlow.id)).all()
    assert len(reversals) == 10  # ledger, escrow, liquidation, transfer, run reversals, twice
    for rev in reversals:
        original = db.session.get(CashFlow, rev.reverses_id)
        assert original is not None
        assert original.fund_id == rev.fund_id
        assert rev.amount == -original.amount
    new_org_ids = {f.organisation_id for f in db.session.scalars(sa.select(Fund))}
    assert len(new_org_ids) == 6  # three managers, each twice


# -- 2. all or nothing -------------------------------------------------------------------


@pytest.mark.parametrize("ext", FORMATS)
def test_bad_rows_in_first_and_last_sheet_refuse_everything(
    app: Flask, tmp_path: Path, ext: str
) -> None:
    build_rich_data()
    export_dataset(str(tmp_path / "clean.json"))
    records = foreign(load_records(tmp_path / "clean.json"))
    records["commitment"][0]["currency"] = "XYZ"
    records["investment"][-1]["amount"] = "12.345"
    last = len(records["investment"]) - 1 + first_row(ext)
    path = tmp_path / f"bad.{ext}"
    write_dataset(path, records)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    assert caught.value.problems == [
        (
            f"sheet 'commitment', row {first_row(ext)}, field 'currency': is not a supported "
            "ISO 4217 currency code: 'XYZ'"
        ),
        (
            f"sheet 'investment', row {last}, field 'amount': must have at most 2 decimal places, "
            "got '12.345'"
        ),
    ]
    db.session.rollback()
    assert table_counts() == before


def test_every_kind_of_problem_is_reported_together(app: Flask, tmp_path: Path) -> None:
    ids = build_rich_data()
    export_dataset(str(tmp_path / "clean.json"))
    original = load_records(tmp_path / "clean.json")
    records = foreign(original)
    records["organisation"][1]["name"] = original["organisation"][0]["name"]  # in the database
    records["company"][0]["uscc"] = "91440300MA5F00001X"  # wrong check character
    records["fund"][0]["inception_on"] = "2020-02-30"
    records["fund"][1]["kind"] = "hedge_fund"
    records["investor"].append(dict(records["investor"][0]))  # duplicate id and name
    records["commitment"][1]["amount"] = "-5.00"
    records["commitment"][2]["investor_id"] = 999
    calls = [r for r in records["cash_flow"] if r["kind"] == "capital_call"]
    calls[0]["amount"] = "60000000.01"
    reversal = next(r for r in records["cash_flow"] if r["id"] == ids["reversal"])
    reversal["amount"] = "-11999999.99"
    records["fund_valuation"][0]["nav_amount"] = Decimal("1.5")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "fundops-dataset", "version": 1, "records": records},
                               default=float), encoding="utf-8")
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    problems = "\n".join(caught.value.problems)
    n_inv = len(records["investor"])
    for expected in (
        "sheet 'organisation', row 2, field 'name': an organisation named",
        "sheet 'fund', row 1, field 'inception_on': '2020-02-30' is not a date (YYYY-MM-DD)",
        "sheet 'fund', row 2, field 'kind': 'hedge_fund' is not one of: parent_fund",
        f"sheet 'investor', row {n_inv}, field 'id': id '",
        f"sheet 'investor', row {n_inv}, field 'name': organisation and name",
        "sheet 'commitment', row 2, field 'amount': must not be negative, got '-5.00'",
        (
            "sheet 'commitment', row 3, field 'investor_id': refers to investor id '999', which is "
            "not in the file"
        ),
        "sheet 'company', row 1, field 'uscc': has the wrong check character",
        (
            "field 'amount': its allocations (sheet 'cash_flow_allocation', rows 1, 2, 3) sum to "
            "60000000.00, not 60000000.01"
        ),
        (
            "field 'amount': -11999999.99 is not the negation of the reversed entry's amount "
            "12000000.00"
        ),
        "sheet 'fund_valuation', row 1, field 'nav_amount': must be written as text",
    ):
        assert expected in problems, f"missing {expected!r} in:\n{problems}"
    assert table_counts() == before


def test_cli_import_refuses_a_conflicting_dataset(app: Flask, tmp_path: Path) -> None:
    build_rich_data()
    path = tmp_path / "data.xlsx"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", str(path)])
    assert result.exit_code == 0, result.output
    before = table_counts()
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "sheet 'user', row 2, field 'email': a user with email" in result.output
    assert "nothing written" in result.output
    db.session.rollback()
    assert table_counts() == before


# -- 3. exactness ----------------------------------------------------------------------


@pytest.mark.parametrize("ext", FORMATS)
def test_extreme_amounts_survive_exactly(
    app: Flask, backend: str, request: pytest.FixtureRequest, tmp_root: str, tmp_path: Path,
    ext: str,
) -> None:
    big, small = Decimal("99999999999999.99"), Decimal("0.01")
    _, gp = make_user("Exact GP")
    fund = make_fund(gp, target_size_amount=str(big))
    lp = services.create_investor(gp, "Big LP", "private")
    services.add_commitment(gp, fund.id, lp.id, str(big), date(2020, 3, 1))
    ledger.record_capital_call(gp, fund.id, value_on="2020-06-30", amount=str(small),
                               purpose="management_fee")
    ledger.record_valuation(gp, fund.id, as_of="2020-12-31", nav_amount=str(big))
    path = tmp_path / f"exact.{ext}"
    export_dataset(str(path))
    with second_app(backend, request, tmp_root):
        import_dataset(str(path))
        assert db.session.scalar(sa.select(Fund.target_size_amount)) == big
        assert db.session.scalar(sa.select(Commitment.amount)) == big
        assert db.session.scalar(sa.select(FundValuation.nav_amount)) == big
        assert db.session.scalar(sa.select(CashFlow.amount)) == small
        assert db.session.scalar(sa.select(CashFlowAllocation.amount)) == small
        assert str(db.session.scalar(sa.select(Commitment.amount))) == "99999999999999.99"
    records = load_records(path)
    assert records["commitment"][0]["amount"] == "99999999999999.99"
    assert records["cash_flow"][0]["amount"] == "0.01"


# -- 4. xlsx safety --------------------------------------------------------------------


def test_xlsx_amounts_are_text_and_formula_like_text_is_escaped(
    app: Flask, backend: str, request: pytest.FixtureRequest, tmp_root: str, tmp_path: Path
) -> None:
    build_rich_data()
    path = tmp_path / "data.xlsx"
    export_dataset(str(path))
    book = openpyxl.load_workbook(path)
    assert all(cell.data_type != "f" for ws in book.worksheets for row in ws.iter_rows()
               for cell in row)
    flows = book["cash_flow"]
    header = [c.value for c in flows[1]]
    amount_col, memo_col = header.index("amount"), header.index("memo")
    amounts = [row[amount_col] for row in flows.iter_rows(min_row=2)]
    assert amounts
    assert all(c.data_type == "s" for c in amounts)
    assert "-12000000.00" in [c.value for c in amounts]
    memos = {row[memo_col].value: row[memo_col].data_type for row in flows.iter_rows(min_row=2)}
    assert memos["'=1+2"] == "s"
    assert memos["''=already quoted"] == "s"
    assert memos["'-minus"] == "s"
    assert memos["'+plus"] == "s"
    with second_app(backend, request, tmp_root):
        import_dataset(str(path))
        stored = set(db.session.scalars(sa.select(CashFlow.memo)))
        assert set(TRICKY_MEMOS) <= stored
        assert "@SUM(A1)" in set(db.session.scalars(sa.select(CashFlow.counterparty)))


def test_xlsx_formula_cell_is_a_row_error(app: Flask, tmp_path: Path) -> None:
    build_rich_data()
    export_dataset(str(tmp_path / "clean.json"))
    path = tmp_path / "formula.xlsx"
    write_xlsx(str(path), foreign(load_records(tmp_path / "clean.json")))
    book = openpyxl.load_workbook(path)
    header = [c.value for c in book["fund"][1]]
    book["fund"].cell(row=2, column=header.index("name_zh") + 1, value="=1+1")
    book.save(path)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    assert caught.value.problems == [
        (
            "sheet 'fund', row 2, field 'name_zh': cell holds a formula '=1+1'; enter the value "
            "itself (formulas are never evaluated)"
        )
    ]
    assert table_counts() == before


FUND_HEADER = ["id", "organisation_id", "code", "name_zh", "name_en", "kind", "currency",
               "vintage", "target_size_amount", "inception_on", "investment_period_end_on",
               "term_end_on", "extension_end_on", "stage", "region_code", "registration_no",
               "is_guidance_fund"]


def hand_written_book(path: Path, fund_row: list[Any], extra_header: tuple[str, ...] = ()) -> None:
    """A workbook typed by hand: text keys, no timestamps, only two record types."""
    book = openpyxl.Workbook()
    meta = book.active
    meta.title = "meta"
    for row in (["key", "value"], ["format", "fundops-dataset"], ["version", 1]):
        meta.append(row)
    orgs = book.create_sheet("organisation")
    orgs.append(["id", "name", "kind"])
    orgs.append(["org-a", "Hand GP", "gp"])
    funds = book.create_sheet("fund")
    funds.append(FUND_HEADER + list(extra_header))
    funds.append(fund_row)
    book.save(path)


def test_hand_written_xlsx_with_text_keys_imports(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "hand.xlsx"
    hand_written_book(path, ["f-1", "org-a", "HF1", "手工基金", None, "sub_fund", "cny", 2021,
                             "1000000.5", "2021-01-01", "2025-12-31", "2028-12-31", None,
                             "investing", "440300", None, True])
    assert import_dataset(str(path))["fund"] == 1
    fund = db.session.scalar(sa.select(Fund).where(Fund.code == "HF1"))
    assert fund is not None
    assert (fund.currency, fund.target_size_amount, fund.is_guidance_fund) == (
        "CNY", Decimal("1000000.50"), True)
    assert fund.created_at.tzinfo is not None


def test_hand_written_xlsx_numbers_where_text_belongs_are_row_errors(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "hand.xlsx"
    hand_written_book(path, [7.5, "org-a", "HF1", "手工基金", None, "sub_fund", "CNY", 2021.5,
                             1000000.5, "2021-02-30", "2025-12-31", "2028-12-31", None,
                             "investing", "440300", None, "yes", "blue", "stray"],
                      extra_header=("colour",))
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    assert caught.value.problems == [
        "sheet 'fund': unknown column 'colour' in the header row",
        "sheet 'fund', row 2: cell S2 has a value but no known column header",
        "sheet 'fund', row 2, field 'id': is not a valid id: '7.5'",
        "sheet 'fund', row 2, field 'vintage': must be an integer, got '2021.5'",
        (
            "sheet 'fund', row 2, field 'target_size_amount': must be written as text (a decimal "
            "string such as \"1234.50\"), not a number '1000000.5'"
        ),
        "sheet 'fund', row 2, field 'inception_on': '2021-02-30' is not a date (YYYY-MM-DD)",
        "sheet 'fund', row 2, field 'is_guidance_fund': must be true or false, got 'yes'",
    ]
    assert table_counts() == before


def _zip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def test_xml_entity_expansion_is_refused(app: Flask, tmp_path: Path) -> None:
    build_rich_data()
    clean, evil = tmp_path / "clean.xlsx", tmp_path / "laughs.xlsx"
    export_dataset(str(clean))
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE workbook [<!ENTITY lol0 "lol">{lol}]>'.encode()
    with zipfile.ZipFile(clean) as src, zipfile.ZipFile(evil, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                head, _, rest = data.partition(b"?>")
                data = head + b"?>" + doctype + rest.replace(b"<sheets>", b"<sheets>&lol9;", 1)
            dst.writestr(info, data)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(evil))
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(
        "file: cannot be read as an xlsx workbook: EntitiesForbidden"), caught.value.problems
    assert table_counts() == before


def test_files_that_are_not_datasets_are_refused(app: Flask, tmp_path: Path) -> None:
    before = table_counts()
    exe = tmp_path / "renamed.xlsx"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    not_book = tmp_path / "plain.xlsx"
    _zip(not_book, {"hello.txt": b"hi"})
    many = tmp_path / "many.xlsx"
    _zip(many, {f"x/{i}.xml": b"" for i in range(1001)})
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
        chunk = b"\x00" * (1 << 20)
        for _ in range(301):
            member.write(chunk)
    huge = tmp_path / "huge.xlsx"
    with open(huge, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(51 * 1024 * 1024)
    text = tmp_path / "data.json"
    text.write_text('{"format": "other", "version": 1, "records": {}}', encoding="utf-8")
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    cases = {
        exe: "file: is not an xlsx workbook (it does not start with the zip signature)",
        not_book: "file: is a zip file but not an xlsx workbook",
        many: "file: holds 1001 zip entries; the limit is 1000",
        bomb: "file: would unpack to 315,621,376 bytes; the limit is 314,572,800 bytes",
        huge: "file: is 53,477,376 bytes; the limit is 52,428,800 bytes (50 MB)",
        text: "file: format is 'other', expected 'fundops-dataset'",
        csv: "file: unsupported file type '.csv'; use .json or .xlsx",
    }
    for path, message in cases.items():
        with pytest.raises(ImportFailed) as caught:
            import_dataset(str(path))
        assert caught.value.problems == [message], path.name
    assert table_counts() == before


def test_format_document_lists_every_record_type_and_field() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "exchange-format.md").read_text(encoding="utf-8")
    sections = doc.split("\n### ")[1:]
    assert [s.split("`")[1] for s in sections] == [rt.name for rt in RECORD_TYPES]
    for rtype, section in zip(RECORD_TYPES, sections, strict=True):
        listed = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
        assert listed == list(rtype.field_names), rtype.name
