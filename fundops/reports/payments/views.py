"""LP payments pages (on the ``reports_payments`` blueprint): the fund's receivables and
arrears, a call's lines with their due date and receipts (issue, receipt, interest charge
and receipt reversal forms), one LP's view, the payment-terms form and the equalisation
preview and post. The managing organisation only (another's fund: 404); every form needs
a writer role; views are thin (form → one service call → redirect).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from fundops.auth.current import current_actor
from fundops.clock import business_today
from fundops.errors import ConflictError, ValidationError
from fundops.i18n import localise
from fundops.portfolio.access import get_investor
from fundops.portfolio.forms import option
from fundops.portfolio.models import Fund
from fundops.portfolio.web import attach_error, handle_form
from fundops.reports.payments import equalisation as eq
from fundops.reports.payments import forms, queries, services
from fundops.reports.payments.web import as_of_arg, bp
from fundops.web.formtokens import not_consumed


def _fund_url(fund_id: int) -> str:
    return url_for("reports_payments.fund_payments", fund_id=fund_id)


@bp.route("/funds/<int:fund_id>/payments")
@login_required
def fund_payments(fund_id: int) -> Any:
    fund = queries.managed_fund(current_actor(), fund_id)
    as_of = as_of_arg()
    lps = sorted({(s.investor_id, s.investor_name)
                  for s in queries.line_status(fund.id, as_of)}, key=lambda p: p[1])
    return render_template(
        "reports/payments/fund.html", fund=fund, as_of=as_of,
        arrears=queries.arrears(fund, as_of), calls=queries.list_calls(fund.id, as_of),
        terms=queries.terms_on(fund.id, as_of), lps=lps,
        equalisations=eq.list_equalisations(fund.id), can_write=current_user.can_write)


@bp.route("/funds/<int:fund_id>/payments/terms", methods=["GET", "POST"])
@login_required
def payment_terms(fund_id: int) -> Any:
    fund = queries.managed_fund(current_actor(), fund_id, write=True)
    form = forms.TermsForm()
    if request.method == "GET":
        form.effective_on.data = fund.inception_on
        form.default_pct.data, form.equalisation_pct.data = Decimal("0.05"), Decimal(8)

    def post() -> str:
        services.set_payment_terms(
            current_actor(), fund.id, effective_on=form.effective_on.data,
            days_to_pay=form.days_to_pay.data, default_convention=form.default_convention.data,
            default_rate=_fraction(form.default_pct.data), grace_days=form.grace_days.data,
            equalisation_rate=_fraction(form.equalisation_pct.data),
            equalisation_compounding=form.equalisation_compounding.data,
            memo=form.memo.data or "")
        return _fund_url(fund.id)

    aliases = {"default_rate": "default_pct", "equalisation_rate": "equalisation_pct"}
    return handle_form(form, "reports/payments/terms.html", post, _("Payment terms saved."),
                       aliases=aliases, fund=fund, history=queries.terms_history(fund.id))


def _fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.scaleb(-2)


def _lp_choices(fund_id: int, entry_id: int) -> list[Any]:
    return [option(s.investor_id, s.investor_name)
            for s in queries.line_status(fund_id, business_today(), entry_id=entry_id)]


def _call_page(fund: Fund, entry_id: int, status: int = 200,
               **given: FlaskForm) -> Any:
    """The call's page with its forms (``given`` replaces a form posted with errors)."""
    entry = queries.get_call(fund.id, entry_id)
    as_of = as_of_arg()
    lps = _lp_choices(fund.id, entry.id)
    issue = given.get("issue") or forms.IssueForm(prefix="issue")
    receipt = given.get("receipt") or forms.ReceiptForm(prefix="receipt")
    charge = given.get("charge") or forms.ChargeForm(prefix="charge")
    for form in (receipt, charge):
        form["investor_id"].choices = lps
    if "charge" not in given:
        charge["as_of"].data = business_today()
    if "receipt" not in given:
        receipt["received_on"].data = business_today()
    receipts = queries.list_receipts(fund.id, entry_id=entry.id)
    return render_template(
        "reports/payments/call.html", fund=fund, entry=entry, as_of=as_of,
        issue=queries.issue_of(entry.id), reversed=entry.id in queries.reversed_ids(fund.id),
        lines=queries.line_status(fund.id, as_of, entry_id=entry.id), receipts=receipts,
        reversed_receipts=queries.reversed_receipt_ids(fund.id),
        charges=queries.list_charges(fund.id, entry_id=entry.id),
        issue_form=issue, receipt_form=receipt, charge_form=charge,
        reverse_forms={r.id: forms.ReverseReceiptForm(prefix=f"reverse{r.id}")
                       for r in receipts},
        reverse_errors=_errors(given.get("reverse")),
        can_write=current_user.can_write), status


def _errors(form: FlaskForm | None) -> list[str]:
    if form is None:
        return []
    return [str(e) for f in form if f.errors for e in f.errors] + [
        str(e) for e in form.form_errors]


@bp.route("/funds/<int:fund_id>/payments/calls/<int:entry_id>")
@login_required
def call_lines(fund_id: int, entry_id: int) -> Any:
    return _call_page(queries.managed_fund(current_actor(), fund_id), entry_id)


def _post_call_form(fund_id: int, entry_id: int, name: str, form: FlaskForm,
                    action: Any, message: str) -> Any:
    """Validate a form of the call page, run its one service call, redirect; else the
    call page with the form's errors (422, or 409 for a conflict)."""
    fund = queries.managed_fund(current_actor(), fund_id, write=True)
    entry = queries.get_call(fund.id, entry_id)
    if "investor_id" in form:
        form["investor_id"].choices = _lp_choices(fund.id, entry.id)
    status = 422
    if form.validate_on_submit():
        try:
            action(fund, entry)
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            status = 409
        else:
            flash(message, "success")
            return redirect(url_for("reports_payments.call_lines", fund_id=fund.id,
                                    entry_id=entry.id))
    return _call_page(fund, entry.id, status, **{name: form})


@bp.route("/funds/<int:fund_id>/payments/calls/<int:entry_id>/issue", methods=["POST"])
@login_required
def call_issue(fund_id: int, entry_id: int) -> Any:
    form = forms.IssueForm(prefix="issue")
    return _post_call_form(fund_id, entry_id, "issue", form, lambda fund, entry: (
        services.issue_call(current_actor(), fund.id, entry.id,
                            issued_on=form.issued_on.data, due_on=form.due_on.data)),
        _("Call issued with its due date."))


@bp.route("/funds/<int:fund_id>/payments/calls/<int:entry_id>/receipts", methods=["POST"])
@login_required
def call_receipt(fund_id: int, entry_id: int) -> Any:
    form = forms.ReceiptForm(prefix="receipt")
    return _post_call_form(fund_id, entry_id, "receipt", form, lambda fund, entry: (
        services.record_receipt(
            current_actor(), fund.id, entry.id, investor_id=form.investor_id.data,
            received_on=form.received_on.data, amount=form.amount.data,
            currency=form.currency.data or None, bank_reference=form.bank_reference.data or "",
            memo=form.memo.data or "", against_interest=form.against.data == "interest")),
        _("Receipt recorded."))


@bp.route("/funds/<int:fund_id>/payments/calls/<int:entry_id>/charges", methods=["POST"])
@login_required
def call_charge(fund_id: int, entry_id: int) -> Any:
    form = forms.ChargeForm(prefix="charge")
    return _post_call_form(fund_id, entry_id, "charge", form, lambda fund, entry: (
        services.charge_default_interest(current_actor(), fund.id, entry.id,
                                         investor_id=form.investor_id.data,
                                         as_of=form.as_of.data)),
        _("Default interest charged to the LP."))


@bp.route("/funds/<int:fund_id>/payments/receipts/<int:receipt_id>/reverse",
          methods=["POST"])
@login_required
def receipt_reverse(fund_id: int, receipt_id: int) -> Any:
    actor = current_actor()
    fund = queries.managed_fund(actor, fund_id, write=True)
    receipt = services.get_receipt(fund.id, receipt_id)
    entry_id = receipt.allocation.cash_flow_id
    form = forms.ReverseReceiptForm(prefix=f"reverse{receipt.id}")
    return _post_call_form(fund.id, entry_id, "reverse", form, lambda fund, entry: (
        services.reverse_receipt(actor, fund.id, receipt.id, form.reason.data or "")),
        _("Receipt reversed."))


@bp.route("/funds/<int:fund_id>/payments/investors/<int:investor_id>")
@login_required
def investor_payments(fund_id: int, investor_id: int) -> Any:
    actor = current_actor()
    fund = queries.managed_fund(actor, fund_id)
    investor = get_investor(actor, investor_id)
    as_of = as_of_arg()
    return render_template(
        "reports/payments/investor.html", fund=fund, investor=investor, as_of=as_of,
        lines=queries.line_status(fund.id, as_of, investor_id=investor.id),
        arrears=queries.arrears(fund, as_of, investor_id=investor.id),
        receipts=queries.list_receipts(fund.id, investor_id=investor.id),
        charges=queries.list_charges(fund.id, investor_id=investor.id))


@bp.route("/funds/<int:fund_id>/payments/equalisation", methods=["GET", "POST"])
@login_required
def equalisation(fund_id: int) -> Any:
    """Preview the equalisation (nothing written), then post it."""
    actor = current_actor()
    fund = queries.managed_fund(actor, fund_id, write=True)
    form = forms.EqualisationForm()
    later = eq.later_commitments(fund.id)
    form.commitment_id.choices = [
        option(c.id, f"{i.name} · {c.committed_on.isoformat()}") for c, i in later]
    if request.method == "GET":
        form.equalised_on.data = business_today()
    preview, status = None, 200
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "preview":
                with not_consumed():
                    preview = eq.preview_equalisation(
                        actor, fund.id, commitment_id=form.commitment_id.data,
                        equalised_on=form.equalised_on.data)
            else:
                eq.post_equalisation(actor, fund.id, commitment_id=form.commitment_id.data,
                                     equalised_on=form.equalised_on.data,
                                     memo=form.memo.data or "")
                flash(_("Equalisation posted."), "success")
                return redirect(_fund_url(fund.id))
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            status = 409
    if request.method == "POST" and form.errors and status == 200:
        status = 422
    return render_template("reports/payments/equalisation.html", fund=fund, form=form,
                           preview=preview, later=later,
                           done={e.commitment_id: e for e in eq.list_equalisations(fund.id)}
                           ), status
