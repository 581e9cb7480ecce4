"""Risk-pool pages (on the ``syndication`` blueprint): the pools list with the manager's
set-up form, a pool's position, scheme and claims, money paid in and loans enrolled.

A pool's manager (guidance-fund manager, platform operator or guarantor) sets it up and
records contributions; a member bank reads the pool and enrols the loans it leads.
Anyone else gets 404, like any object outside their reach. As on the other linked-loan
pages, a service ``ValidationError`` lands on its field (422), a ``ConflictError`` is
shown as the refusal's reason (409), and nothing is written on failure.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fundops.auth.current import current_actor
from fundops.auth.models import OrgKind
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.i18n import format_money, localise, unit_label
from fundops.portfolio.access import require_writer
from fundops.portfolio.forms import option
from fundops.syndication import queries
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import forms as pool_forms
from fundops.syndication.pools import services as pools
from fundops.syndication.web import attach_error, bp
from fundops.uow import Actor


@bp.app_template_filter("pool_role")
def _pool_role(role: str) -> str:
    return str(pool_forms.ROLE_LABELS.get(role, role))


@bp.app_template_filter("claim_binding")
def _claim_binding(binding: str) -> str:
    return str(pool_forms.BINDING_LABELS.get(binding, binding)) if binding else ""


@bp.app_template_filter("warrant_status")
def _warrant_status(status: str) -> str:
    return str(pool_forms.WARRANT_LABELS.get(status, status))


def _is_manager_kind() -> bool:
    """Whether the caller's organisation may run pools; banks are members; others 404."""
    kind = current_user.organisation.kind
    if kind not in pools.MANAGER_KINDS and kind is not OrgKind.BANK:
        raise NotFound()
    return kind in pools.MANAGER_KINDS


def _pool_form(formdata: bool) -> pool_forms.PoolForm:
    form = pool_forms.PoolForm() if formdata else pool_forms.PoolForm(formdata=None)
    form.member_bank_ids.choices = [option(o.id, o.name)
                                    for o in queries.list_bank_organisations()]
    return form


def _list_page(actor: Actor, form: pool_forms.PoolForm | None, status: int = 200) -> Any:
    items = pools.list_pools(actor)
    return render_template("syndication/pool_list.html", items=items, form=form,
                           balances=queries.pool_balances(p.id for p in items),
                           own_org=actor.organisation_id), status


@bp.route("/pools", methods=["GET", "POST"])
@login_required
def pool_list() -> Any:
    """The caller's pools (managed or joined); managers' writers also set one up."""
    actor = current_actor()
    if request.method == "GET":
        manager = _is_manager_kind()
        return _list_page(actor, _pool_form(False) if manager and current_user.can_write else None)
    pools.require_manager(actor)
    require_writer(actor)
    form = _pool_form(True)
    if form.validate_on_submit():
        try:
            pool = pools.create_pool(actor, **form.service_kwargs())
        except ValidationError as exc:
            if not form.attach_line_error(exc):
                attach_error(form, exc)
        else:
            flash(_("Risk pool %(name)s set up.", name=pool.name), "success")
            return redirect(url_for("syndication.pool_detail", pool_id=pool.id))
    return _list_page(actor, form, 422)


def _enrol_choices(actor: Actor, currency: str, form: pool_forms.EnrolForm) -> set[int]:
    """The bank's approved or disbursed loans outside any pool, as the form's choices."""
    loans = queries.enrollable_loans(actor.organisation_id, currency)
    names = queries.company_names(x.company_id for x in loans)
    form.loan_id.choices = [
        option(x.id, f"#{x.id} · {names.get(x.company_id, '')} · {x.term_sheet.round_name} · "
                     f"{format_money(x.reserved_amount)} {unit_label()}") for x in loans]
    return {x.id for x in loans}


def _pool_page(actor: Actor, pool_id: int, posted: dict[str, Any] | None = None,
               status: int = 200) -> Any:
    pool = pools.get_pool(actor, pool_id)  # 404 unless the manager or a member bank
    manager = pool.organisation_id == actor.organisation_id
    position = pools.pool_position(actor, pool.id)
    claims = pools.list_claims(actor, pool.id)
    page_forms: dict[str, Any] = {}
    if current_user.can_write and manager:
        page_forms["contribution"] = pool_forms.ContributionForm(formdata=None,
                                                                 prefix="contribution")
    elif current_user.can_write:
        page_forms["enrol"] = pool_forms.EnrolForm(formdata=None, prefix="enrol")
        _enrol_choices(actor, pool.currency, page_forms["enrol"])
    page_forms.update(posted or {})
    enrolments = queries.list_enrolments(pool.id, None if manager else actor.organisation_id)
    companies = queries.company_names([c.company_id for c in claims]
                                      + [x.company_id for _e, x in enrolments])
    banks = queries.organisation_names(
        queries.member_bank_ids(pool.id) + [x.lead_bank_id for _e, x in enrolments]
    ) if manager else {}
    return render_template(
        "syndication/pool_detail.html", pool=pool, manager=manager, position=position,
        contributed=sum(position.contributions.values(), pools.ZERO), claims=claims,
        returns=queries.claim_returns(c.id for c in claims), enrolments=enrolments,
        companies=companies, banks=banks, members=queries.member_bank_ids(pool.id) if manager
        else [], forms=page_forms, own_org=actor.organisation_id,
    ), status


@bp.route("/pools/<int:pool_id>")
@login_required
def pool_detail(pool_id: int) -> Any:
    return _pool_page(current_actor(), pool_id)


@bp.route("/pools/<int:pool_id>/contributions", methods=["POST"])
@login_required
def pool_contribution(pool_id: int) -> Any:
    """Money a funder paid into the pool (the manager's writers)."""
    actor = current_actor()
    pool = pools.get_pool(actor, pool_id, manage=True)
    require_writer(actor)
    form = pool_forms.ContributionForm(prefix="contribution")
    if form.validate_on_submit():
        assert form.funder.data is not None  # DataRequired
        try:
            pools.add_contribution(actor, pool.id, funder=form.funder.data,
                                   amount=form.amount.data,
                                   contributed_on=form.contributed_on.data)
        except ValidationError as exc:
            attach_error(form, exc)
        else:
            flash(_("Contribution recorded."), "success")
            return redirect(url_for("syndication.pool_detail", pool_id=pool.id) + "#position")
    return _pool_page(actor, pool.id, {"contribution": form}, 422)


@bp.route("/pools/<int:pool_id>/enrolments", methods=["POST"])
@login_required
def pool_enrolment(pool_id: int) -> Any:
    """A member bank enrols an approved or disbursed loan it leads; refused (409) when the
    pool's leverage cap leaves no room for it."""
    actor = current_actor()
    pool = pools.get_pool(actor, pool_id)
    if pool.organisation_id == actor.organisation_id:
        raise NotFound()  # the manager reads the pool but enrols nothing
    require_writer(actor)
    form = pool_forms.EnrolForm(prefix="enrol")
    chosen = form.loan_id.data
    if isinstance(chosen, int) and chosen not in _enrol_choices(actor, pool.currency, form):
        # another bank's loan is 404; one of the bank's own the service refuses with its reason
        lending.get_loan(actor, chosen, write=True)
        shown = form.loan_id.choices
        assert isinstance(shown, list)  # set just above by _enrol_choices
        shown.append(option(chosen, f"#{chosen}"))
    if form.validate_on_submit():
        try:
            pools.enrol_loan(actor, pool.id, form.loan_id.data, form.on.data)
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(_("Enrolment refused: %(reason)s", reason=localise(exc)))
            return _pool_page(actor, pool.id, {"enrol": form}, 409)
        else:
            flash(_("Loan enrolled in the pool."), "success")
            return redirect(url_for("syndication.pool_detail", pool_id=pool.id) + "#enrolments")
    return _pool_page(actor, pool.id, {"enrol": form}, 422)
