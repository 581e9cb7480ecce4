"""Request and response schemas of the management-fee API (:mod:`fundops.reports.fees.api`).

Amounts are exact decimal strings in yuan of the fund's currency; rates are annual
fractions (0.02 = 2 %/yr); a line's ``amount`` is its unrounded ``base × rate × days /
365`` to 6 decimals (the fee is the lines' unrounded sum rounded once to the fen,
ROUND_HALF_UP).
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
from fundops.calc.fees import Basis, Frequency, PaymentSource, Timing
from fundops.reports.fees.enums import DraftStatus, LineKind


class FeeTierIn(Schema):
    basis = Text(required=True, max_length=32,
                 doc="commitment | paid_in | invested_cost (cost of investments still held) "
                     "| nav")
    rate = Rate(required=True, doc="annual, ≥ 0")
    from_on = Day(required=True, doc="first day charged (on or after the fund's inception)")
    to_on = Day(doc="last day charged; left out: open-ended")


class FeeTermsIn(Schema):
    effective_on = Day(required=True)
    tiers = Lines(FeeTierIn, required=True, doc="non-overlapping periods")
    frequency = Choice(Frequency)
    timing = Choice(Timing)
    source = Choice(PaymentSource, doc="principal: a capital call for the fee; income: no call")
    offset_rate = Rate(doc="share (0 … 1) of the transaction and monitoring fees received that "
                           "reduces the fee; default 0")
    charge_in_extension = Bool(doc="charge after the fund's term end (default false)")
    memo = Text(max_length=500)


class FeeTierOut(Reply):
    basis = Choice(Basis)
    rate = Rate()
    from_on = Day()
    to_on = Day(nullable=True)


class FeeTermsOut(Reply):
    id = Id()
    fund_id = Id()
    effective_on = Day()
    frequency = Choice(Frequency)
    timing = Choice(Timing)
    source = Choice(PaymentSource)
    offset_rate = Rate()
    charge_in_extension = Bool()
    tiers = Lines(FeeTierOut)
    memo = Text()
    recorded_at = Timestamp()


class FeeTermsListOut(Reply):
    in_force = Object(FeeTermsOut, nullable=True)
    versions = Lines(FeeTermsOut)


class FeeLineOut(Reply):
    kind = Choice(LineKind)
    investor_id = Id(nullable=True, doc="the late closer a catch-up line is charged to")
    basis = Choice(Basis)
    base = Amount()
    rate = Rate()
    from_on = Day()
    to_on = Day()
    days = Int(doc="Actual days, first day included, day after the last excluded")
    amount = Amount(doc="base × rate × days / 365, unrounded to 6 decimals")


class FeeShareOut(Reply):
    investor_id = Id()
    investor_name = Text()
    weight = Amount(doc="its commitment on the period's first charged day")
    regular = Amount(doc="its pro rata part of the net period fee")
    catch_up = Amount(doc="its own catch-up as a late closer")
    amount = Amount()


class FeeDraftOut(Reply):
    id = Id()
    fund_id = Id()
    terms_id = Id()
    period = Text()
    period_start = Day(doc="first charged day")
    period_end = Day(doc="last charged day")
    due_on = Day(doc="the posting's default ledger date")
    timing = Choice(Timing)
    source = Choice(PaymentSource)
    regular_fee = Amount()
    catch_up_fee = Amount()
    fee = Amount(doc="regular + catch-up")
    fee_income = Amount(doc="transaction and monitoring fees received")
    offset_rate = Rate()
    offset = Amount(doc="offset_rate × fee_income, capped at the regular fee")
    net_fee = Amount(doc="fee − offset: the amount posted")
    currency = Text()
    status = Choice(DraftStatus)
    call_cash_flow_id = Id(nullable=True)
    fee_cash_flow_id = Id(nullable=True)
    prepared_at = Timestamp()
    decided_at = Timestamp(nullable=True)
    reason = Text()
    lines = Lines(FeeLineOut)
    shares = Lines(FeeShareOut)


class FeeDraftsOut(Reply):
    drafts = Lines(FeeDraftOut)


class FeePrepareIn(Schema):
    period = Text(required=True, max_length=20, doc="2025Q1 (quarterly) or 2025H1 (half-yearly)")
    fee_income = Amount(doc="transaction and monitoring fees received (default 0)")


class FeePostIn(Schema):
    value_on = Day(doc="the ledger date; default the draft's due date")


class FeeDiscardIn(Schema):
    reason = Text(required=True, max_length=500)
