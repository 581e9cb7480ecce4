"""Request and response schemas of the portfolio ledger API
(:mod:`fundops.portfolio.api_ledger`): capital calls and distributions with their per-LP
split, fund flows, sub-fund postings, NAVs, holding valuations, investments, reversals.

Amounts are exact decimal strings (or JSON integers) in yuan of the fund's currency,
positive; the services check meaning (at most 2 decimal places, within the fund's life,
within the uncalled capital …) exactly as for the pages. Field names are the services'
keyword arguments, so a service's refusal names the request's field.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from fundops.api.fields import (
    Amount,
    Bool,
    Choice,
    Day,
    Id,
    Lines,
    Rate,
    Reply,
    Schema,
    Text,
    Timestamp,
    refusal,
)
from fundops.portfolio.enums import (
    CallPurpose,
    DistributionType,
    Instrument,
)
from fundops.portfolio.schemas import Confirmable, LedgerEntryOut

FUND_FLOW_KINDS = ("proceeds", "management_fee", "expense")
SUB_FUND_FLOW_KINDS = ("fund_contribution", "fund_return")


class AllocationLineIn(Schema):
    investor_id = Id(required=True, doc="an LP committed to the fund on the value date")
    amount = Amount(required=True, doc="this LP's share (0 allowed)")


class Allocated(Schema):
    """An explicit per-LP split (``allocation``), given to the service as ``split``; left
    out, the total is split pro rata to commitments (largest remainder)."""

    allocation = Lines(AllocationLineIn, doc="an explicit split: one line per LP, summing "
                                             "exactly to amount; LPs left out get 0")

    @ma.validates("allocation")
    def _once_per_lp(self, value: list[dict[str, Any]], **kwargs: Any) -> None:
        seen: set[int] = set()
        for line in value:
            if line["investor_id"] in seen:
                raise refusal("allocation_investor_twice", investor_id=line["investor_id"])
            seen.add(line["investor_id"])

    @ma.post_load
    def _split(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        lines = data.pop("allocation", None)
        if lines:
            data["split"] = {line["investor_id"]: line["amount"] for line in lines}
        return data


class EntryIn(Schema):
    value_on = Day(required=True)
    amount = Amount(required=True)
    currency = Text(doc="the fund's currency (the default)")
    counterparty = Text(max_length=200)
    source_ref = Text(max_length=100, doc="the fund's own reference; unique in the fund")
    memo = Text(max_length=500)


class PreviewIn(Allocated):
    value_on = Day(required=True)
    amount = Amount(required=True)


class CallIn(EntryIn, Allocated, Confirmable):
    purpose = Choice(CallPurpose, required=True)


class DistributionIn(EntryIn, Allocated, Confirmable):
    distribution_type = Choice(DistributionType, required=True)
    recallable = Bool(doc="the LPs' shares may be called again")


class FundFlowIn(EntryIn):
    kind = Choice(FUND_FLOW_KINDS, required=True)
    company_id = Id(doc="the company (required for proceeds)")


class SubFundFlowIn(Schema):
    kind = Choice(SUB_FUND_FLOW_KINDS, required=True,
                  doc="fund_contribution: paid into the sub-fund; fund_return: received from it")
    target_fund_id = Id(required=True, doc="a sub-fund in which this fund holds a commitment")
    value_on = Day(required=True)
    amount = Amount(required=True)
    currency = Text(doc="this fund's currency (the default)")
    source_ref = Text(max_length=100)
    memo = Text(max_length=500)


class NavIn(Confirmable):
    as_of = Day(required=True)
    nav_amount = Amount(required=True, doc="0 allowed")
    currency = Text(doc="the fund's currency (the default)")


class HoldingValuationIn(Confirmable):
    company_id = Id(required=True, doc="a company the fund has invested in")
    as_of = Day(required=True)
    fair_value_amount = Amount(required=True, doc="0 allowed")
    currency = Text(doc="the fund's currency (the default)")
    method = Text(max_length=100)


class InvestmentIn(Confirmable):
    company_id = Id(required=True)
    round_name = Text(required=True, max_length=50)
    instrument = Choice(Instrument, required=True)
    invested_on = Day(required=True)
    amount = Amount(required=True)
    currency = Text(doc="the fund's currency (the default)")
    shares = Amount(doc="number of shares, at most 4 decimal places")
    ownership_rate = Rate(doc="at most 8 decimal places, at most 1")
    source_ref = Text(max_length=100)


class ReverseIn(Confirmable):
    reason = Text(required=True, max_length=500)


class AllocationLineOut(Reply):
    investor_id = Id()
    investor_name = Text()
    committed_amount = Amount(doc="the LP's commitment on the value date")
    amount = Amount(doc="the LP's share")


class PreviewOut(Reply):
    currency = Text()
    lines = Lines(AllocationLineOut)


class AllocationOut(Reply):
    investor_id = Id()
    amount = Amount(doc="same sign as the entry")


class EntryOut(LedgerEntryOut):
    call_purpose = Choice(CallPurpose, nullable=True)
    distribution_type = Choice(DistributionType, nullable=True)
    recallable = Bool()
    counterparty = Text()
    memo = Text()
    target_fund_id = Id(nullable=True, doc="the sub-fund of a fund_contribution/fund_return")
    allocations = Lines(AllocationOut, doc="the LPs' shares the caller may see")


class NavRecordOut(Reply):
    id = Id()
    fund_id = Id()
    as_of = Day()
    nav_amount = Amount()
    currency = Text()
    source = Text()
    recorded_at = Timestamp()


class NavsOut(Reply):
    navs = Lines(NavRecordOut, doc="one per date (the latest recorded), newest first")


class HoldingValuationOut(Reply):
    id = Id()
    fund_id = Id()
    company_id = Id()
    as_of = Day()
    fair_value_amount = Amount()
    currency = Text()
    method = Text()
    recorded_at = Timestamp()


class HoldingOut(Reply):
    company_id = Id(attribute="company.id")
    company_name = Text(attribute="company.name")
    invested_amount = Amount(doc="net cost")
    proceeds_amount = Amount()
    fair_value_amount = Amount(nullable=True, doc="the latest fair value recorded")
    fair_value_on = Day(nullable=True)


class HoldingsOut(Reply):
    holdings = Lines(HoldingOut)


class InvestmentOut(Reply):
    id = Id()
    fund_id = Id()
    company_id = Id()
    round_name = Text()
    instrument = Choice(Instrument)
    invested_on = Day()
    amount = Amount()
    currency = Text()
    shares = Amount(nullable=True)
    ownership_rate = Rate(nullable=True)
    cash_flow_id = Id(doc="the ledger entry that paid it")
