"""The daily job: lapses term sheets past their long-stop date, expires warrants; once per day."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent
from fundops.db import utcnow
from fundops.errors import ConflictError
from fundops.extensions import db
from fundops.jobs.leases import Lease, claim
from fundops.jobs.models import JobRun
from fundops.jobs.runner import JOB_DEFAULTS, make_scheduler, run_daily
from fundops.syndication.enums import TermSheetStatus
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import Loan, Warrant
from fundops.syndication.term_sheets.models import TermSheet, TermSheetEvent
from fundops.uow import unit_of_work
from tests.conftest import make_app
from tests.integration.test_linked_loans import build_round


def test_daily_job_lapses_expired_rounds_flags_loans_and_runs_once_per_day(app: Flask) -> None:
    r = build_round()  # long-stop 2024-12-31, IC approved, lead's equity arrived
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    lending.approve_loan(r.bank, loan.id)
    warrant = loan_events.add_warrant(r.bank, loan.id, holder_name="第三方", coverage="0.1",
                                      window_from="2024-07-01", window_to="2024-12-31")
    assert run_daily(date(2024, 12, 31)).lapsed == ()  # the long-stop day itself is still open
    result = run_daily(date(2025, 1, 1))
    assert result.ran and result.lapsed == (r.ts.id,) and result.expired_warrants == (warrant.id,)
    db.session.expire_all()
    assert db.session.get(TermSheet, r.ts.id).status is TermSheetStatus.LAPSED
    assert "lapsed" in db.session.get(Loan, loan.id).flag
    assert db.session.get(Warrant, warrant.id).status == "expired"
    last = db.session.scalar(sa.select(TermSheetEvent).order_by(TermSheetEvent.id.desc()))
    assert last.to_status is TermSheetStatus.LAPSED and last.by_user_id is None
    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    assert not run_daily(date(2025, 1, 1)).ran  # a second process or a rerun: no-op
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events
    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 2
    with pytest.raises(ConflictError, match="term sheet is lapsed"):
        lending.disburse(r.bank, loan.id, amount="1", value_on="2025-01-02")


def test_scheduler_settings_follow_the_reliability_rules(app: Flask) -> None:
    scheduler = make_scheduler(app)
    assert JOB_DEFAULTS == {"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1}
    assert str(scheduler.timezone) == "Asia/Shanghai"
    assert [job.id for job in scheduler.get_jobs()] == ["daily", "quarterly_reports"]


def test_scheduler_logs_missed_and_failed_runs(app: Flask,
                                               caplog: pytest.LogCaptureFixture) -> None:
    from datetime import UTC, datetime

    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent

    scheduler = make_scheduler(app)
    caplog.set_level("INFO", logger="fundops.jobs")
    when = datetime(2025, 1, 1, 17, tzinfo=UTC)
    scheduler._dispatch_event(JobExecutionEvent(EVENT_JOB_MISSED, "daily", None, when))
    scheduler._dispatch_event(JobExecutionEvent(EVENT_JOB_ERROR, "daily", None, when,
                                                exception=RuntimeError("db down")))
    lines = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert lines == ["event=missed job=daily scheduled=2025-01-01T17:00:00+00:00",
                     ("event=job_error job=daily scheduled=2025-01-01T17:00:00+00:00 "
                      "error=\"RuntimeError('db down')\"")]


def test_run_once_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "run-once", "--date", "2025-03-01"])
    assert first.exit_code == 0 and "lapsed term sheets: []" in first.output
    again = runner.invoke(args=["jobs", "run-once", "--date", "2025-03-01"])
    assert "already ran" in again.output


def test_a_failed_item_leaves_the_period_failed_and_the_rerun_retries_it(
        app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from fundops.syndication.term_sheets import services as term_sheets

    first, second = build_round(), build_round()
    real_record = term_sheets.record

    def flaky(**kw):  # type: ignore[no-untyped-def]
        if kw["object_id"] == second.ts.id:
            raise RuntimeError("database hiccup")
        return real_record(**kw)

    monkeypatch.setattr(term_sheets, "record", flaky)
    caplog.set_level("INFO", logger="fundops.jobs")
    result = run_daily(date(2025, 1, 1))
    assert result.state == "claimed" and result.lapsed == (first.ts.id,)
    assert result.failed == (f"term_sheet {second.ts.id}: RuntimeError",)
    db.session.expire_all()
    run = db.session.scalars(sa.select(JobRun)).one()
    assert run.status == "failed" and "1 item(s) failed" in run.error
    assert run.finished_at is None and run.lease_expires_at <= utcnow()  # released at once
    assert db.session.get(TermSheet, second.ts.id).status is TermSheetStatus.IC_APPROVED
    messages = [r.getMessage() for r in caplog.records if r.name == "fundops.jobs"]
    assert any(m.startswith("event=claim job=daily period=2025-01-01") for m in messages)
    assert any(m.startswith("event=item_failed") and f"term_sheet:{second.ts.id}" in m
               for m in messages)
    assert any(m.startswith("event=failed") for m in messages)

    monkeypatch.setattr(term_sheets, "record", real_record)
    again = run_daily(date(2025, 1, 1))  # no wait: the failed run released its lease
    assert again.state == "resumed" and again.lapsed == (second.ts.id,) and not again.failed
    db.session.expire_all()
    run = db.session.scalars(sa.select(JobRun)).one()
    assert (run.status, run.attempts, run.error) == ("finished", 2, None)
    lapses = db.session.scalars(sa.select(TermSheetEvent.term_sheet_id).where(
        TermSheetEvent.to_status == TermSheetStatus.LAPSED).order_by(TermSheetEvent.id)).all()
    assert lapses == [first.ts.id, second.ts.id]
    assert run_daily(date(2025, 1, 1), take_over=True).state == "already ran"


def test_a_live_lease_elsewhere_makes_the_run_a_no_op_and_status_shows_it(app: Flask) -> None:
    r = build_round()
    held = claim("daily", "2025-01-01")
    assert isinstance(held, Lease)
    result = run_daily(date(2025, 1, 1))
    assert (result.ran, result.state) == (False, "running elsewhere")
    db.session.expire_all()
    assert db.session.get(TermSheet, r.ts.id).status is TermSheetStatus.IC_APPROVED
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["jobs", "status"])
    assert shown.exit_code == 0
    assert f"daily 2025-01-01: running; attempts 1; owner {held.owner}" in shown.output
    busy = runner.invoke(args=["jobs", "run-once", "--date", "2025-01-01"])
    assert "running elsewhere" in busy.output and "lease until" in busy.output
    with unit_of_work():  # the holder died: its lease runs out
        db.session.execute(sa.update(JobRun).values(lease_expires_at=utcnow()))
    assert "lease expired: crashed?" in runner.invoke(args=["jobs", "status"]).output
    resumed = runner.invoke(args=["jobs", "run-once", "--date", "2025-01-01"])
    assert resumed.stdout.startswith(f"resumed: lapsed term sheets: [{r.ts.id}]")
    assert "daily 2025-01-01: finished; attempts 2" in resumed.output


def test_migration_turns_old_unfinished_runs_into_resumable_ones(empty_db_url: str) -> None:
    from flask_migrate import upgrade

    app = make_app(empty_db_url)
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO job_run (job_name, period_key, started_at, finished_at, outcome) "
                "VALUES ('daily', '2025-01-01', :t, :t, 'lapsed 3'), "
                "('daily', '2025-01-02', :t, NULL, '')"), {"t": utcnow()})
        upgrade()
        assert run_daily(date(2025, 1, 1)).state == "already ran"
        assert run_daily(date(2025, 1, 2)).state == "resumed"
        db.session.remove()
        db.engine.dispose()


def test_the_lapse_and_expiry_services_act_once_and_only_when_due(app: Flask) -> None:
    from fundops.syndication.term_sheets import services as term_sheets

    r = build_round()  # long-stop 2024-12-31
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    lending.approve_loan(r.bank, loan.id)
    warrant = loan_events.add_warrant(r.bank, loan.id, holder_name="第三方", coverage="0.1",
                                      window_from="2024-07-01", window_to="2024-12-31")
    day = date(2025, 1, 1)
    assert r.ts.id in term_sheets.term_sheets_past_long_stop(day)
    assert r.ts.id not in term_sheets.term_sheets_past_long_stop(date(2024, 12, 31))
    assert warrant.id in loan_events.warrants_past_window(day)
    assert not term_sheets.lapse_past_long_stop(r.ts.id, date(2024, 12, 31))  # not due yet
    assert not loan_events.expire_past_window(warrant.id, date(2024, 12, 31))
    assert term_sheets.lapse_past_long_stop(r.ts.id, day, source="operator")
    assert not term_sheets.lapse_past_long_stop(r.ts.id, day)  # lapsed already: nothing
    assert loan_events.expire_past_window(warrant.id, day)
    assert not loan_events.expire_past_window(warrant.id, day)
    db.session.expire_all()
    assert db.session.get(TermSheet, r.ts.id).status is TermSheetStatus.LAPSED
    assert "(operator)" in db.session.get(Loan, loan.id).flag
    closed = db.session.get(Warrant, warrant.id)
    assert (closed.status, closed.closed_on) == ("expired", date(2024, 12, 31))
    audits = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.auth_method == "system").order_by(AuditEvent.id)).all()
    assert audits == ["term_sheet.status", "warrant.expired"]
    assert r.ts.id not in term_sheets.term_sheets_past_long_stop(day)
    assert warrant.id not in loan_events.warrants_past_window(day)
    assert run_daily(day).lapsed == ()  # the daily job finds nothing left to do
