"""The named jobs: what each does (its tasks, in order), when (an APScheduler trigger in
the business timezone) and why. The scheduler (:mod:`fundops.jobs.runner`) adds every
registered job; ``fundops jobs run-once --job NAME`` runs one now. A job runs at most
once per period, its key being the business date (ISO).

Adding a job: write the services (a finder and an idempotent per-item action, in the
owning feature), declare a :class:`~fundops.jobs.tasks.Task` for them, and
:func:`register` a :class:`Job` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fundops.jobs.tasks import (
    EXPIRE_WARRANTS,
    LAPSE_TERM_SHEETS,
    PREPARE_FEE_DRAFTS,
    RAISE_EXIT_REMINDERS,
    REFRESH_METRICS,
    RUN_FUND_REPORTS,
    RUN_ORGANISATION_REPORTS,
    Task,
)


@dataclass(frozen=True)
class Job:
    """A named job: ``tasks`` run in order within one lease on the period.

    ``trigger``/``trigger_args``: APScheduler's trigger name and arguments (business
    time); ``at``: the schedule in words for the console and logs.
    """

    name: str
    description: str
    tasks: tuple[Task, ...]
    at: str
    trigger: str = "cron"
    trigger_args: Mapping[str, object] = field(default_factory=dict, hash=False)


_JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Add ``job`` to the registry; a second job of the same name is refused."""
    if job.name in _JOBS:
        raise ValueError(f"job {job.name!r} is registered already")
    _JOBS[job.name] = job
    return job


def get_job(name: str) -> Job:
    """The registered job called ``name``; KeyError if none."""
    return _JOBS[name]


def registered_jobs() -> list[Job]:
    """Every registered job, in registration order."""
    return list(_JOBS.values())


DAILY = register(Job(
    "daily", "Daily housekeeping: lapse term sheets past their long-stop date, expire "
    "warrants whose window closed, raise the exit reminders coming up, prepare the "
    "management-fee drafts that are due, bring the metrics' quarter snapshots up to date and "
    "compute today's figures for every server process.",
    tasks=(LAPSE_TERM_SHEETS, EXPIRE_WARRANTS, RAISE_EXIT_REMINDERS, PREPARE_FEE_DRAFTS,
           REFRESH_METRICS),
    at="01:00",
    trigger_args={"hour": 1, "minute": 0}))
QUARTERLY_REPORTS = register(Job(
    "quarterly_reports", "Quarterly report packs: each fund's packs and each bank's loan "
    "book, REPORTS_RUN_AFTER_DAYS (default 15) days after the quarter end, once per "
    "subject, pack and quarter (a day the job missed is caught up the next day).",
    tasks=(RUN_FUND_REPORTS, RUN_ORGANISATION_REPORTS), at="02:00",
    trigger_args={"hour": 2, "minute": 0}))
