"""Portfolio ledger pages: capital calls and distributions (with their LP split), fund
flows, investments, fund and holding valuations, and reversals (on the ``portfolio``
blueprint of :mod:`fundops.portfolio.web`, whose rules they follow). Money-moving posts go
through the maker-checker flow (:func:`fundops.approvals.web.submit_form`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from fundops.approvals.web import submit_form
from fundops.auth.current import current_actor
from fundops.errors import NotFound, ValidationError
from fundops.extensions import db
from fundops.portfolio import forms, queries
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio.access import get_fund
from fundops.portfolio.company_choice import fund_options
from fundops.portfolio.fields import chosen_company
from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.web import (
    attach_error,
    bp,
    fund_url,
    handle_form,
    writable_fund,
)
from fundops.web.formtokens import not_consumed

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
                return redirect(fund_url(fund.id))
        except ValidationError as exc:
            attach_error(form, exc)
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


@bp.route("/funds/<int:fund_id>/flows/new", methods=["GET", "POST"])
@login_required
def fund_flow_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = writable_fund(fund_id)
    form = forms.FundFlowForm(kind=request.args.get("kind", "proceeds"))
    form.company_id.options = fund_options(actor.organisation_id, fund.id, recent=False)

    def post() -> str:
        ledger.record_fund_flow(actor, fund.id, kind=form.kind.data,
                                company_id=chosen_company(actor, form.company_id),
                                **_entry_kwargs(form))
        return fund_url(fund.id)

    return handle_form(form, "portfolio/fund_flow_new.html", post, _("Entry posted."), fund=fund)


@bp.route("/funds/<int:fund_id>/investments/new", methods=["GET", "POST"])
@login_required
def investment_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = writable_fund(fund_id)
    form = forms.InvestmentForm()
    form.company_id.options = fund_options(actor.organisation_id, fund.id, recent=True)

    def post() -> str:
        submit_form(
            actor,
            "investment",
            {
                "fund_id": fund.id,
                "company_id": chosen_company(actor, form.company_id),
                "round_name": form.round_name.data,
                "instrument": form.instrument.data,
                "invested_on": form.invested_on.data,
                "amount": form.amount.data,
                "shares": form.shares.data,
                "ownership_rate": form.ownership_fraction(),
                "source_ref": form.source_ref.data or None,
            },
        )
        return fund_url(fund.id)

    return handle_form(form, "portfolio/investment_new.html", post, _("Investment recorded."),
                       aliases={"value_on": "invested_on"}, fund=fund)


@bp.route("/funds/<int:fund_id>/valuations/new", methods=["GET", "POST"])
@login_required
def valuation_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = writable_fund(fund_id)
    form = forms.ValuationForm()

    def post() -> str:
        submit_form(actor, "fund_valuation", {"fund_id": fund.id, "as_of": form.as_of.data,
                                               "nav_amount": form.nav_amount.data})
        return fund_url(fund.id)

    return handle_form(form, "portfolio/valuation_new.html", post, _("NAV recorded."), fund=fund)


@bp.route("/funds/<int:fund_id>/holdings/valuations/new", methods=["GET", "POST"])
@login_required
def holding_valuation_new(fund_id: int) -> Any:
    actor = current_actor()
    fund = writable_fund(fund_id)
    form = forms.HoldingValuationForm(company_id=request.args.get("company_id", type=int))
    form.company_id.choices = [forms.option(h.company.id, h.company.name)
                               for h in queries.list_holdings(fund.id)]

    def post() -> str:
        submit_form(actor, "holding_valuation", {
            "fund_id": fund.id, "company_id": form.company_id.data, "as_of": form.as_of.data,
            "fair_value_amount": form.fair_value_amount.data, "method": form.method.data or ""})
        return fund_url(fund.id)

    return handle_form(form, "portfolio/holding_valuation_new.html", post,
                       _("Fair value recorded."), fund=fund)


@bp.route("/funds/<int:fund_id>/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@login_required
def entry_reverse(fund_id: int, entry_id: int) -> Any:
    actor = current_actor()
    fund = writable_fund(fund_id)
    entry = db.session.get(CashFlow, entry_id)
    if entry is None or entry.fund_id != fund.id:
        raise NotFound("entry_not_found", entry_id=entry_id)
    form = forms.ReverseForm()

    def post() -> str:
        submit_form(actor, "reversal",
                    {"fund_id": fund.id, "entry_id": entry.id, "reason": form.reason.data})
        return fund_url(fund.id)

    already = entry.id in queries.reversed_entry_ids(fund.id, [entry.id])
    return handle_form(form, "portfolio/entry_reverse.html", post, _("Entry reversed."), fund=fund,
                       entry=entry, already=already)


