"""Request and response schemas of the portfolio API (:mod:`fundops.portfolio.api`):
funds, investors, commitments, companies (the ledger's are in
:mod:`fundops.portfolio.schemas_ledger`). Amounts are exact decimal strings in yuan of the
fund's currency; dates ISO 8601. Requests are checked for shape only: the services check
meaning, exactly as for the pages."""

from __future__ import annotations

from typing import Any

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
    Schema,
    Text,
    Timestamp,
)
from fundops.portfolio.access import Access
from fundops.portfolio.enums import CashFlowKind, CompanyStage, FundKind, FundStage, InvestorType
from fundops.portfolio.models import Fund


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


def fund_data(fund: Fund, access: Access | None = None) -> dict[str, Any]:
    """The fund's fields (:class:`FundOut`), with the caller's ``access`` when given."""
    body = {name: getattr(fund, name) for name in FundOut._declared_fields}
    return body if access is None else body | {"access": access}


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


class Confirmable(Schema):
    """The plausibility confirmation of a post that the pages route through the
    maker-checker flow: without ``confirm`` a post with warnings answers 409
    ``confirmation_required`` (with the warnings); with it, ``confirm_reason`` is required."""

    confirm = Bool(doc="post despite the plausibility warnings of a previous 409")
    confirm_reason = Text(max_length=500, doc="why (required with confirm when warned)")


class FundIn(Confirmable):
    code = Text(required=True, max_length=40, doc="1-40 letters, digits, '.', '_' or '-'")
    name_zh = Text(required=True, max_length=200)
    name_en = Text(max_length=200)
    kind = Choice(FundKind, required=True)
    currency = Text(required=True, doc="ISO 4217, e.g. CNY")
    vintage = Int(required=True, doc="1980-2100")
    target_size_amount = Amount(required=True)
    inception_on = Day(required=True)
    investment_period_end_on = Day(required=True)
    term_end_on = Day(required=True)
    extension_end_on = Day()
    stage = Choice(FundStage, doc="default raising")
    region_code = Text(required=True, doc="six-digit GB/T 2260 code")
    registration_no = Text(max_length=40, doc="AMAC registration number")
    is_guidance_fund = Bool()


class InvestorIn(Schema):
    name = Text(required=True, max_length=200)
    investor_type = Choice(InvestorType, required=True)
    fund_id = Id(doc="the investor is this fund (visible to the caller) investing as an LP")
    fund_registration_no = Text(max_length=40,
                                doc="…or the LP fund named by its registration number")
    uscc = Text(max_length=18, doc="unified social credit code")


class InvestorRowOut(Reply):
    id = Id()
    name = Text()
    investor_type = Choice(InvestorType)
    uscc = Text(nullable=True)
    is_fund = Bool(doc="the LP is itself a fund (fund-of-funds)")
    committed_amount = Amount(doc="total of its commitments to the organisation's funds")
    fund_count = Int(doc="number of funds it has committed to")


class InvestorsOut(Reply):
    investors = Lines(InvestorRowOut)


class CommitmentIn(Schema):
    investor_id = Id(required=True, doc="an investor of the caller's organisation")
    amount = Amount(required=True)
    committed_on = Day(required=True)
    closing = Int(doc="the closing (1 = first, the default)")
    currency = Text(doc="the fund's currency (the default)")


class CommitmentOut(Reply):
    id = Id()
    fund_id = Id()
    investor_id = Id()
    amount = Amount()
    currency = Text()
    committed_on = Day()
    closing = Int()


class InvestorOut(InvestorRowOut):
    commitments = Lines(CommitmentOut)
