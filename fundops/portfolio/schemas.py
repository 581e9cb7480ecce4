"""Request and response schemas of the portfolio API (:mod:`fundops.portfolio.api`).
Amounts are exact decimal strings in yuan of the fund's currency; dates ISO 8601."""

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
    Reply,
    Text,
    Timestamp,
)
from fundops.portfolio.enums import CashFlowKind, CompanyStage, FundKind, FundStage


class FundOut(Reply):
    id = Id()
    code = Text()
    name_zh = Text()
    name_en = Text(nullable=True)
    kind = Choice(FundKind)
    currency = Text(doc="ISO 4217")
    vintage = Int()
    stage = Choice(FundStage)
    region_code = Text(doc="GB/T 2260 administrative division code")
    is_guidance_fund = Bool()
    inception_on = Day()
    term_end_on = Day()
    target_size_amount = Amount()


class FundsOut(Reply):
    funds = Lines(FundOut)


class NavOut(Reply):
    as_of = Day()
    nav_amount = Amount()


class LpOut(Reply):
    investor_id = Id(nullable=True, doc="null for a position shown without its investor")
    name = Text(attribute="investor_name")
    type = Text(attribute="investor_type")
    committed_amount = Amount()
    paid_in_amount = Amount()
    distributed_amount = Amount()
    uncalled_amount = Amount()


class FundDetailOut(FundOut):
    access = Text(doc="manager, lp or supervisor: what the caller may see and do")
    committed_amount = Amount()
    paid_in_amount = Amount()
    distributed_amount = Amount()
    latest_nav = Object(NavOut, nullable=True)
    lps = Lines(LpOut)


class LedgerEntryOut(Reply):
    id = Id()
    kind = Choice(CashFlowKind)
    value_on = Day()
    amount = Amount(doc="yuan; a reversal carries the negated amount")
    currency = Text()
    recorded_at = Timestamp()
    reverses_id = Id(nullable=True)
    company_id = Id(nullable=True)
    source_ref = Text(nullable=True)


class LedgerOut(Reply):
    entries = Lines(LedgerEntryOut)


class CompanyInvestmentOut(Reply):
    fund_id = Id()
    round = Text(attribute="round_name")
    amount = Amount()
    currency = Text()
    invested_on = Day()


class CompanyOut(Reply):
    id = Id()
    name = Text()
    uscc = Text(doc="unified social credit code")
    sector = Text()
    stage = Choice(CompanyStage)
    region_code = Text()
    is_hard_tech = Bool()
    tags = Lines(Text())
    investments = Lines(CompanyInvestmentOut)
