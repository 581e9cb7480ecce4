"""Pages of the investment-linked lending feature (blueprint ``syndication``).

GP side: term sheets, their syndicate, equity arrival, status and verification codes.
Bank side: verify a code, products, loans and the bank's check of a loan. Views are
thin: form -> service -> flash and redirect. A service's ``ValidationError`` lands on
the field it names (422), a ``ConflictError`` is shown as the refusal's reason (409),
and in both cases nothing is written. Objects outside the caller's reach are 404.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from fundops.approvals.web import submit_form
from fundops.auth.current import current_actor
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.i18n import format_money, localise, localise_message, unit_label
from fundops.messages import MESSAGES
from fundops.portfolio.access import list_companies, list_funds, require_writer
from fundops.portfolio.forms import option
from fundops.syndication import forms, queries
from fundops.syndication.loans import services as lending
from fundops.syndication.loans import products
from fundops.syndication.term_sheets import services as term_sheets
from fundops.syndication.term_sheets import verification
from fundops.syndication.enums import TERM_SHEET_TRANSITIONS, LoanStatus, TermSheetStatus
from fundops.syndication.term_sheets.models import TermSheet
from fundops.uow import Actor

bp = Blueprint("syndication", __name__)


@bp.app_template_filter("syn_label")
def _syn_label(value: object, enum_name: str | None = None) -> str:
    return forms.label(value, enum_name)


@bp.app_template_filter("binding_label")
def _binding_label(term: str) -> str:
    """Which term of ``min(cap, α × arrived, β × post-money)`` binds, translated."""
    return str(forms.BINDING_LABELS.get(term, term))


def _attach(form: FlaskForm, exc: ValidationError) -> None:
    """Show a service error on the field it names, or at the top of the form."""
    field = form._fields.get(exc.field)
    if field is not None and exc.field != "csrf_token":
        field.errors = [*field.errors, localise(exc)]
    else:
        form.form_errors.append(localise(exc))


def _status() -> int:
    return 422 if request.method == "POST" else 200


# --- term sheets (GP) ---------------------------------------------------------------------


@bp.route("/term-sheets")
@login_required
def term_sheet_list() -> Any:
    actor = current_actor()
    return render_template("syndication/term_sheet_list.html",
                           sheets=term_sheets.list_term_sheets(actor),
                           own_org=actor.organisation_id)


@bp.route("/term-sheets/new", methods=["GET", "POST"])
@login_required
def term_sheet_new() -> Any:
    actor = current_actor()
    require_writer(actor)
    form = forms.TermSheetForm()
    form.company_id.choices = [option(c.id, c.name) for c in list_companies(actor)]
    form.lead_fund_id.choices = [option(f.id, f"{f.code} · {f.name_zh}") for f in list_funds(actor)
                                 if f.organisation_id == actor.organisation_id]
    if form.validate_on_submit():
        try:
            ts = term_sheets.create_term_sheet(actor, **form.service_kwargs())
        except ValidationError as exc:
            if not form.attach_line_error(exc):
                _attach(form, exc)
        else:
            flash(_("Term sheet recorded as a draft."), "success")
            return redirect(url_for("syndication.term_sheet_detail", term_sheet_id=ts.id))
    return render_template("syndication/term_sheet_new.html", form=form), _status()


def _term_sheet_forms(actor: Actor, ts: TermSheet, posted: str | None = None) -> dict[str, Any]:
    """The detail page's forms the actor may use; ``posted`` is built from the request."""
    owner = ts.organisation_id == actor.organisation_id
    writer = bool(current_user.can_write)

    def build(name: str, cls: type[FlaskForm], **kw: Any) -> Any:
        if name == posted:
            return cls(prefix=name, **kw)
        return cls(formdata=None, prefix=name, **kw)

    out: dict[str, Any] = {}
    if owner and writer:
        targets = TERM_SHEET_TRANSITIONS[ts.status] - {TermSheetStatus.FUNDED}
        out["transition"] = build("transition", forms.TransitionForm)
        out["transition"].status.choices = [
            option(s.value, forms.label(s)) for s in TermSheetStatus if s in targets]
        out["issue"] = build("issue", forms.IssueCodeForm)
        out["outside"] = build("outside", forms.OutsideFundingForm)
        out["outside"].allocation_id.choices = [
            option(a.id, f"{a.investor_name} · {format_money(a.amount)} {unit_label()}")
            for a in ts.allocations if a.fund_id is None]
    mine = queries.own_allocations(ts, actor.organisation_id)
    if (writer and mine) or posted == "link":
        out["link"] = build("link", forms.LinkInvestmentForm)
        out["link"].allocation_id.choices = [option(a.id, a.investor_name) for a in mine]
        out["link"].cash_flow_id.choices = [
            option(e.id, f"#{e.id} · {e.fund.code} · {e.value_on.isoformat()} · "
                         f"{format_money(e.amount)} {unit_label()}")
            for e in queries.linkable_entries(ts, {a.fund_id for a in mine if a.fund_id})]
    return out


def _term_sheet_page(actor: Actor, ts: TermSheet, page_forms: dict[str, Any], status: int = 200,
                     new_code: str | None = None, problem: str | None = None) -> Any:
    owner = ts.organisation_id == actor.organisation_id
    codes, revoke_forms, names = [], {}, {}
    if owner and current_user.can_write:
        codes = verification.list_codes(actor, ts.id)
        names = queries.user_names(c.created_by_id for c in codes)
        revoke_forms = {c.id: forms.RevokeCodeForm(formdata=None, prefix=f"revoke{c.id}")
                        for c in codes if c.revoked_at is None}
    got = term_sheets.arrived_by_allocation(ts.id)
    arrived = {a.id: got.get(a.id, Decimal("0.00")) for a in ts.allocations}
    return render_template(
        "syndication/term_sheet_detail.html", ts=ts, owner=owner, arrived=arrived,
        total_arrived=sum(arrived.values(), Decimal("0.00")),
        events=queries.list_event_rows(term_sheets.list_events(ts.id)),
        fundings=queries.list_fundings(ts.id), codes=codes, code_names=names,
        revoke_forms=revoke_forms, forms=page_forms, new_code=new_code, problem=problem,
    ), status


@bp.route("/term-sheets/<int:term_sheet_id>")
@login_required
def term_sheet_detail(term_sheet_id: int) -> Any:
    actor = current_actor()
    ts = term_sheets.get_term_sheet(actor, term_sheet_id)
    return _term_sheet_page(actor, ts, _term_sheet_forms(actor, ts))


def _term_sheet_post(term_sheet_id: int, name: str, action: Callable[[Actor, TermSheet, Any], Any],
                     message: str, *, owner_only: bool = True) -> Any:
    actor = current_actor()
    ts = term_sheets.get_term_sheet(actor, term_sheet_id, write=owner_only)
    page_forms = _term_sheet_forms(actor, ts, posted=name)
    form = page_forms[name]
    if form.validate_on_submit():
        try:
            action(actor, ts, form)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            flash(message, "success")
            return redirect(url_for("syndication.term_sheet_detail", term_sheet_id=ts.id)
                            + f"#{name}-form")
    return _term_sheet_page(actor, ts, page_forms, 422)


@bp.route("/term-sheets/<int:term_sheet_id>/status", methods=["POST"])
@login_required
def term_sheet_transition(term_sheet_id: int) -> Any:
    def move(actor: Actor, ts: TermSheet, form: Any) -> None:
        term_sheets.change_status(actor, ts.id, form.status.data, form.reason.data or "",
                                  signed_on=form.signed_on.data)

    return _term_sheet_post(term_sheet_id, "transition", move, _("Status changed."))


@bp.route("/term-sheets/<int:term_sheet_id>/link", methods=["POST"])
@login_required
def funding_link(term_sheet_id: int) -> Any:
    def link(actor: Actor, ts: TermSheet, form: Any) -> None:
        term_sheets.link_investment(actor, ts.id, form.allocation_id.data, form.cash_flow_id.data)

    return _term_sheet_post(term_sheet_id, "link", link,
                            _("Investment linked: the equity counts as arrived."), owner_only=False)


@bp.route("/term-sheets/<int:term_sheet_id>/outside-funding", methods=["POST"])
@login_required
def funding_outside(term_sheet_id: int) -> Any:
    def record(actor: Actor, ts: TermSheet, form: Any) -> None:
        term_sheets.record_outside_funding(actor, ts.id, form.allocation_id.data,
                                           amount=form.amount.data, arrived_on=form.arrived_on.data,
                                           evidence_ref=form.evidence_ref.data)

    return _term_sheet_post(term_sheet_id, "outside", record, _("Outside investor's payment recorded."))


@bp.route("/term-sheets/<int:term_sheet_id>/codes", methods=["POST"])
@login_required
def code_issue(term_sheet_id: int) -> Any:
    """Issue a code and show it on this response only: it is never stored or redirected."""
    actor = current_actor()
    ts = term_sheets.get_term_sheet(actor, term_sheet_id, write=True)
    page_forms = _term_sheet_forms(actor, ts, posted="issue")
    if not page_forms["issue"].validate_on_submit():
        return _term_sheet_page(actor, ts, page_forms, 422, problem=_("The form expired; retry."))
    _code, text = verification.issue_code(actor, ts.id)
    return _term_sheet_page(actor, ts, _term_sheet_forms(actor, ts), new_code=text)


@bp.route("/term-sheets/<int:term_sheet_id>/codes/<int:code_id>/revoke", methods=["POST"])
@login_required
def code_revoke(term_sheet_id: int, code_id: int) -> Any:
    actor = current_actor()
    ts = term_sheets.get_term_sheet(actor, term_sheet_id, write=True)
    form = forms.RevokeCodeForm(prefix=f"revoke{code_id}")
    problem = None
    if form.validate_on_submit():
        try:
            verification.revoke_code(actor, ts.id, code_id, form.reason.data or "")
        except ValidationError as exc:
            problem = _("Code not revoked: %(reason)s", reason=localise(exc))
        else:
            flash(_("Verification code revoked."), "success")
            return redirect(url_for("syndication.term_sheet_detail", term_sheet_id=ts.id)
                            + "#codes")
    else:
        problem = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    return _term_sheet_page(actor, ts, _term_sheet_forms(actor, ts), 422, problem=problem)


# --- bank: verification and application ---------------------------------------------------


def _offer(actor: Actor, facts: Any, apply_form: forms.ApplyForm) -> list[Any]:
    """The bank's active products in the round's currency with their headroom; they are
    the choices of the application form."""
    offered = [p for p in products.list_products(actor) if p.active]
    headrooms = queries.product_headrooms(facts, offered)
    apply_form.product_id.choices = [option(p.id, p.name) for p, _h in headrooms]
    return headrooms


def _verify_page(actor: Actor, form: forms.VerifyForm, facts: Any = None,
                 apply_form: forms.ApplyForm | None = None, status: int = 200) -> Any:
    headrooms: list[Any] = []
    if facts is not None:
        if apply_form is None:
            apply_form = forms.ApplyForm(formdata=None, prefix="apply", code=form.code.data)
        headrooms = _offer(actor, facts, apply_form)
    return render_template("syndication/verify.html", form=form, facts=facts,
                           headrooms=headrooms, apply_form=apply_form,
                           can_write=current_user.can_write), status


def _unknown_code(form: forms.VerifyForm) -> None:
    form.code.errors = [*form.code.errors,
                        _("No live term sheet has this code: check it, or ask the company "
                          "whether it was revoked.")]


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify() -> Any:
    """A bank enters a code; the facts are shown on this response (never in the URL)."""
    actor = current_actor()
    lending.require_bank(actor)
    form = forms.VerifyForm()
    if not form.validate_on_submit():
        return _verify_page(actor, form, status=_status())
    try:
        facts = verification.verify(actor, form.code.data)
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
    apply_form = forms.ApplyForm(prefix="apply")
    form = forms.VerifyForm(formdata=None, code=apply_form.code.data)
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
                actor, code=apply_form.code.data, product_id=apply_form.product_id.data,
                amount=apply_form.amount.data, first_due_on=apply_form.first_due_on.data)
        except ValidationError as exc:
            _attach(apply_form, exc)
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
        form = forms.ProductForm() if current_user.can_write else None
        return render_template("syndication/product_list.html", items=items, form=form)
    require_writer(actor)
    form = forms.ProductForm()
    if form.validate_on_submit():
        try:
            product = products.create_product(actor, **form.service_kwargs())
        except ValidationError as exc:
            _attach(form, exc)
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
    "approve": (forms.ApproveForm, (LoanStatus.APPLIED,)),
    "decline": (forms.DeclineForm, (LoanStatus.APPLIED,)),
    "disburse": (forms.DisburseForm, (LoanStatus.APPROVED, LoanStatus.ACTIVE)),
    "repay": (forms.RepaymentForm, (LoanStatus.ACTIVE, LoanStatus.DEFAULTED)),
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


def _loan_post(loan_id: int, name: str, action: Callable[[Actor, int, Any], Any],
               message: str, refused: str, *, form: Any = None, anchor: str = "") -> Any:
    """A loan-page form post: 422 with field errors, 409 with the refusal, else redirect."""
    actor = current_actor()
    loan = lending.get_loan(actor, loan_id, write=True)  # the lead bank's writers only
    form = form if form is not None else _LOAN_FORMS[name][0](prefix=name)
    if form.validate_on_submit():
        try:
            action(actor, loan.id, form)
        except ValidationError as exc:
            _attach(form, exc)
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
    return _loan_post(loan_id, "approve",
                      lambda actor, lid, form: submit_form(
                          actor, "loan_approval", {"loan_id": lid, "note": form.note.data or ""}),
                      _("Loan approved: the amount is reserved against the round."),
                      _("Approval refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/decline", methods=["POST"])
@login_required
def loan_decline(loan_id: int) -> Any:
    return _loan_post(loan_id, "decline",
                      lambda actor, lid, form: lending.decline_loan(actor, lid, form.note.data or ""),
                      _("Application declined."), _("Refused: %(reason)s"))


@bp.route("/loans/<int:loan_id>/disburse", methods=["POST"])
@login_required
def loan_disburse(loan_id: int) -> Any:
    def pay(actor: Actor, lid: int, form: Any) -> None:
        submit_form(actor, "loan_disbursement", {"loan_id": lid, "amount": form.amount.data,
                    "value_on": form.value_on.data, "memo": form.memo.data or ""})

    return _loan_post(loan_id, "disburse", pay, _("Disbursement posted."),
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

    return _loan_post(loan_id, "repay", repay, _("Repayment recorded."), _("Refused: %(reason)s"))

from fundops.syndication import texts  # noqa: F401  (they join bp)
from fundops.syndication.loans import event_views
from fundops.syndication.pools import views as pool_views
