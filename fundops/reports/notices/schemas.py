"""Request and response schemas of the notices API (:mod:`fundops.reports.notices.api`).

Amounts are exact decimal strings in yuan of the entry's currency (2 dp); dates ISO 8601.
"""

from __future__ import annotations

from fundops.api.fields import (
    Amount,
    Choice,
    Day,
    Id,
    Int,
    Lines,
    Object,
    Reply,
    Schema,
    Text,
    Timestamp,
)
from fundops.reports.notices.models import NoticeKind


class NoticeAccountIn(Schema):
    effective_on = Day(required=True, doc="in force from this date until a later version")
    bank_name = Text(required=True, max_length=200)
    branch = Text(max_length=200)
    account_name = Text(required=True, max_length=200)
    account_number = Text(required=True, max_length=40,
                          doc="6 … 40 letters or digits, spaces or hyphens inside")


class NoticeAccountOut(Reply):
    id = Id()
    fund_id = Id()
    effective_on = Day()
    bank_name = Text()
    branch = Text()
    account_name = Text()
    account_number = Text()
    recorded_at = Timestamp()


class NoticeAccountListOut(Reply):
    in_force = Object(NoticeAccountOut, nullable=True)  # the version in force today
    versions = Lines(NoticeAccountOut)


class NoticeIssueIn(Schema):
    issued_on = Day(doc="the notice date; default today (not after today)")
    due_on = Day(doc="calls only: the due date when the call has none yet (default: the "
                     "payment terms' days to pay after the notice, not before the call date)")


class NoticeBreakdownLine(Reply):
    item = Text()
    amount = Amount(doc="signed: the carry withheld is negative")


class NoticeOut(Reply):
    id = Id()
    fund_id = Id()
    cash_flow_id = Id()
    investor_id = Id()
    investor_name = Text()
    kind = Choice(NoticeKind)
    number = Text(doc="<fund code>-CN-0001 (calls) or <fund code>-DN-0001 (distributions)")
    issued_on = Day()
    value_on = Day(doc="the entry's date")
    due_on = Day(nullable=True, doc="calls only")
    account = Object(NoticeAccountOut, nullable=True)  # calls only: in force on the notice date
    amount = Amount()
    currency = Text()
    gross = Amount(nullable=True, doc="a waterfall run's distribution: before the carry")
    carry_withheld = Amount(nullable=True, doc="a waterfall run's distribution only")
    breakdown = Lines(NoticeBreakdownLine, doc="by call purpose or distribution type")
    committed = Amount(doc="the LP's register at the end of the entry's date")
    paid_in = Amount()
    unfunded = Amount()
    distributed = Amount()
    recorded_at = Timestamp()


class NoticeListOut(Reply):
    fund_id = Id()
    count = Int()
    notices = Lines(NoticeOut)
