"""Running the scheduled jobs: one dedicated process (``fundops jobs run``), never inside
web workers, plus run-once for a given business date.

APScheduler 3.11 with its in-memory job store (a database job store pickles jobs), an
explicit Asia/Shanghai timezone and ``misfire_grace_time=3600, coalesce=True,
max_instances=1``, so a run that is late by up to an hour still happens once; missed
and failed runs are logged. Each run leases its period in ``job_run``
(:mod:`fundops.jobs.leases`): a finished period is not run again, a live lease elsewhere
makes a second process a no-op, and a crashed run's period is resumed once its lease
has expired. Each item is its own transaction, which first renews the lease
(:mod:`fundops.jobs.tasks`), so a crash keeps what was done and the rerun does the rest;
the services the tasks call are idempotent, so each effect happens once. One
organisation's failure does not undo another's; it leaves the period ``failed``
(released) so that a rerun retries it.

The jobs and their tasks are in :mod:`fundops.jobs.registry`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from fundops.extensions import db
from fundops.jobs.leases import LeaseLost, Refusal, claim
from fundops.jobs.logs import log, log_event
from fundops.jobs.registry import get_job, registered_jobs
from fundops.jobs.tasks import EXPIRE_WARRANTS, LAPSE_TERM_SHEETS, Progress, run_task

__all__ = ["JOB_DEFAULTS", "DailyResult", "JobResult", "business_date", "make_scheduler",
           "run_daily", "run_job"]

JOB_DEFAULTS = {"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1}


@dataclass(frozen=True)
class JobResult:
    """What one call did. ``state``: claimed, resumed, already ran, running elsewhere,
    lease lost (taken over mid-run: stopped). ``done``: ids done per task name."""

    job: str
    ran: bool
    done: Mapping[str, tuple[int, ...]] = field(default_factory=dict, hash=False)
    failed: tuple[str, ...] = ()
    state: str = ""
    skipped: int = 0  # items found done by someone else meanwhile

    @classmethod
    def of(cls, job: str, progress: Progress, state: str) -> JobResult:
        done = {name: tuple(ids) for name, ids in progress.done.items()}
        return cls(job, True, done, tuple(progress.failed), state, progress.skipped)


@dataclass(frozen=True)
class DailyResult:
    """:class:`JobResult` of the daily job, by task: term sheets lapsed, warrants expired."""

    ran: bool
    lapsed: tuple[int, ...] = ()
    expired_warrants: tuple[int, ...] = ()
    failed: tuple[str, ...] = ()
    state: str = ""
    skipped: int = 0


def business_date() -> date:
    """Today in the business timezone (``BUSINESS_TIMEZONE``, default Asia/Shanghai)."""
    zone = ZoneInfo(str(current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai")))
    return datetime.now(zone).date()


def _item_delay() -> float:
    """Seconds to sleep after each item: a test hook (crash tests), ignored outside test."""
    if current_app.config.get("ENV_NAME") != "test":
        return 0.0
    return float(current_app.config.get("JOB_ITEM_DELAY") or 0)


def run_job(name: str, today: date | None = None, *, take_over: bool = False) -> JobResult:
    """The registered job ``name`` for ``today`` (default: the business date), done once
    per date.

    Resumes a period whose previous run crashed (lease expired) or failed; ``take_over``
    also takes a live lease (see :func:`fundops.jobs.leases.claim`).
    """
    job = get_job(name)
    when = today or business_date()
    lease = claim(name, when.isoformat(), take_over=take_over)
    if isinstance(lease, Refusal):
        return JobResult(name, False, state=lease.state)
    progress, delay = Progress(job.tasks), _item_delay()
    try:
        for task in job.tasks:
            run_task(task, lease, when, progress, delay)
        if progress.failed:
            lease.fail(f"{len(progress.failed)} item(s) failed: {', '.join(progress.failed)}",
                       progress.outcome())
        else:
            lease.finish(progress.outcome())
    except LeaseLost:
        log_event(logging.WARNING, "lease_lost", job=name, period=lease.period,
                  owner=lease.owner, outcome=progress.outcome())
        return JobResult.of(name, progress, "lease lost")
    except BaseException as exc:  # the run itself broke (database down, Ctrl-C): release
        db.session.rollback()
        try:
            lease.fail(f"{type(exc).__name__}: {exc}", progress.outcome())
        except Exception:  # noqa: BLE001 - the original error is the one to report
            log.exception("event=release_failed job=%s period=%s", name, lease.period)
        raise
    return JobResult.of(name, progress, lease.state)


def run_daily(today: date | None = None, *, take_over: bool = False) -> DailyResult:
    """The daily job (:func:`run_job` of ``daily``) with its results by task."""
    result = run_job("daily", today, take_over=take_over)
    return DailyResult(result.ran, result.done.get(LAPSE_TERM_SHEETS.name, ()),
                       result.done.get(EXPIRE_WARRANTS.name, ()), result.failed,
                       result.state, result.skipped)


def run_scheduled(app: Flask, name: str) -> None:
    """What the scheduler calls: run job ``name`` for today in an app context; log it."""
    with app.app_context():
        try:
            result = run_job(name)
            counts = {t.verb: len(result.done.get(t.name, ())) for t in get_job(name).tasks}
            log_event(logging.INFO, "result", job=name, state=result.state, **counts,
                      failed=len(result.failed))
        finally:
            db.session.remove()


def make_scheduler(app: Flask):  # type: ignore[no-untyped-def]
    """A blocking scheduler running every registered job on its trigger, business time."""
    from functools import partial

    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
    from apscheduler.schedulers.blocking import BlockingScheduler

    zone = ZoneInfo(str(app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai")))
    scheduler = BlockingScheduler(timezone=zone, job_defaults=JOB_DEFAULTS)

    def alert(event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log_event(logging.ERROR, "missed", job=event.job_id,
                      scheduled=event.scheduled_run_time)
        else:
            log_event(logging.ERROR, "job_error", job=event.job_id,
                      scheduled=event.scheduled_run_time, error=repr(event.exception))

    scheduler.add_listener(alert, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    for job in registered_jobs():
        scheduler.add_job(partial(run_scheduled, app, job.name), job.trigger, id=job.name,
                          replace_existing=True, **job.trigger_args)
    return scheduler
