"""Term sheet pages (GP side, on the ``syndication`` blueprint): the list, a new term
sheet with its syndicate and tranches, its page with status changes, the equity's
arrival (a linked fund investment or an outside investor's payment) and the
verification codes a bank uses. Errors follow :mod:`fundops.syndication.web`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from fundops.auth.current import current_actor
from fundops.errors import ValidationError
from fundops.i18n import format_money, localise, unit_label
from fundops.portfolio.access import company_visible_clause, list_funds, require_writer
from fundops.portfolio.company_choice import fund_options
from fundops.portfolio.fields import chosen_company
from fundops.portfolio.forms import option
from fundops.syndication import queries
from fundops.syndication.enums import TERM_SHEET_TRANSITIONS, TermSheetStatus
from fundops.syndication.fields import label
from fundops.syndication.term_sheets import forms as ts_forms
from fundops.syndication.term_sheets import fundings, verification
from fundops.syndication.term_sheets import services as term_sheets
from fundops.syndication.term_sheets.models import TermSheet
from fundops.syndication.web import attach_error, bp, form_status
from fundops.uow import Actor


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
    form = ts_forms.TermSheetForm()
    # the companies the service accepts: its own records and its funds' holdings
    form.company_id.options = fund_options(actor.organisation_id, None, recent=True,
                                           scope=company_visible_clause)
    form.lead_fund_id.choices = [option(f.id, f"{f.code} · {f.name_zh}") for f in list_funds(actor)
                                 if f.organisation_id == actor.organisation_id]
    if form.validate_on_submit():
        try:
            chosen = chosen_company(actor, form.company_id, scope=company_visible_clause)
            ts = term_sheets.create_term_sheet(actor, **form.service_kwargs()
                                               | {"company_id": chosen})
        except ValidationError as exc:
            if not form.attach_line_error(exc):
                attach_error(form, exc)
        else:
            flash(_("Term sheet recorded as a draft."), "success")
            return redirect(url_for("syndication.term_sheet_detail", term_sheet_id=ts.id))
    return render_template("syndication/term_sheet_new.html", form=form), form_status()


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
        out["transition"] = build("transition", ts_forms.TransitionForm)
        out["transition"].status.choices = [
            option(s.value, label(s)) for s in TermSheetStatus if s in targets]
        out["issue"] = build("issue", ts_forms.IssueCodeForm)
        out["outside"] = build("outside", ts_forms.OutsideFundingForm)
        out["outside"].allocation_id.choices = [
            option(a.id, f"{a.investor_name} · {format_money(a.amount)} {unit_label()}")
            for a in ts.allocations if a.fund_id is None]
    mine = queries.own_allocations(ts, actor.organisation_id)
    if (writer and mine) or posted == "link":
        out["link"] = build("link", ts_forms.LinkInvestmentForm)
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
        revoke_forms = {c.id: ts_forms.RevokeCodeForm(formdata=None, prefix=f"revoke{c.id}")
                        for c in codes if c.revoked_at is None}
    got = fundings.arrived_by_allocation(ts.id)
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
            attach_error(form, exc)
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
        fundings.link_investment(actor, ts.id, form.allocation_id.data, form.cash_flow_id.data)

    return _term_sheet_post(term_sheet_id, "link", link,
                            _("Investment linked: the equity counts as arrived."), owner_only=False)


@bp.route("/term-sheets/<int:term_sheet_id>/outside-funding", methods=["POST"])
@login_required
def funding_outside(term_sheet_id: int) -> Any:
    def record(actor: Actor, ts: TermSheet, form: Any) -> None:
        fundings.record_outside_funding(actor, ts.id, form.allocation_id.data,
                                           amount=form.amount.data, arrived_on=form.arrived_on.data,
                                           evidence_ref=form.evidence_ref.data)

    return _term_sheet_post(term_sheet_id, "outside", record,
                            _("Outside investor's payment recorded."))


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
    form = ts_forms.RevokeCodeForm(prefix=f"revoke{code_id}")
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
