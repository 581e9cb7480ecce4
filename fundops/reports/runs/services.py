"""Running a report pack for a quarter, kept as a record; a closed quarter is never
silently regenerated.

:func:`run_pack` takes the subject's lock first (the fund's row, as every posting to the
fund does, or the organisation's row), re-reads the latest version of (kind, subject,
quarter), reads the write counter and the inputs (:mod:`fundops.reports.runs.inputs`) and:

* no run yet → builds the files and records version 1 (``new``);
* the latest version has the same inputs hash → returns it, its bytes untouched
  (``unchanged``); nothing is written;
* the inputs differ (a correction was posted: a reversal, a back-dated entry …) → builds
  and records version N + 1 with the reason saying what changed, and marks N
  ``superseded`` (``new_version``).

The inputs are read again after the build; if they moved meanwhile (a writer that does not
take the subject's lock) the build is repeated, at most :data:`ATTEMPTS` times. Two
processes running the same key queue on the lock, and the second finds the first's run;
``UNIQUE (kind, subject, subject_id, quarter, version)`` is the backstop. Everything is
one unit of work: the run, its files and the audit event, or nothing.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from fundops.audit import data_version, record_by
from fundops.auth.models import Organisation
from fundops.calc.periods import Quarter
from fundops.clock import business_today
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.portfolio.access import get_fund, require_writer
from fundops.portfolio.ledger_services import lock_fund
from fundops.reports.runs.enums import RunState, RunStatus, RunSubject
from fundops.reports.runs.inputs import Inputs, compare, digest
from fundops.reports.runs.models import ReportRun, ReportRunFile
from fundops.reports.runs.reasons import describe
from fundops.reports.runs.registry import Pack, get_pack
from fundops.roles import Role
from fundops.uow import Actor, lock_row, unit_of_work

__all__ = ["ATTEMPTS", "RunOutcome", "latest_run", "run_pack", "system_actor"]

ATTEMPTS = 3
_NAME = re.compile(r"^[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,199}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RunOutcome:
    """What :func:`run_pack` did (:class:`RunState`) and the run it made or found."""

    run: ReportRun
    state: RunState


def system_actor(organisation_id: int, via: str = "system") -> Actor:
    """The actor of a scheduled or console run on behalf of an organisation (no user)."""
    return Actor(user_id=None, organisation_id=organisation_id, role=Role.ADMIN,
                 auth_method=via)


def latest_run(kind: str, subject: RunSubject, subject_id: int,
               quarter: Quarter) -> ReportRun | None:
    """The highest version of (kind, subject, quarter), if any."""
    return db.session.scalars(sa.select(ReportRun).where(
        ReportRun.kind == kind, ReportRun.subject == subject,
        ReportRun.subject_id == subject_id, ReportRun.quarter == str(quarter))
        .order_by(ReportRun.version.desc()).limit(1)).first()


def _quarter(value: object) -> Quarter:
    return value if isinstance(value, Quarter) else Quarter.parse(value)


def _subject(actor: Actor, pack: Pack, subject_id: int, quarter: Quarter) -> tuple[int, int | None]:
    """Check the actor may run the pack for the subject: (organisation id, fund id)."""
    if pack.subject is RunSubject.FUND:
        fund, _ = get_fund(actor, subject_id, write=True)  # the managing writers only
        if quarter.end < fund.inception_on:
            raise ValidationError("quarter", "report_quarter_before_inception",
                                  quarter=str(quarter), inception=fund.inception_on)
        return fund.organisation_id, fund.id
    if subject_id != actor.organisation_id:
        raise NotFound()
    if pack.check is not None:
        pack.check(actor, subject_id)
    require_writer(actor)
    return subject_id, None


def _lock(pack: Pack, subject_id: int) -> None:
    if pack.subject is RunSubject.FUND:
        lock_fund(subject_id)
    else:
        lock_row(Organisation, subject_id)


def _files(built: object) -> list[tuple[str, bytes]]:
    """The builder's answer, checked: at least one (name, bytes), names unique and plain."""
    if not isinstance(built, list) or not built:
        raise TypeError("a report builder returns a non-empty list of (filename, bytes)")
    names: set[str] = set()
    for item in built:
        if (not isinstance(item, tuple) or len(item) != 2 or not isinstance(item[0], str)
                or not isinstance(item[1], bytes) or not _NAME.match(item[0])
                or item[0] in names):
            raise TypeError(f"a report file must be (plain unique filename, bytes): {item!r:.80}")
        names.add(item[0])
    return list(built)


def _media_type(name: str) -> str:
    if name.lower().endswith(".xlsx"):
        return XLSX
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def run_pack(actor: Actor, kind: object, subject_id: int, quarter: object, *,
             on: date | None = None, only_if_missing: bool = False) -> RunOutcome:
    """Run the ``kind`` pack for the subject (a fund's id, or the actor's organisation's
    id for an organisation pack) and ``quarter`` ("2025Q2"); see the module docstring.

    ``on``: the business date of the run (default today); the quarter must have ended
    before it (``report_quarter_not_ended``) and, for a fund, not before the fund's
    inception (``report_quarter_before_inception``). ``only_if_missing``: return any
    existing run as ``exists`` without comparing inputs (the scheduler: once per
    quarter). Another organisation's fund: 404; a reader: 403.
    """
    pack = get_pack(kind)
    q = _quarter(quarter)
    organisation_id, fund_id = _subject(actor, pack, int(subject_id), q)
    if q.end >= (on or business_today()):
        raise ValidationError("quarter", "report_quarter_not_ended", quarter=str(q),
                              end=q.end)
    with unit_of_work():
        _lock(pack, subject_id)
        latest = latest_run(pack.kind, pack.subject, subject_id, q)
        if latest is not None and only_if_missing:
            return RunOutcome(latest, RunState.EXISTS)
        for _attempt in range(ATTEMPTS):
            version = data_version()  # before the inputs: the counter they were read at
            inputs = digest(pack.inputs(subject_id, q.end))
            if latest is not None and latest.inputs_hash == inputs.digest:
                return RunOutcome(latest, RunState.UNCHANGED)
            files = _files(pack.builder(actor, subject_id, q))
            if digest(pack.inputs(subject_id, q.end)).digest == inputs.digest:
                break
        else:
            raise ConflictError("report_inputs_moved", quarter=str(q))
        run = _record(actor, pack, subject_id, q, organisation_id, fund_id, version, inputs,
                      files, latest)
    return RunOutcome(run, RunState.NEW if latest is None else RunState.NEW_VERSION)


def _record(actor: Actor, pack: Pack, subject_id: int, quarter: Quarter, organisation_id: int,
            fund_id: int | None, version: int, inputs: Inputs, files: list[tuple[str, bytes]],
            latest: ReportRun | None) -> ReportRun:
    """Insert version N + 1 with its files and reason; mark N superseded; audit."""
    changes = compare(latest.inputs_manifest, inputs.manifest) if latest is not None else []
    if latest is not None:
        latest.status = RunStatus.SUPERSEDED
    run = ReportRun(
        organisation_id=organisation_id, kind=pack.kind, subject=pack.subject,
        subject_id=subject_id, fund_id=fund_id, quarter=str(quarter), as_of=quarter.end,
        version=latest.version + 1 if latest is not None else 1, status=RunStatus.CURRENT,
        data_version=version, inputs_hash=inputs.digest, input_rows=inputs.rows,
        inputs_manifest=inputs.manifest,
        reason=describe(changes, first=latest is None)[:2000],
        changes=json.dumps(changes, sort_keys=True), created_by_id=actor.user_id,
        created_via=actor.auth_method[:20])
    db.session.add(run)
    db.session.flush()
    shas = {}
    for position, (name, content) in enumerate(files):
        sha = hashlib.sha256(content).hexdigest()
        shas[name] = sha
        run.files.append(ReportRunFile(position=position, name=name,
                                       media_type=_media_type(name), size_bytes=len(content),
                                       sha256=sha, content=content))
    db.session.flush()
    record_by(actor, "report_run.created", "report_run", run.id,
              {"kind": pack.kind, "subject": pack.subject.value, "subject_id": subject_id,
               "quarter": str(quarter), "version": run.version,
               "inputs_hash": inputs.digest, "data_version": version, "files": shas},
              reason=run.reason)
    return run
