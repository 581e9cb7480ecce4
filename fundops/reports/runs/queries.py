"""Reads of report runs for the pages, the API and the command line (no writes).

A run belongs to the organisation that ran it: a fund's runs are its managing
organisation's (an LP of the fund does not see them: a pack holds every LP's figures),
an organisation's pack is that organisation's. Anyone else gets 404.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from fundops.auth.models import User
from fundops.errors import NotFound
from fundops.extensions import db
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.models import Fund
from fundops.reports.runs.enums import RunSubject
from fundops.reports.runs.models import ReportRun, ReportRunFile
from fundops.uow import Actor


def managed_fund(actor: Actor, fund_id: int) -> Fund:
    """A fund the actor's organisation manages (an LP's or another's fund: 404)."""
    fund, access = get_fund(actor, fund_id)
    if access is not Access.MANAGER:
        raise NotFound("fund_not_found", fund_id=fund_id)
    return fund


def _ordered(query: sa.Select[Any]) -> list[ReportRun]:
    return list(db.session.scalars(query.order_by(
        ReportRun.quarter.desc(), ReportRun.kind, ReportRun.subject_id,
        ReportRun.version.desc())))


def fund_runs(actor: Actor, fund_id: int) -> list[ReportRun]:
    """Every version of every run of the fund, newest quarter first."""
    fund = managed_fund(actor, fund_id)
    return _ordered(sa.select(ReportRun).where(ReportRun.subject == RunSubject.FUND,
                                               ReportRun.subject_id == fund.id))


def organisation_runs(actor: Actor, subject: RunSubject | None = None,
                      kind: str | None = None) -> list[ReportRun]:
    """The actor's organisation's runs (of one subject or kind if given)."""
    query = sa.select(ReportRun).where(ReportRun.organisation_id == actor.organisation_id)
    if subject is not None:
        query = query.where(ReportRun.subject == subject)
    if kind is not None:
        query = query.where(ReportRun.kind == kind)
    return _ordered(query)


def get_run(actor: Actor, run_id: int) -> ReportRun:
    """A run of the actor's organisation (for a fund run: a fund it still manages)."""
    run = db.session.get(ReportRun, run_id)
    if run is None or run.organisation_id != actor.organisation_id:
        raise NotFound()
    if run.subject is RunSubject.FUND:
        managed_fund(actor, run.subject_id)
    return run


def get_file(actor: Actor, run_id: int, file_id: int) -> ReportRunFile:
    """A file of a run the actor may see, with its bytes loaded."""
    run = get_run(actor, run_id)
    item = db.session.scalars(sa.select(ReportRunFile).options(undefer(ReportRunFile.content))
                              .where(ReportRunFile.id == file_id,
                                     ReportRunFile.run_id == run.id)).first()
    if item is None:
        raise NotFound()
    return item


def versions(run: ReportRun) -> list[ReportRun]:
    """Every version of the run's (kind, subject, quarter), newest first."""
    return list(db.session.scalars(sa.select(ReportRun).where(
        ReportRun.kind == run.kind, ReportRun.subject == run.subject,
        ReportRun.subject_id == run.subject_id, ReportRun.quarter == run.quarter)
        .order_by(ReportRun.version.desc())))


def changes_of(run: ReportRun) -> list[dict[str, Any]]:
    """The stored list of what changed since the previous version ([] for version 1)."""
    data = json.loads(run.changes or "[]")
    return data if isinstance(data, list) else []


def creator_names(runs: list[ReportRun]) -> dict[int, str]:
    """Display names of the users who made the runs."""
    ids = {r.created_by_id for r in runs if r.created_by_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.display_name)
                                   .where(User.id.in_(ids))).all())


def fund_labels(runs: list[ReportRun]) -> dict[int, Fund]:
    """The funds of fund runs, by id."""
    ids = {r.subject_id for r in runs if r.subject is RunSubject.FUND}
    if not ids:
        return {}
    return {f.id: f for f in db.session.scalars(sa.select(Fund).where(Fund.id.in_(ids)))}
