"""Approval pages: the queue, one item (approve / reject), and the policy page.

Checkers and admins see every item of their organisation and decide them; makers see
their own items (and may withdraw one with a reason). Amounts show in the page's unit.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from fundops.approvals import services
from fundops.approvals.actions import POLICY_ACTIONS
from fundops.approvals.models import ApprovalRequest, ApprovalStatus
from fundops.auth.current import current_actor
from fundops.auth.models import User
from fundops.errors import ConflictError, DomainError, Forbidden, ValidationError
from fundops.extensions import db
from fundops.i18n import localise, localise_message, register_enum_labels
from fundops.messages import MESSAGES
from fundops.money import D
from fundops.roles import Role
from fundops.uow import Actor

bp = Blueprint("approvals", __name__, template_folder="templates")

ACTION_LABELS: dict[str, Any] = {
    "capital_call": _l("Capital call"), "distribution": _l("Distribution"),
    "reversal": _l("Reversal"), "fund_valuation": _l("Fund NAV"),
    "holding_valuation": _l("Holding fair value"), "loan_approval": _l("Loan approval"),
    "loan_disbursement": _l("Loan disbursement"), "pool_claim": _l("Pool claim"),
    "investment": _l("Investment"), "fund_creation": _l("New fund"),
}
STATUS_LABELS: dict[str, Any] = {"pending": _l("pending"), "approved": _l("approved"),
                                 "rejected": _l("rejected")}
register_enum_labels({ApprovalStatus: STATUS_LABELS})

FIELD_LABELS: dict[str, Any] = {
    "fund_id": _l("Fund"), "value_on": _l("Value date"), "amount": _l("Amount"),
    "purpose": _l("Purpose"), "distribution_type": _l("Distribution type"),
    "recallable": _l("Recallable"), "counterparty": _l("Counterparty"),
    "source_ref": _l("Reference"), "memo": _l("Memo"), "split": _l("LP split"),
    "entry_id": _l("Ledger entry"), "reason": _l("Reason"), "as_of": _l("As of"),
    "nav_amount": _l("NAV"), "fair_value_amount": _l("Fair value"), "company_id": _l("Company"),
    "method": _l("Method"), "loan_id": _l("Loan"), "note": _l("Note"), "on": _l("Claim date"),
    "currency": _l("Currency"), "source": _l("Source"),
}
AMOUNT_KEYS = frozenset({"amount", "nav_amount", "fair_value_amount"})


@bp.app_template_filter("approval_action")
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@bp.app_template_filter("approval_status")
def status_label(status: object) -> str:
    value = getattr(status, "value", status)
    return str(STATUS_LABELS.get(str(value), value))


def payload_rows(item: ApprovalRequest) -> list[tuple[str, Any, bool]]:
    """(label, value, is_amount) for each field of the item's payload, in a stable order."""
    import json

    rows = []
    for key, value in sorted(json.loads(item.payload).items()):
        if value in (None, "", {}):
            continue
        is_amount = key in AMOUNT_KEYS and isinstance(value, str | int)
        shown = value
        if is_amount:
            try:
                shown = D(value)
            except (TypeError, ValueError):
                is_amount = False
        rows.append((str(FIELD_LABELS.get(key, key)), shown, is_amount))
    return rows


def warning_texts(item: ApprovalRequest) -> list[str]:
    return [localise_message(MESSAGES.get(code, code), params)
            for code, params in services.stored_warnings(item)]


def _names(items: list[ApprovalRequest]) -> dict[int, str]:
    ids = {i.maker_id for i in items} | {i.checker_id for i in items if i.checker_id}
    return {u.id: u.display_name for u in (db.session.get(User, x) for x in ids) if u}


def _can_decide(actor: Actor) -> bool:
    return actor.role in services.CHECKER_ROLES


@bp.route("/approvals")
@login_required
def queue() -> Any:
    actor = current_actor()
    show = request.args.get("show", "pending")
    status = ApprovalStatus.PENDING if show != "all" else None
    items = services.list_requests(actor, status)
    return render_template("approvals/queue.html", items=items, names=_names(items), show=show,
                           can_decide=_can_decide(actor), actor=actor, rows=payload_rows)


def _detail_page(actor: Actor, item: ApprovalRequest, error: str = "", status: int = 200) -> Any:
    return render_template(
        "approvals/detail.html", item=item, names=_names([item]), rows=payload_rows(item),
        warnings=warning_texts(item), can_decide=_can_decide(actor), actor=actor,
        error=error), status


@bp.route("/approvals/<int:request_id>")
@login_required
def detail(request_id: int) -> Any:
    actor = current_actor()
    return _detail_page(actor, services.get_request(actor, request_id))


def _refused(actor: Actor, request_id: int, exc: DomainError) -> Any:
    """The item's page again with why the decision was refused (409 for the state, else 422);
    the refused transaction is rolled back, so the item is shown as it is."""
    db.session.rollback()
    item = services.get_request(actor, request_id)
    return _detail_page(actor, item, localise(exc), 409 if isinstance(exc, ConflictError) else 422)


@bp.route("/approvals/<int:request_id>/approve", methods=["POST"])
@login_required
def approve(request_id: int) -> Any:
    actor = current_actor()
    services.get_request(actor, request_id)
    try:
        services.approve(actor, request_id)
    except Forbidden:
        raise
    except DomainError as exc:  # refused in the current state: nothing posted, still pending
        return _refused(actor, request_id, exc)
    flash(_("Approved and posted."), "success")
    return redirect(url_for("approvals.detail", request_id=request_id))


@bp.route("/approvals/<int:request_id>/reject", methods=["POST"])
@login_required
def reject(request_id: int) -> Any:
    actor = current_actor()
    services.get_request(actor, request_id)
    try:
        services.reject(actor, request_id, request.form.get("reason", ""))
    except (ValidationError, ConflictError) as exc:
        return _refused(actor, request_id, exc)
    flash(_("Rejected: nothing was posted."), "success")
    return redirect(url_for("approvals.detail", request_id=request_id))


@bp.route("/approvals/policies", methods=["GET", "POST"])
@login_required
def policies() -> Any:
    actor = current_actor()
    if actor.role is not Role.ADMIN:
        raise Forbidden("approval_policy_role")
    error, status = "", 200
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if request.form.get("enabled"):
                services.set_policy(actor, action, request.form.get("threshold_amount", ""),
                                    request.form.get("currency") or "CNY")
            else:
                services.remove_policy(actor, action)
        except ValidationError as exc:
            error, status = f"{action_label(action)}: {localise(exc)}", 422
        else:
            flash(_("Approval policy saved."), "success")
            return redirect(url_for("approvals.policies"))
    return render_template("approvals/policies.html", actions=POLICY_ACTIONS,
                           policies=services.list_policies(actor.organisation_id),
                           error=error), status
