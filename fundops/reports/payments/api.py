"""LP payments routes of the JSON API.

- ``GET  /funds/<fund_id>/payments/terms`` — terms in force today and every version
- ``PUT  /funds/<fund_id>/payments/terms`` — record a new version (append-only)
- ``GET  /funds/<fund_id>/payments/lines?as_of=`` — every call line's state
- ``GET  /funds/<fund_id>/payments/arrears?as_of=`` — the arrears list with totals
- ``GET  /funds/<fund_id>/payments/investors/<investor_id>?as_of=`` — one LP's arrears
- ``GET  /funds/<fund_id>/payments/calls/<entry_id>?as_of=`` — a call's lines, receipts
- ``POST /funds/<fund_id>/payments/calls/<entry_id>/issue`` — issue call: due date
- ``POST /funds/<fund_id>/payments/calls/<entry_id>/receipts`` — record a receipt
- ``POST /funds/<fund_id>/payments/calls/<entry_id>/charges`` — charge default interest
- ``POST /funds/<fund_id>/payments/receipts/<receipt_id>/reverse`` — reverse a receipt
- ``GET  /funds/<fund_id>/payments/equalisation/<commitment_id>?equalised_on=`` — preview
- ``POST /funds/<fund_id>/payments/equalisation`` — post a later closer's equalisation

The managing organisation only (another's fund: 404); writes require ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.calc.lp_payments import EqualisationPlan
from fundops.clock import business_today
from fundops.portfolio.access import get_investor
from fundops.reports.payments import equalisation as eq
from fundops.reports.payments import queries, services
from fundops.reports.payments import schemas as S
from fundops.reports.payments.models import (
    CallIssue,
    CallReceipt,
    Equalisation,
    InterestCharge,
    PaymentTerms,
)
from fundops.reports.payments.queries import ZERO
from fundops.uow import Actor
from fundops.validation import require_date

bp = Blueprint("reports_payments_api", __name__,
               description="LP payments: due dates, receipts, arrears, default interest, "
                           "equalisation of later closers")

FUND = f"/funds/<{ID}:fund_id>/payments"


def readable(who: Actor, fund_id: int, **_ids: Any) -> None:
    """The fund is the caller's (and the call, receipt or LP named in the path), before
    the query or body is read: another organisation gets 404 whatever it sends."""
    _check(who, fund_id, False, _ids)


def writable(who: Actor, fund_id: int, **_ids: Any) -> None:
    _check(who, fund_id, True, _ids)


def _check(who: Actor, fund_id: int, write: bool, _ids: dict[str, Any]) -> None:
    fund = queries.managed_fund(who, fund_id, write=write)
    if "investor_id" in _ids:
        get_investor(who, _ids["investor_id"])
    if "entry_id" in _ids:
        queries.get_call(fund.id, _ids["entry_id"])
    if "receipt_id" in _ids:
        services.get_receipt(fund.id, _ids["receipt_id"])


def _as_of(query: dict[str, Any]) -> date:
    return require_date(query["as_of"], "as_of") if query.get("as_of") else business_today()


def terms_out(t: PaymentTerms) -> dict[str, Any]:
    return {k: getattr(t, k) for k in (
        "id", "fund_id", "effective_on", "days_to_pay", "default_rate", "default_convention",
        "grace_days", "equalisation_rate", "equalisation_compounding", "memo", "recorded_at")}


def line_out(s: queries.LineStatus) -> dict[str, Any]:
    segments = [{"start": g.start, "end": g.end, "days": g.days, "outstanding": g.outstanding}
                for g in (s.accrual.segments if s.accrual else ())]
    return {**{k: getattr(s, k) for k in (
        "cash_flow_id", "investor_id", "investor_name", "call_on", "currency", "due",
        "issued_on", "due_on", "received", "outstanding", "days_past_due", "interest",
        "charged", "charge_received", "state")}, "segments": segments}


def issue_out(i: CallIssue) -> dict[str, Any]:
    return {k: getattr(i, k) for k in ("id", "cash_flow_id", "issued_on", "due_on", "terms_id",
                                       "recorded_at")}


def receipt_out(r: CallReceipt) -> dict[str, Any]:
    return {"cash_flow_id": r.allocation.cash_flow_id, **{k: getattr(r, k) for k in (
        "id", "investor_id", "charge_id", "received_on", "amount", "currency",
        "bank_reference", "memo", "reverses_id", "recorded_at")}}


def charge_out(c: InterestCharge) -> dict[str, Any]:
    return {"cash_flow_id": c.allocation.cash_flow_id, **{k: getattr(c, k) for k in (
        "id", "investor_id", "accrued_to", "amount", "currency", "recorded_at")}}


def plan_lines(plan: EqualisationPlan[int]) -> list[dict[str, Any]]:
    return [{"call_id": c.call_id, "call_on": c.value_on, "days": c.days, "investor_id": inv,
             "should": c.should[inv], "paid": c.paid[inv], "delta": d,
             "premium_paid": c.premium_paid.get(inv, ZERO),
             "premium_received": c.premium_received.get(inv, ZERO)}
            for c in plan.calls for inv, d in c.delta.items()]


@bp.route(f"{FUND}/terms")
@bp.response(200, S.PayTermsListOut)
def terms_get(fund_id: int) -> Any:
    """The payment terms in force today (null: none) and every version, newest first."""
    fund = queries.managed_fund(actor(), fund_id)
    current = queries.terms_on(fund.id, business_today())
    return {"in_force": terms_out(current) if current else None,
            "versions": [terms_out(t) for t in queries.terms_history(fund.id)]}


@bp.route(f"{FUND}/terms", methods=["PUT"])
@guard(writable)
@idempotent
@bp.arguments(S.PayTermsIn)
@bp.response(201, S.PayTermsOut)
def terms_put(data: dict[str, Any], fund_id: int) -> Any:
    """Record a new version of the payment terms (effective from ``effective_on``)."""
    return terms_out(services.set_payment_terms(actor(), fund_id, **data)), 201


@bp.route(f"{FUND}/lines")
@guard(readable)
@bp.arguments(S.PayAsOfQuery, location="query")
@bp.response(200, S.PayLinesOut)
def lines_get(query: dict[str, Any], fund_id: int) -> Any:
    """Every line of the fund's capital calls dated on or before ``as_of``."""
    fund = queries.managed_fund(actor(), fund_id)
    on = _as_of(query)
    return {"fund_id": fund.id, "as_of": on,
            "lines": [line_out(s) for s in queries.line_status(fund.id, on)]}


def _arrears(fund_id: int, on: date, investor_id: int | None = None) -> dict[str, Any]:
    fund = queries.managed_fund(actor(), fund_id)
    a = queries.arrears(fund, on, investor_id)
    return {"fund_id": fund.id, "as_of": on, "currency": a.currency,
            "outstanding": a.outstanding, "interest": a.interest, "charged": a.charged,
            "charge_outstanding": a.charge_outstanding, "lines": [line_out(s) for s in a.lines]}


@bp.route(f"{FUND}/arrears")
@guard(readable)
@bp.arguments(S.PayAsOfQuery, location="query")
@bp.response(200, S.PayArrearsOut)
def arrears_get(query: dict[str, Any], fund_id: int) -> Any:
    """Lines past their due date with something outstanding on ``as_of``; totals."""
    return _arrears(fund_id, _as_of(query))


@bp.route(f"{FUND}/investors/<{ID}:investor_id>")
@guard(readable)
@bp.arguments(S.PayAsOfQuery, location="query")
@bp.response(200, S.PayArrearsOut)
def investor_get(query: dict[str, Any], fund_id: int, investor_id: int) -> Any:
    """One LP's arrears on ``as_of``."""
    queries.managed_fund(actor(), fund_id)
    investor = get_investor(actor(), investor_id)
    return _arrears(fund_id, _as_of(query), investor.id)


@bp.route(f"{FUND}/calls/<{ID}:entry_id>")
@guard(readable)
@bp.arguments(S.PayAsOfQuery, location="query")
@bp.response(200, S.PayCallOut)
def call_get(query: dict[str, Any], fund_id: int, entry_id: int) -> Any:
    """A call's issue (null: no due date), its lines on ``as_of``, receipts, charges."""
    fund = queries.managed_fund(actor(), fund_id)
    entry = queries.get_call(fund.id, entry_id)
    on = _as_of(query)
    issue = queries.issue_of(entry.id)
    return {"fund_id": fund.id, "cash_flow_id": entry.id, "as_of": on,
            "issue": issue_out(issue) if issue else None,
            "lines": [line_out(s) for s in queries.line_status(fund.id, on, entry_id=entry.id)],
            "receipts": [receipt_out(r) for r in queries.list_receipts(fund.id,
                                                                       entry_id=entry.id)],
            "charges": [charge_out(c) for c in queries.list_charges(fund.id, entry_id=entry.id)]}


@bp.route(f"{FUND}/calls/<{ID}:entry_id>/issue", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.PayIssueIn)
@bp.response(201, S.PayIssueOut)
def call_issue(data: dict[str, Any], fund_id: int, entry_id: int) -> Any:
    """Issue call: due date (once per call)."""
    return issue_out(services.issue_call(actor(), fund_id, entry_id, **data)), 201


@bp.route(f"{FUND}/calls/<{ID}:entry_id>/receipts", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.PayReceiptIn)
@bp.response(201, S.PayReceiptOut)
def call_receipt(data: dict[str, Any], fund_id: int, entry_id: int) -> Any:
    """Record a receipt against an LP's line (or the interest charged on it)."""
    return receipt_out(services.record_receipt(actor(), fund_id, entry_id, **data)), 201


@bp.route(f"{FUND}/calls/<{ID}:entry_id>/charges", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.PayChargeIn)
@bp.response(201, S.PayChargeOut)
def call_charge(data: dict[str, Any], fund_id: int, entry_id: int) -> Any:
    """Charge the default interest accrued on a line (a receivable of the fund)."""
    return charge_out(services.charge_default_interest(actor(), fund_id, entry_id,
                                                       **data)), 201


@bp.route(f"{FUND}/receipts/<{ID}:receipt_id>/reverse", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.PayReverseIn)
@bp.response(201, S.PayReceiptOut)
def receipt_reverse(data: dict[str, Any], fund_id: int, receipt_id: int) -> Any:
    """Reverse a receipt (a negated row of the same date)."""
    return receipt_out(services.reverse_receipt(actor(), fund_id, receipt_id,
                                                data["reason"])), 201


@bp.route(f"{FUND}/equalisation/<{ID}:commitment_id>")
@guard(readable)
@bp.arguments(S.PayEqualisationQuery, location="query")
@bp.response(200, S.PayEqualisationOut)
def equalisation_preview(query: dict[str, Any], fund_id: int, commitment_id: int) -> Any:
    """The equalisation a later closer's commitment would get on ``equalised_on``;
    nothing is written."""
    p = eq.preview_equalisation(actor(), fund_id, commitment_id=commitment_id, **query)
    return {"id": None, "fund_id": p.fund.id, "commitment_id": p.commitment.id,
            "investor_id": p.commitment.investor_id, "equalised_on": p.equalised_on,
            "rate": p.terms.equalisation_rate, "compounding": p.terms.equalisation_compounding,
            "catch_up": p.plan.catch_up_total, "premium": p.plan.premium_total, "entries": [],
            "lines": plan_lines(p.plan)}


def equalisation_out(e: Equalisation) -> dict[str, Any]:
    lines = [{"call_id": x.earlier_call_id, "call_on": None, "days": None,
              "investor_id": x.investor_id, "should": None, "paid": None, "delta": x.delta,
              "premium_paid": x.premium_paid, "premium_received": x.premium_received}
             for x in e.lines]
    entries = [i for i in (e.call_id, e.premium_call_id, e.refund_id,
                           e.premium_distribution_id) if i is not None]
    return {"id": e.id, "fund_id": e.fund_id, "commitment_id": e.commitment_id,
            "investor_id": e.investor_id, "equalised_on": e.equalised_on, "rate": e.rate,
            "compounding": e.compounding, "catch_up": e.catch_up_amount,
            "premium": e.premium_amount, "entries": entries, "lines": lines}


@bp.route(f"{FUND}/equalisation", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.PayEqualisationIn)
@bp.response(201, S.PayEqualisationOut)
def equalisation_post(data: dict[str, Any], fund_id: int) -> Any:
    """Post a later closer's equalisation: catch-up and premium calls on it, return of
    capital and premium distributions to the earlier closers (once per commitment)."""
    return equalisation_out(eq.post_equalisation(actor(), fund_id, **data)), 201
