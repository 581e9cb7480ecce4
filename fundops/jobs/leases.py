"""Job-run leases: the ``job_run`` row (:mod:`fundops.jobs.models`) of a (job, period)
that a run claims, heartbeats and finishes.

A run **claims** the period by inserting its ``job_run`` row (UNIQUE (job_name,
period_key)), or by **taking over** a row that is not finished and whose lease has run
out — a conditional UPDATE, so of two processes only one can win. While working it
**heartbeats**: each item's transaction first extends the lease, conditional on still
owning it, so the heartbeat commits with the item and a run whose lease was taken over
stops at its next item (fencing) instead of working beside the new owner. At the end it
marks the row ``finished``; a failed run releases its lease at once (``failed``).

States: ``running`` (leased; stale once ``lease_expires_at`` has passed: the owner
crashed), ``failed`` (released; the next run resumes), ``finished`` (a rerun is a no-op).
Times are UTC; a lease lasts ``JOB_LEASE_SECONDS`` (default 300) from the last heartbeat.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fundops.db import utcnow
from fundops.extensions import db
from fundops.jobs.logs import log_event
from fundops.jobs.models import FAILED, FINISHED, RUNNING, JobRun
from fundops.uow import unit_of_work, updated_rows

DEFAULT_LEASE_SECONDS = 300


class LeaseLost(RuntimeError):
    """Another process took the period over (our lease had expired): stop working."""


@dataclass(frozen=True)
class Lease:
    """A held claim: ``state`` is ``claimed`` (first run) or ``resumed`` (takeover)."""

    run_id: int
    job: str
    period: str
    owner: str
    state: str
    attempts: int
    seconds: float

    def heartbeat(self) -> None:
        """Extend the lease inside the caller's transaction; :class:`LeaseLost` if not ours.

        Call it first in each item's unit of work: the extension commits with the item,
        and on PostgreSQL the row lock makes a concurrent takeover wait for that commit.
        """
        now = utcnow()
        moved = updated_rows(
            sa.update(JobRun).where(JobRun.id == self.run_id, JobRun.owner == self.owner,
                                    JobRun.status == RUNNING)
            .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=self.seconds))
            .execution_options(synchronize_session=False))
        if moved != 1:
            raise LeaseLost(f"{self.job} {self.period}: lease taken over")

    def finish(self, outcome: str) -> None:
        """Mark the period done (a rerun is then a no-op)."""
        self._close(FINISHED, outcome=outcome[:500], error=None, finished_at=utcnow())
        log_event(logging.INFO, "finish", job=self.job, period=self.period, outcome=outcome)

    def fail(self, error: str, outcome: str = "") -> None:
        """Release the lease now with the error; the next run resumes the period."""
        self._close(FAILED, outcome=outcome[:500], error=error[:500], lease_expires_at=utcnow())
        log_event(logging.ERROR, "failed", job=self.job, period=self.period, error=error)

    def _close(self, status: str, **values: object) -> None:
        with unit_of_work():
            moved = updated_rows(
                sa.update(JobRun).where(JobRun.id == self.run_id, JobRun.owner == self.owner,
                                        JobRun.status == RUNNING)
                .values(status=status, heartbeat_at=utcnow(), **values)
                .execution_options(synchronize_session=False))
            if moved != 1:
                raise LeaseLost(f"{self.job} {self.period}: lease taken over")


@dataclass(frozen=True)
class Refusal:
    """Why no lease: ``already ran`` (finished) or ``running elsewhere`` (a live lease)."""

    state: str
    run: JobRun


def lease_seconds() -> float:
    """How long a lease lasts from its last heartbeat (``JOB_LEASE_SECONDS``, default 300)."""
    return float(current_app.config.get("JOB_LEASE_SECONDS") or DEFAULT_LEASE_SECONDS)


def new_owner() -> str:
    """A holder's name: ``host:pid:random``, unique per claim."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"[:200]


def claim(job: str, period: str, *, take_over: bool = False) -> Lease | Refusal:
    """Claim (job, period): insert its row, or take over a stale or failed unfinished one.

    ``take_over`` also takes a live lease (an operator who knows its holder is dead); the
    old holder, if alive after all, stops at its next heartbeat.
    """
    owner, seconds = new_owner(), lease_seconds()
    log_event(logging.INFO, "start", job=job, period=period, owner=owner)
    now = utcnow()
    try:
        with unit_of_work():
            run = JobRun(job_name=job, period_key=period, status=RUNNING, owner=owner,
                         attempts=1, started_at=now, heartbeat_at=now,
                         lease_expires_at=now + timedelta(seconds=seconds))
            db.session.add(run)
        log_event(logging.INFO, "claim", job=job, period=period, owner=owner, attempt=1)
        return Lease(run.id, job, period, owner, "claimed", 1, seconds)
    except sa.exc.IntegrityError:
        pass  # the row exists: finished, running, or left behind by a crash
    now = utcnow()
    stale = JobRun.status != FINISHED
    if not take_over:
        stale = sa.and_(stale, JobRun.lease_expires_at <= now)
    with unit_of_work():
        taken = updated_rows(
            sa.update(JobRun).where(JobRun.job_name == job, JobRun.period_key == period, stale)
            .values(status=RUNNING, owner=owner, attempts=JobRun.attempts + 1, heartbeat_at=now,
                    lease_expires_at=now + timedelta(seconds=seconds), error=None)
            .execution_options(synchronize_session=False))
    run = db.session.scalars(sa.select(JobRun).where(
        JobRun.job_name == job, JobRun.period_key == period)).one()
    if taken == 1:
        log_event(logging.WARNING, "takeover", job=job, period=period, owner=owner,
                  attempt=run.attempts, started_at=run.started_at)
        return Lease(run.id, job, period, owner, "resumed", run.attempts, seconds)
    state = "already ran" if run.status == FINISHED else "running elsewhere"
    log_event(logging.INFO, "skip", job=job, period=period, reason=state, holder=run.owner,
              status=run.status, lease_expires_at=run.lease_expires_at)
    return Refusal(state, run)


def find_run(job: str, period: str) -> JobRun | None:
    """The ``job_run`` row of (job, period), if any run claimed it."""
    return db.session.scalars(sa.select(JobRun).where(
        JobRun.job_name == job, JobRun.period_key == period)).one_or_none()


def recent_runs(limit: int = 20, job: str | None = None) -> list[JobRun]:
    """The latest runs (newest period first), of one job if given."""
    query = sa.select(JobRun).order_by(JobRun.period_key.desc(), JobRun.id.desc()).limit(limit)
    if job:
        query = query.where(JobRun.job_name == job)
    return list(db.session.scalars(query))


def describe(run: JobRun) -> str:
    """One line for the console: who holds or held the period and how it ended."""
    expired = run.status == RUNNING and run.lease_expires_at <= utcnow()
    state = "running (lease expired: crashed?)" if expired else run.status
    parts = [f"{run.job_name} {run.period_key}: {state}", f"attempts {run.attempts}",
             f"owner {run.owner or '-'}", f"heartbeat {run.heartbeat_at:%Y-%m-%d %H:%M:%S}Z"]
    if run.status == RUNNING:
        parts.append(f"lease until {run.lease_expires_at:%Y-%m-%d %H:%M:%S}Z")
    if run.finished_at:
        parts.append(f"finished {run.finished_at:%Y-%m-%d %H:%M:%S}Z")
    if run.outcome:
        parts.append(run.outcome)
    if run.error:
        parts.append(f"error: {run.error}")
    return "; ".join(parts)
