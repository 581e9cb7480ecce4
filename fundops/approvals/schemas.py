"""Response schemas of approval items in the JSON API: the 202 answer of a post held for
a second person (:func:`fundops.approvals.api_json.held_response`). Amounts are exact
decimal strings in yuan of ``currency``; times ISO 8601 in UTC."""

from __future__ import annotations

from marshmallow import fields

from fundops.api.fields import Amount, Choice, Id, Lines, Reply, Text, Timestamp
from fundops.approvals.models import ApprovalStatus


class WarningOut(Reply):
    code = Text(doc="a plausibility rule's message code")
    message = Text()


class ApprovalOut(Reply):
    """An approval item, as ``GET /approvals/{request_id}`` shows it."""

    id = Id()
    status = Choice(ApprovalStatus)
    action = Text(doc="the action held: capital_call, distribution, reversal, …")
    amount = Amount(doc="the amount the approval policy was applied to (positive)")
    currency = Text()
    fund_id = Id(nullable=True)
    object_type = Text()
    object_id = Id(nullable=True)
    payload = fields.Dict(metadata={"description": "the post's fields, as submitted"})
    maker_id = Id()
    submitted_at = Timestamp()
    checker_id = Id(nullable=True)
    decided_at = Timestamp(nullable=True)
    decision_reason = Text()
    confirm_reason = Text()
    warnings = Lines(WarningOut, doc="the plausibility warnings the maker confirmed")
    result_type = Text(nullable=True, doc="what the post made, once approved")
    result_id = Id(nullable=True)


HELD = {"description": "held for approval: nothing is posted until a checker approves "
                       "(the pending item; its address in Location)"}
"""The 202 answer's description, for ``bp.alt_response(202, schema=ApprovalOut, ...)``."""
