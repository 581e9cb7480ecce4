"""The bank's loan book (issue 11 item 8): the book at a quarter end, its xlsx (numbers
as numbers with 元 formats, Chinese headers, a formula-looking name stored as text, the
same bytes each time), kept as a report run; two scheduler processes make one run."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.calc.periods import Quarter
from fundops.errors import NotFound
from fundops.extensions import db
from fundops.reports.bank import LOAN_BOOK, build_loan_book
from fundops.reports.bank.loan_book import load_loan_book
from fundops.reports.runs.enums import RunState
from fundops.reports.runs.models import ReportRun, ReportRunFile
from fundops.reports.runs.schedule import organisations_due
from fundops.reports.runs.services import run_pack
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import Loan, LoanScheduleRow
from fundops.syndication.pools import services as pools
from fundops.uow import Actor
from tests.factories import make_company
from tests.integration import test_linked_loans
from tests.integration.test_risk_pools import HUBEI, drawn_loan, funded_round, pool_for

ROOT = Path(__file__).resolve().parents[2]
FORMULA = '=HYPERLINK("http://x.example","点我")'
Q3 = Quarter(2024, 3)


@dataclass
class Book:
    bank: Actor
    gp: Actor
    other_bank: Actor
    loan: Loan
    formula_loan: Loan
    pool_name: str


def loan_book_world(monkeypatch: pytest.MonkeyPatch) -> Book:
    """A bank with two drawn loans: one enrolled in a HUBEI pool and partly repaid, one to
    a company whose name looks like a formula."""
    r = funded_round()
    manager, pool = pool_for(r, HUBEI, leverage_k="10")
    pools.add_contribution(manager, pool.id, funder="湖北省财政", amount="500000000",
                           contributed_on="2024-01-02")
    loan = drawn_loan(r, "10000000")  # disbursed 2024-07-10
    pools.enrol_loan(r.bank, pool.id, loan.id, "2024-07-10")
    lending.record_repayment(r.bank, loan.id, principal="1000000", interest="0",
                             value_on="2024-09-20")
    monkeypatch.setattr(test_linked_loans, "make_company",
                        lambda gp, _name: make_company(gp, FORMULA))
    other = funded_round()
    second = lending.apply_for_loan(r.bank, code=other.code, product_id=r.product_id,
                                    amount="3000000")
    lending.approve_loan(r.bank, second.id)
    lending.disburse(r.bank, second.id, amount="2000000", value_on="2024-08-01")
    db.session.commit()
    return Book(r.bank, r.gp, r.other_bank, db.session.get(Loan, loan.id),
                db.session.get(Loan, second.id), pool.name)


def _schedule(loan_id: int) -> list[LoanScheduleRow]:
    return list(db.session.scalars(sa.select(LoanScheduleRow).where(
        LoanScheduleRow.loan_id == loan_id).order_by(LoanScheduleRow.period)))


def test_the_book_at_a_quarter_end(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    w = loan_book_world(monkeypatch)
    assert load_loan_book(w.bank.organisation_id, date(2024, 6, 30)) == []
    first, second = load_loan_book(w.bank.organisation_id, Q3.end)
    schedule = _schedule(w.loan.id)
    upcoming = next(r for r in schedule if r.due_on > Q3.end)
    assert (first.loan_id, first.principal, first.share, first.disbursed, first.outstanding) == (
        w.loan.id, Decimal("10000000.00"), Decimal("10000000.00"), Decimal("10000000.00"),
        Decimal("9000000.00"))
    assert (first.next_due, first.next_instalment, first.maturity) == (
        upcoming.due_on, upcoming.principal + upcoming.interest, schedule[-1].due_on)
    assert (first.status, first.pool, first.enrolled, first.pool_share) == (
        "performing", w.pool_name, Decimal("10000000.00"), Decimal("0.8"))
    assert first.is_lead and first.round_name == "A" and first.annual_rate == w.loan.annual_rate
    assert (second.borrower, second.disbursed, second.outstanding, second.pool) == (
        FORMULA, Decimal("2000000.00"), Decimal("2000000.00"), "")
    # the repayment is dated in Q3: the book at the end of July does not see it
    july = load_loan_book(w.bank.organisation_id, date(2024, 7, 31))
    assert [x.outstanding for x in july] == [Decimal("10000000.00")]
    # a partner bank sees nothing of a loan it has no share in; another org has no book
    assert load_loan_book(w.other_bank.organisation_id, Q3.end) == []
    assert w.bank.organisation_id in organisations_due(date(2024, 10, 16))


def test_the_workbook_holds_numbers_headers_and_text(app: Flask,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    w = loan_book_world(monkeypatch)
    ((name, content),) = build_loan_book(w.bank, w.bank.organisation_id, Q3)
    assert name == "贷款台账-2024Q3.xlsx"
    assert build_loan_book(w.bank, w.bank.organisation_id, Q3)[0][1] == content  # same bytes
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["贷款台账", "说明 Notes"]
    sheet = book["贷款台账"]
    headers = [c.value for c in sheet[4]]
    assert headers[:3] == ["贷款编号", "借款企业", "统一社会信用代码"]
    assert headers[7:11] == ["贷款金额", "本行份额", "累计放款", "未偿本金"]
    assert [c.value for c in sheet[5]][10] == "Outstanding"
    row = list(sheet[6])
    assert row[0].value == w.loan.id and row[10].value == 9000000.0
    assert row[10].data_type == "n" and row[10].number_format == '#,##0.00"元"'
    assert row[11].value == float(w.loan.annual_rate) and row[11].number_format == "0.00%"
    assert row[12].value.date() > Q3.end and row[12].number_format == "yyyy-mm-dd"
    assert row[15].value == "正常" and row[18].value == 0.8
    formula = sheet.cell(row=7, column=2)
    assert formula.value == FORMULA and formula.data_type == "s"  # text, not a formula
    total = [c.value for c in sheet[8]]
    assert total[1] == "合计 Total" and total[9] == 12000000.0 and total[10] == 11000000.0
    assert book.properties.created.date() == Q3.end
    assert not any(isinstance(c.value, str) and c.data_type == "f"
                   for line in sheet.iter_rows() for c in line)


def test_the_book_is_kept_as_a_run_and_a_correction_makes_version_2(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    w = loan_book_world(monkeypatch)
    first = run_pack(w.bank, LOAN_BOOK, w.bank.organisation_id, "2024Q3")
    assert first.state is RunState.NEW and first.run.fund_id is None
    stored = db.session.scalar(sa.select(ReportRunFile.content).where(
        ReportRunFile.run_id == first.run.id))
    assert stored == build_loan_book(w.bank, w.bank.organisation_id, Q3)[0][1]
    again = run_pack(w.bank, LOAN_BOOK, w.bank.organisation_id, "2024Q3")
    assert again.state is RunState.UNCHANGED and again.run.id == first.run.id
    lending.record_repayment(w.bank, w.loan.id, principal="500000", interest="0",
                             value_on="2024-09-25")  # posted late, dated in the quarter
    later = run_pack(w.bank, LOAN_BOOK, w.bank.organisation_id, "2024Q3")
    assert later.state is RunState.NEW_VERSION and later.run.version == 2
    assert later.run.reason == "loan entries: 1 added, net 500,000.00 CNY"
    with pytest.raises(NotFound):
        run_pack(w.gp, LOAN_BOOK, w.gp.organisation_id, "2024Q3")  # not a bank
    with pytest.raises(NotFound):
        run_pack(w.other_bank, LOAN_BOOK, w.bank.organisation_id, "2024Q3")
    empty = run_pack(w.other_bank, LOAN_BOOK, w.other_bank.organisation_id, "2024Q3")
    assert empty.state is RunState.NEW and empty.run.input_rows == 0


_started: list[subprocess.Popen[str]] = []


@pytest.fixture
def _reap() -> Iterator[None]:
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _job_process(app: Flask, day: str) -> subprocess.Popen[str]:
    env = os.environ | {"FUNDOPS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                        "FUNDOPS_ENV_NAME": "test", "FUNDOPS_SECRET_KEY": "report-jobs"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from fundops.cli import main; main()", "jobs", "run-once",
         "--job", "quarterly_reports", "--date", day],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _started.append(proc)
    return proc


@pytest.mark.usefixtures("_reap")
def test_two_scheduler_processes_make_one_loan_book_per_bank_and_quarter(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    w = loan_book_world(monkeypatch)
    db.session.remove()
    # the same day twice (one holds the lease) and the next day: all find 2024Q3 due
    procs = [_job_process(app, day) for day in ("2024-10-16", "2024-10-16", "2024-10-17")]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, f"{out}\n{err}"
        outs.append(out)
    runs = db.session.scalars(sa.select(ReportRun).where(ReportRun.kind == LOAN_BOOK)).all()
    assert [(r.subject_id, r.quarter, r.version) for r in runs] == [
        (w.bank.organisation_id, "2024Q3", 1)], outs
    assert runs[0].created_via == "system"


def test_reports_run_all_records_each_banks_loan_book(app: Flask,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from fundops.auth.models import Organisation

    w = loan_book_world(monkeypatch)
    bank = db.session.get(Organisation, w.bank.organisation_id).name
    runner = app.test_cli_runner()
    args = ["reports", "run", "--quarter", "2024Q3", "--all", "--kind", LOAN_BOOK]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert f"{bank} 2024Q3 bank_loan_book: new v1" in first.stdout
    assert "sha256" in first.stdout and "1 run(s): 1 new" in first.stdout
    again = runner.invoke(args=args)
    assert f"{bank} 2024Q3 bank_loan_book: unchanged v1" in again.stdout
