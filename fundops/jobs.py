"""Scheduled jobs: one dedicated process (``fundops jobs run``), never inside web workers.

APScheduler 3.11 with its in-memory job store (a database job store pickles jobs), an
explicit Asia/Shanghai timezone and ``misfire_grace_time=3600, coalesce=True,
max_instances=1``, so a run that is late by up to an hour still happens once; missed
and failed runs are logged. Each run leases its period in ``job_run``
(:mod:`fundops.job_runs`): a finished period is not run again, a live lease elsewhere
makes a second process a no-op, and a crashed run's period is resumed once its lease
has expired. Each item is its own transaction, which first renews the lease, so a crash
keeps what was done and the rerun does the rest; the items are idempotent (a round
already lapsed, a warrant already closed is skipped), so each effect happens once.
One organisation's failure does not undo another's; it leaves the period ``failed``
(released) so that a rerun retries it.

Daily job (``daily``, period key = the business date):
- term sheets past their long-stop date and not funded, lapsed or cancelled → ``lapsed``
  (loans on them flagged, disbursement blocked);
- open warrants whose window closed → ``expired``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from fundops.audit import record
from fundops.extensions import db
from fundops.job_runs import (
    JobRun,
    Lease,
    LeaseLost,
    Refusal,
    claim,
    describe,
    ensure_logging,
    log_event,
    recent_runs,
)
from fundops.uow import lock_row, unit_of_work

__all__ = ["JOB_DEFAULTS", "DailyResult", "JobRun", "jobs_group", "make_scheduler", "run_daily"]

log = logging.getLogger("fundops.jobs")
JOB_DEFAULTS = {"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1}


@dataclass(frozen=True)
class DailyResult:
    """What one call did. ``state``: claimed, resumed, already ran, running elsewhere,
    lease lost (taken over mid-run: stopped)."""

    ran: bool
    lapsed: tuple[int, ...] = ()
    expired_warrants: tuple[int, ...] = ()
    failed: tuple[str, ...] = ()
    state: str = ""
    skipped: int = 0  # items found done by someone else meanwhile


def business_date() -> date:
    zone = ZoneInfo(str(current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai")))
    return datetime.now(zone).date()


def _item_delay() -> float:
    """Seconds to sleep after each item: a test hook (crash tests), ignored outside test."""
    if current_app.config.get("ENV_NAME") != "test":
        return 0.0
    return float(current_app.config.get("JOB_ITEM_DELAY") or 0)


def run_daily(today: date | None = None, *, take_over: bool = False) -> DailyResult:
    """The daily job for ``today`` (default: the business date), done once per date.

    Resumes a period whose previous run crashed (lease expired) or failed; ``take_over``
    also takes a live lease (see :func:`fundops.job_runs.claim`).
    """
    when = today or business_date()
    lease = claim("daily", when.isoformat(), take_over=take_over)
    if isinstance(lease, Refusal):
        return DailyResult(False, state=lease.state)
    done = _Progress()
    try:
        _lapse_rounds(lease, when, done)
        _expire_warrants(lease, when, done)
        outcome = done.outcome()
        if done.failed:
            lease.fail(f"{len(done.failed)} item(s) failed: {', '.join(done.failed)}", outcome)
        else:
            lease.finish(outcome)
    except LeaseLost:
        log_event(logging.WARNING, "lease_lost", job="daily", period=lease.period,
                  owner=lease.owner, outcome=done.outcome())
        return done.result(lease, "lease lost")
    except BaseException as exc:  # the run itself broke (database down, Ctrl-C): release
        db.session.rollback()
        try:
            lease.fail(f"{type(exc).__name__}: {exc}", done.outcome())
        except Exception:  # noqa: BLE001 - the original error is the one to report
            log.exception("event=release_failed job=daily period=%s", lease.period)
        raise
    return done.result(lease, lease.state)


@dataclass
class _Progress:
    """Items done so far by this run (ids) and items found done already."""

    lapsed: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0

    def outcome(self) -> str:
        return (f"lapsed {len(self.lapsed)}, warrants expired {len(self.expired)}, "
                f"skipped {self.skipped}, failed {len(self.failed)}")

    def result(self, lease: Lease, state: str) -> DailyResult:
        return DailyResult(True, tuple(self.lapsed), tuple(self.expired), tuple(self.failed),
                           state=state, skipped=self.skipped)


def _lapse_rounds(lease: Lease, when: date, done: _Progress) -> None:
    from fundops.syndication.enums import LoanStatus, TermSheetStatus
    from fundops.syndication.loans.models import Loan
    from fundops.syndication.term_sheets.models import TermSheet, TermSheetEvent

    live = [TermSheetStatus.SIGNED, TermSheetStatus.IC_APPROVED, TermSheetStatus.CLOSING]
    due = db.session.execute(sa.select(TermSheet.id, TermSheet.organisation_id,
                                       TermSheet.long_stop_on).where(
        TermSheet.status.in_(live), TermSheet.long_stop_on < when).order_by(TermSheet.id)).all()
    db.session.rollback()  # end the read: each item below is its own transaction
    log_event(logging.INFO, "due", job="daily", period=lease.period, term_sheets=len(due))
    delay = _item_delay()
    for ts_id, org_id, long_stop_on in due:
        reason = f"long-stop date {long_stop_on} passed without the equity (daily job)"
        try:
            with unit_of_work():
                lease.heartbeat()
                lock_row(TermSheet, ts_id)
                before = db.session.scalar(sa.select(TermSheet.status)
                                           .where(TermSheet.id == ts_id))
                if before not in live:  # lapsed by an earlier run, or funded meanwhile
                    done.skipped += 1
                    continue
                db.session.execute(
                    sa.update(TermSheet).where(TermSheet.id == ts_id, TermSheet.status.in_(live))
                    .values(status=TermSheetStatus.LAPSED)
                    .execution_options(synchronize_session=False))
                db.session.add(TermSheetEvent(term_sheet_id=ts_id, from_status=before,
                                              to_status=TermSheetStatus.LAPSED, reason=reason))
                for loan in db.session.scalars(sa.select(Loan).where(
                        Loan.term_sheet_id == ts_id, Loan.status.in_(
                            [LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.ACTIVE]))):
                    loan.flag = f"term sheet lapsed: {reason}"[:300]
                record(organisation_id=org_id, user_id=None,
                       action="term_sheet.status", object_type="term_sheet", object_id=ts_id,
                       changes={"to": "lapsed"}, reason=reason, auth_method="system")
            done.lapsed.append(ts_id)
        except LeaseLost:
            raise
        except Exception as exc:  # one tenant's failure must not stop the rest
            log_event(logging.ERROR, "item_failed", job="daily", period=lease.period,
                      item=f"term_sheet:{ts_id}", error=type(exc).__name__)
            done.failed.append(f"term_sheet {ts_id}: {type(exc).__name__}")
        if delay:
            time.sleep(delay)
    log_event(logging.INFO, "lapsed", job="daily", period=lease.period, count=len(done.lapsed))


def _expire_warrants(lease: Lease, when: date, done: _Progress) -> None:
    from fundops.syndication.loans.models import Loan, Warrant

    closed = db.session.execute(sa.select(Warrant.id, Warrant.loan_id, Warrant.window_to).where(
        Warrant.status == "open", Warrant.window_to < when).order_by(Warrant.id)).all()
    db.session.rollback()
    log_event(logging.INFO, "due", job="daily", period=lease.period, warrants=len(closed))
    for warrant_id, loan_id, window_to in closed:
        try:
            with unit_of_work():
                lease.heartbeat()
                lock_row(Warrant, warrant_id)
                moved = db.session.execute(
                    sa.update(Warrant).where(Warrant.id == warrant_id, Warrant.status == "open")
                    .values(status="expired", closed_on=window_to)
                    .execution_options(synchronize_session=False)).rowcount
                if moved != 1:  # expired by an earlier run, or exercised meanwhile
                    done.skipped += 1
                    continue
                bank = db.session.scalar(sa.select(Loan.lead_bank_id).where(Loan.id == loan_id))
                record(organisation_id=bank, user_id=None,
                       action="warrant.expired", object_type="loan", object_id=loan_id,
                       changes={"warrant_id": warrant_id}, reason="window closed (daily job)",
                       auth_method="system")
            done.expired.append(warrant_id)
        except LeaseLost:
            raise
        except Exception as exc:  # noqa: BLE001 - as for term sheets
            log_event(logging.ERROR, "item_failed", job="daily", period=lease.period,
                      item=f"warrant:{warrant_id}", error=type(exc).__name__)
            done.failed.append(f"warrant {warrant_id}: {type(exc).__name__}")
    log_event(logging.INFO, "expired", job="daily", period=lease.period,
              count=len(done.expired))


def make_scheduler(app: Flask):  # type: ignore[no-untyped-def]
    """A blocking scheduler running the daily job at 01:00 business time."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
    from apscheduler.schedulers.blocking import BlockingScheduler

    zone = ZoneInfo(str(app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai")))
    scheduler = BlockingScheduler(timezone=zone, job_defaults=JOB_DEFAULTS)

    def daily() -> None:
        with app.app_context():
            try:
                result = run_daily()
                log_event(logging.INFO, "result", job="daily", state=result.state,
                          lapsed=len(result.lapsed), expired=len(result.expired_warrants),
                          failed=len(result.failed))
            finally:
                db.session.remove()

    def alert(event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log_event(logging.ERROR, "missed", job=event.job_id,
                      scheduled=event.scheduled_run_time)
        else:
            log_event(logging.ERROR, "job_error", job=event.job_id,
                      scheduled=event.scheduled_run_time, error=repr(event.exception))

    scheduler.add_listener(alert, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    scheduler.add_job(daily, "cron", hour=1, minute=0, id="daily", replace_existing=True)
    return scheduler


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs (run them in one dedicated process)."""


@jobs_group.command("run")
@with_appcontext
def jobs_run() -> None:
    """Run the scheduler in the foreground (daily job at 01:00 business time)."""
    ensure_logging()
    log_event(logging.INFO, "scheduler_start", jobs="daily", at="01:00",
              timezone=current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai"))
    click.echo("fundops jobs: daily at 01:00; Ctrl-C to stop")
    try:
        make_scheduler(current_app._get_current_object()).start()  # type: ignore[attr-defined]
    finally:
        log_event(logging.INFO, "scheduler_stop")


@jobs_group.command("run-once")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Business date to run for (default today).")
@click.option("--take-over", is_flag=True,
              help="Take the period over even from a live lease (its holder is known dead).")
@with_appcontext
def jobs_run_once(on: datetime | None, take_over: bool) -> None:
    """Run the daily job now: a no-op if it already ran for that date or runs elsewhere;
    resumes the date if its last run crashed or failed."""
    ensure_logging()
    when = on.date() if on else business_date()
    result = run_daily(when, take_over=take_over)
    period = when.isoformat()
    if result.state == "already ran":
        click.echo("daily job already ran for that date; nothing done")
    elif result.state == "running elsewhere":
        click.echo("daily job is running elsewhere for that date (live lease); nothing done")
    else:
        click.echo(f"{result.state}: lapsed term sheets: {list(result.lapsed)}; expired "
                   f"warrants: {list(result.expired_warrants)}; skipped (already done): "
                   f"{result.skipped}; failures: {list(result.failed)}")
    run = db.session.scalars(sa.select(JobRun).where(
        JobRun.job_name == "daily", JobRun.period_key == period)).one_or_none()
    if run is not None:
        click.echo(describe(run))


@jobs_group.command("status")
@click.option("--limit", default=10, show_default=True, type=int)
@with_appcontext
def jobs_status(limit: int) -> None:
    """Show the latest job runs: finished, failed, running or crashed (lease expired)."""
    runs = recent_runs(limit)
    if not runs:
        click.echo("no job runs yet")
    for run in runs:
        click.echo(describe(run))
