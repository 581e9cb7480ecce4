"""Approval routes of the JSON API, and the 202 answer of a post held for approval.

- ``GET /approvals`` (``?status=pending|approved|rejected|all``, default pending): the
  organisation's items (a maker's own only);
- ``GET /approvals/<id>``; ``POST /approvals/<id>/approve`` (no body);
  ``POST /approvals/<id>/reject`` ``{"reason": text}``: same rules as the pages — 403
  ``approval_role`` / ``approval_self``, 409 ``approval_not_pending`` or the executor's
  refusal (the item stays pending), 404 for another organisation's item.

Money-moving POSTs of other features call :func:`submit_json`: their body takes
``confirm`` and ``confirm_reason`` (:class:`fundops.approvals.schemas.ConfirmIn`);
plausibility warnings answer 409 ``confirmation_required`` with the list; a post held for
approval answers 202 with the pending item and its address in ``Location`` (document it
with ``@bp.alt_response(202, schema=ApprovalOut, **HELD)``, both of
:mod:`fundops.approvals.schemas`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, jsonify, url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard
from fundops.approvals import schemas as S
from fundops.approvals import services
from fundops.approvals.models import ApprovalRequest, ApprovalStatus
from fundops.uow import Actor

bp = Blueprint("approvals_api", __name__, description="Maker-checker approval items")


def held_response(item: ApprovalRequest) -> Response:
    """202 Accepted: the pending item, with its address in ``Location``."""
    response = jsonify(S.ApprovalOut().dump(item))
    response.status_code = 202
    response.headers["Location"] = url_for("approvals_api.approval_detail", request_id=item.id)
    return response


def submit_json(actor: Actor, action: str, payload: Mapping[str, Any], data: Mapping[str, Any],
                reply: Callable[[Any], Any]) -> Any:
    """Submit ``payload`` plus the parsed body ``data`` (its ``confirm`` and
    ``confirm_reason`` taken out) to :func:`fundops.approvals.services.submit`; returns
    ``reply(result)`` when posted (what the route's response schema dumps), else the 202
    :func:`held_response`."""
    fields = dict(data)
    confirm = bool(fields.pop("confirm", False))
    reason = fields.pop("confirm_reason", "")
    outcome = services.submit(actor, action, {**payload, **fields}, confirm=confirm,
                              confirm_reason=reason)
    if services.is_held(outcome):
        return held_response(outcome)
    return reply(outcome)


def _visible(who: Actor, request_id: int) -> None:
    services.get_request(who, request_id)


@bp.route("/approvals")
@bp.arguments(S.ApprovalsQuery, location="query")
@bp.response(200, S.ApprovalsOut)
def approval_list(query: dict[str, Any]) -> Any:
    """The organisation's approval items (a maker sees its own), newest first."""
    wanted = query.get("status", "pending")
    status = None if wanted == "all" else ApprovalStatus(wanted)
    return {"approvals": services.list_requests(actor(), status)}


@bp.route(f"/approvals/<{ID}:request_id>")
@bp.response(200, S.ApprovalOut)
def approval_detail(request_id: int) -> Any:
    """One approval item."""
    return services.get_request(actor(), request_id)


@bp.route(f"/approvals/<{ID}:request_id>/approve", methods=["POST"])
@guard(_visible)
@bp.response(200, S.ApprovalOut)
def approval_approve(request_id: int) -> Any:
    """A checker approves: the held post runs now, as the maker (checkers and admins; never
    the maker itself)."""
    return services.approve(actor(), request_id)


@bp.route(f"/approvals/<{ID}:request_id>/reject", methods=["POST"])
@guard(_visible)
@bp.arguments(S.RejectIn)
@bp.response(200, S.ApprovalOut)
def approval_reject(data: dict[str, Any], request_id: int) -> Any:
    """A checker rejects, or the maker withdraws, a pending item; nothing is posted."""
    return services.reject(actor(), request_id, data.get("reason", ""))
