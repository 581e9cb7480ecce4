"""Request and response schemas of the term-sheet API (:mod:`.term_sheets.api`).

Requests name exactly the fields the services take (an unknown key is a 422);
amounts are exact decimal strings (or JSON integers) in yuan of the round's currency,
fractions decimal strings (0.2 = 20 %), dates ``YYYY-MM-DD``. Responses give every key
always, ``null`` only where marked nullable.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import marshmallow as ma

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
from fundops.errors import ValidationError
from fundops.portfolio.enums import Instrument
from fundops.syndication.enums import FundingSource, TermSheetStatus


def items(schema: type[ma.Schema], doc: str = "", **kwargs: Any) -> Lines:
    """A list of ``schema`` objects in a request; a ``null`` item is refused as not an
    object (``lines[i]``)."""
    inner = Object(schema, allow_none=False, error_messages={"null": "syn_not_an_object {{}}"})
    return Lines(inner, doc=doc, **kwargs)


# --- requests ------------------------------------------------------------------------


class VerifyIn(Schema):
    code = Text(required=True, doc="as the company gave it; case, spaces and dashes ignored")


class CoInvestorIn(Schema):
    amount = Amount(required=True, doc="the investor's allocation")
    fund_registration_no = Text(doc="a fund in fundops, by its filing number")
    investor_name = Text(doc="an outside investor (needed without a filing number)")


class TermSheetTrancheIn(Schema):
    amount = Amount(required=True)
    expected_on = Day()
    condition = Text(doc="release condition, at most 300 characters")


class TermSheetIn(Schema):
    company_id = Id(required=True, doc="a company the caller can see")
    lead_fund_id = Id(required=True, doc="a fund the caller manages")
    round_name = Text(required=True, doc="at most 50 characters")
    instrument = Choice(Instrument, required=True)
    round_size = Amount(required=True, doc="> 0")
    pre_money = Amount(required=True)
    post_money = Amount(required=True, doc="must equal pre_money + round_size")
    long_stop_on = Day(required=True, doc="not before signed_on")
    lead_amount = Amount(required=True, doc="the lead fund's allocation")
    co_investors = items(CoInvestorIn, "allocations together at most round_size")
    tranches = items(TermSheetTrancheIn, "if given, they sum exactly to round_size")
    currency = Text(doc="ISO 4217; default the lead fund's currency")
    price_per_share = Amount(doc="up to 4 decimal places")
    ownership_rate = Rate(doc="fully diluted fraction, at most 1")
    liquidation_preference = Rate(doc="multiple, 1 = 1x")
    redemption_rate = Rate(doc="annual buy-back rate, fraction")
    use_of_proceeds = Text()
    is_binding = Bool()
    signed_on = Day()
    expected_funding_on = Day()


class TermSheetStatusIn(Schema):
    status = Choice(TermSheetStatus, exclude=("draft", "funded"), required=True,
                    doc="funded is set by the system, never by hand")
    reason = Text(doc="required for lapsed and cancelled")
    signed_on = Day(doc="required for signed unless already recorded")


EVIDENCE_FIELDS = ("amount", "arrived_on", "evidence_ref")
"""An outside investor's payment: all three, and never with ``cash_flow_id``."""


class FundingIn(Schema):
    """A fund's ledger entry (``cash_flow_id`` alone) or an outside investor's payment
    (the three evidence fields together)."""

    allocation_id = Id(required=True)
    cash_flow_id = Id(doc="a fund's INVESTMENT entry; alone, without the three below")
    amount = Amount(doc="outside investor's payment")
    arrived_on = Day(doc="outside investor's payment")
    evidence_ref = Text(doc="bank statement or capital verification report")

    @ma.validates_schema
    def _either(self, data: dict[str, Any], **kwargs: Any) -> None:
        given = [k for k in EVIDENCE_FIELDS if data.get(k) is not None]
        if data.get("cash_flow_id") is not None:
            if given:
                raise ValidationError(given[0], "syn_funding_either")
        elif len(given) < len(EVIDENCE_FIELDS):
            missing = next(k for k in EVIDENCE_FIELDS if k not in given)
            raise ValidationError(missing, "syn_funding_evidence_required")


class CodeIssueIn(Schema):
    """An empty object (or no body at all)."""


class CodeRevokeIn(Schema):
    reason = Text()


# --- responses -----------------------------------------------------------------------


class TermSheetOut(Reply):
    id = Id()
    is_owner = Bool(doc="the caller's organisation owns the term sheet")
    company_id = Id()
    company_name = Text(attribute="company.name")
    lead_fund_id = Id()
    lead_fund_name = Text(attribute="lead_fund.name_zh")
    round_name = Text()
    instrument = Choice(Instrument)
    currency = Text(doc="ISO 4217")
    round_size = Amount()
    pre_money = Amount()
    post_money = Amount()
    price_per_share = Amount(nullable=True, doc="per share, 4 places")
    ownership_rate = Rate(nullable=True)
    liquidation_preference = Rate(nullable=True, doc="multiple, 1 = 1x")
    redemption_rate = Rate(nullable=True)
    use_of_proceeds = Text()
    is_binding = Bool()
    signed_on = Day(nullable=True)
    long_stop_on = Day()
    expected_funding_on = Day(nullable=True)
    status = Choice(TermSheetStatus)
    reserved_amount = Amount(doc="what the banks' approved loans reserve on the round")
    created_at = Timestamp()


class TermSheetListOut(Reply):
    term_sheets = Lines(TermSheetOut)


class TermSheetAllocationOut(Reply):
    id = Id()
    fund_id = Id(nullable=True, doc="null for an outside investor")
    investor_name = Text()
    is_lead = Bool()
    amount = Amount()
    currency = Text()
    arrived_amount = Amount(doc="equity arrived on the allocation")


class TermSheetTrancheOut(Reply):
    seq = Int()
    amount = Amount()
    expected_on = Day(nullable=True)
    condition = Text()


class FundingOut(Reply):
    id = Id()
    allocation_id = Id()
    source = Choice(FundingSource)
    cash_flow_id = Id(nullable=True)
    evidence_ref = Text()
    arrived_on = Day()
    amount = Amount()
    currency = Text()
    recorded_at = Timestamp()


class FundingRecordedOut(FundingOut):
    term_sheet_status = Choice(TermSheetStatus, doc="after the funding (funded when complete)")


class TermSheetEventOut(Reply):
    id = Id()
    from_status = Choice(TermSheetStatus, nullable=True)
    to_status = Choice(TermSheetStatus)
    reason = Text()
    at = Timestamp()
    by_user_id = Id(nullable=True, doc="null for the system")


class TermSheetDetailOut(TermSheetOut):
    equity_arrived = Amount()
    allocations = Lines(TermSheetAllocationOut)
    tranches = Lines(TermSheetTrancheOut)
    fundings = Lines(FundingOut)
    events = Lines(TermSheetEventOut)


class CodeOut(Reply):
    id = Id()
    term_sheet_id = Id()
    hint = Text(doc="the code's last characters, to tell codes apart")
    created_at = Timestamp()
    revoked_at = Timestamp(nullable=True)


class CodeListOut(Reply):
    codes = Lines(CodeOut)


class IssuedCodeOut(CodeOut):
    code = Text(doc="shown this once; only a hash is kept")


class VerifiedTrancheOut(Reply):
    seq = Int()
    amount = Amount()
    expected_on = Day(nullable=True)


class VerifiedFactsOut(Reply):
    term_sheet_id = Id()
    status = Choice(TermSheetStatus)
    company_name = Text()
    company_uscc = Text()
    round_name = Text()
    instrument = Choice(Instrument)
    currency = Text()
    round_size = Amount()
    pre_money = Amount()
    post_money = Amount()
    price_per_share = Amount(nullable=True, doc="per share, 4 places")
    is_binding = Bool()
    signed_on = Day(nullable=True)
    long_stop_on = Day()
    lead_fund_name = Text()
    lead_fund_registration_no = Text(nullable=True)
    lead_manager = Text()
    lead_allocation = Amount()
    lead_arrived = Amount()
    lead_uncalled = Amount()
    lead_can_pay = Bool(doc="the lead fund's uncalled capital covers what has not arrived")
    allocated = Amount()
    equity_arrived = Amount()
    reserved_by_banks = Amount(doc="every bank's reservations together, no bank named")
    tranches = Lines(VerifiedTrancheOut)

    @ma.pre_dump
    def _named_tranches(self, facts: Any, **kwargs: Any) -> dict[str, Any]:
        """The facts' ``(seq, amount, expected_on)`` tranches as objects."""
        body = {f.name: getattr(facts, f.name) for f in dataclasses.fields(facts)}
        body["tranches"] = [{"seq": seq, "amount": amount, "expected_on": on}
                            for seq, amount, on in facts.tranches]
        return body
