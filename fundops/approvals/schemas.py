"""Request and response schemas of the approvals API (:mod:`fundops.approvals.api`), and
the pieces the money-moving routes of other features share: :class:`ConfirmIn` (the
``confirm`` / ``confirm_reason`` fields of a post that may raise plausibility warnings) and
`ApprovalOut` (the pending item a held post answers with, 202).

Amounts are exact decimal strings in yuan of the item's currency; times ISO 8601 in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields

from fundops.api.fields import (
    Amount,
    Bool,
    Choice,
    Id,
    Lines,
    Reply,
    Schema,
    Text,
    Timestamp,
    refusal,
)
from fundops.approvals import services
from fundops.approvals.models import ApprovalRequest, ApprovalStatus
from fundops.i18n import localise_message
from fundops.messages import MESSAGES

LISTED = (*(s.value for s in ApprovalStatus), "all")


class ConfirmIn(Schema):
    """Mixed into the body of a post that may raise plausibility warnings."""

    confirm = Bool(doc="post despite plausibility warnings (409 confirmation_required "
                       "lists them)")
    confirm_reason = Text(max_length=services.REASON_MAX,
                          doc="why, required with confirm; recorded")


class _Listed(Choice):
    """The ``status`` filter; refused as ``not_a_choice`` (the code this route always had)."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str:
        if value not in self.values:
            raise refusal("not_a_choice", value=str(value)[:40])
        return str(value)


class ApprovalsQuery(Schema):
    status = _Listed(LISTED, doc="default pending; all = every status")


class RejectIn(Schema):
    reason = Text(max_length=services.REASON_MAX,
                  doc="why (required); the maker withdrawing its own item gives one too")


class WarningOut(Reply):
    code = Text(doc="a plausibility warning's message code")
    message = Text(doc="the warning in the caller's language")


class ApprovalOut(Reply):
    """One approval item: a post held for a second person, or decided."""

    id = Id()
    status = Choice(ApprovalStatus)
    action = Text(doc="the held operation, e.g. loan_disbursement, pool_claim")
    amount = Amount(doc="the amount the approval policy was applied to")
    currency = Text(doc="ISO 4217")
    fund_id = Id(nullable=True)
    object_type = Text()
    object_id = Id(nullable=True)
    payload = fields.Dict(metadata={"description": "the post's fields as submitted"})
    maker_id = Id()
    submitted_at = Timestamp()
    checker_id = Id(nullable=True)
    decided_at = Timestamp(nullable=True)
    decision_reason = Text()
    confirm_reason = Text()
    warnings = Lines(WarningOut, doc="the plausibility warnings the maker confirmed")
    result_type = Text(nullable=True, doc="what the approved post created")
    result_id = Id(nullable=True)

    @ma.pre_dump
    def _of(self, item: ApprovalRequest, **kwargs: Any) -> dict[str, Any]:
        return {
            **{name: getattr(item, name) for name in self.fields},
            "payload": json.loads(item.payload),
            "warnings": [{"code": c, "message": localise_message(MESSAGES.get(c, c), p)}
                         for c, p in services.stored_warnings(item)],
            "result_type": item.result_type or None,
        }


class ApprovalsOut(Reply):
    approvals = Lines(ApprovalOut, doc="newest first, at most 200")


HELD = {"schema": ApprovalOut,
        "description": "held for approval: nothing is posted until a checker approves "
                       "(the pending item; its address in Location)"}
"""The 202 answer of a post an approval policy holds: ``bp.alt_response(202, **HELD)``."""
