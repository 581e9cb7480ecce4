"""The ``report_runs`` blueprint (pages under ``/reports``) and its template filters:
a pack's label, a run's status and maker, the reason of a version in the page's
language with amounts in the page's unit. Routes: :mod:`.views` (a fund's runs, a run,
its files) and :mod:`fundops.reports.bank.views` (the bank's loan book)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from fundops.i18n import format_money, unit_label
from fundops.reports.runs.enums import RunState, RunStatus
from fundops.reports.runs.models import ReportRun, ReportRunFile
from fundops.reports.runs.queries import changes_of
from fundops.reports.runs.reasons import describe
from fundops.reports.runs.registry import label_of

bp = Blueprint("report_runs", __name__, url_prefix="/reports")

STATUS_LABELS: dict[RunStatus, Any] = {RunStatus.CURRENT: _l("Current version"),
                                       RunStatus.SUPERSEDED: _l("Superseded")}
VIA_LABELS: dict[str, Any] = {"cli": _l("command line"), "system": _l("scheduler")}
STATE_MESSAGES: dict[RunState, Any] = {
    RunState.NEW: _l("Report run recorded: version 1."),
    RunState.UNCHANGED: _l("The inputs have not changed since the latest version: that "
                           "version and its files are kept as they are."),
    RunState.NEW_VERSION: _l("The inputs changed since the latest version: a new version "
                             "was recorded with the reason."),
    RunState.EXISTS: _l("A run of this quarter exists already."),
}


@bp.app_template_filter("run_kind")
def _kind(kind: str) -> str:
    return str(label_of(kind))


@bp.app_template_filter("run_status")
def _status(status: RunStatus) -> str:
    return str(STATUS_LABELS[status])


def _money(amount: Decimal, currency: str) -> str:
    text = f"{format_money(amount)} {unit_label()}"
    return text if currency == "CNY" else f"{text} {currency}"


@bp.app_template_filter("run_reason")
def _reason(run: ReportRun) -> str:
    """What changed since the previous version, in the page's language and unit."""
    return describe(changes_of(run), first=run.version == 1, translate=_, money=_money)


def maker(run: ReportRun, names: dict[int, str]) -> str:
    """Who ran it: the user's name, or the scheduler / the command line."""
    if run.created_by_id is not None:
        return names.get(run.created_by_id, "")
    return str(VIA_LABELS.get(run.created_via, VIA_LABELS["system"]))


def file_response(item: ReportRunFile, media_type: str | None = None) -> Response:
    """The stored bytes as a download (attachment, the stored name)."""
    import io

    response = send_file(io.BytesIO(item.content), mimetype=media_type or item.media_type,
                         as_attachment=True, download_name=item.name, max_age=0)
    response.headers["X-Content-SHA256"] = item.sha256
    return response
