"""The bank's loan book page (on the ``report_runs`` blueprint): the book at a quarter end
with its xlsx download, the recorded runs of the loan book (versions, reasons, files)
and the form to record a quarter. For a bank's users only: another kind of organisation
is sent to its report runs; the book shows only the bank's own loans.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from fundops.auth.current import current_actor
from fundops.auth.models import OrgKind
from fundops.calc.periods import Quarter
from fundops.clock import business_today
from fundops.errors import ConflictError, ValidationError
from fundops.i18n import localise
from fundops.portfolio.web import attach_error
from fundops.reports.bank import LOAN_BOOK, build_loan_book, check_bank
from fundops.reports.bank.loan_book import load_loan_book
from fundops.reports.runs import queries
from fundops.reports.runs.enums import RunSubject
from fundops.reports.runs.forms import QuarterRunForm, ended_quarters, quarter_choices
from fundops.reports.runs.services import XLSX, run_pack
from fundops.reports.runs.web import STATE_MESSAGES, bp, maker

QUARTERS = 12
FIRST_DAY = Quarter(2000, 1).start
STATUS_LABELS: dict[str, Any] = {
    "performing": _l("Performing"), "repaid": _l("Repaid"), "defaulted": _l("Defaulted"),
    "written_off": _l("Written off")}


@bp.app_template_filter("loan_book_status")
def _status(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def _not_a_bank() -> Any:
    return redirect(url_for("report_runs.index"))


def _quarter(quarters: list[Quarter]) -> tuple[Quarter, str]:
    """The quarter asked for in ``?quarter=`` (default: the last one ended), and the
    refusal's text if the parameter is not an ended quarter."""
    raw = request.args.get("quarter", "")
    if not raw:
        return quarters[0], ""
    try:
        asked = Quarter.parse(raw)
    except ValidationError as exc:
        return quarters[0], localise(exc)
    if asked.end >= business_today():
        return quarters[0], localise(ValidationError(
            "quarter", "report_quarter_not_ended", quarter=str(asked), end=asked.end))
    return asked, ""


def _page(form: QuarterRunForm | None = None, status: int = 200) -> Any:
    actor = current_actor()
    quarters = ended_quarters(FIRST_DAY, business_today(), QUARTERS)
    quarter, refusal = _quarter(quarters)
    if form is None and current_user.can_write:
        form = QuarterRunForm(formdata=None, quarter=str(quarters[0]))
    if form is not None:
        form.quarter.choices = quarter_choices(quarters)
    runs = queries.organisation_runs(actor, RunSubject.ORGANISATION, LOAN_BOOK)
    names = queries.creator_names(runs)
    return render_template(
        "reports/runs/loan_book.html", quarter=quarter, quarters=quarters, refusal=refusal,
        rows=load_loan_book(actor.organisation_id, quarter.end), runs=runs, form=form,
        makers={r.id: maker(r, names) for r in runs}), status


@bp.route("/bank/loan-book")
@login_required
def loan_book() -> Any:
    if current_user.organisation.kind is not OrgKind.BANK:
        return _not_a_bank()
    return _page()


@bp.route("/bank/loan-book.xlsx")
@login_required
def loan_book_download() -> Any:
    """The book of ``?quarter=`` as xlsx, built now (the same bytes a run would store)."""
    if current_user.organisation.kind is not OrgKind.BANK:
        return _not_a_bank()
    import io

    actor = current_actor()
    quarter, _refusal = _quarter(ended_quarters(FIRST_DAY, business_today(), QUARTERS))
    ((name, content),) = build_loan_book(actor, actor.organisation_id, quarter)
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True,
                     download_name=name, max_age=0)


@bp.route("/bank/loan-book/runs", methods=["POST"])
@login_required
def loan_book_run() -> Any:
    """Record the loan book of a quarter as a run (or find it unchanged)."""
    actor = current_actor()
    check_bank(actor, actor.organisation_id)  # 404 for any other organisation
    form = QuarterRunForm()
    form.quarter.choices = quarter_choices(ended_quarters(FIRST_DAY, business_today(),
                                                          QUARTERS))
    if form.validate_on_submit():
        try:
            outcome = run_pack(actor, LOAN_BOOK, actor.organisation_id, form.quarter.data)
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            return _page(form, 409)
        else:
            flash(str(STATE_MESSAGES[outcome.state]), "success")
            return redirect(url_for("report_runs.run_detail", run_id=outcome.run.id))
    return _page(form, 422)
