"""Scheduled jobs: one dedicated process (``fundops jobs run``), never inside web workers.

APScheduler 3.11 with its in-memory job store (a database job store pickles jobs), an
explicit Asia/Shanghai timezone and ``misfire_grace_time=3600, coalesce=True,
max_instances=1``, so a run that is late by up to an hour still happens once. Each run
first inserts a ``job_run`` row whose UNIQUE (job_name, period_key) makes a second
process, or a rerun for the same day, a no-op. Each tenant's changes are their own
transaction: one organisation's failure does not undo another's.

Daily job (``daily``, period key = the business date):
- term sheets past their long-stop date and not funded, lapsed or cancelled → ``lapsed``
  (loans on them flagged, disbursement blocked);
- open warrants whose window closed → ``expired``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Mapped, mapped_column

from fundops.audit import record
from fundops.db import UTCDateTime, utcnow
from fundops.extensions import db
from fundops.uow import unit_of_work

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1}


class JobRun(db.Model):
    """One run of a job for one period; the unique pair stops duplicate runs."""

    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job_name", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(60))
    period_key: Mapped[str] = mapped_column(sa.String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(sa.String(500), default="")


@dataclass(frozen=True)
class DailyResult:
    ran: bool
    lapsed: tuple[int, ...] = ()
    expired_warrants: tuple[int, ...] = ()
    failed: tuple[str, ...] = ()


def business_date() -> date:
    zone = ZoneInfo(str(current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai")))
    return datetime.now(zone).date()


def _claim(job: str, period: str) -> JobRun | None:
    """Insert the run row; None when this job already ran (or runs) for the period."""
    try:
        with unit_of_work():
            run = JobRun(job_name=job, period_key=period)
            db.session.add(run)
        return run
    except sa.exc.IntegrityError:
        return None


def run_daily(today: date | None = None) -> DailyResult:
    """The daily job for ``today`` (default: the business date), at most once per date."""
    from fundops.syndication.enums import LoanStatus, TermSheetStatus
    from fundops.syndication.loan_models import Loan, Warrant
    from fundops.syndication.models import TermSheet, TermSheetEvent

    when = today or business_date()
    run = _claim("daily", when.isoformat())
    if run is None:
        return DailyResult(False)
    lapsed, expired, failed = [], [], []
    live = [TermSheetStatus.SIGNED, TermSheetStatus.IC_APPROVED, TermSheetStatus.CLOSING]
    due = list(db.session.scalars(sa.select(TermSheet).where(
        TermSheet.status.in_(live), TermSheet.long_stop_on < when).order_by(TermSheet.id)))
    for ts in due:
        reason = f"long-stop date {ts.long_stop_on} passed without the equity (daily job)"
        try:
            with unit_of_work():
                before = ts.status
                moved = db.session.execute(  # only if still live: funded meanwhile stays funded
                    sa.update(TermSheet).where(TermSheet.id == ts.id, TermSheet.status.in_(live))
                    .values(status=TermSheetStatus.LAPSED)
                    .execution_options(synchronize_session=False)).rowcount
                if moved != 1:
                    continue
                db.session.add(TermSheetEvent(term_sheet_id=ts.id, from_status=before,
                                              to_status=TermSheetStatus.LAPSED, reason=reason))
                for loan in db.session.scalars(sa.select(Loan).where(
                        Loan.term_sheet_id == ts.id, Loan.status.in_(
                            [LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.ACTIVE]))):
                    loan.flag = f"term sheet lapsed: {reason}"[:300]
                record(organisation_id=ts.organisation_id, user_id=None,
                       action="term_sheet.status", object_type="term_sheet", object_id=ts.id,
                       changes={"to": "lapsed"}, reason=reason, auth_method="system")
            lapsed.append(ts.id)
        except Exception as exc:  # one tenant's failure must not stop the rest
            log.exception("daily job: lapsing term sheet %s failed", ts.id)
            failed.append(f"term_sheet {ts.id}: {type(exc).__name__}")
    closed = list(db.session.scalars(sa.select(Warrant).where(
        Warrant.status == "open", Warrant.window_to < when).order_by(Warrant.id)))
    for warrant in closed:
        loan = db.session.get(Loan, warrant.loan_id)
        with unit_of_work():
            warrant.status, warrant.closed_on = "expired", warrant.window_to
            record(organisation_id=loan.lead_bank_id if loan else None, user_id=None,
                   action="warrant.expired", object_type="loan", object_id=warrant.loan_id,
                   changes={"warrant_id": warrant.id}, reason="window closed (daily job)",
                   auth_method="system")
        expired.append(warrant.id)
    with unit_of_work():
        run.finished_at = utcnow()
        run.outcome = (f"lapsed {len(lapsed)}, warrants expired {len(expired)}, "
                       f"failed {len(failed)}")[:500]
    return DailyResult(True, tuple(lapsed), tuple(expired), tuple(failed))


def make_scheduler(app: Flask):  # type: ignore[no-untyped-def]
    """A blocking scheduler running the daily job at 01:00 business time."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    zone = ZoneInfo(str(app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai")))
    scheduler = BlockingScheduler(timezone=zone, job_defaults=JOB_DEFAULTS)

    def daily() -> None:
        with app.app_context():
            try:
                result = run_daily()
                log.info("daily job: %s", result)
            finally:
                db.session.remove()

    scheduler.add_job(daily, "cron", hour=1, minute=0, id="daily", replace_existing=True)
    return scheduler


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs (run them in one dedicated process)."""


@jobs_group.command("run")
@with_appcontext
def jobs_run() -> None:
    """Run the scheduler in the foreground (daily job at 01:00 business time)."""
    click.echo("fundops jobs: daily at 01:00; Ctrl-C to stop")
    make_scheduler(current_app._get_current_object()).start()  # type: ignore[attr-defined]


@jobs_group.command("run-once")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Business date to run for (default today).")
@with_appcontext
def jobs_run_once(on: datetime | None) -> None:
    """Run the daily job now (a no-op if it already ran for that date)."""
    result = run_daily(on.date() if on else None)
    if not result.ran:
        click.echo("daily job already ran for that date; nothing done")
        return
    click.echo(f"lapsed term sheets: {list(result.lapsed)}; expired warrants: "
               f"{list(result.expired_warrants)}; failures: {list(result.failed)}")
