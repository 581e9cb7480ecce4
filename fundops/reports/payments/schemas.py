"""Request and response schemas of the LP payments API (:mod:`fundops.reports.payments.api`).

Amounts are exact decimal strings in yuan of the fund's currency; rates are fractions
(0.0005 = 万分之五 a day; 0.08 = 8 % a year). Conventions: :mod:`fundops.calc.lp_payments`.
"""

from __future__ import annotations

from fundops.api.fields import (
    Amount,
    Bool,
    Choice,
    Day,
    Id,
    Int,
    Lines,
    Object,
    Rate,
    Reply,
    Schema,
    Text,
    Timestamp,
)
from fundops.calc.lp_payments import DefaultConvention, PremiumCompounding
from fundops.reports.payments.queries import LineState


class PayTermsIn(Schema):
    effective_on = Day(required=True)
    days_to_pay = Int(doc="calendar days from the notice to the due date, 1 … 365 (default 10;"
                          " ILPA asks for at least 10 business days)")
    default_rate = Rate(required=True, doc="per day (daily) or per year (annual_act365), ≥ 0")
    default_convention = Choice(DefaultConvention, doc="default daily")
    grace_days = Int(doc="days after the due date without interest, 0 … 365 (default 0)")
    equalisation_rate = Rate(doc="per year, Actual/365 (default 0.08)")
    equalisation_compounding = Choice(PremiumCompounding, doc="default simple")
    memo = Text(max_length=500)


class PayTermsOut(Reply):
    id = Id()
    fund_id = Id()
    effective_on = Day()
    days_to_pay = Int()
    default_rate = Rate()
    default_convention = Choice(DefaultConvention)
    grace_days = Int()
    equalisation_rate = Rate()
    equalisation_compounding = Choice(PremiumCompounding)
    memo = Text()
    recorded_at = Timestamp()


class PayTermsListOut(Reply):
    in_force = Object(PayTermsOut, nullable=True)
    versions = Lines(PayTermsOut)


class PayIssueIn(Schema):
    issued_on = Day(doc="the notice date; default the call's date")
    due_on = Day(doc="default: the notice date + the terms' days to pay (no terms: 10)")


class PayIssueOut(Reply):
    id = Id()
    cash_flow_id = Id()
    issued_on = Day()
    due_on = Day()
    terms_id = Id(nullable=True)
    recorded_at = Timestamp()


class PayReceiptIn(Schema):
    investor_id = Id(required=True, doc="the LP whose line of the call is paid")
    received_on = Day(required=True)
    amount = Amount(required=True, doc="> 0; at most what is still due")
    currency = Text(max_length=3, doc="default (and only) the call's currency")
    bank_reference = Text(max_length=100)
    memo = Text(max_length=500)
    against_interest = Bool(doc="against the default interest charged on the line")


class PayReceiptOut(Reply):
    id = Id()
    cash_flow_id = Id()
    investor_id = Id()
    charge_id = Id(nullable=True)
    received_on = Day()
    amount = Amount(doc="negative for a reversal")
    currency = Text()
    bank_reference = Text()
    memo = Text()
    reverses_id = Id(nullable=True)
    recorded_at = Timestamp()


class PayReverseIn(Schema):
    reason = Text(required=True, max_length=500)


class PayChargeIn(Schema):
    investor_id = Id(required=True)
    as_of = Day(required=True, doc="interest accrued to this date (not after today)")


class PayChargeOut(Reply):
    id = Id()
    cash_flow_id = Id()
    investor_id = Id()
    accrued_to = Day()
    amount = Amount(doc="what this charge adds to the earlier ones")
    currency = Text()
    recorded_at = Timestamp()


class PaySegmentOut(Reply):
    start = Day()
    end = Day()
    days = Int()
    outstanding = Amount()


class PayLineOut(Reply):
    cash_flow_id = Id()
    investor_id = Id()
    investor_name = Text()
    call_on = Day()
    currency = Text()
    due = Amount(doc="0 when the call was reversed")
    issued_on = Day(nullable=True)
    due_on = Day(nullable=True, doc="null: no due date")
    received = Amount()
    outstanding = Amount(doc="negative when overpaid")
    days_past_due = Int()
    interest = Amount(doc="default interest accrued to as_of, rounded once (half up)")
    charged = Amount()
    charge_received = Amount()
    state = Choice(LineState)
    segments = Lines(PaySegmentOut)


class PayLinesOut(Reply):
    fund_id = Id()
    as_of = Day()
    lines = Lines(PayLineOut)


class PayArrearsOut(Reply):
    fund_id = Id()
    as_of = Day()
    currency = Text()
    outstanding = Amount()
    interest = Amount()
    charged = Amount()
    charge_outstanding = Amount()
    lines = Lines(PayLineOut)


class PayCallOut(Reply):
    fund_id = Id()
    cash_flow_id = Id()
    as_of = Day()
    issue = Object(PayIssueOut, nullable=True)
    lines = Lines(PayLineOut)
    receipts = Lines(PayReceiptOut)
    charges = Lines(PayChargeOut)


class PayAsOfQuery(Schema):
    as_of = Day(doc="default today (Asia/Shanghai)")


class PayEqualisationQuery(Schema):
    equalised_on = Day(required=True)


class PayEqualisationIn(Schema):
    commitment_id = Id(required=True, doc="the later closer's commitment")
    equalised_on = Day(required=True)
    memo = Text(max_length=500)


class PayEqualisationLineOut(Reply):
    call_id = Id()
    call_on = Day(nullable=True, doc="null in a stored equalisation")
    days = Int(nullable=True, doc="null in a stored equalisation")
    investor_id = Id()
    should = Amount(nullable=True)
    paid = Amount(nullable=True)
    delta = Amount(doc="+ catch-up paid, − excess returned")
    premium_paid = Amount()
    premium_received = Amount()


class PayEqualisationOut(Reply):
    id = Id(nullable=True, doc="null in a preview")
    fund_id = Id()
    commitment_id = Id()
    investor_id = Id()
    equalised_on = Day()
    rate = Rate()
    compounding = Choice(PremiumCompounding)
    catch_up = Amount()
    premium = Amount()
    entries = Lines(Id(), doc="the ledger entries posted (empty in a preview)")
    lines = Lines(PayEqualisationLineOut)
