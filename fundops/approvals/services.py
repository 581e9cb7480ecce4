"""Maker-checker use cases: submit (post directly or hold), approve, reject, policies.

An action needs a second person when its organisation has a policy for it and the
amount is at least the policy's threshold (0 = always; an amount in another currency
than the policy's is always held). The checker's approval runs the registered executor
(:mod:`fundops.approvals.actions`) as the maker, in the same unit of work as the status
change, so the post and the decision commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from fundops.approvals.actions import ACTIONS, POLICY_ACTIONS, get_action
from fundops.approvals.models import ApprovalPolicy, ApprovalRequest, ApprovalStatus
from fundops.approvals.plausibility import Warning
from fundops.audit import record_by
from fundops.auth.models import Organisation, User
from fundops.db import utcnow
from fundops.errors import ConfirmationRequired, ConflictError, Forbidden, NotFound, ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount, validate_currency
from fundops.roles import CHECKER_ROLES, Role
from fundops.uow import Actor, lock_row, unit_of_work

REASON_MAX = 500


def _plain(value: Any) -> Any:
    """JSON form of a payload or warning value: Decimal as exact text, dates ISO, Money as
    ``{"amount", "currency"}``."""
    if isinstance(value, Money):
        return {"amount": format(value.amount, "f"), "currency": value.currency}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def canonical(payload: Mapping[str, Any]) -> str:
    """The payload as canonical JSON text (sorted keys), as stored and hashed."""
    return json.dumps(_plain(payload), sort_keys=True, ensure_ascii=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_warnings(request: ApprovalRequest) -> list[Warning]:
    """The warnings the maker confirmed, with amount params back as Money."""
    out: list[Warning] = []
    for item in json.loads(request.warnings or "[]"):
        params = {k: Money(v["amount"], v["currency"]) if isinstance(v, dict) else v
                  for k, v in item.get("params", {}).items()}
        out.append((item["code"], params))
    return out


def _confirmed(warnings: list[Warning], confirm: bool, reason: object) -> str:
    """The confirmation reason when there are warnings (else ""); raises
    ConfirmationRequired without ``confirm``, ValidationError without a reason."""
    if not warnings:
        return ""
    if not confirm:
        raise ConfirmationRequired(warnings)
    text = str(reason or "").strip()
    if not text:
        raise ValidationError("confirm_reason", "approval_confirm_reason")
    if len(text) > REASON_MAX:
        raise ValidationError("confirm_reason", "too_long", max_len=REASON_MAX)
    return text


def needs_approval(organisation_id: int, action: str, amount: Decimal, currency: str) -> bool:
    """True when a policy of the organisation holds this action at this amount."""
    if action not in POLICY_ACTIONS:
        return False
    policy = db.session.scalar(sa.select(ApprovalPolicy).where(
        ApprovalPolicy.organisation_id == organisation_id, ApprovalPolicy.action == action))
    if policy is None:
        return False
    if policy.threshold_amount <= 0 or policy.currency != currency:
        return True
    return amount >= policy.threshold_amount


def result_ref(action: str, result: Any) -> tuple[str, int | None]:
    return ACTIONS[action].result_type, getattr(result, "id", None)


def submit(actor: Actor, action: str, payload: Mapping[str, Any], confirm: bool = False,
           confirm_reason: object = "") -> Any:
    """Check a maker's post; post it now (returning the service's result) or, when a
    policy holds it, record a pending :class:`ApprovalRequest` (nothing in the ledger)
    and return that. Plausibility warnings need ``confirm`` and a reason first."""
    spec = get_action(action)
    prepared = spec.prepare(actor, payload)
    reason = _confirmed(prepared.warnings, bool(confirm), confirm_reason)
    codes = [code for code, _ in prepared.warnings]
    if not needs_approval(actor.organisation_id, spec.name, prepared.amount, prepared.currency):
        with unit_of_work():
            result = spec.execute(actor, **payload)
            if codes:
                rtype, rid = result_ref(spec.name, result)
                record_by(actor, "plausibility.confirmed", rtype, rid,
                          {"action": spec.name, "warnings": codes}, reason)
        return result
    if spec.precheck is not None:
        spec.precheck(actor, payload)
    text = canonical(payload)
    digest = _sha(text)
    with unit_of_work():
        # Two identical submissions at once (two tabs, a retry with a new key) must not both
        # be held: the organisation's row lock serialises this check with the insert.
        lock_row(Organisation, actor.organisation_id)
        twin = db.session.scalar(sa.select(ApprovalRequest.id).where(
            ApprovalRequest.organisation_id == actor.organisation_id,
            ApprovalRequest.payload_sha256 == digest, ApprovalRequest.action == spec.name,
            ApprovalRequest.status == ApprovalStatus.PENDING).limit(1))
        if twin is not None:
            raise ConflictError("approval_duplicate", request_id=twin)
        request = ApprovalRequest(
            organisation_id=actor.organisation_id, action=spec.name, payload=text,
            payload_sha256=digest, amount=prepared.amount, currency=prepared.currency,
            fund_id=prepared.fund_id, object_type=prepared.object_type,
            object_id=prepared.object_id, status=ApprovalStatus.PENDING, maker_id=actor.user_id,
            confirm_reason=reason,
            warnings=json.dumps([{"code": c, "params": _plain(p)} for c, p in prepared.warnings],
                                ensure_ascii=False),
        )
        db.session.add(request)
        db.session.flush()
        record_by(actor, "approval.submit", "approval_request", request.id, {
            "action": spec.name, "amount": prepared.amount, "currency": prepared.currency,
            "fund_id": prepared.fund_id, "object": f"{prepared.object_type}:{prepared.object_id}",
            "warnings": codes, "payload_sha256": digest}, reason)
    return request


def is_held(outcome: Any) -> bool:
    """True when :func:`submit` held the post for approval."""
    return isinstance(outcome, ApprovalRequest)


def _require_checker(actor: Actor) -> None:
    if actor.role not in CHECKER_ROLES:
        raise Forbidden("approval_role")


def _sees_all(actor: Actor) -> bool:
    return actor.role in CHECKER_ROLES


def get_request(actor: Actor, request_id: int) -> ApprovalRequest:
    """A request of the actor's organisation: checkers and admins see all, others their
    own; anything else is 404."""
    request = db.session.get(ApprovalRequest, int(request_id))
    if (request is None or request.organisation_id != actor.organisation_id
            or not (_sees_all(actor) or request.maker_id == actor.user_id)):
        raise NotFound()
    return request


def list_requests(actor: Actor, status: ApprovalStatus | None = ApprovalStatus.PENDING,
                  limit: int = 200) -> list[ApprovalRequest]:
    """The organisation's requests (a maker's own only), newest first; ``status`` None = all."""
    query = sa.select(ApprovalRequest).where(
        ApprovalRequest.organisation_id == actor.organisation_id)
    if not _sees_all(actor):
        query = query.where(ApprovalRequest.maker_id == actor.user_id)
    if status is not None:
        query = query.where(ApprovalRequest.status == status)
    return list(db.session.scalars(query.order_by(ApprovalRequest.id.desc()).limit(limit)))


def _locked_pending(actor: Actor, request_id: int) -> ApprovalRequest:
    lock_row(ApprovalRequest, request_id)
    request = db.session.get(ApprovalRequest, request_id, populate_existing=True)
    assert request is not None
    if request.status is not ApprovalStatus.PENDING:
        raise ConflictError("approval_not_pending", status=request.status)
    return request


def _maker_actor(request: ApprovalRequest) -> Actor:
    maker = db.session.get(User, request.maker_id)
    if maker is None or not maker.is_active or maker.organisation_id != request.organisation_id:
        raise ConflictError("approval_maker_gone")
    return Actor(user_id=maker.id, organisation_id=request.organisation_id,
                 role=maker.role, auth_method="approval")


def approve(actor: Actor, request_id: int) -> ApprovalRequest:
    """A checker (admin or checker role, not the maker) approves: the post runs now as the
    maker, in this transaction. Self-approval is refused (403) and recorded in the audit
    trail; a decided request is a 409; an executor refusal rolls everything back and the
    request stays pending. Call it outside any other unit of work."""
    _require_checker(actor)
    request = get_request(actor, request_id)
    if request.maker_id == actor.user_id:
        with unit_of_work():
            record_by(actor, "approval.self_approval_refused", "approval_request", request.id,
                      {"action": request.action})
        raise Forbidden("approval_self")
    with unit_of_work():
        request = _locked_pending(actor, request.id)
        if _sha(request.payload) != request.payload_sha256:
            raise ConflictError("approval_tampered")
        spec = get_action(request.action)
        maker = _maker_actor(request)
        result = spec.execute(maker, **json.loads(request.payload))
        rtype, rid = result_ref(spec.name, result)
        request.status = ApprovalStatus.APPROVED
        request.checker_id = actor.user_id
        request.decided_at = utcnow()
        request.result_type, request.result_id = rtype, rid
        record_by(actor, "approval.approve", "approval_request", request.id, {
            "action": spec.name, "maker_id": request.maker_id, "checker_id": actor.user_id,
            "amount": request.amount, "currency": request.currency,
            "result_type": rtype, "result_id": rid}, request.confirm_reason)
    return request


def reject(actor: Actor, request_id: int, reason: object) -> ApprovalRequest:
    """A checker rejects (or the maker withdraws) a pending request, with a reason;
    nothing is posted."""
    request = get_request(actor, request_id)
    if request.maker_id != actor.user_id:
        _require_checker(actor)
    why = str(reason or "").strip()
    if not why:
        raise ValidationError("reason", "approval_reject_reason")
    if len(why) > REASON_MAX:
        raise ValidationError("reason", "too_long", max_len=REASON_MAX)
    with unit_of_work():
        request = _locked_pending(actor, request.id)
        request.status = ApprovalStatus.REJECTED
        request.checker_id = actor.user_id
        request.decided_at = utcnow()
        request.decision_reason = why
        record_by(actor, "approval.reject", "approval_request", request.id, {
            "action": request.action, "maker_id": request.maker_id,
            "checker_id": actor.user_id}, why)
    return request


# --- policies -----------------------------------------------------------------------------


def list_policies(organisation_id: int) -> dict[str, ApprovalPolicy]:
    rows = db.session.scalars(sa.select(ApprovalPolicy).where(
        ApprovalPolicy.organisation_id == organisation_id))
    return {p.action: p for p in rows}


def set_policy(actor: Actor, action: str, threshold: object,
               currency: object = "CNY") -> ApprovalPolicy:
    """Hold ``action`` for a checker from ``threshold`` (yuan, ≥ 0; 0 = always). Admins only."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("approval_policy_role")
    if action not in POLICY_ACTIONS:
        raise ValidationError("action", "approval_unknown_action", value=str(action)[:40])
    amount = parse_amount(threshold, "threshold_amount", allow_zero=True)
    cur = validate_currency(currency or "CNY", "currency")
    with unit_of_work():
        policy = db.session.scalar(sa.select(ApprovalPolicy).where(
            ApprovalPolicy.organisation_id == actor.organisation_id,
            ApprovalPolicy.action == action))
        if policy is None:
            policy = ApprovalPolicy(organisation_id=actor.organisation_id, action=action,
                                    threshold_amount=amount, currency=cur)
            db.session.add(policy)
        policy.threshold_amount, policy.currency = amount, cur
        policy.updated_at, policy.updated_by_id = utcnow(), actor.user_id
        db.session.flush()
        record_by(actor, "approval.policy_set", "approval_policy", policy.id,
                  {"action": action, "threshold": amount, "currency": cur})
    return policy


def remove_policy(actor: Actor, action: str) -> None:
    """Let ``action`` post directly again. Admins only."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("approval_policy_role")
    with unit_of_work():
        policy = db.session.scalar(sa.select(ApprovalPolicy).where(
            ApprovalPolicy.organisation_id == actor.organisation_id,
            ApprovalPolicy.action == action))
        if policy is not None:
            record_by(actor, "approval.policy_removed", "approval_policy", policy.id,
                      {"action": action})
            db.session.delete(policy)
