"""Notices pages (``reports_notices``): the fund's notices with the calls and
distributions still without notices (an issue form each) and the receiving account form;
one notice's page and its PDF / xlsx downloads (in Chinese).

Issuing and the account form: the managing organisation with a writer role. An LP
organisation sees and downloads its own notices only; another LP's notice or another
organisation's fund is a 404. Views are thin: form → one service call → redirect.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fundops.auth.current import current_actor
from fundops.clock import business_today
from fundops.errors import ConflictError, ValidationError
from fundops.i18n import localise
from fundops.portfolio.access import Access
from fundops.portfolio.models import Fund
from fundops.portfolio.web import attach_error
from fundops.reports.notices import queries, services
from fundops.reports.notices.document import file_name, notice_document
from fundops.reports.notices.forms import AccountForm, IssueNoticesForm
from fundops.reports.payments.queries import managed_fund
from fundops.reports.render import pdf, render_pdf, render_xlsx, xlsx

bp = Blueprint("reports_notices", __name__)
FILE_LOCALE = "zh_CN"


def _list_url(fund_id: int) -> str:
    return url_for("reports_notices.notices", fund_id=fund_id)


def _list_page(fund_id: int, status: int = 200, issue: tuple[int, IssueNoticesForm] | None = None,
               account: AccountForm | None = None) -> Any:
    """The notices page (``issue``/``account`` replace a form posted with errors)."""
    fund, access, notices = queries.list_notices(current_actor(), fund_id)
    manager = access is Access.MANAGER
    can_write = manager and bool(current_user.can_write)
    pending = queries.pending_entries(fund.id) if manager else []
    forms = {e.id: IssueNoticesForm(prefix=f"issue{e.id}") for e in pending} if can_write else {}
    if issue is not None:
        forms[issue[0]] = issue[1]
    if account is None and can_write:
        account = AccountForm(prefix="account")
        account.effective_on.data = fund.inception_on
    today = business_today()
    issue_errors = [] if issue is None else [*issue[1].form_errors, *(
        str(e) for f in issue[1] for e in f.errors)]
    return render_template(
        "reports/notices/list.html", fund=fund, access=access, notices=notices,
        issue_errors=issue_errors,
        pending=pending, issue_forms=forms, account_form=account, can_write=can_write,
        account=queries.account_on(fund.id, today) if manager else None,
        history=queries.account_history(fund.id) if manager else [], today=today), status


@bp.route("/funds/<int:fund_id>/notices")
@login_required
def notices(fund_id: int) -> Any:
    return _list_page(fund_id)


@bp.route("/funds/<int:fund_id>/notices/entries/<int:entry_id>", methods=["POST"])
@login_required
def issue(fund_id: int, entry_id: int) -> Any:
    """Issue the notices of one call or distribution."""
    actor = current_actor()
    fund: Fund = managed_fund(actor, fund_id, write=True)
    queries.entry_of(fund.id, entry_id)
    form = IssueNoticesForm(prefix=f"issue{entry_id}")
    status = 422
    if form.validate_on_submit():
        try:
            made = services.issue_notices(actor, fund.id, entry_id,
                                          issued_on=form.issued_on.data,
                                          due_on=form.due_on.data)
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            status = 409
        else:
            flash(_("%(count)s notices issued: %(first)s … %(last)s", count=len(made),
                    first=made[0].number, last=made[-1].number), "success")
            return redirect(_list_url(fund.id))
    return _list_page(fund.id, status, issue=(entry_id, form))


@bp.route("/funds/<int:fund_id>/notices/account", methods=["POST"])
@login_required
def account(fund_id: int) -> Any:
    """Record a new version of the fund's receiving account."""
    actor = current_actor()
    fund = managed_fund(actor, fund_id, write=True)
    form = AccountForm(prefix="account")
    status = 422
    if form.validate_on_submit():
        try:
            services.set_receiving_account(
                actor, fund.id, effective_on=form.effective_on.data,
                bank_name=form.bank_name.data, branch=form.branch.data or "",
                account_name=form.account_name.data, account_number=form.account_number.data)
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            status = 409
        else:
            flash(_("Receiving account saved."), "success")
            return redirect(_list_url(fund.id))
    return _list_page(fund.id, status, account=form)


@bp.route("/funds/<int:fund_id>/notices/<int:notice_id>")
@login_required
def notice(fund_id: int, notice_id: int) -> Any:
    fund, access, row = queries.get_notice(current_actor(), fund_id, notice_id)
    return render_template("reports/notices/notice.html", fund=fund, access=access,
                           notice=row, doc=notice_document(row))


def _file(fund_id: int, notice_id: int, suffix: str) -> Any:
    _fund, _access, row = queries.get_notice(current_actor(), fund_id, notice_id)
    with force_locale(FILE_LOCALE):
        document = notice_document(row)
    if suffix == "xlsx":
        data, mimetype = render_xlsx(document), xlsx.MIMETYPE
    else:
        data, mimetype = render_pdf(document), pdf.MIMETYPE
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=file_name(row, suffix), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/funds/<int:fund_id>/notices/<int:notice_id>.pdf")
@login_required
def notice_pdf(fund_id: int, notice_id: int) -> Any:
    """The notice as a PDF (in Chinese)."""
    return _file(fund_id, notice_id, "pdf")


@bp.route("/funds/<int:fund_id>/notices/<int:notice_id>.xlsx")
@login_required
def notice_xlsx(fund_id: int, notice_id: int) -> Any:
    """The notice as an xlsx workbook (in Chinese)."""
    return _file(fund_id, notice_id, "xlsx")
