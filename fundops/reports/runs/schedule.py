"""The scheduled runs: each fund's packs (and each bank's loan book) N days after the end
of a quarter, exactly once per subject, kind and quarter.

N is the setting ``REPORTS_RUN_AFTER_DAYS`` (default 15, at least 1). On business date
``d`` the due quarter is the latest one whose last day is at least N days before ``d``
(:func:`due_quarter`): the daily job runs it on day N, and a job that missed that day
catches up on the next. The finders list the subjects still missing a run of the due
quarter; the action runs each missing kind with ``only_if_missing`` under the subject's
lock (:func:`fundops.reports.runs.services.run_pack`), so two scheduler processes, or two
days' runs at once, make one run per subject, kind and quarter. A later correction is not
rerun by the scheduler: a person reruns the quarter (a new version with its reason).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from fundops.calc.periods import Quarter
from fundops.extensions import db
from fundops.portfolio.models import Fund
from fundops.reports.runs.enums import RunState, RunSubject
from fundops.reports.runs.models import ReportRun
from fundops.reports.runs.registry import Pack, packs_for
from fundops.reports.runs.services import run_pack, system_actor

DEFAULT_AFTER_DAYS = 15


def after_days() -> int:
    """Days after a quarter's end before its packs run (``REPORTS_RUN_AFTER_DAYS``)."""
    days = int(current_app.config.get("REPORTS_RUN_AFTER_DAYS", DEFAULT_AFTER_DAYS))
    if days < 1:
        raise ValueError("REPORTS_RUN_AFTER_DAYS must be at least 1")
    return days


def due_quarter(when: date, days: int | None = None) -> Quarter:
    """The latest quarter whose last day + ``days`` is on or before ``when``."""
    shifted = when - timedelta(days=after_days() if days is None else days)
    return Quarter.of(shifted + timedelta(days=1)).previous()


def _done(quarter: Quarter, subject: RunSubject) -> set[tuple[str, int]]:
    rows = db.session.execute(sa.select(ReportRun.kind, ReportRun.subject_id).where(
        ReportRun.subject == subject, ReportRun.quarter == str(quarter)))
    return {(kind, subject_id) for kind, subject_id in rows}


def _missing(packs: list[Pack], ids: list[int], quarter: Quarter,
             subject: RunSubject) -> list[int]:
    done = _done(quarter, subject)
    return [i for i in ids if any((p.kind, i) not in done for p in packs)]


def funds_due(when: date) -> list[int]:
    """Funds alive in the due quarter (incepted by its end, not ended before its start)
    missing a run of a registered fund pack for it."""
    packs, quarter = packs_for(RunSubject.FUND), due_quarter(when)
    if not packs:
        return []
    ends = sa.func.coalesce(Fund.extension_end_on, Fund.term_end_on)
    ids = list(db.session.scalars(sa.select(Fund.id).where(
        Fund.inception_on <= quarter.end, ends >= quarter.start).order_by(Fund.id)))
    return _missing(packs, ids, quarter, RunSubject.FUND)


def run_fund_packs(fund_id: int, when: date) -> bool:
    """Run every fund pack missing for the fund and the due quarter; False if none was
    (another run made them meanwhile)."""
    fund = db.session.get(Fund, fund_id)
    if fund is None:
        return False
    actor, quarter = system_actor(fund.organisation_id), due_quarter(when)
    made = [run_pack(actor, p.kind, fund.id, quarter, on=when, only_if_missing=True)
            for p in packs_for(RunSubject.FUND)]
    return any(m.state is not RunState.EXISTS for m in made)


def organisations_due(when: date) -> list[int]:
    """Organisations (each pack's candidates) missing a run of their pack."""
    quarter, due = due_quarter(when), set()
    for pack in packs_for(RunSubject.ORGANISATION):
        ids = pack.candidates() if pack.candidates else []
        due.update(_missing([pack], ids, quarter, RunSubject.ORGANISATION))
    return sorted(due)


def run_organisation_packs(organisation_id: int, when: date) -> bool:
    """Run the organisation packs missing for it and the due quarter (those whose
    candidates include it); False if none was."""
    actor, quarter = system_actor(organisation_id), due_quarter(when)
    made = [run_pack(actor, p.kind, organisation_id, quarter, on=when, only_if_missing=True)
            for p in packs_for(RunSubject.ORGANISATION)
            if p.candidates is not None and organisation_id in p.candidates()]
    return any(m.state is not RunState.EXISTS for m in made)
