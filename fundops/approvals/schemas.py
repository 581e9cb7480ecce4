"""Response schema of an approval item (maker-checker, :mod:`fundops.approvals`): the
body of a 202 answer when a policy holds a money-moving post for a checker, and of the
approval routes. Amounts are exact decimal strings in yuan, times ISO 8601 UTC."""

from __future__ import annotations

from marshmallow import fields

from fundops.api.fields import Amount, Choice, Id, Lines, Reply, Text, Timestamp
from fundops.approvals.models import ApprovalStatus


class ApprovalWarningOut(Reply):
    code = Text(doc="a plausibility warning's message code")
    message = Text()


class ApprovalItemOut(Reply):
    id = Id()
    status = Choice(ApprovalStatus)
    action = Text(doc="what is held, e.g. loan_disbursement")
    amount = Amount()
    currency = Text()
    fund_id = Id(nullable=True)
    object_type = Text()
    object_id = Id(nullable=True)
    payload = fields.Dict(metadata={"description": "the request as submitted"})
    maker_id = Id()
    submitted_at = Timestamp()
    checker_id = Id(nullable=True)
    decided_at = Timestamp(nullable=True)
    decision_reason = Text()
    confirm_reason = Text()
    warnings = Lines(ApprovalWarningOut)
    result_type = Text(nullable=True, doc="what the approved post created")
    result_id = Id(nullable=True)


HELD = {"description": "held for approval: nothing is posted until a checker approves "
                       "(the pending item; its address in Location)"}
"""The 202 answer's description, for ``bp.alt_response(202, schema=ApprovalItemOut, ...)``."""
