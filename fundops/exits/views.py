"""Exit pages (on the ``exits`` blueprint of :mod:`fundops.exits.web`): a fund's holdings
with their exit status (average cost), its exits, escrow and buy-back claims; the forms
for a trade sale or equity transfer, a liquidation or write-off, an escrow release, a
buy-back claim (open, settle, withdraw) and the reversals. Reading needs access to the
fund (an LP fund's manager too); every form needs to manage it with a writer role.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fundops.auth.current import current_actor
from fundops.exits import claims, forms, queries, services
from fundops.exits.access import claim_of, exit_of, release_of
from fundops.exits.positions import business_today
from fundops.exits.web import bp, run_form
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.forms import option
from fundops.portfolio.models import Fund

FORM = "exits/form.html"


@bp.route("/funds/<int:fund_id>/exits")
@login_required
def fund_exits(fund_id: int) -> Any:
    """Holdings (shares, remaining cost, value, realised, open/closed), exits, claims."""
    fund, access = get_fund(current_actor(), fund_id)
    today = business_today()
    holdings = queries.list_holding_positions(fund.id, today)
    return render_template(
        "exits/fund_exits.html", fund=fund, today=today, holdings=holdings,
        totals=queries.exit_totals(holdings), exits=queries.list_exits(fund.id),
        claims=queries.list_claims(fund.id, today),
        can_write=access is Access.MANAGER and current_user.can_write)


def _open_companies(fund: Fund) -> list[Any]:
    return [option(h.company.id, h.company.name)
            for h in queries.list_holding_positions(fund.id, business_today())
            if not h.position.closed]


def _fund(fund_id: int) -> Fund:
    return get_fund(current_actor(), fund_id, write=True)[0]


@bp.route("/funds/<int:fund_id>/exits/trade-sale", methods=["GET", "POST"])
@login_required
def trade_sale(fund_id: int) -> Any:
    fund = _fund(fund_id)
    form = forms.TradeSaleForm()
    form.company_id.choices = _open_companies(fund)

    def act() -> object:
        return services.record_trade_sale(
            current_actor(), fund.id, company_id=form.company_id.data, kind=form.kind.data,
            value_on=form.value_on.data, consideration=form.consideration.data,
            shares=form.shares.data, fraction=forms.percent_to_fraction(form.fraction_pct.data),
            escrow=form.escrow.data or 0, escrow_due_on=form.escrow_due_on.data,
            counterparty=form.counterparty.data or "", remaining_value=form.remaining_value.data,
            source_ref=form.source_ref.data or None, memo=form.memo.data or "")

    return run_form(form, FORM, act, _("Exit recorded."), fund.id, {"fraction": "fraction_pct"},
                    fund=fund, heading=_("Trade sale or equity transfer"), intro="sale")


@bp.route("/funds/<int:fund_id>/exits/liquidation", methods=["GET", "POST"])
@login_required
def liquidation(fund_id: int) -> Any:
    fund = _fund(fund_id)
    form = forms.LiquidationForm()
    form.company_id.choices = _open_companies(fund)

    def act() -> object:
        return services.record_liquidation(
            current_actor(), fund.id, company_id=form.company_id.data, kind=form.kind.data,
            value_on=form.value_on.data, reason=form.reason.data or "",
            approval_doc=form.approval_doc.data or "", proceeds=form.proceeds.data or 0,
            tolerated=bool(form.tolerated.data), memo=form.memo.data or "")

    return run_form(form, FORM, act, _("Exit recorded."), fund.id, fund=fund,
                    heading=_("Liquidation or write-off"), intro="liquidation")


@bp.route("/funds/<int:fund_id>/exits/<int:exit_id>/escrow", methods=["GET", "POST"])
@login_required
def escrow_release(fund_id: int, exit_id: int) -> Any:
    fund, event = exit_of(current_actor(), fund_id, exit_id, write=True)
    form = forms.EscrowForm()

    def act() -> object:
        return services.release_escrow(
            current_actor(), event.id, value_on=form.value_on.data, amount=form.amount.data,
            outcome=form.outcome.data, memo=form.memo.data or "")

    return run_form(form, FORM, act, _("Escrow recorded."), fund.id, fund=fund, event=event,
                    outstanding=services.escrow_outstanding(event),
                    heading=_("Escrow release"), intro="escrow")


@bp.route("/funds/<int:fund_id>/exits/<int:exit_id>/reverse", methods=["GET", "POST"])
@login_required
def exit_reverse(fund_id: int, exit_id: int) -> Any:
    fund, event = exit_of(current_actor(), fund_id, exit_id, write=True)
    form = forms.ReasonForm()

    def act() -> object:
        return services.reverse_exit(current_actor(), event.id, form.reason.data or "")

    return run_form(form, FORM, act, _("Exit reversed."), fund.id, fund=fund, event=event,
                    heading=_("Reverse exit"), intro="reverse")


@bp.route("/funds/<int:fund_id>/exits/releases/<int:release_id>/reverse",
          methods=["GET", "POST"])
@login_required
def release_reverse(fund_id: int, release_id: int) -> Any:
    fund, release = release_of(current_actor(), fund_id, release_id, write=True)
    form = forms.ReasonForm()

    def act() -> object:
        return services.reverse_escrow_release(current_actor(), release.id,
                                               form.reason.data or "")

    return run_form(form, FORM, act, _("Escrow release reversed."), fund.id, fund=fund,
                    release=release, heading=_("Reverse escrow release"),
                    intro="release_reverse")


@bp.route("/funds/<int:fund_id>/exits/claims/new", methods=["GET", "POST"])
@login_required
def claim_new(fund_id: int) -> Any:
    fund = _fund(fund_id)
    form = forms.ClaimForm()
    form.company_id.choices = _open_companies(fund)

    def act() -> object:
        return claims.open_claim(
            current_actor(), fund.id, company_id=form.company_id.data,
            obligor_kind=form.obligor_kind.data, obligor_name=form.obligor_name.data or "",
            trigger=form.trigger.data, triggered_on=form.triggered_on.data,
            principal=form.principal.data, accrues_from=form.accrues_from.data,
            rate=forms.percent_to_fraction(form.rate_pct.data), method=form.method.data,
            dividends=form.dividends.data or 0, memo=form.memo.data or "")

    return run_form(form, FORM, act, _("Buy-back claim opened."), fund.id,
                    {"rate": "rate_pct"}, fund=fund, heading=_("Open a buy-back claim"),
                    intro="claim")


@bp.route("/funds/<int:fund_id>/exits/claims/<int:claim_id>/settle", methods=["GET", "POST"])
@login_required
def claim_settle(fund_id: int, claim_id: int) -> Any:
    fund, claim = claim_of(current_actor(), fund_id, claim_id, write=True)
    form = forms.SettleForm()

    def act() -> object:
        return claims.settle_claim(current_actor(), claim.id, value_on=form.value_on.data,
                                   amount=form.amount.data,
                                   source_ref=form.source_ref.data or None,
                                   memo=form.memo.data or "")

    return run_form(form, FORM, act, _("Buy-back settled."), fund.id, fund=fund, claim=claim,
                    accrued=claims.claim_price(claim, business_today()),
                    heading=_("Settle a buy-back claim"), intro="settle")


@bp.route("/funds/<int:fund_id>/exits/claims/<int:claim_id>/withdraw",
          methods=["GET", "POST"])
@login_required
def claim_withdraw(fund_id: int, claim_id: int) -> Any:
    fund, claim = claim_of(current_actor(), fund_id, claim_id, write=True)
    form = forms.ReasonForm()

    def act() -> object:
        return claims.withdraw_claim(current_actor(), claim.id, form.reason.data or "")

    return run_form(form, FORM, act, _("Buy-back claim withdrawn."), fund.id, fund=fund,
                    claim=claim, heading=_("Withdraw a buy-back claim"), intro="withdraw")
