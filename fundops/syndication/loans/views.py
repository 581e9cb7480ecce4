"""The bank's pages (on the ``syndication`` blueprint): verify a term sheet's code and
apply for a loan, loan products, the loan list and a loan's page with the lead bank's
approval, decline, disbursement and repayment. The loan page's credit events, pool claim
and warrants are in :mod:`fundops.syndication.loans.event_views`, which posts through
:func:`loan_post`. Errors follow :mod:`fundops.syndication.web`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from fundops.approvals.web import submit_form
from fundops.auth.current import current_actor
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.i18n import localise, localise_message
from fundops.messages import MESSAGES
from fundops.portfolio.access import require_writer
from fundops.portfolio.forms import option
from fundops.syndication import queries
from fundops.syndication.enums import LoanStatus
from fundops.syndication.loans import forms as loan_forms
from fundops.syndication.loans import products
from fundops.syndication.loans import services as lending
from fundops.syndication.term_sheets import verification
from fundops.syndication.web import attach_error, bp, form_status
from fundops.uow import Actor


def _offer(actor: Actor, facts: Any, apply_form: loan_forms.ApplyForm) -> list[Any]:
    """The bank's active products in the round's currency with their headroom; they are
    the choices of the application form."""
    offered = [p for p in products.list_products(actor) if p.active]
    headrooms = queries.product_headrooms(facts, offered)
    apply_form.product_id.choices = [option(p.id, p.name) for p, _h in headrooms]
    return headrooms


def _verify_page(actor: Actor, form: loan_forms.VerifyForm, facts: Any = None,
                 apply_form: loan_forms.ApplyForm | None = None, status: int = 200) -> Any:
    headrooms: list[Any] = []
    if facts is not None:
        if apply_form is None:
            apply_form = loan_forms.ApplyForm(formdata=None, prefix="apply", code=form.code.data)
        headrooms = _offer(actor, facts, apply_form)
    return render_template("syndication/verify.html", form=form, facts=facts,
                           headrooms=headrooms, apply_form=apply_form,
                           can_write=current_user.can_write), status


def _unknown_code(form: loan_forms.VerifyForm) -> None:
    form.code.errors = [*form.code.errors,
                        _("No live term sheet has this code: check it, or ask the company "
                          "whether it was revoked.")]


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify() -> Any:
    """A bank enters a code; the facts are shown on this response (never in the URL)."""
    actor = current_actor()
    lending.require_bank(actor)
    form = loan_forms.VerifyForm()
    if not form.validate_on_submit():
        return _verify_page(actor, form, status=form_status())
    try:
        facts = verification.verify(actor, form.code.data or "")
    except NotFound:
        _unknown_code(form)
        return _verify_page(actor, form, status=404)
    return _verify_page(actor, form, facts)


@bp.route("/verify/apply", methods=["POST"])
@login_required
def loan_apply() -> Any:
    actor = current_actor()
    lending.require_bank(actor)
    require_writer(actor)
    apply_form = loan_forms.ApplyForm(prefix="apply")
    form = loan_forms.VerifyForm(formdata=None, code=apply_form.code.data)
    try:  # the look-up was audited when the bank verified; applying reads the facts again
        facts = verification.facts_of(verification.term_sheet_for_code(apply_form.code.data or ""))
    except NotFound:
        _unknown_code(form)
        return _verify_page(actor, form, status=404)
    offered = {p.id for p, _h in _offer(actor, facts, apply_form)}
    chosen = apply_form.product_id.data
    if isinstance(chosen, int) and chosen not in offered:
        lending.get_product(actor, chosen)  # another bank's product is 404, like any object
    if apply_form.validate_on_submit():
        try:
            loan = lending.apply_for_loan(
                actor, code=apply_form.code.data or "", product_id=apply_form.product_id.data,
                amount=apply_form.amount.data, first_due_on=apply_form.first_due_on.data)
        except ValidationError as exc:
            attach_error(apply_form, exc)
        else:
            flash(_("Loan application recorded."), "success")
            return redirect(url_for("syndication.loan_detail", loan_id=loan.id))
    return _verify_page(actor, form, facts, apply_form, 422)


# --- bank: products and loans --------------------------------------------------------------


@bp.route("/loan-products", methods=["GET", "POST"])
@login_required
def product_list() -> Any:
    actor = current_actor()
    items = products.list_products(actor)  # 404 for non-banks
    if request.method == "GET":
        form = loan_forms.ProductForm() if current_user.can_write else None
        return render_template("syndication/product_list.html", items=items, form=form)
    require_writer(actor)
    form = loan_forms.ProductForm()
    if form.validate_on_submit():
        try:
            product = products.create_product(actor, **form.service_kwargs())
        except ValidationError as exc:
            attach_error(form, exc)
        else:
            flash(_("Loan product %(name)s created.", name=product.name), "success")
            return redirect(url_for("syndication.product_list"))
    return render_template("syndication/product_list.html", items=items, form=form), 422


@bp.route("/loans")
@login_required
def loan_list() -> Any:
    actor = current_actor()
    lending.require_bank(actor)
    loans = lending.list_loans(actor)
    return render_template("syndication/loan_list.html", loans=loans, own_org=actor.organisation_id,
                           drawn={x.id: lending.drawn_amount(x.id) for x in loans})


_LOAN_FORMS: dict[str, tuple[type[FlaskForm], tuple[LoanStatus, ...]]] = {
    "approve": (loan_forms.ApproveForm, (LoanStatus.APPLIED,)),
    "decline": (loan_forms.DeclineForm, (LoanStatus.APPLIED,)),
    "disburse": (loan_forms.DisburseForm, (LoanStatus.APPROVED, LoanStatus.ACTIVE)),
    "repay": (loan_forms.RepaymentForm, (LoanStatus.ACTIVE, LoanStatus.DEFAULTED)),
}


def _loan_page(actor: Actor, loan_id: int, posted: dict[str, Any] | None = None,
               status: int = 200) -> Any:
    check = lending.check_loan(actor, loan_id)  # 404 unless the bank lends in the loan
    loan = lending.get_loan(actor, loan_id)
    page_forms: dict[str, Any] = {}
    if loan.lead_bank_id == actor.organisation_id and current_user.can_write:
        page_forms = {name: cls(formdata=None, prefix=name)
                      for name, (cls, when) in _LOAN_FORMS.items() if loan.status in when}
    page_forms.update(posted or {})
    schedule = queries.list_schedule(loan.id)
    reasons = {name: localise_message(MESSAGES[problem[0]], problem[1]) if problem else None
               for name, problem in (("status", check.status_problem),
                                     ("equity", check.equity_problem))}
    return render_template(
        "syndication/loan_detail.html", loan=loan, check=check, forms=page_forms,
        reasons=reasons,
        schedule=schedule, totals=queries.schedule_totals(schedule),
        entries=queries.list_loan_entries(loan.id),
        outstanding=lending.outstanding_principal(loan.id), own_org=actor.organisation_id,
    ), status


@bp.route("/loans/<int:loan_id>")
@login_required
def loan_detail(loan_id: int) -> Any:
    return _loan_page(current_actor(), loan_id)


def loan_post(loan_id: int, name: str, action: Callable[[Actor, int, Any], Any],
              message: str, refused: str, *, form: Any = None, anchor: str = "") -> Any:
    """A loan-page form post: 422 with field errors, 409 with the refusal, else redirect."""
    actor = current_actor()
    loan = lending.get_loan(actor, loan_id, write=True)  # the lead bank's writers only
    form = form if form is not None else _LOAN_FORMS[name][0](prefix=name)
    if form.validate_on_submit():
        try:
            action(actor, loan.id, form)
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(refused % {"reason": localise(exc)})
            return _loan_page(actor, loan.id, {name: form}, 409)
        else:
            flash(message, "success")
            return redirect(url_for("syndication.loan_detail", loan_id=loan.id) + anchor)
    return _loan_page(actor, loan.id, {name: form}, 422)


@bp.route("/loans/<int:loan_id>/approve", methods=["POST"])
@login_required
def loan_approve(loan_id: int) -> Any:
    return loan_post(loan_id, "approve",
                     lambda actor, lid, form: submit_form(
                         actor, "loan_approval", {"loan_id": lid, "note": form.note.data or ""}),
                     _("Loan approved: the amount is reserved against the round."),
                     _("Approval refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/decline", methods=["POST"])
@login_required
def loan_decline(loan_id: int) -> Any:
    return loan_post(loan_id, "decline",
                     lambda actor, lid, form: lending.decline_loan(actor, lid,
                                                                   form.note.data or ""),
                     _("Application declined."), _("Refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/disburse", methods=["POST"])
@login_required
def loan_disburse(loan_id: int) -> Any:
    def pay(actor: Actor, lid: int, form: Any) -> None:
        submit_form(actor, "loan_disbursement", {"loan_id": lid, "amount": form.amount.data,
                    "value_on": form.value_on.data, "memo": form.memo.data or ""})

    return loan_post(loan_id, "disburse", pay, _("Disbursement posted."),
                     _("Disbursement refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/repayments", methods=["POST"])
@login_required
def loan_repayment(loan_id: int) -> Any:
    def repay(actor: Actor, lid: int, form: Any) -> None:
        zero = Decimal("0.00")
        lending.record_repayment(
            actor, lid, principal=form.principal.data if form.principal.data is not None else zero,
            interest=form.interest.data if form.interest.data is not None else zero,
            value_on=form.value_on.data, subsidy=form.subsidy.data)

    return loan_post(loan_id, "repay", repay, _("Repayment recorded."), _("Refused: %(reason)s"))
