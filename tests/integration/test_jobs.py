"""The daily job: lapses term sheets past their long-stop date, expires warrants; once per day."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent
from fundops.errors import ConflictError
from fundops.extensions import db
from fundops.jobs import JOB_DEFAULTS, JobRun, make_scheduler, run_daily
from fundops.syndication import lending, loan_events
from fundops.syndication.enums import TermSheetStatus
from fundops.syndication.loan_models import Loan, Warrant
from fundops.syndication.models import TermSheet, TermSheetEvent
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
    assert [job.id for job in scheduler.get_jobs()] == ["daily"]


def test_run_once_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "run-once", "--date", "2025-03-01"])
    assert first.exit_code == 0 and "lapsed term sheets: []" in first.output
    again = runner.invoke(args=["jobs", "run-once", "--date", "2025-03-01"])
    assert "already ran" in again.output
