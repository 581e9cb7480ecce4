"""Capital account statement pages and downloads (ILPA, any period).

``GET /funds/<id>/reports/capital-accounts?period=qtd|ytd|itd&end=…`` (or ``start``/``end``)
shows every LP's account the viewer may see (the manager: all; an LP organisation: its own
records); ``…/capital-accounts/<investor_id>`` one LP's statement; ``.xlsx`` / ``.pdf``
download the same in Chinese. Another organisation's fund or LP is a 404; a bad period
re-renders the page with the reason (422); nothing is written.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, render_template, request, send_file
from flask_babel import force_locale
from flask_login import login_required

from fundops.auth.current import current_actor
from fundops.errors import NotFound, ValidationError
from fundops.i18n import localise
from fundops.portfolio.access import get_fund
from fundops.reports.render import Document, pdf, render_pdf, render_xlsx, xlsx
from fundops.reports.statement_doc import (
    file_name,
    fund_document,
    lp_document,
    statement_period,
)
from fundops.reports.statements import FundStatement, LpStatement, capital_accounts

bp = Blueprint("reports_statements", __name__)
FILE_LOCALE = "zh_CN"


def _statement(fund_id: int) -> FundStatement:
    actor = current_actor()
    fund, _ = get_fund(actor, fund_id)
    return capital_accounts(actor, fund.id, statement_period(fund, request.args))


def _here() -> dict[str, str]:
    """The period arguments of this request (to carry into links), without blanks."""
    return {k: request.args[k][:20] for k in ("period", "start", "end") if request.args.get(k)}


def _lp(statement: FundStatement, investor_id: int) -> LpStatement:
    for lp in statement.lps:
        if lp.investor.id == investor_id:
            return lp
    raise NotFound("lp_position_not_found", investor_id=investor_id,
                   fund_id=statement.fund.id)


@bp.route("/funds/<int:fund_id>/reports/capital-accounts")
@login_required
def statements(fund_id: int) -> Any:
    """Every visible LP's capital account for the period asked for."""
    fund, access = get_fund(current_actor(), fund_id)
    context: dict[str, Any] = {"fund": fund, "access": access, "here": _here(),
                               "investor": None}
    try:
        statement = _statement(fund.id)
    except ValidationError as exc:
        return render_template("reports/statements/page.html", doc=None, error=localise(exc),
                               error_field=exc.field, **context), 422
    return render_template("reports/statements/page.html", doc=fund_document(statement),
                           statement=statement, **context)


@bp.route("/funds/<int:fund_id>/reports/capital-accounts/<int:investor_id>")
@login_required
def statement(fund_id: int, investor_id: int) -> Any:
    """One LP's capital account statement."""
    fund, access = get_fund(current_actor(), fund_id)
    context: dict[str, Any] = {"fund": fund, "access": access, "here": _here()}
    try:
        whole = _statement(fund.id)
    except ValidationError as exc:
        return render_template("reports/statements/page.html", doc=None, error=localise(exc),
                               error_field=exc.field, investor=None, **context), 422
    lp = _lp(whole, investor_id)
    return render_template("reports/statements/page.html", doc=lp_document(whole, lp),
                           statement=whole, investor=lp.investor, **context)


def _file(document: Document, name: str, suffix: str) -> Any:
    if suffix == "xlsx":
        data, mimetype = render_xlsx(document), xlsx.MIMETYPE
    else:
        data, mimetype = render_pdf(document), pdf.MIMETYPE
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _fund_file(fund_id: int, suffix: str) -> Any:
    whole = _statement(fund_id)
    with force_locale(FILE_LOCALE):
        document = fund_document(whole)
    return _file(document, file_name(whole, suffix), suffix)


def _lp_file(fund_id: int, investor_id: int, suffix: str) -> Any:
    whole = _statement(fund_id)
    lp = _lp(whole, investor_id)
    with force_locale(FILE_LOCALE):
        document = lp_document(whole, lp)
    return _file(document, file_name(whole, suffix, lp), suffix)


@bp.route("/funds/<int:fund_id>/reports/capital-accounts.xlsx")
@login_required
def statements_xlsx(fund_id: int) -> Any:
    """Every visible LP's account as an xlsx workbook (in Chinese)."""
    return _fund_file(fund_id, "xlsx")


@bp.route("/funds/<int:fund_id>/reports/capital-accounts.pdf")
@login_required
def statements_pdf(fund_id: int) -> Any:
    """Every visible LP's account as a PDF (in Chinese)."""
    return _fund_file(fund_id, "pdf")


@bp.route("/funds/<int:fund_id>/reports/capital-accounts/<int:investor_id>.xlsx")
@login_required
def statement_xlsx(fund_id: int, investor_id: int) -> Any:
    """One LP's statement as an xlsx workbook (in Chinese)."""
    return _lp_file(fund_id, investor_id, "xlsx")


@bp.route("/funds/<int:fund_id>/reports/capital-accounts/<int:investor_id>.pdf")
@login_required
def statement_pdf(fund_id: int, investor_id: int) -> Any:
    """One LP's statement as a PDF (in Chinese)."""
    return _lp_file(fund_id, investor_id, "pdf")
