"""``fundops reports run --quarter 2025Q2 [--fund CODE | --all]``: run the registered packs
for a quarter, with a progress bar on stderr and one line per run on stdout.

``--fund CODE`` runs the fund packs of that fund (``--organisation`` picks the manager
when two organisations use the code); ``--all`` runs them for every fund alive in the
quarter and the organisation packs (each bank's loan book) for each organisation they
are for; ``--kind`` limits the packs. Each run acts for the subject's organisation as the
console (no user; audited as ``cli``) through :func:`~fundops.reports.runs.services.run_pack`:
a quarter whose inputs did not change prints ``unchanged`` with the existing version, a
correction since prints ``new version`` with what changed. The exit status is 1 if a run
was refused or failed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from fundops.calc.periods import Quarter
from fundops.errors import DomainError
from fundops.extensions import db
from fundops.portfolio.models import Fund
from fundops.reports.runs.enums import RunState, RunSubject
from fundops.reports.runs.registry import Pack, packs_for
from fundops.reports.runs.services import RunOutcome, run_pack, system_actor

STATES = {RunState.NEW: "new", RunState.UNCHANGED: "unchanged",
          RunState.NEW_VERSION: "new version", RunState.EXISTS: "exists"}


@dataclass(frozen=True)
class Job:
    """One pack to run: for ``subject_id``, on behalf of ``organisation_id``."""

    pack: Pack
    subject_id: int
    organisation_id: int
    name: str


def _funds(quarter: Quarter, code: str | None, organisation: str | None) -> list[Fund]:
    from fundops.auth.models import Organisation

    query = sa.select(Fund).order_by(Fund.code, Fund.id)
    if code is None:
        ends = sa.func.coalesce(Fund.extension_end_on, Fund.term_end_on)
        return list(db.session.scalars(query.where(Fund.inception_on <= quarter.end,
                                                   ends >= quarter.start)))
    query = query.where(Fund.code == code)
    if organisation:
        query = query.join(Organisation, Organisation.id == Fund.organisation_id).where(
            Organisation.name == organisation)
    funds = list(db.session.scalars(query))
    if not funds:
        raise click.ClickException(f"no fund with the code {code!r}")
    if len(funds) > 1:
        raise click.ClickException(f"{len(funds)} organisations have a fund {code!r}: "
                                   "name one with --organisation")
    return funds


def plan(quarter: Quarter, code: str | None, organisation: str | None,
         kinds: tuple[str, ...]) -> list[Job]:
    """The runs to make, funds first (by code), then organisations."""
    def wanted(packs: list[Pack]) -> list[Pack]:
        return [p for p in packs if not kinds or p.kind in kinds]

    jobs = [Job(p, f.id, f.organisation_id, f.code)
            for f in _funds(quarter, code, organisation) for p in wanted(packs_for(
                RunSubject.FUND))]
    if code is None:
        from fundops.auth.models import Organisation

        names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)).all())
        jobs += [Job(p, org, org, names.get(org, f"organisation {org}"))
                 for p in wanted(packs_for(RunSubject.ORGANISATION))
                 for org in (p.candidates() if p.candidates else [])]
    return jobs


def describe(job: Job, quarter: Quarter, outcome: RunOutcome) -> str:
    """One line: subject, quarter, pack, what happened, version, files with SHA-256."""
    run = outcome.run
    line = (f"{job.name} {quarter} {job.pack.kind}: {STATES[outcome.state]} v{run.version} "
            f"(run {run.id}, inputs {run.inputs_hash[:12]})")
    if outcome.state is RunState.NEW_VERSION:
        line += f" — {run.reason}"
    files = ", ".join(f"{f.name} {f.size_bytes} B sha256 {f.sha256[:16]}" for f in run.files)
    return f"{line}; {files}" if files else line


def _shown(job: Job | None) -> str | None:
    return job.name if job else None


@click.group("reports")
def reports_group() -> None:
    """Report packs kept as records."""


@reports_group.command("run")
@click.option("--quarter", required=True, help="The quarter, e.g. 2025Q2 (it must have ended).")
@click.option("--fund", "code", default=None, help="One fund, by its code.")
@click.option("--organisation", default=None, help="The fund's organisation, by name.")
@click.option("--all", "everything", is_flag=True, help="Every fund (and bank) of the quarter.")
@click.option("--kind", "kinds", multiple=True, help="Only these packs (repeatable).")
@with_appcontext
def run_command(quarter: str, code: str | None, organisation: str | None, everything: bool,
                kinds: tuple[str, ...]) -> None:
    """Run the report packs for a quarter; the same inputs keep the existing run."""
    if (code is None) == (not everything):
        raise click.UsageError("give either --fund CODE or --all")
    try:
        q = Quarter.parse(quarter)
    except DomainError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from None
    jobs = plan(q, code, organisation, kinds)
    if not jobs:
        click.echo(f"nothing to run for {q}: no registered pack or no subject")
        return
    lines: list[str] = []
    states: list[str] = []
    bar = click.progressbar(jobs, label=f"reports {q}", file=sys.stderr, item_show_func=_shown)
    with bar:
        for job in bar:
            try:
                outcome = run_pack(system_actor(job.organisation_id, "cli"), job.pack.kind,
                                   job.subject_id, q)
            except DomainError as exc:
                db.session.rollback()
                states.append("refused")
                lines.append(f"{job.name} {q} {job.pack.kind}: refused — {exc}")
            else:
                states.append(STATES[outcome.state])
                lines.append(describe(job, q, outcome))
    for line in lines:
        click.echo(line)
    counts = [f"{states.count(s)} {s}" for s in (*STATES.values(), "refused") if s in states]
    click.echo(f"{len(jobs)} run(s): {', '.join(counts)}")
    if "refused" in states:
        raise SystemExit(1)
