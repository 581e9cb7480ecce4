"""Quarterly report pages: the report of one fund and quarter, and its downloads.

``GET /funds/<id>/reports/quarterly?quarter=2025Q2`` shows the report (default: the last
ended quarter); ``…/quarterly.xlsx`` and ``…/quarterly.pdf`` download the same report in
Chinese (``…/quarterly/consolidated.xlsx|pdf``: a parent fund's consolidated pack; for
any other fund it redirects to the report with the reason).
Another organisation's fund is a 404; an LP-access viewer sees what the metrics pages show
it (the fund's figures and its own LP lines). A bad quarter re-renders the page with the
error (422); on a download it is the error page (422); nothing is ever written.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

from fundops.auth.current import current_actor
from fundops.calc.periods import Quarter, quarters_between
from fundops.clock import business_today
from fundops.errors import ValidationError
from fundops.i18n import localise
from fundops.portfolio.access import get_fund
from fundops.portfolio.models import Fund
from fundops.reports.quarterly import files
from fundops.reports.quarterly.build import quarter_text, quarterly_document
from fundops.reports.quarterly.content import latest_quarter, quarterly_report

bp = Blueprint("reports_quarterly", __name__)


class QuarterForm(FlaskForm):
    """The GET quarter picker (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    quarter = SelectField(_l("Quarter"), choices=[], validate_choice=False)


def _choices(fund: Fund) -> list[tuple[str, str]]:
    last = Quarter.of(business_today()).previous()
    if last < Quarter.of(fund.inception_on):
        return []
    return [(str(q), quarter_text(q)) for q in reversed(quarters_between(fund.inception_on,
                                                                          last.end))]


def _quarter(fund: Fund) -> Quarter:
    raw = request.args.get("quarter", "").strip()
    return Quarter.parse(raw) if raw else latest_quarter(fund, business_today())


@bp.route("/funds/<int:fund_id>/reports/quarterly")
@login_required
def quarterly(fund_id: int) -> Any:
    """The report page; 422 with the reason for a quarter that has no report."""
    actor = current_actor()
    fund, access = get_fund(actor, fund_id)
    form = QuarterForm(request.args if request.args.get("quarter") else None)
    form.quarter.choices = _choices(fund)
    context: dict[str, Any] = {"fund": fund, "access": access, "form": form}
    try:
        report = quarterly_report(actor, fund.id, _quarter(fund))
    except ValidationError as exc:
        form.quarter.errors = [localise(exc)]
        return render_template("reports/quarterly/report.html", doc=None, **context), 422
    form.quarter.data = str(report.quarter)
    return render_template("reports/quarterly/report.html", doc=quarterly_document(report),
                           report=report, **context)


def _download(fund_id: int, suffix: str, consolidated: bool = False) -> Any:
    """The report's file (xlsx or pdf) attached under its UTF-8 file name, or a page that
    reloads itself while a slow one is built (202; :mod:`.files`)."""
    actor = current_actor()
    fund, access = get_fund(actor, fund_id)
    raw = request.args.get("quarter", "").strip()
    quarter = Quarter.parse(raw) if raw else None
    got = files.report_file(actor, access, fund.id, quarter, suffix, consolidated)
    if got is None:  # no pack to give: back to the report
        flash(localise(ValidationError("fund_id", "report_not_parent_fund", fund=fund.code)),
              "error")
        return redirect(url_for("reports_quarterly.quarterly", fund_id=fund.id,
                                quarter=str(quarter or _quarter(fund))))
    if isinstance(got, files.Preparing):
        return render_template("reports/quarterly/preparing.html", fund=fund,
                               consolidated=consolidated, suffix=suffix,
                               seconds=max(1, round(got.last_ms / 1000)) if got.last_ms
                               else None,
                               refresh=files.REFRESH_S), 202
    response = send_file(io.BytesIO(got.data), mimetype=got.mimetype, as_attachment=True,
                         download_name=got.name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/funds/<int:fund_id>/reports/quarterly.xlsx")
@login_required
def quarterly_xlsx(fund_id: int) -> Any:
    """The report as an xlsx workbook (one sheet per section)."""
    return _download(fund_id, "xlsx")


@bp.route("/funds/<int:fund_id>/reports/quarterly.pdf")
@login_required
def quarterly_pdf(fund_id: int) -> Any:
    """The report as a PDF (Chinese text searchable)."""
    return _download(fund_id, "pdf")


@bp.route("/funds/<int:fund_id>/reports/quarterly/consolidated.xlsx")
@login_required
def consolidated_xlsx(fund_id: int) -> Any:
    """A parent fund's consolidated pack as one workbook."""
    return _download(fund_id, "xlsx", consolidated=True)


@bp.route("/funds/<int:fund_id>/reports/quarterly/consolidated.pdf")
@login_required
def consolidated_pdf(fund_id: int) -> Any:
    """A parent fund's consolidated pack as one PDF."""
    return _download(fund_id, "pdf", consolidated=True)

