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

from flask import Response, jsonify, request

from fundops.api.legacy import bp
from fundops.approvals import services
from fundops.approvals.api_json import held_response, item_json, submit_json
from fundops.approvals.models import ApprovalStatus
from fundops.auth.current import current_actor
from fundops.errors import ValidationError

__all__ = ["held_response", "item_json", "submit_json"]


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
