"""JSON of approval items and the 202 answer of a held post (no routes: importable by the
feature APIs without a cycle). Amounts are exact decimal strings, times ISO 8601."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, jsonify, url_for

from fundops.approvals import services
from fundops.approvals.models import ApprovalRequest
from fundops.errors import ValidationError
from fundops.i18n import localise_message
from fundops.jsonvalues import to_json
from fundops.messages import MESSAGES
from fundops.uow import Actor

_json = to_json


CONFIRM_KEYS = ("confirm", "confirm_reason")


def item_json(item: ApprovalRequest) -> dict[str, Any]:
    """One approval item; amounts exact decimal strings, times ISO 8601."""
    return _json({
        "id": item.id, "status": item.status.value, "action": item.action,
        "amount": item.amount, "currency": item.currency, "fund_id": item.fund_id,
        "object_type": item.object_type, "object_id": item.object_id,
        "payload": json.loads(item.payload), "maker_id": item.maker_id,
        "submitted_at": item.submitted_at, "checker_id": item.checker_id,
        "decided_at": item.decided_at, "decision_reason": item.decision_reason,
        "confirm_reason": item.confirm_reason,
        "warnings": [{"code": c, "message": localise_message(MESSAGES.get(c, c), p)}
                     for c, p in services.stored_warnings(item)],
        "result_type": item.result_type or None, "result_id": item.result_id,
    })


def held_response(item: ApprovalRequest) -> Response:
    """202 Accepted: the pending item, with its address in ``Location``."""
    response = jsonify(item_json(item))
    response.status_code = 202
    response.headers["Location"] = url_for("api.approval_detail", request_id=item.id)
    return response


def submit_json(actor: Actor, action: str, payload: Mapping[str, Any], data: dict[str, Any],
                reply: Callable[[Any], Any]) -> Any:
    """Submit ``payload`` plus the body fields ``data`` (its ``confirm`` and
    ``confirm_reason`` taken out); ``reply(result)`` when posted (a Response, or what the
    route's response schema serialises), else the 202 Response."""
    fields = dict(data)
    confirm = fields.pop("confirm", False)
    if not isinstance(confirm, bool):
        raise ValidationError("confirm", "not_boolean", value=str(confirm)[:40])
    reason = fields.pop("confirm_reason", "")
    outcome = services.submit(actor, action, {**payload, **fields}, confirm=confirm,
                              confirm_reason=reason)
    if services.is_held(outcome):
        return held_response(outcome)
    return reply(outcome)
