"""Portfolio pages: funds, LPs and commitments, and companies (on the ``portfolio``
blueprint of :mod:`fundops.portfolio.web`, whose rules they follow).
"""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fundops.approvals.web import submit_form
from fundops.auth.current import current_actor
from fundops.portfolio import forms, page_tables, queries, services
from fundops.portfolio.access import (
    Access,
    companies_query,
    get_company,
    get_fund,
    list_funds,
    require_writer,
    visible_fund_ids,
)
from fundops.portfolio.book import fund_book, visible_lps
from fundops.portfolio.company_choice import search_clause
from fundops.portfolio.fields import MAX_TYPED
from fundops.portfolio.panels import fund_panels
from fundops.portfolio.web import (
    bp,
    fund_url,
    handle_form,
    writable_fund,
)
from fundops.web.formtokens import data_fields
from fundops.web.paging import page_list, page_query

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
        return fund_url(fund.id)

    return handle_form(form, "portfolio/fund_new.html", create, _("Fund created."))


@bp.route("/funds/<int:fund_id>")
@login_required
def fund_detail(fund_id: int) -> Any:
    """A fund: totals, LPs, the ledger, NAVs, sub-funds and holdings; the long tables one
    page at a time (:mod:`fundops.portfolio.page_tables`), their totals over every row."""
    actor = current_actor()
    fund, access = get_fund(actor, fund_id)
    book = fund_book(fund)
    lps = visible_lps(book, access, actor.organisation_id)
    entries = page_query(page_tables.LEDGER, queries.ledger_query(fund.id),
                         total=book.ledger_count)
    return render_template(
        "portfolio/fund_detail.html", fund=fund, access=access,
        can_write=access is Access.MANAGER and current_user.can_write,
        totals=book.totals, all_lps=lps,
        lps=page_list(page_tables.LPS, lps),
        entries=entries,
        reversed_ids=queries.reversed_entry_ids(fund.id, [e.id for e in entries.rows]),
        navs=book.navs,
        holdings=page_list(page_tables.HOLDINGS, list(book.holdings)),
        sub_funds=page_list(page_tables.SUB_FUNDS, list(book.sub_funds)) if book.sub_funds
        else None,
        panels=fund_panels(fund, access, actor),
    )


@bp.route("/funds/<int:fund_id>/stage", methods=["GET", "POST"])
@login_required
def fund_stage(fund_id: int) -> Any:
    actor = current_actor()
    fund = writable_fund(fund_id)
    form = forms.StageForm()

    def change() -> str:
        services.change_stage(actor, fund.id, form.stage.data, form.effective_on.data,
                              form.reason.data or "")
        return fund_url(fund.id)

    return handle_form(form, "portfolio/fund_stage.html", change, _("Stage changed."), fund=fund)


# --- investors and commitments ------------------------------------------------------------


@bp.route("/investors")
@login_required
def investor_list() -> Any:
    actor = current_actor()
    return render_template("portfolio/investor_list.html",
                           rows=queries.list_investor_rows(actor.organisation_id),
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

    return handle_form(form, "portfolio/investor_new.html", create, _("Investor added."))


@bp.route("/funds/<int:fund_id>/commitments/new", methods=["GET", "POST"])
@login_required
def commitment_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = writable_fund(fund_id)
    form = forms.CommitmentForm()
    form.investor_id.choices = [forms.option(inv.id, inv.name) for inv, _t, _n in
                                queries.list_investor_rows(actor.organisation_id)]

    def add() -> str:
        assert form.closing.data is not None  # InputRequired
        services.add_commitment(actor, fund.id, form.investor_id.data, form.amount.data,
                                form.committed_on.data, closing=form.closing.data)
        return fund_url(fund.id)

    return handle_form(form, "portfolio/commitment_new.html", add, _("Commitment recorded."),
                       fund=fund)


# --- companies ----------------------------------------------------------------------------


@bp.route("/companies")
@login_required
def company_list() -> Any:
    """The companies the user may see, a page at a time, sortable, searched by part of
    the name or credit code (``?q=``); the Excel download has every row the search finds."""
    query = request.args.get("q", "").strip()[:MAX_TYPED]
    actor = current_actor()
    select = companies_query(actor).where(search_clause(query)) if query \
        else companies_query(actor)
    return render_template("portfolio/company_list.html",
                           companies=page_query(page_tables.COMPANIES, select), query=query)


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

    return handle_form(form, "portfolio/company_new.html", create, _("Company added."))


@bp.route("/companies/<int:company_id>")
@login_required
def company_detail(company_id: int) -> Any:
    actor = current_actor()
    company = get_company(actor, company_id)
    investments = queries.list_company_investments(
        company.id, visible_fund_ids(actor.organisation_id))
    return render_template("portfolio/company_detail.html", company=company,
                           investments=investments)
