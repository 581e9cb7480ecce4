"""Loan routes of the JSON API (the bank side): products, applications and decisions,
disbursements and repayments, credit events (overdue, default, write-off, recovery) and
warrants.

Thin: check access (before the body is read, so another organisation and a partner bank
get 404 whatever they send; every lending route is 404 for a caller that is not a bank),
parse with :mod:`.schemas`, call one service, return what the response schema serialises.
Approval, disbursement (and a pool claim) may be held by the organisation's approval
policy: then the answer is 202 with the pending item (:mod:`fundops.approvals`).
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.approvals.api import submit_json
from fundops.approvals.schemas import HELD
from fundops.portfolio.access import require_writer
from fundops.syndication import queries
from fundops.syndication.api_support import Seen, usable
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import products
from fundops.syndication.loans import schemas as S
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import LoanEntry
from fundops.syndication.term_sheets import verification
from fundops.uow import Actor

bp = Blueprint("loans_api", __name__,
               description="Bank products, loans, credit events and warrants")

LOAN = f"/loans/<{ID}:loan_id>"


def _bank_writer(who: Actor) -> None:
    lending.require_bank(who)
    require_writer(who)


def _lead_writer(who: Actor, loan_id: int) -> None:
    lending.get_loan(who, loan_id, write=True)


def _detail(who: Actor, loan_id: int) -> Seen:
    """The loan, its shares, the check as of now, the stored schedule, entries, warrants."""
    loan = lending.get_loan(who, loan_id)
    check = lending.check_loan(who, loan.id)
    return Seen(loan, check=Seen(check, outstanding=lending.outstanding_principal(loan.id)),
                schedule=queries.list_schedule(loan.id),
                entries=queries.list_loan_entries(loan.id, as_recorded=True),
                warrants=queries.list_warrants(loan.id))


def _balances(who: Actor, loan_id: int) -> dict[str, Any]:
    loan = lending.get_loan(who, loan_id)
    return {"loan_status": loan.status, "drawn": lending.drawn_amount(loan.id),
            "outstanding": lending.outstanding_principal(loan.id)}


def _posted(who: Actor, loan_id: int, entry: LoanEntry, **extra: Any) -> Seen:
    """A posted entry with the loan's balances after it."""
    return Seen(entry, **_balances(who, loan_id), **extra)


# --- bank products ---------------------------------------------------------------------

@bp.route("/loan-products")
@bp.doc(responses={"404": "NotFound"})
@bp.response(200, S.ProductListOut)
def product_list() -> Any:
    """The caller's bank's products (404 for a caller that is not a bank)."""
    return {"products": products.list_products(actor())}


@bp.route("/loan-products", methods=["POST"])
@bp.doc(responses={"404": "NotFound"})
@guard(_bank_writer)
@bp.arguments(S.ProductIn)
@bp.response(201, S.ProductOut)
def product_create(data: dict[str, Any]) -> Any:
    """A loan product: sizing (α, β, cap), equity condition (γ), pricing, repayment."""
    product = products.create_product(actor(), **data)
    return product, 201, {"Location": url_for("loans_api.product_detail", product_id=product.id)}


@bp.route(f"/loan-products/<{ID}:product_id>")
@bp.response(200, S.ProductOut)
def product_detail(product_id: int) -> Any:
    return lending.get_product(actor(), product_id)


# --- loans -----------------------------------------------------------------------------

@bp.route("/loans", methods=["POST"])
@bp.doc(responses={"404": "NotFound"})
@guard(_bank_writer)
@idempotent
@bp.arguments(S.ApplyIn)
@bp.response(201, S.LoanOut)
def loan_apply(data: dict[str, Any]) -> Any:
    """Apply under one of the caller's products on the round behind ``code``; a joint
    loan lists the partner banks' shares, the caller's share is the rest."""
    who = actor()
    usable(lambda: lending.get_product(who, data["product_id"]), "product_id",
           "syn_not_your_product")
    usable(lambda: verification.term_sheet_for_code(data["code"]), "code", "syn_code_unknown")
    partners = [(p["bank_id"], p["amount"]) for p in data.pop("partners", [])]
    loan = lending.apply_for_loan(who, partners=partners, **data)
    return lending.get_loan(who, loan.id), 201, {
        "Location": url_for("loans_api.loan_detail", loan_id=loan.id)}


@bp.route("/loans")
@bp.response(200, S.LoanListOut)
def loan_list() -> Any:
    """Loans the caller's bank leads or shares in, newest first (empty for non-banks)."""
    return {"loans": lending.list_loans(actor())}


@bp.route(LOAN)
@bp.response(200, S.LoanDetailOut)
def loan_detail(loan_id: int) -> Any:
    """The loan, its shares, the check as of now, the stored schedule and the entries."""
    return _detail(actor(), loan_id)


@bp.route(f"{LOAN}/approve", methods=["POST"])
@guard(_lead_writer)
@idempotent
@bp.arguments(S.ApproveIn, required=False)
@bp.response(200, S.LoanDetailOut)
@bp.alt_response(202, **HELD)
def loan_approve(data: dict[str, Any], loan_id: int) -> Any:
    """Approve within the headroom: reserves it, fixes the rate, stores the schedule."""
    who = actor()
    return submit_json(who, "loan_approval", {"loan_id": loan_id}, data,
                       lambda _loan: _detail(who, loan_id))


@bp.route(f"{LOAN}/decline", methods=["POST"])
@guard(_lead_writer)
@bp.arguments(S.DeclineIn)
@bp.response(200, S.LoanDetailOut)
def loan_decline(data: dict[str, Any], loan_id: int) -> Any:
    who = actor()
    lending.decline_loan(who, loan_id, data["note"])
    return _detail(who, loan_id)


@bp.route(f"{LOAN}/disbursements", methods=["POST"])
@guard(_lead_writer)
@idempotent
@bp.arguments(S.DisburseIn)
@bp.response(201, S.LoanEventOut)
@bp.alt_response(202, **HELD)
def loan_disburse(data: dict[str, Any], loan_id: int) -> Any:
    """Money lent out, once the equity condition allows it."""
    who = actor()
    return submit_json(who, "loan_disbursement", {"loan_id": loan_id}, data,
                       lambda entry: _posted(who, loan_id, entry))


@bp.route(f"{LOAN}/repayments", methods=["POST"])
@guard(_lead_writer)
@idempotent
@bp.arguments(S.RepayIn)
@bp.response(201, S.RepaymentOut)
def loan_repay(data: dict[str, Any], loan_id: int) -> Any:
    """Principal, interest and any interest subsidy received on one day."""
    who = actor()
    entries = lending.record_repayment(who, loan_id, **data)
    return {"entries": entries, **_balances(who, loan_id)}


# --- credit events and warrants (the lead bank's writers) ------------------------------

@bp.route(f"{LOAN}/overdue", methods=["POST"])
@guard(_lead_writer)
@bp.arguments(S.OverdueIn)
@bp.response(201, S.LoanEventOut)
def loan_overdue(data: dict[str, Any], loan_id: int) -> Any:
    """An amount past due on an active loan (a memo entry: no cash moves)."""
    who = actor()
    return _posted(who, loan_id, loan_events.mark_overdue(who, loan_id, **data))


@bp.route(f"{LOAN}/default", methods=["POST"])
@guard(_lead_writer)
@bp.arguments(S.LoanDefaultIn)
@bp.response(201, S.LoanEventOut)
def loan_default(data: dict[str, Any], loan_id: int) -> Any:
    """An active loan defaults; the entry carries the principal outstanding that day."""
    who = actor()
    return _posted(who, loan_id, loan_events.declare_default(who, loan_id, **data))


@bp.route(f"{LOAN}/write-offs", methods=["POST"])
@guard(_lead_writer)
@idempotent
@bp.arguments(S.WriteOffIn)
@bp.response(201, S.LoanEventOut)
def loan_write_off(data: dict[str, Any], loan_id: int) -> Any:
    """Principal written off a defaulted loan; all of it makes the loan ``written_off``."""
    who = actor()
    return _posted(who, loan_id, loan_events.write_off(who, loan_id, **data))


@bp.route(f"{LOAN}/recoveries", methods=["POST"])
@guard(_lead_writer)
@idempotent
@bp.arguments(S.RecoveryIn)
@bp.response(201, S.RecoveryOut)
def loan_recovery(data: dict[str, Any], loan_id: int) -> Any:
    """Money recovered after a default; with a pool claim on the loan, ``shared`` is
    what it handed back to each party (in proportion to what each bore)."""
    who = actor()
    entry = loan_events.record_recovery(who, loan_id, **data)
    return _posted(who, loan_id, entry, shared=queries.recovery_shares(entry.id))


@bp.route(f"{LOAN}/warrants", methods=["POST"])
@guard(_lead_writer)
@bp.arguments(S.WarrantIn)
@bp.response(201, S.WarrantOut)
def loan_warrant(data: dict[str, Any], loan_id: int) -> Any:
    """A warrant (认股权) on an approved or active loan: amount = coverage × the loan."""
    return loan_events.add_warrant(actor(), loan_id, **data)


@bp.route(f"/warrants/<{ID}:warrant_id>/close", methods=["POST"])
@guard(lambda who, warrant_id: loan_events.get_warrant(who, warrant_id, write=True))
@bp.arguments(S.CloseWarrantIn)
@bp.response(200, S.WarrantOut)
def warrant_close(data: dict[str, Any], warrant_id: int) -> Any:
    """Record an open warrant's exercise (on a date within its window) or expiry."""
    return loan_events.close_warrant(actor(), warrant_id, **data)
