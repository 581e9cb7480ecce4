"""Report runs are records: the same quarter with the same inputs returns the same run and
bytes; a correction makes version N + 1 saying what changed; one run per version however
many threads or scheduler runs race; the command line and the scheduled job."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent
from fundops.calc.periods import Quarter
from fundops.errors import ConflictError, Forbidden, NotFound, ValidationError
from fundops.extensions import db
from fundops.jobs.runner import run_job
from fundops.portfolio import ledger_services as ledger
from fundops.reports.runs import inputs as run_inputs
from fundops.reports.runs.enums import RunState, RunStatus, RunSubject
from fundops.reports.runs.models import ReportRun, ReportRunFile
from fundops.reports.runs.registry import get_pack, packs_for, register_pack, unregister_pack
from fundops.reports.runs.schedule import due_quarter, funds_due
from fundops.reports.runs.services import run_pack
from fundops.uow import Actor
from tests.factories import fund_with_activity, make_fund, make_world
from tests.integration.report_world import TEST_KIND, ledger_csv, use_test_pack
from tests.threads import race

Q = "2022Q4"


@pytest.fixture(autouse=True)
def _pack(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this module's test pack (and the organisation packs) are registered: the
    counts below are of its runs; the app's own fund pack is run by the demo's test."""
    from fundops.reports.runs import registry

    monkeypatch.setattr(registry, "_PACKS", {
        k: p for k, p in registry._PACKS.items() if p.subject is not registry.RunSubject.FUND})
    use_test_pack()


def _world() -> tuple[object, dict[str, int]]:
    world = make_world()
    return world, fund_with_activity(world)


def _runs() -> list[ReportRun]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(ReportRun).order_by(ReportRun.id)))


def _audits() -> int:
    return int(db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) or 0)


def _bytes(run: ReportRun) -> list[tuple[str, bytes]]:
    return [(f.name, db.session.scalar(sa.select(ReportRunFile.content).where(
        ReportRunFile.id == f.id)) or b"") for f in run.files]


def test_the_same_quarter_with_the_same_inputs_returns_the_existing_run(app: Flask) -> None:
    world, _ = _world()
    first = run_pack(world.gp, TEST_KIND, world.fund.id, Q, on=date(2023, 1, 15))
    assert first.state is RunState.NEW
    run = first.run
    expected = ledger_csv(world.gp, world.fund.id, Quarter(2022, 4))
    assert _bytes(run) == expected
    content = expected[0][1]
    assert run.files[0].sha256 == hashlib.sha256(content).hexdigest()
    assert run.files[0].size_bytes == len(content) and run.files[0].media_type == "text/csv"
    assert (run.version, run.status, run.as_of, run.quarter) == (
        1, RunStatus.CURRENT, date(2022, 12, 31), "2022Q4")
    assert run.fund_id == world.fund.id and run.organisation_id == world.gp.organisation_id
    assert run.reason == "first run of this quarter" and json.loads(run.changes) == []
    assert run.created_by_id == world.gp.user_id and run.created_via == "session"
    assert len(run.inputs_hash) == 64 and run.input_rows > 10 and run.data_version > 0
    audits = _audits()
    # a later quarter's posting is not an input of 2022Q4
    ledger.record_capital_call(world.gp, world.fund.id, value_on="2023-03-31",
                               amount="1000000", purpose="investment")
    audits = _audits()
    again = run_pack(world.gp, TEST_KIND, world.fund.id, "2022q4")
    assert again.state is RunState.UNCHANGED and again.run.id == run.id
    assert _bytes(again.run) == expected and again.run.inputs_hash == run.inputs_hash
    assert _audits() == audits  # nothing written
    assert [(r.version, r.status) for r in _runs()] == [(1, RunStatus.CURRENT)]


def test_a_correction_makes_a_new_version_that_says_what_changed(app: Flask) -> None:
    world, ids = _world()
    v1 = run_pack(world.gp, TEST_KIND, world.fund.id, Q).run
    reversal = ledger.reverse_entry(world.gp, world.fund.id, ids["distribution"], "录入错误")
    outcome = run_pack(world.gp, TEST_KIND, world.fund.id, Q)
    assert outcome.state is RunState.NEW_VERSION
    v2 = outcome.run
    assert v2.version == 2 and v2.inputs_hash != v1.inputs_hash
    assert v2.reason == (
        f"ledger entries: 1 added, of which 1 reversal(s) of #{ids['distribution']}, "
        "net -12,000,000.00 CNY; LP allocations of ledger entries: 3 added, "
        "net -12,000,000.00 CNY")
    changes = json.loads(v2.changes)
    assert changes[0] == {"source": "cash_flow", "added": 1, "removed": 0, "changed": 0,
                          "reversals": 1, "reversed_ids": [ids["distribution"]],
                          "added_ids": [reversal.id], "amounts": {"CNY": "-12000000.00"}}
    assert _bytes(v2) == ledger_csv(world.gp, world.fund.id, Quarter(2022, 4))
    assert _bytes(v2) != _bytes(v1)
    assert [(r.version, r.status) for r in _runs()] == [
        (1, RunStatus.SUPERSEDED), (2, RunStatus.CURRENT)]
    # a back-dated call and a renamed investor: both say so
    ledger.record_capital_call(world.gp, world.fund.id, value_on="2022-09-30",
                               amount="6000000", purpose="management_fee")
    v3 = run_pack(world.gp, TEST_KIND, world.fund.id, Q).run
    assert v3.version == 3
    assert v3.reason == ("ledger entries: 1 added, net 6,000,000.00 CNY; LP allocations of "
                         "ledger entries: 3 added, net 6,000,000.00 CNY")
    assert run_pack(world.gp, TEST_KIND, world.fund.id, Q).state is RunState.UNCHANGED
    audit = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "report_run.created").order_by(AuditEvent.id.desc())).first()
    assert audit.reason == v3.reason and '"version": 3' in audit.changes


def test_inputs_hash_is_the_sha256_of_the_canonical_lines(app: Flask) -> None:
    world, _ = _world()
    run = run_pack(world.gp, TEST_KIND, world.fund.id, Q).run
    rows = run_inputs.fund_inputs(world.fund.id, date(2022, 12, 31))
    lines = sorted((r.source, r.key, r.line()) for r in rows)
    text = "\n".join(line for _s, _k, line in lines)
    assert run.inputs_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert run.input_rows == len(lines)
    assert {s for s, _k, _l in lines} >= {"fund", "commitment", "investor", "cash_flow",
                                           "cash_flow_allocation", "fund_valuation",
                                           "holding_valuation", "investment", "company"}
    fund_line = next(line for s, _k, line in lines if s == "fund")
    assert '"stage"' not in fund_line and '"name_zh":"测试基金"' in fund_line
    call = next(line for s, _k, line in lines if s == "cash_flow" and "capital_call" in line)
    assert '"amount":"60000000.00"' in call and '"value_on":"2020-06-30"' in call


def test_bad_requests_name_the_field_and_write_nothing(app: Flask) -> None:
    world, _ = _world()
    cases = [
        ({"kind": "no_such_pack"}, ValidationError, "report_kind_unknown", "kind"),
        ({"quarter": "2022Q5"}, ValidationError, "quarter_invalid", "quarter"),
        ({"quarter": "2019Q4"}, ValidationError, "report_quarter_before_inception", "quarter"),
        ({"quarter": "2025Q3", "on": date(2025, 9, 30)}, ValidationError,
         "report_quarter_not_ended", "quarter"),
    ]
    before = _audits()
    for kw, error, code, field in cases:
        args = {"kind": TEST_KIND, "quarter": Q} | kw
        with pytest.raises(error) as caught:
            run_pack(world.gp, args["kind"], world.fund.id, args["quarter"], on=args.get("on"))
        assert caught.value.code == code and caught.value.field == field
    with pytest.raises(NotFound):
        run_pack(world.other, TEST_KIND, world.fund.id, Q)
    with pytest.raises(NotFound):  # an organisation pack for another organisation
        run_pack(world.gp, "bank_loan_book", world.other.organisation_id, Q)
    with pytest.raises(NotFound):  # the loan book is a bank's
        run_pack(world.gp, "bank_loan_book", world.gp.organisation_id, Q)
    reader = Actor(world.gp.user_id, world.gp.organisation_id, "viewer")
    with pytest.raises(Forbidden):
        run_pack(reader, TEST_KIND, world.fund.id, Q)
    assert _runs() == [] and _audits() == before


def test_registry_refuses_a_second_pack_under_a_kind_and_lists_by_subject(app: Flask) -> None:
    use_test_pack()  # the same pack again: a no-op
    with pytest.raises(ValueError, match="registered already"):
        register_pack(TEST_KIND, lambda actor, fund_id, quarter: [])
    with pytest.raises(ValueError, match="lower-case"):
        register_pack("Bad-Kind", ledger_csv)
    assert get_pack(TEST_KIND).subject is RunSubject.FUND
    assert TEST_KIND in [p.kind for p in packs_for(RunSubject.FUND)]
    assert [p.kind for p in packs_for(RunSubject.ORGANISATION)] == ["bank_loan_book"]


def test_run_rows_are_records_in_sql(app: Flask) -> None:
    world, _ = _world()
    run = run_pack(world.gp, TEST_KIND, world.fund.id, Q).run
    file_id = run.files[0].id
    for statement, params in (("UPDATE report_run SET kind = 'x' WHERE id = :id", run.id),
                              ("UPDATE report_run SET inputs_hash = 'x' WHERE id = :id", run.id),
                              ("DELETE FROM report_run WHERE id = :id", run.id),
                              ("UPDATE report_run_file SET name = 'x' WHERE id = :id", file_id),
                              ("DELETE FROM report_run_file WHERE id = :id", file_id)):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement), {"id": params})
        db.session.rollback()
    db.session.execute(sa.text("UPDATE report_run SET status = 'superseded' WHERE id = :id"),
                       {"id": run.id})  # the one column a new version moves
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):  # one row per (kind, subject, quarter, version)
        db.session.execute(sa.insert(ReportRun).values(
            {col.key: getattr(run, col.key) for col in ReportRun.__table__.c
             if col.key != "id"}))
    db.session.rollback()


def test_threads_running_one_quarter_at_once_make_one_run(app: Flask) -> None:
    world, ids = _world()
    db.session.commit()
    states: list[RunState] = []

    def go(_: int) -> None:
        states.append(run_pack(world.gp, TEST_KIND, world.fund.id, Q).state)

    assert race(app, go, range(6), Exception) == ["ok"] * 6
    assert Counter(states) == {RunState.NEW: 1, RunState.UNCHANGED: 5}
    assert [r.version for r in _runs()] == [1]
    ledger.reverse_entry(world.gp, world.fund.id, ids["call"], "金额错误")
    db.session.commit()
    states.clear()
    assert race(app, go, range(6), Exception) == ["ok"] * 6
    assert Counter(states) == {RunState.NEW_VERSION: 1, RunState.UNCHANGED: 5}
    assert [(r.version, r.status) for r in _runs()] == [
        (1, RunStatus.SUPERSEDED), (2, RunStatus.CURRENT)]


# --- the scheduled job ---------------------------------------------------------------------


def test_the_due_quarter_is_the_last_one_ended_n_days_before(app: Flask) -> None:
    assert due_quarter(date(2025, 7, 15), 15) == Quarter(2025, 2)  # day 15 after 30 June
    assert due_quarter(date(2025, 7, 14), 15) == Quarter(2025, 1)
    assert due_quarter(date(2025, 12, 31), 15) == Quarter(2025, 3)
    assert due_quarter(date(2026, 1, 15), 15) == Quarter(2025, 4)
    assert due_quarter(date(2025, 4, 1), 1) == Quarter(2025, 1)
    app.config["REPORTS_RUN_AFTER_DAYS"] = 30
    assert due_quarter(date(2025, 7, 20)) == Quarter(2025, 1)
    app.config["REPORTS_RUN_AFTER_DAYS"] = 0
    with pytest.raises(ValueError, match="at least 1"):
        due_quarter(date(2025, 7, 20))
    app.config.pop("REPORTS_RUN_AFTER_DAYS")


def _scheduled() -> Counter[tuple[str, int, str]]:
    return Counter((r.kind, r.subject_id, r.quarter) for r in _runs())


def test_the_job_runs_each_funds_pack_once_per_quarter(app: Flask) -> None:
    world, _ = _world()
    late = make_fund(world.gp, inception_on="2025-05-01",  # alive in 2025Q2
                     investment_period_end_on="2029-12-31", term_end_on="2032-12-31",
                     extension_end_on=None, vintage=2025)
    unborn = make_fund(world.gp, inception_on="2025-08-01", vintage=2025,  # not yet
                       investment_period_end_on="2029-12-31", term_end_on="2032-12-31",
                       extension_end_on=None)
    ended = make_fund(world.gp, inception_on="2015-01-01", term_end_on="2019-12-31",
                      extension_end_on=None, investment_period_end_on="2017-12-31",
                      vintage=2015)
    db.session.commit()
    assert funds_due(date(2025, 7, 14)) == [world.fund.id]  # 2025Q1 is due then
    due = funds_due(date(2025, 7, 16))
    assert world.fund.id in due and late.id in due
    assert unborn.id not in due and ended.id not in due
    result = run_job("quarterly_reports", date(2025, 7, 16))
    assert result.state == "claimed" and not result.failed
    assert set(result.done["run_fund_reports"]) == {world.fund.id, late.id}
    runs = _runs()
    assert all(r.created_via == "system" and r.created_by_id is None for r in runs)
    assert _scheduled() == Counter({(TEST_KIND, world.fund.id, "2025Q2"): 1,
                                    (TEST_KIND, late.id, "2025Q2"): 1})
    assert run_job("quarterly_reports", date(2025, 7, 16)).state == "already ran"
    ledger.record_capital_call(world.gp, world.fund.id, value_on="2025-06-30",
                               amount="1000000", purpose="investment")
    nxt = run_job("quarterly_reports", date(2025, 7, 17))  # a new day: nothing missing
    assert nxt.state == "claimed" and nxt.done["run_fund_reports"] == ()
    assert funds_due(date(2025, 7, 17)) == []
    assert len(_runs()) == 2  # the scheduler never makes a second version by itself


def test_two_scheduler_runs_at_once_make_one_run_per_fund_and_quarter(app: Flask) -> None:
    world, _ = _world()
    others = [make_fund(world.gp) for _ in range(4)]
    db.session.commit()
    states: list[str] = []
    # two processes on the same day (one holds the lease), and two on two days that both
    # find 2025Q2 due: each fund's run is made once
    days = [date(2025, 7, 16), date(2025, 7, 16), date(2025, 7, 17), date(2025, 7, 18)]
    assert race(app, lambda i: states.append(run_job("quarterly_reports", days[i]).state),
                range(4), Exception) == ["ok"] * 4
    assert states.count("claimed") == 3, states
    funds = [world.fund.id, *(f.id for f in others)]
    assert _scheduled() == Counter({(TEST_KIND, f, "2025Q2"): 1 for f in funds})


# --- the command line ----------------------------------------------------------------------


def test_reports_run_command_prints_each_run(app: Flask) -> None:
    world, ids = _world()
    runner = app.test_cli_runner()
    args = ["reports", "run", "--quarter", "2022Q4", "--fund", world.fund.code]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    run = _runs()[0]
    assert f"{world.fund.code} 2022Q4 {TEST_KIND}: new v1 (run {run.id}" in first.stdout
    assert f"sha256 {run.files[0].sha256[:16]}" in first.stdout
    assert "reports 2022Q4" in first.stderr  # the progress bar
    assert run.created_via == "cli" and run.created_by_id is None
    again = runner.invoke(args=args)
    assert f"{TEST_KIND}: unchanged v1 (run {run.id}" in again.stdout
    assert "1 run(s): 1 unchanged" in again.stdout
    ledger.reverse_entry(world.gp, world.fund.id, ids["distribution"], "录入错误")
    third = runner.invoke(args=args)
    assert f"{TEST_KIND}: new version v2" in third.stdout
    assert "— ledger entries: 1 added, of which 1 reversal(s)" in third.stdout


def test_reports_run_all_and_refusals(app: Flask) -> None:
    world, _ = _world()
    young = make_fund(world.gp, inception_on="2023-02-01", vintage=2023)
    runner = app.test_cli_runner()
    everything = runner.invoke(args=["reports", "run", "--quarter", "2022Q4", "--all"])
    assert everything.exit_code == 0, everything.output
    assert f"{world.fund.code} 2022Q4 {TEST_KIND}: new v1" in everything.stdout
    assert young.code not in everything.stdout  # not incepted by the quarter end
    refused = runner.invoke(args=["reports", "run", "--quarter", "2022Q4", "--fund",
                                  young.code])
    assert refused.exit_code == 1
    assert ("refused — quarter: the quarter 2022Q4 ends before the fund's inception on "
            "2023-02-01") in refused.stdout
    for bad in (["--quarter", "2022Q4"], ["--quarter", "2022Q4", "--all", "--fund", "X"]):
        assert runner.invoke(args=["reports", "run", *bad]).exit_code == 2
    wrong = runner.invoke(args=["reports", "run", "--quarter", "22Q4", "--all"])
    assert wrong.exit_code == 2 and "22Q4 is not a quarter" in wrong.output
    missing = runner.invoke(args=["reports", "run", "--quarter", "2022Q4", "--fund", "NOPE"])
    assert missing.exit_code == 1 and "no fund with the code 'NOPE'" in missing.output


def test_a_consolidated_pack_reads_the_parent_and_every_fund_below(app: Flask) -> None:
    from tests.integration.test_lookthrough import build_fof

    f = build_fof()
    end = date(2022, 12, 31)
    assert run_inputs.fund_tree(f.p.id, end) == [f.p.id, f.a.id, f.b.id, f.c.id]
    assert run_inputs.fund_tree(f.p.id, date(2021, 2, 1)) == [f.p.id]  # no commitment yet
    assert run_inputs.fund_tree(f.c.id, end) == [f.c.id]
    rows = run_inputs.fund_tree_inputs(f.p.id, end)
    funds = {r.key for r in rows if r.source == "fund"}
    assert funds == {f.p.id, f.a.id, f.b.id, f.c.id}
    own = run_inputs.digest(run_inputs.fund_inputs(f.p.id, end))
    tree = run_inputs.digest(rows)
    assert tree.digest != own.digest and tree.rows > own.rows
    assert len({(r.source, r.key) for r in rows}) == tree.rows  # shared rows counted once


def test_inputs_that_keep_moving_while_building_refuse_and_write_nothing(app: Flask) -> None:
    world, _ = _world()
    calls: list[int] = []

    def moving(fund_id: int, as_of: date) -> list[run_inputs.InputRow]:
        calls.append(fund_id)  # each read sees a new row: a writer outside the fund's lock
        return [run_inputs.InputRow("cash_flow", len(calls), {"id": len(calls)})]

    register_pack("test_moving", ledger_csv, inputs=moving)
    try:
        with pytest.raises(ConflictError) as caught:
            run_pack(world.gp, "test_moving", world.fund.id, Q)
    finally:
        unregister_pack("test_moving")
    assert caught.value.code == "report_inputs_moved" and len(calls) == 6  # 3 attempts
    assert _runs() == []
