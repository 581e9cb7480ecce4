"""Management-fee pages (``reports_fees`` blueprint): the fund's fee terms and drafts,
the terms form, the prepare form, a draft's calculation with its post and discard forms.
The managing organisation only (another's fund, or an LP's view: 404); every form needs
a writer role. Views are thin: form → one service call → flash and redirect; a refusal
re-renders the form (422 on a field, 409 for a conflict) with nothing written.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fundops.auth.current import current_actor
from fundops.clock import business_today
from fundops.errors import ConflictError, ValidationError
from fundops.exits.transfers import managed_fund
from fundops.i18n import localise
from fundops.portfolio.models import Fund
from fundops.portfolio.web import attach_error, handle_form
from fundops.reports.fees import forms, services
from fundops.reports.fees.queries import get_draft, list_drafts, terms_history, terms_on
from fundops.reports.fees.web import bp


def _fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.scaleb(-2)


@bp.route("/funds/<int:fund_id>/fees")
@login_required
def fees(fund_id: int) -> Any:
    fund = managed_fund(current_actor(), fund_id)
    today = business_today()
    return render_template("reports/fees/fees.html", fund=fund, today=today,
                           terms=terms_on(fund.id, today), versions=terms_history(fund.id),
                           drafts=list_drafts(fund.id), can_write=current_user.can_write)


def _prefill(form: forms.TermsForm, fund: Fund) -> None:
    """The usual RMB terms: 2 % on commitments in the investment period, then 1.5 % on
    the cost of investments still held until the term ends."""
    form.effective_on.data = fund.inception_on
    form.offset_pct.data = Decimal(80)
    form.basis_1.data, form.rate_1.data = "commitment", Decimal(2)
    form.from_1.data, form.to_1.data = fund.inception_on, fund.investment_period_end_on
    if fund.investment_period_end_on < fund.term_end_on:
        form.basis_2.data, form.rate_2.data = "invested_cost", Decimal("1.5")
        form.from_2.data = fund.investment_period_end_on + timedelta(days=1)
        form.to_2.data = fund.term_end_on


def _tiers(form: forms.TermsForm) -> list[services.TierIn]:
    out = []
    for n in range(1, forms.TIER_ROWS + 1):
        basis = form[f"basis_{n}"].data
        if basis:
            rate = form[f"rate_{n}"].data
            out.append(services.TierIn(basis, _fraction(rate) if rate is not None else None,
                                       form[f"from_{n}"].data, form[f"to_{n}"].data))
    return out


def _aliases() -> dict[str, str]:
    """Service fields → form fields (tiers[i].x → x_{i+1})."""
    out = {"offset_rate": "offset_pct", "tiers": "basis_1"}
    for n in range(1, forms.TIER_ROWS + 1):
        for name, field in (("basis", "basis"), ("rate", "rate"), ("from_on", "from"),
                            ("to_on", "to"), ("end", "to")):
            out[f"tiers[{n - 1}].{name}"] = f"{field}_{n}"
    return out


@bp.route("/funds/<int:fund_id>/fees/terms", methods=["GET", "POST"])
@login_required
def fee_terms(fund_id: int) -> Any:
    fund = managed_fund(current_actor(), fund_id, write=True)
    form = forms.TermsForm()
    if request.method == "GET":
        _prefill(form, fund)

    def post() -> str:
        services.set_terms(
            current_actor(), fund.id, effective_on=form.effective_on.data, tiers=_tiers(form),
            frequency=form.frequency.data, timing=form.timing.data, source=form.source.data,
            offset_rate=_fraction(form.offset_pct.data),
            charge_in_extension=bool(form.charge_in_extension.data), memo=form.memo.data or "")
        return url_for("reports_fees.fees", fund_id=fund.id)

    return handle_form(form, "reports/fees/terms_form.html", post, _("Fee terms saved."),
                       aliases=_aliases(), fund=fund, rows=range(1, forms.TIER_ROWS + 1))


@bp.route("/funds/<int:fund_id>/fees/drafts/new", methods=["GET", "POST"])
@login_required
def fee_draft_new(fund_id: int) -> Any:
    fund = managed_fund(current_actor(), fund_id, write=True)
    form = forms.PrepareForm()

    def post() -> str:
        draft = services.prepare_draft(current_actor(), fund.id, form.period.data,
                                       fee_income=form.fee_income.data)
        return url_for("reports_fees.fee_draft", fund_id=fund.id, draft_id=draft.id)

    return handle_form(form, "reports/fees/draft_new.html", post, _("Fee draft prepared."),
                       fund=fund)


def _detail(fund: Fund, draft_id: int, post_form: forms.PostForm | None = None,
            discard_form: forms.DiscardForm | None = None, status: int = 200) -> Any:
    draft = get_draft(fund.id, draft_id)
    return render_template(
        "reports/fees/draft.html", fund=fund, draft=draft,
        regular=[x for x in draft.lines if x.investor_id is None],
        catch_up=[x for x in draft.lines if x.investor_id is not None],
        post_form=post_form or forms.PostForm(), discard_form=discard_form or forms.DiscardForm(),
        can_write=current_user.can_write), status


@bp.route("/funds/<int:fund_id>/fees/drafts/<int:draft_id>")
@login_required
def fee_draft(fund_id: int, draft_id: int) -> Any:
    fund = managed_fund(current_actor(), fund_id)
    return _detail(fund, draft_id)


def _decide(fund: Fund, draft_id: int, form: Any, action: Any, message: str,
            which: str) -> Any:
    """Validate, run the service, redirect to the draft; else the draft page with why."""
    if form.validate_on_submit():
        try:
            action()
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            return _detail(fund, draft_id, **{which: form}, status=409)
        else:
            flash(message, "success")
            return redirect(url_for("reports_fees.fee_draft", fund_id=fund.id,
                                    draft_id=draft_id))
    return _detail(fund, draft_id, **{which: form}, status=422)


@bp.route("/funds/<int:fund_id>/fees/drafts/<int:draft_id>/post", methods=["POST"])
@login_required
def fee_draft_post(fund_id: int, draft_id: int) -> Any:
    actor = current_actor()
    fund = managed_fund(actor, fund_id, write=True)
    draft = get_draft(fund.id, draft_id)
    form = forms.PostForm()
    return _decide(fund, draft.id, form, lambda: services.post_draft(
        actor, fund.id, draft.id, value_on=form.value_on.data), _("Management fee posted."),
        "post_form")


@bp.route("/funds/<int:fund_id>/fees/drafts/<int:draft_id>/discard", methods=["POST"])
@login_required
def fee_draft_discard(fund_id: int, draft_id: int) -> Any:
    actor = current_actor()
    fund = managed_fund(actor, fund_id, write=True)
    draft = get_draft(fund.id, draft_id)
    form = forms.DiscardForm()
    return _decide(fund, draft.id, form, lambda: services.discard_draft(
        actor, fund.id, draft.id, form.reason.data or ""), _("Fee draft discarded."),
        "discard_form")
