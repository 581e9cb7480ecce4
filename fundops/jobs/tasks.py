"""Tasks of the scheduled jobs: each finds the items due on a business date and applies
one feature service to each item. The business rule, its locking, audit and idempotency
live in that service (callable from pages or the API as well); a task only loops.

Each item is its own transaction, which first renews the run's lease
(:meth:`fundops.jobs.leases.Lease.heartbeat`; the service joins that unit of work), so
a crash keeps what was done, a run whose lease was taken over stops at its next item,
and the rerun does the rest. A service returns False for an item found done already
(lapsed by an earlier run, exercised meanwhile): counted as skipped. One item's failure
(one tenant's data) is logged and recorded, and the task goes on with the next.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from fundops.exits import reminders as exit_reminders
from fundops.extensions import db
from fundops.jobs.leases import Lease, LeaseLost
from fundops.jobs.logs import log_event
from fundops.metrics import refresh as metrics_refresh
from fundops.reports.fees import services as fee_drafts
from fundops.reports.runs import schedule as report_schedule
from fundops.syndication.loans import events as loan_events
from fundops.syndication.term_sheets import services as term_sheets
from fundops.uow import unit_of_work


@dataclass(frozen=True)
class Task:
    """One step of a job: ``find`` (a service: ids due on the business date) and ``apply``
    (a service: act on one id for that date; False if it was found done already).

    ``item`` names the items in logs and failures (``term_sheet 7: RuntimeError``);
    ``verb`` is the log event after the task and the key of its count in the result log;
    ``outcome_label`` names its count in the run's outcome line.
    """

    name: str
    item: str
    verb: str
    outcome_label: str
    find: Callable[[date], list[int]]
    apply: Callable[[int, date], bool]
    description: str = ""

    @property
    def summary(self) -> str:
        """What the ids done are, for the console (``lapsed term sheets``)."""
        return f"{self.verb} {self.item.replace('_', ' ')}s"


LAPSE_TERM_SHEETS = Task(
    "lapse_term_sheets", "term_sheet", "lapsed", "lapsed",
    find=term_sheets.term_sheets_past_long_stop, apply=term_sheets.lapse_past_long_stop,
    description="term sheets past their long-stop date and not funded, lapsed or cancelled "
                "→ lapsed (loans on them flagged, disbursement blocked)")
EXPIRE_WARRANTS = Task(
    "expire_warrants", "warrant", "expired", "warrants expired",
    find=loan_events.warrants_past_window, apply=loan_events.expire_past_window,
    description="open warrants whose window closed → expired")
RAISE_EXIT_REMINDERS = Task(
    "raise_exit_reminders", "fund", "reminded", "funds reminded",
    find=exit_reminders.funds_with_due_reminders, apply=exit_reminders.raise_fund_reminders,
    description="lock-up ends, sell-down windows, escrow due dates, buy-back trigger dates "
                "and buy-out option windows within "
                f"{exit_reminders.LOOKAHEAD_DAYS} days → one reminder each on the fund page")
PREPARE_FEE_DRAFTS = Task(
    "prepare_fee_drafts", "fund", "prepared", "funds with fee drafts prepared",
    find=fee_drafts.funds_with_due_fees, apply=fee_drafts.prepare_due_fees,
    description="management-fee periods due (in advance: started; in arrears: ended) "
                "without a draft → one draft each, for a person to post or discard")

REFRESH_METRICS = Task(
    "refresh_metrics", "fund", "refreshed", "funds refreshed",
    find=metrics_refresh.funds_to_refresh, apply=metrics_refresh.refresh_fund,
    description="each fund's quarter snapshots brought up to date (only the quarters a "
                "change reached), today's metrics and each parent's overview computed "
                "→ stored for every server process")
RUN_FUND_REPORTS = Task(
    "run_fund_reports", "fund", "reported", "funds reported",
    find=report_schedule.funds_due, apply=report_schedule.run_fund_packs,
    description="each fund's registered report packs for the quarter that ended "
                "REPORTS_RUN_AFTER_DAYS (default 15) days before → one run per fund, pack "
                "and quarter (kept as a record)")
RUN_ORGANISATION_REPORTS = Task(
    "run_organisation_reports", "organisation", "booked", "organisations reported",
    find=report_schedule.organisations_due, apply=report_schedule.run_organisation_packs,
    description="each bank's loan book for that quarter → one run per bank and quarter")


@dataclass
class Progress:
    """What a run did so far: ids done per task, items found done already, failures."""

    tasks: tuple[Task, ...]
    done: dict[str, list[int]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0

    def outcome(self) -> str:
        """The run's outcome line: ``lapsed 3, warrants expired 1, skipped 0, failed 0``."""
        counts = [f"{t.outcome_label} {len(self.done.get(t.name, ()))}" for t in self.tasks]
        return ", ".join([*counts, f"skipped {self.skipped}", f"failed {len(self.failed)}"])


def run_task(task: Task, lease: Lease, when: date, progress: Progress,
             delay: float = 0.0) -> None:
    """Apply ``task`` to each item due on ``when``, one transaction per item.

    :class:`LeaseLost` propagates (stop at once); any other error of an item is logged
    and recorded in ``progress.failed``. ``delay``: seconds to sleep after each item (a
    test hook).
    """
    due = task.find(when)
    db.session.rollback()  # end the read: each item below is its own transaction
    log_event(logging.INFO, "due", job=lease.job, period=lease.period,
              **{f"{task.item}s": len(due)})
    done = progress.done.setdefault(task.name, [])
    for item_id in due:
        try:
            with unit_of_work():
                lease.heartbeat()
                applied = task.apply(item_id, when)
            if applied:
                done.append(item_id)
            else:  # done by an earlier run, or changed meanwhile
                progress.skipped += 1
        except LeaseLost:
            raise
        except Exception as exc:  # noqa: BLE001 - one tenant's failure must not stop the rest
            log_event(logging.ERROR, "item_failed", job=lease.job, period=lease.period,
                      item=f"{task.item}:{item_id}", error=type(exc).__name__)
            progress.failed.append(f"{task.item} {item_id}: {type(exc).__name__}")
        if delay:
            time.sleep(delay)
    log_event(logging.INFO, task.verb, job=lease.job, period=lease.period, count=len(done))
