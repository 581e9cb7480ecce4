"""Approval routes of the JSON API (/api/v1, bearer token) and the 202 answer of a held post.

- ``GET /approvals`` (``?status=pending|approved|rejected|all``, default pending): the
  organisation's items (a maker's own only);
- ``GET /approvals/<id>``; ``POST /approvals/<id>/approve`` (no body);
  ``POST /approvals/<id>/reject`` ``{"reason": text}``: same rules as the pages — 403
  ``approval_role`` / ``approval_self``, 409 ``approval_not_pending`` or the executor's
  refusal (the item stays pending), 404 for another organisation's item.

Money-moving POSTs that go through :func:`submit_json` take ``confirm`` (bool) and
``confirm_reason``; plausibility warnings answer 409 ``confirmation_required`` with the
list; a post held for approval answers 202 with the pending item.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, jsonify, request, url_for

from fundops.api import _json, bp
from fundops.approvals import services
from fundops.approvals.models import ApprovalRequest, ApprovalStatus
from fundops.auth.current import current_actor
from fundops.errors import ValidationError
from fundops.i18n import localise_message
from fundops.messages import MESSAGES
from fundops.uow import Actor

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
                reply: Callable[[Any], Response]) -> Response:
    """Submit ``payload`` plus the body fields ``data`` (its ``confirm`` and
    ``confirm_reason`` taken out); ``reply(result)`` when posted, else the 202."""
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


@bp.get("/approvals")
def approval_list() -> Response:
    wanted = request.args.get("status", "pending")
    if wanted != "all" and wanted not in {s.value for s in ApprovalStatus}:
        raise ValidationError("status", "not_a_choice", value=wanted[:40])
    status = None if wanted == "all" else ApprovalStatus(wanted)
    items = services.list_requests(current_actor(), status)
    return jsonify({"approvals": [item_json(i) for i in items]})


@bp.get("/approvals/<int:request_id>")
def approval_detail(request_id: int) -> Response:
    return jsonify(item_json(services.get_request(current_actor(), request_id)))


@bp.post("/approvals/<int:request_id>/approve")
def approval_approve(request_id: int) -> Response:
    actor = current_actor()
    services.get_request(actor, request_id)
    return jsonify(item_json(services.approve(actor, request_id)))


@bp.post("/approvals/<int:request_id>/reject")
def approval_reject(request_id: int) -> Response:
    actor = current_actor()
    services.get_request(actor, request_id)
    body = request.get_json(silent=True) if request.get_data(cache=True) else {}
    if not isinstance(body, dict):
        raise ValidationError("body", "invalid")
    unknown = set(body) - {"reason"}
    if unknown:
        raise ValidationError(sorted(unknown)[0], "invalid")
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        raise ValidationError("reason", "invalid")
    return jsonify(item_json(services.reject(actor, request_id, reason)))
