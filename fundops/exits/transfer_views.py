"""Pages of LP-interest transfers (份额转让) and of the guidance fund's exits by transfer,
on the ``exit_transfers`` blueprint: the fund's transfers and buy-out options, a new
S-fund transfer, an early exit, option terms and their exercise, one transfer (its price
formula, the register before and after, each side's LP return) and its reversal.

Views are thin (form → one service → redirect) and follow :mod:`fundops.portfolio.web`:
a service's refusal comes back on its field with 422, nothing written; another
organisation's fund is 404. The LP returns come from the metrics feature through
:func:`use_lp_metrics` (exits never import metrics; the app factory wires it).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import login_required

from fundops.auth.current import current_actor
from fundops.clock import business_today
from fundops.exits import transfer_forms as forms
from fundops.exits import transfer_options as options
from fundops.exits import transfers
from fundops.exits.transfer_enums import GOVERNMENT_TYPES
from fundops.exits.transfer_queries import list_transfers, register_change, reversed_ids
from fundops.exits.transfer_register import interests_on
from fundops.portfolio import queries
from fundops.portfolio.access import get_fund
from fundops.portfolio.forms import option
from fundops.portfolio.models import Fund
from fundops.portfolio.web import handle_form, writable_fund

bp = Blueprint("exit_transfers", __name__)

LpMetrics = Callable[[Any, int, date], dict[int, Any]]
_lp_metrics: list[LpMetrics] = []


def use_lp_metrics(source: LpMetrics) -> None:
    """Where the transfer page reads each side's LP position (IRR, multiples)."""
    _lp_metrics[:] = [source]


@bp.app_template_filter("transfer_label")
def _transfer_label(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, enum.Enum):
        return str(forms.LABELS.get(type(value), {}).get(str(value.value), value.value))
    return str(value)


def _lps(fund: Fund) -> list[Any]:
    actor = current_actor()
    return [p for p in queries.list_lp_positions(fund, get_fund(actor, fund.id)[1],
                                                 actor.organisation_id)
            if p.investor_id is not None]


def _lp_choices(fund: Fund, blank: bool = False, government: bool | None = None) -> list[Any]:
    rows = [option(p.investor_id, p.investor_name) for p in _lps(fund)
            if government is None or (p.investor_type in {t.value for t in GOVERNMENT_TYPES})
            == government]
    return [option(0, "—"), *rows] if blank else rows


def _investor_choices(blank: bool = True) -> list[Any]:
    rows = [option(inv.id, inv.name)
            for inv, _c, _n in queries.list_investor_rows(current_actor().organisation_id)]
    return [option(0, "—"), *rows] if blank else rows


def _buyer_kwargs(form: Any) -> dict[str, Any]:
    name = (form.new_buyer_name.data or "").strip()
    if name:
        return {"new_buyer": transfers.NewBuyer(name, form.new_buyer_type.data)}
    return {"buyer_id": form.buyer_id.data or None}


def _common(form: Any) -> dict[str, Any]:
    return {"transfer_on": form.transfer_on.data,
            "commitment_amount": form.commitment_amount.data,
            "appraisal_ref": form.appraisal_ref.data or "",
            "platform": form.platform.data or None, "memo": form.memo.data or ""}


def _detail_url(transfer: Any) -> str:
    from flask import url_for

    return url_for("exit_transfers.transfer_detail", fund_id=transfer.fund_id,
                   transfer_id=transfer.id)


@bp.route("/funds/<int:fund_id>/transfers")
@login_required
def transfer_list(fund_id: int) -> Any:
    fund = writable_fund(fund_id)
    return render_template("exits/transfer_list.html", fund=fund,
                           transfers=list_transfers(fund.id), reversed=reversed_ids(fund.id),
                           options=options.list_options(fund.id), today=business_today())


@bp.route("/funds/<int:fund_id>/transfers/new", methods=["GET", "POST"])
@login_required
def transfer_new(fund_id: int) -> Any:
    fund = writable_fund(fund_id)
    form = forms.TransferForm()
    form.seller_id.choices = _lp_choices(fund)
    form.buyer_id.choices = _investor_choices()

    def post() -> str:
        return _detail_url(transfers.record_transfer(
            current_actor(), fund.id, seller_id=form.seller_id.data, **_buyer_kwargs(form),
            reference_on=form.reference_on.data, reference_nav=form.reference_nav.data,
            discount_rate=forms.percent(form.discount_pct.data), price=form.price.data,
            **_common(form)))

    return handle_form(form, "exits/transfer_new.html", post, _("Transfer recorded."),
                       aliases={"reference_nav": "reference_nav", "discount_rate":
                                "discount_pct", "new_buyer": "new_buyer_name",
                                "buyer_name": "new_buyer_name", "name": "new_buyer_name"},
                       fund=fund, heading=_("New S-fund transfer"))


@bp.route("/funds/<int:fund_id>/early-exits/new", methods=["GET", "POST"])
@login_required
def early_exit_new(fund_id: int) -> Any:
    fund = writable_fund(fund_id)
    form = forms.EarlyExitForm()
    form.seller_id.choices = _lp_choices(fund, government=True)
    form.buyer_id.choices = _investor_choices()

    def post() -> str:
        return _detail_url(options.record_early_exit(
            current_actor(), fund.id, seller_id=form.seller_id.data, **_buyer_kwargs(form),
            trigger=form.trigger.data, pricing=form.pricing.data,
            rate=forms.percent(form.rate_pct.data), interest_base=form.interest_base.data,
            appraised_value=form.appraised_value.data, **_common(form)))

    return handle_form(form, "exits/transfer_new.html", post, _("Early exit recorded."),
                       aliases={"rate": "rate_pct", "name": "new_buyer_name",
                                "buyer_name": "new_buyer_name"},
                       fund=fund, heading=_("Early exit of government capital"))


@bp.route("/funds/<int:fund_id>/buyout-options/new", methods=["GET", "POST"])
@login_required
def option_new(fund_id: int) -> Any:
    fund = writable_fund(fund_id)
    form = forms.OptionForm()
    form.holder_id.choices = _lp_choices(fund, government=True)
    form.gp_investor_id.choices = _lp_choices(fund, blank=True)

    def post() -> str:
        from flask import url_for

        options.create_option(
            current_actor(), fund.id, holder_id=form.holder_id.data,
            window_from=form.window_from.data, window_to=form.window_to.data,
            eligible=form.eligible.data, gp_investor_id=form.gp_investor_id.data or None,
            rate=forms.percent(form.rate_pct.data), interest_base=form.interest_base.data,
            memo=form.memo.data or "")
        return url_for("exit_transfers.transfer_list", fund_id=fund.id)

    return handle_form(form, "exits/transfer_option_new.html", post,
                       _("Buy-out option recorded."), aliases={"rate": "rate_pct"}, fund=fund)


@bp.route("/funds/<int:fund_id>/buyout-options/<int:option_id>/exercise",
          methods=["GET", "POST"])
@login_required
def option_exercise(fund_id: int, option_id: int) -> Any:
    actor = current_actor()
    opt = options.get_option(actor, fund_id, option_id, write=True)
    fund = opt.fund
    form = forms.ExerciseForm()
    form.buyer_id.choices = _lp_choices(fund, government=False)
    on = min(max(business_today(), opt.window_from), opt.window_to)
    quote = options.cost_price(fund.id, opt.holder_id, opt.rate, opt.interest_base, on)

    def post() -> str:
        return _detail_url(options.exercise_option(
            actor, fund.id, opt.id, buyer_id=form.buyer_id.data, **_common(form)))

    return handle_form(form, "exits/transfer_exercise.html", post, _("Option exercised."),
                       fund=fund, opt=opt, quote=quote)


@bp.route("/funds/<int:fund_id>/transfers/<int:transfer_id>")
@login_required
def transfer_detail(fund_id: int, transfer_id: int) -> Any:
    actor = current_actor()
    transfer = transfers.get_transfer(actor, fund_id, transfer_id, write=True)
    as_of = business_today()
    positions = _lp_metrics[0](actor, fund_id, as_of) if _lp_metrics else {}
    now = interests_on(fund_id, [transfer.seller_id, transfer.buyer_id], as_of)
    return render_template(
        "exits/transfer_detail.html", fund=transfer.fund, t=transfer,
        change=register_change(transfer), now=now, as_of=as_of, positions=positions,
        reversed=transfer.id in reversed_ids(fund_id), form=forms.ReverseTransferForm())


@bp.route("/funds/<int:fund_id>/transfers/<int:transfer_id>/reverse", methods=["POST"])
@login_required
def transfer_reverse(fund_id: int, transfer_id: int) -> Any:
    actor = current_actor()
    transfer = transfers.get_transfer(actor, fund_id, transfer_id, write=True)
    form = forms.ReverseTransferForm()

    def post() -> str:
        return _detail_url(transfers.reverse_transfer(actor, fund_id, transfer.id,
                                                      form.reason.data or ""))

    return handle_form(form, "exits/transfer_reverse.html", post, _("Transfer reversed."),
                       fund=transfer.fund, t=transfer)
