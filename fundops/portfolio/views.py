"""Portfolio pages: funds, LPs, ledger forms, valuations and companies.

Views are thin: form -> service -> flash and redirect. They never commit; a service's
``ValidationError`` is attached to the form field it names and the form comes back
with status 422, having written nothing. Other organisations' objects are 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from fundops.approvals.web import submit_form
from fundops.auth.current import current_actor
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.web.formtokens import data_fields, not_consumed
from fundops.i18n import localise
from fundops.portfolio import forms, queries, services
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio.access import (
    Access,
    get_company,
    get_fund,
    list_companies,
    list_funds,
    require_writer,
    visible_fund_ids,
)
from fundops.portfolio.field_labels import labelled_error
from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.models import Commitment, Fund, Investor

bp = Blueprint("portfolio", __name__)
# The fund page shows the latest entries; the whole ledger is in the export and the API.
LEDGER_ROWS = 200


@bp.app_template_filter("enum_label")
def _enum_label(value: object, enum_name: str | None = None) -> str:
    return forms.label(value, enum_name)


def _fund_url(fund_id: int) -> str:
    return url_for("portfolio.fund_detail", fund_id=fund_id)


def _attach(form: FlaskForm, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service error (translated) on the field it names, or at the top of the form
    under a translated label of that field — never under its internal name."""
    name = (aliases or {}).get(exc.field, exc.field)
    field = form._fields.get(name)
    if field is not None and name != "csrf_token":
        field.errors = [*field.errors, localise(exc)]
    else:
        form.form_errors.append(labelled_error(exc))


def _handle(form: FlaskForm, template: str, action: Callable[[], str], message: str,
            aliases: dict[str, str] | None = None, **context: Any) -> Any:
    """Validate, run ``action`` (which returns where to go next) and redirect; else re-render."""
    if form.validate_on_submit():
        try:
            target = action()
        except ValidationError as exc:
            _attach(form, exc, aliases)
        except ConflictError as exc:  # e.g. a duplicate reference: the form stays, with why
            form.form_errors.append(localise(exc))
            response = render_template(template, form=form, **context)
            return response, 409
        else:
            flash(message, "success")
            return redirect(target)
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def _writable_fund(fund_id: int) -> Fund:
    return get_fund(current_actor(), fund_id, write=True)[0]


# --- funds ------------------------------------------------------------------------------


@bp.route("/")
@login_required
def fund_list() -> Any:
    actor = current_actor()
    funds = list_funds(actor)
    rows = [(f, queries.get_fund_totals(f), f.organisation_id == actor.organisation_id)
            for f in funds]
    return render_template("portfolio/fund_list.html", rows=rows)


@bp.route("/funds/new", methods=["GET", "POST"])
@login_required
def fund_new() -> Any:
    actor = current_actor()
    require_writer(actor)
    form = forms.FundForm()

    def create() -> str:
        data = data_fields(form)
        fund = submit_form(actor, "fund_creation", data)
        return _fund_url(fund.id)

    return _handle(form, "portfolio/fund_new.html", create, _("Fund created."))


@bp.route("/funds/<int:fund_id>")
@login_required
def fund_detail(fund_id: int) -> Any:
    actor = current_actor()
    fund, access = get_fund(actor, fund_id)
    return render_template(
        "portfolio/fund_detail.html", fund=fund, access=access,
        can_write=access is Access.MANAGER and current_user.can_write,
        totals=queries.get_fund_totals(fund),
        lps=queries.list_lp_positions(fund, access, actor.organisation_id),
        entries=queries.list_ledger(fund.id, limit=LEDGER_ROWS), ledger_limit=LEDGER_ROWS,
        reversed_ids=queries.reversed_entry_ids(fund.id),
        navs=queries.list_nav_history(fund.id), holdings=queries.list_holdings(fund.id),
        sub_funds=queries.list_sub_fund_holdings(fund.id),
    )


@bp.route("/funds/<int:fund_id>/stage", methods=["GET", "POST"])
@login_required
def fund_stage(fund_id: int) -> Any:
    actor = current_actor()
    fund = _writable_fund(fund_id)
    form = forms.StageForm()

    def change() -> str:
        services.change_stage(actor, fund.id, form.stage.data, form.effective_on.data,
                              form.reason.data or "")
        return _fund_url(fund.id)

    return _handle(form, "portfolio/fund_stage.html", change, _("Stage changed."), fund=fund)


# --- investors and commitments ------------------------------------------------------------


def _investor_rows(organisation_id: int) -> list[Any]:
    """The organisation's investors with their total commitment and number of funds."""
    return list(db.session.execute(
        sa.select(Investor, sa.func.sum(Commitment.amount),
                  sa.func.count(sa.distinct(Commitment.fund_id)))
        .outerjoin(Commitment, Commitment.investor_id == Investor.id)
        .where(Investor.organisation_id == organisation_id)
        .group_by(Investor.id).order_by(Investor.name)
    ).all())


@bp.route("/investors")
@login_required
def investor_list() -> Any:
    actor = current_actor()
    return render_template("portfolio/investor_list.html",
                           rows=_investor_rows(actor.organisation_id),
                           own_org=actor.organisation_id)


@bp.route("/investors/new", methods=["GET", "POST"])
@login_required
def investor_new() -> Any:
    actor = current_actor()
    require_writer(actor)
    form = forms.InvestorForm()
    form.fund_id.choices = [forms.option(0, "—")] + [
        forms.option(f.id, f"{f.code} · {f.name_zh}") for f in list_funds(actor)
        if f.organisation_id == actor.organisation_id]
    back = request.args.get("fund_id", type=int)

    def create() -> str:
        assert form.name.data is not None  # DataRequired
        services.create_investor(
            actor, form.name.data, form.investor_type.data, fund_id=form.fund_id.data or None,
            fund_registration_no=form.fund_registration_no.data or None,
            uscc=form.uscc.data or None)
        if back:
            return url_for("portfolio.commitment_new", fund_id=back)
        return url_for("portfolio.investor_list")

    return _handle(form, "portfolio/investor_new.html", create, _("Investor added."))


@bp.route("/funds/<int:fund_id>/commitments/new", methods=["GET", "POST"])
@login_required
def commitment_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = _writable_fund(fund_id)
    form = forms.CommitmentForm()
    form.investor_id.choices = [forms.option(inv.id, inv.name) for inv, _t, _n in
                                _investor_rows(actor.organisation_id)]

    def add() -> str:
        assert form.closing.data is not None  # InputRequired
        services.add_commitment(actor, fund.id, form.investor_id.data, form.amount.data,
                                form.committed_on.data, closing=form.closing.data)
        return _fund_url(fund.id)

    return _handle(form, "portfolio/commitment_new.html", add, _("Commitment recorded."),
                   fund=fund)


# --- ledger entries -----------------------------------------------------------------------


def _entry_kwargs(form: FlaskForm) -> dict[str, Any]:
    return {"value_on": form.value_on.data, "amount": form.amount.data,
            "counterparty": form.counterparty.data or "",
            "source_ref": form.source_ref.data or None, "memo": form.memo.data or ""}


def _allocated_entry(fund_id: int, form: FlaskForm, template: str, kind: str,
                     post: Callable[..., CashFlow], message: str) -> Any:
    """A capital call or distribution: preview the per-LP split, then post it.

    ``split-<investor_id>`` inputs give an explicit split; all blank means pro rata.
    """
    actor = current_actor()
    fund, access = get_fund(actor, fund_id, write=True)
    lps = queries.list_lp_positions(fund, access, actor.organisation_id)
    typed = {p.investor_id: request.form.get(f"split-{p.investor_id}", "").strip() for p in lps}
    split = {k: v for k, v in typed.items() if v and k is not None} or None
    preview = None
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "preview":
                with not_consumed():  # the same form posts after its preview
                    preview = ledger.preview_allocation(actor, fund.id, form.value_on.data,
                                                        form.amount.data, split, kind=kind)
            else:
                post(actor, fund.id, split=split, **_entry_kwargs(form))
                flash(message, "success")
                return redirect(_fund_url(fund.id))
        except ValidationError as exc:
            _attach(form, exc)
    status = 422 if request.method == "POST" and form.errors else 200
    uncalled = {p.investor_id: p.uncalled_amount for p in lps}
    return render_template(template, form=form, fund=fund, lps=lps, typed=typed,
                           preview=preview, uncalled=uncalled), status


@bp.route("/funds/<int:fund_id>/calls/new", methods=["GET", "POST"])
@login_required
def capital_call_new(fund_id: int) -> Any:
    form = forms.CapitalCallForm()

    def post(actor: Any, fid: int, **kw: Any) -> CashFlow:
        return submit_form(actor, "capital_call",
                           {"fund_id": fid, "purpose": form.purpose.data, **kw})

    return _allocated_entry(fund_id, form, "portfolio/capital_call_new.html", "capital_call", post,
                            _("Capital call posted."))


@bp.route("/funds/<int:fund_id>/distributions/new", methods=["GET", "POST"])
@login_required
def distribution_new(fund_id: int) -> Any:
    form = forms.DistributionForm()

    def post(actor: Any, fid: int, **kw: Any) -> CashFlow:
        return submit_form(actor, "distribution", {
            "fund_id": fid, "distribution_type": form.distribution_type.data,
            "recallable": form.recallable.data, **kw})

    return _allocated_entry(fund_id, form, "portfolio/distribution_new.html", "distribution", post,
                            _("Distribution posted."))


def _company_choices(blank: bool) -> list[Any]:
    """Visible company records; where the organisation has its own record of a company,
    only that one (another organisation's record of it stays out of the picker)."""
    org = current_actor().organisation_id
    visible = list_companies(current_actor())
    own = {c.identity_id for c in visible if c.created_by_organisation_id == org}
    companies = [forms.option(c.id, c.name) for c in visible
                 if c.created_by_organisation_id == org or c.identity_id not in own]
    return [forms.option(0, "—"), *companies] if blank else companies


@bp.route("/funds/<int:fund_id>/flows/new", methods=["GET", "POST"])
@login_required
def fund_flow_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = _writable_fund(fund_id)
    form = forms.FundFlowForm(kind=request.args.get("kind", "proceeds"))
    form.company_id.choices = _company_choices(blank=True)

    def post() -> str:
        ledger.record_fund_flow(actor, fund.id, kind=form.kind.data,
                                company_id=form.company_id.data or None, **_entry_kwargs(form))
        return _fund_url(fund.id)

    return _handle(form, "portfolio/fund_flow_new.html", post, _("Entry posted."), fund=fund)


@bp.route("/funds/<int:fund_id>/investments/new", methods=["GET", "POST"])
@login_required
def investment_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = _writable_fund(fund_id)
    form = forms.InvestmentForm()
    form.company_id.choices = _company_choices(blank=False)

    def post() -> str:
        submit_form(actor, "investment", dict(
            fund_id=fund.id, company_id=form.company_id.data, round_name=form.round_name.data,
            instrument=form.instrument.data, invested_on=form.invested_on.data,
            amount=form.amount.data, shares=form.shares.data,
            ownership_rate=form.ownership_fraction(), source_ref=form.source_ref.data or None))
        return _fund_url(fund.id)

    return _handle(form, "portfolio/investment_new.html", post, _("Investment recorded."),
                   aliases={"value_on": "invested_on"}, fund=fund)


@bp.route("/funds/<int:fund_id>/valuations/new", methods=["GET", "POST"])
@login_required
def valuation_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = _writable_fund(fund_id)
    form = forms.ValuationForm()

    def post() -> str:
        submit_form(actor, "fund_valuation", {"fund_id": fund.id, "as_of": form.as_of.data,
                                               "nav_amount": form.nav_amount.data})
        return _fund_url(fund.id)

    return _handle(form, "portfolio/valuation_new.html", post, _("NAV recorded."), fund=fund)


@bp.route("/funds/<int:fund_id>/holdings/valuations/new", methods=["GET", "POST"])
@login_required
def holding_valuation_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = _writable_fund(fund_id)
    form = forms.HoldingValuationForm(company_id=request.args.get("company_id", type=int))
    form.company_id.choices = [forms.option(h.company.id, h.company.name)
                               for h in queries.list_holdings(fund.id)]

    def post() -> str:
        submit_form(actor, "holding_valuation", dict(
            fund_id=fund.id, company_id=form.company_id.data, as_of=form.as_of.data,
            fair_value_amount=form.fair_value_amount.data, method=form.method.data or ""))
        return _fund_url(fund.id)

    return _handle(form, "portfolio/holding_valuation_new.html", post,
                   _("Fair value recorded."), fund=fund)


@bp.route("/funds/<int:fund_id>/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@login_required
def entry_reverse(fund_id: int, entry_id: int) -> Any:
    actor = current_actor()
    fund = _writable_fund(fund_id)
    entry = db.session.get(CashFlow, entry_id)
    if entry is None or entry.fund_id != fund.id:
        raise NotFound("entry_not_found", entry_id=entry_id)
    form = forms.ReverseForm()

    def post() -> str:
        submit_form(actor, "reversal",
                    {"fund_id": fund.id, "entry_id": entry.id, "reason": form.reason.data})
        return _fund_url(fund.id)

    return _handle(form, "portfolio/entry_reverse.html", post, _("Entry reversed."), fund=fund,
                   entry=entry, already=entry.id in queries.reversed_entry_ids(fund.id))


# --- companies ----------------------------------------------------------------------------


@bp.route("/companies")
@login_required
def company_list() -> Any:
    return render_template("portfolio/company_list.html",
                           companies=list_companies(current_actor()))


@bp.route("/companies/new", methods=["GET", "POST"])
@login_required
def company_new() -> Any:
    actor = current_actor()
    require_writer(actor)
    form = forms.CompanyForm()

    def create() -> str:
        data = data_fields(form)
        company = services.create_company(actor, **data)
        if (company.name, company.region_code) != (str(data["name"]).strip(),
                                                   str(data["region_code"]).strip()):
            flash(_("Credit code %(uscc)s is registered as %(name)s (region %(region)s): your "
                    "record uses that name and region.", uscc=company.uscc, name=company.name,
                    region=company.region_code), "info")
        return url_for("portfolio.company_detail", company_id=company.id)

    return _handle(form, "portfolio/company_new.html", create, _("Company added."))


@bp.route("/companies/<int:company_id>")
@login_required
def company_detail(company_id: int) -> Any:
    actor = current_actor()
    company = get_company(actor, company_id)
    investments = queries.list_company_investments(
        company.id, visible_fund_ids(actor.organisation_id))
    return render_template("portfolio/company_detail.html", company=company,
                           investments=investments)
