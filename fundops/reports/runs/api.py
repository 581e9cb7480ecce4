"""Report-run routes of the JSON API (reads only; runs are made by the scheduler, the
command line and the pages):

- ``GET /funds/<fund_id>/report-runs`` — every version of every run of a fund
- ``GET /report-runs?kind=&quarter=`` — the caller's organisation's runs
- ``GET /report-runs/<run_id>`` — one run: what it read, why this version, its files
- ``GET /report-runs/<run_id>/files/<file_id>`` — the stored bytes (octet-stream)

A fund's runs are its managing organisation's; another organisation's fund, run or file
is 404.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor
from fundops.calc.periods import Quarter
from fundops.reports.runs import queries
from fundops.reports.runs import schemas as S
from fundops.reports.runs.models import ReportRun
from fundops.reports.runs.web import file_response

bp = Blueprint("report_runs_api", __name__, description="Report runs kept as records")

RUN = f"/report-runs/<{ID}:run_id>"


def run_out(run: ReportRun, names: dict[int, str]) -> dict[str, Any]:
    """A run as :class:`~.schemas.ReportRunOut` serialises it."""
    changes = [{**c, "amounts": [{"currency": cur, "amount": amount}
                                 for cur, amount in c.get("amounts", {}).items()]}
               for c in queries.changes_of(run)]
    return {
        "id": run.id, "kind": run.kind, "subject": run.subject, "subject_id": run.subject_id,
        "fund_id": run.fund_id, "quarter": run.quarter, "as_of": run.as_of,
        "version": run.version, "status": run.status, "data_version": run.data_version,
        "inputs_hash": run.inputs_hash, "input_rows": run.input_rows, "reason": run.reason,
        "changes": changes, "created_at": run.created_at,
        "created_by": names.get(run.created_by_id) if run.created_by_id else None,
        "created_via": run.created_via,
        "files": [{"id": f.id, "name": f.name, "media_type": f.media_type,
                   "size_bytes": f.size_bytes, "sha256": f.sha256,
                   "url": url_for("report_runs_api.run_file", run_id=run.id, file_id=f.id)}
                  for f in run.files]}


def _listed(runs: list[ReportRun]) -> dict[str, Any]:
    names = queries.creator_names(runs)
    return {"runs": [run_out(r, names) for r in runs]}


@bp.route(f"/funds/<{ID}:fund_id>/report-runs")
@bp.response(200, S.ReportRunListOut)
def fund_runs(fund_id: int) -> Any:
    """Every version of every run of the fund, newest quarter first."""
    return _listed(queries.fund_runs(actor(), fund_id))


@bp.route("/report-runs")
@bp.arguments(S.ReportRunsQuery, location="query")
@bp.response(200, S.ReportRunListOut)
def runs(query: dict[str, Any]) -> Any:
    """The caller's organisation's runs (funds it manages, its own packs)."""
    quarter = Quarter.parse(query["quarter"]) if "quarter" in query else None
    found = queries.organisation_runs(actor(), kind=query.get("kind"))
    return _listed([r for r in found if quarter is None or r.quarter == str(quarter)])


@bp.route(RUN)
@bp.response(200, S.ReportRunOut)
def run_detail(run_id: int) -> Any:
    run = queries.get_run(actor(), run_id)
    return run_out(run, queries.creator_names([run]))


@bp.route(f"{RUN}/files/<{ID}:file_id>")
@bp.doc(responses={"200": {
    "description": "the stored bytes, exactly as the run produced them",
    "headers": {"X-Content-SHA256": {"description": "SHA-256 of the bytes",
                                     "schema": {"type": "string"}}},
    "content": {"application/octet-stream": {"schema": {"type": "string",
                                                        "format": "binary"}}}}})
def run_file(run_id: int, file_id: int) -> Any:
    """Download one file of the run (``Content-Disposition`` names it)."""
    return file_response(queries.get_file(actor(), run_id, file_id),
                         "application/octet-stream")
