"""Waterfall pages (on the ``exits`` blueprint): the terms in force and their history,
the set-terms form, the run form with a preview of the split before posting, the runs
and each run's tier-by-tier breakdown per party, "as if liquidated" on a date, and the
clawback of a deal-by-deal fund. The managing organisation only (another's fund: 404);
every form needs a writer role. Conventions are printed beside every result.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fundops.auth.current import current_actor
from fundops.calc.waterfall_terms import Convention
from fundops.clock import business_today
from fundops.errors import ConflictError, ValidationError
from fundops.exits import waterfall_forms as forms
from fundops.exits import waterfalls
from fundops.exits.enums import ConcessionCondition
from fundops.exits.transfers import managed_fund
from fundops.exits.waterfall_history import SLICE_FIELDS
from fundops.exits.waterfall_queries import (
    deal_clawback,
    get_run,
    liquidation,
    list_runs,
    reversed_run_ids,
    stored_conventions,
    terms_history,
    terms_on,
)
from fundops.exits.web import bp
from fundops.i18n import localise, localise_message
from fundops.messages import MESSAGES
from fundops.portfolio import queries
from fundops.portfolio.access import get_fund
from fundops.portfolio.forms import option
from fundops.portfolio.models import Fund
from fundops.portfolio.web import attach_error, handle_form
from fundops.web.figures import figure


@bp.app_template_filter("wf_convention")
def _convention(item: Convention) -> str:
    return localise_message(MESSAGES[item.code], item.values)


@bp.app_template_filter("wf_label")
def _label(value: Any) -> str:
    """The translated label of a waterfall enum member (terms, conditions)."""
    return str(forms.LABELS.get(type(value), {}).get(value.value, value.value))


@bp.app_template_filter("wf_condition")
def _condition(value: str) -> str:
    return str(forms.LABELS[ConcessionCondition].get(value, value))


@bp.app_template_filter("wf_pct")
def _pct(value: Decimal) -> str:
    """A fraction as a percentage without trailing zeros: 0.08 → "8"."""
    return _num(value * 100)


@bp.app_template_filter("wf_num")
def _num(value: Decimal) -> str:
    text = format(value, "f")
    return figure(text.rstrip("0").rstrip(".") if "." in text else text, value, "n")


def _lp_choices(fund: Fund, blank: bool = False) -> list[Any]:
    actor = current_actor()
    rows = [option(p.investor_id, p.investor_name)
            for p in queries.list_lp_positions(fund, get_fund(actor, fund.id)[1],
                                               actor.organisation_id)
            if p.investor_id is not None]
    return [option(0, "—"), *rows] if blank else rows


def _as_of() -> date:
    raw = request.args.get("as_of", "")
    try:
        return date.fromisoformat(raw) if raw else business_today()
    except ValueError:
        return business_today()


@bp.route("/funds/<int:fund_id>/waterfall")
@login_required
def waterfall(fund_id: int) -> Any:
    actor = current_actor()
    fund = managed_fund(actor, fund_id)
    today, as_of = business_today(), _as_of()
    current = terms_on(fund.id, today)
    return render_template(
        "exits/waterfall.html", fund=fund, today=today, as_of=as_of, terms=current,
        conventions=stored_conventions(current) if current else (),
        versions=terms_history(fund.id), runs=list_runs(fund.id),
        reversed=reversed_run_ids(fund.id), liquidation=liquidation(actor, fund.id, as_of),
        clawback=deal_clawback(fund.id, as_of), can_write=current_user.can_write,
        party_names=_lp_names(fund))


def _fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.scaleb(-2)


def _tiers(form: forms.TermsForm) -> list[waterfalls.TierIn]:
    if not form.government_id.data:
        return []
    pairs = [(b.data, w.data or Decimal(1)) for b, w in (
        (form.beneficiary_1, form.weight_1), (form.beneficiary_2, form.weight_2)) if b.data]
    return [waterfalls.TierIn(form.government_id.data, _fraction(form.threshold_pct.data)
                              or Decimal(0), _fraction(form.share_pct.data) or Decimal(0),
                              pairs, form.condition.data or None)]


@bp.route("/funds/<int:fund_id>/waterfall/terms", methods=["GET", "POST"])
@login_required
def waterfall_terms(fund_id: int) -> Any:
    fund = managed_fund(current_actor(), fund_id, write=True)
    form = forms.TermsForm()
    if request.method == "GET":
        form.hurdle_pct.data, form.carry_pct.data = Decimal(8), Decimal(20)
        form.catch_up_pct.data, form.holdback_pct.data = Decimal(100), Decimal(0)
        form.effective_on.data = fund.inception_on
    lps = _lp_choices(fund)
    form.carry_recipient_id.choices = lps
    form.gp_commitment_ids.choices = lps
    for name in ("government_id", "beneficiary_1", "beneficiary_2"):
        form[name].choices = _lp_choices(fund, blank=True)

    def post() -> str:
        waterfalls.set_terms(
            current_actor(), fund.id, effective_on=form.effective_on.data,
            carry_recipient_id=form.carry_recipient_id.data, structure=form.structure.data,
            capital_basis=form.capital_basis.data, hurdle=form.hurdle.data,
            hurdle_rate=_fraction(form.hurdle_pct.data), carry=_fraction(form.carry_pct.data),
            catch_up=_fraction(form.catch_up_pct.data),
            holdback=_fraction(form.holdback_pct.data),
            concession_placement=form.concession_placement.data,
            gp_commitment_ids=form.gp_commitment_ids.data or [], concessions=_tiers(form),
            memo=form.memo.data or "")
        return url_for("exits.waterfall", fund_id=fund.id)

    aliases = {"hurdle_rate": "hurdle_pct", "carry": "carry_pct", "catch_up": "catch_up_pct",
               "holdback": "holdback_pct", "threshold_rate": "threshold_pct",
               "share": "share_pct"}
    return handle_form(form, "exits/waterfall_terms.html", post, _("Waterfall terms saved."),
                       aliases=aliases, fund=fund)


def _companies(fund: Fund) -> list[Any]:
    """The fund's holdings (a few queries: no position is computed for a choice list)."""
    from fundops.portfolio.queries import list_holdings

    return [option(0, "—"), *(option(h.company.id, h.company.name)
                              for h in list_holdings(fund.id))]


def _run_kwargs(form: forms.RunForm) -> dict[str, Any]:
    return {"value_on": form.value_on.data, "amount": form.amount.data,
            "conditions_met": form.conditions_met.data or [],
            "company_id": form.company_id.data or None}


@bp.route("/funds/<int:fund_id>/waterfall/runs/new", methods=["GET", "POST"])
@login_required
def waterfall_run_new(fund_id: int) -> Any:
    """Preview the split (nothing written), then post the run."""
    from fundops.web.formtokens import not_consumed

    actor = current_actor()
    fund = managed_fund(actor, fund_id, write=True)
    form = forms.RunForm()
    form.company_id.choices = _companies(fund)
    preview, status = None, 200
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "preview":
                with not_consumed():
                    preview = waterfalls.preview_run(actor, fund.id, **_run_kwargs(form))
            else:
                row = waterfalls.run_waterfall_distribution(
                    actor, fund.id, distribution_type=form.distribution_type.data,
                    memo=form.memo.data or "", source_ref=form.source_ref.data or None,
                    **_run_kwargs(form))
                from flask import flash

                flash(_("Distribution posted through the waterfall."), "success")
                return redirect(url_for("exits.waterfall_run", fund_id=fund.id, run_id=row.id))
        except ValidationError as exc:
            attach_error(form, exc, {"histories": "amount"})
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            status = 409
    if request.method == "POST" and form.errors:
        status = 422
    rows = _preview_rows(preview.run, _lp_names(fund)) if preview else []
    return render_template("exits/waterfall_run_new.html", fund=fund, form=form,
                           preview=preview, rows=rows,
                           conventions=stored_conventions(preview.terms) if preview else ()
                           ), status


def _lp_names(fund: Fund) -> dict[int, str]:
    actor = current_actor()
    return {p.investor_id: p.investor_name
            for p in queries.list_lp_positions(fund, get_fund(actor, fund.id)[1],
                                               actor.organisation_id)
            if p.investor_id is not None}


def _preview_rows(run: Any, names: dict[int, str]) -> list[dict[str, Any]]:
    zero = Decimal("0.00")
    parties = list(run.slices) + ([] if run.gp in run.slices else [run.gp])
    return [{"name": names.get(p, str(p)), "payment": run.payments.get(p, zero),
             **{f: getattr(run.slices[p], f) if p in run.slices else zero
                for f in SLICE_FIELDS}} for p in parties]


def stored_rows(run: Any) -> list[dict[str, Any]]:
    return [{"name": s.investor.name, "payment": s.payment_amount,
             **{f: getattr(s, f) for f in SLICE_FIELDS}} for s in run.slices]


@bp.route("/funds/<int:fund_id>/waterfall/runs/<int:run_id>")
@login_required
def waterfall_run(fund_id: int, run_id: int) -> Any:
    fund = managed_fund(current_actor(), fund_id)
    run = get_run(fund.id, run_id)
    return render_template("exits/waterfall_run.html", fund=fund, run=run,
                           rows=stored_rows(run),
                           reversed=run.id in reversed_run_ids(fund.id),
                           conventions=stored_conventions(run.terms),
                           form=forms.ReverseRunForm(), can_write=current_user.can_write)


@bp.route("/funds/<int:fund_id>/waterfall/runs/<int:run_id>/reverse", methods=["POST"])
@login_required
def waterfall_run_reverse(fund_id: int, run_id: int) -> Any:
    actor = current_actor()
    fund = managed_fund(actor, fund_id, write=True)
    run = get_run(fund.id, run_id)
    form = forms.ReverseRunForm()

    def post() -> str:
        waterfalls.reverse_run(actor, fund.id, run.id, form.reason.data or "")
        return url_for("exits.waterfall_run", fund_id=fund.id, run_id=run.id)

    return handle_form(form, "exits/waterfall_run_reverse.html", post,
                       _("Waterfall run reversed."), fund=fund, run=run)
