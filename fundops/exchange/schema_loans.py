"""Record types of policy rules, index levels and investment-linked loans (term sheets,
loan products, loans and their ledgers, warrants, risk-compensation pools).

They follow the record types of :mod:`fundops.exchange.schema` in the file, in this
order. ``verification_code`` is not exported: its hashes are credentials a bank
presents, like API tokens; the company issues new codes after a restore.
"""

from __future__ import annotations

import enum

from fundops.exchange.schema_fields import (
    FieldSpec,
    RecordType,
    _bool,
    _date,
    _decimal,
    _enum,
    _int,
    _key,
    _money,
    _rate,
    _ref,
    _stamp,
    _text,
)
from fundops.metrics.models import IndexLevel, PolicyRule
from fundops.portfolio.enums import Instrument
from fundops.syndication.enums import (
    Collateral,
    EquityRule,
    FundingSource,
    LoanEntryKind,
    LoanStatus,
    RateType,
    RepaymentType,
    TermSheetStatus,
)
from fundops.syndication.loans.models import (
    Loan,
    LoanEntry,
    LoanProduct,
    LoanScheduleRow,
    LoanShare,
    Warrant,
)
from fundops.syndication.term_sheets.models import (
    TermSheet,
    TermSheetAllocation,
    TermSheetEvent,
    TermSheetFunding,
    TermSheetTranche,
)
from fundops.syndication.pools.models import (
    RiskPool,
    RiskPoolBank,
    RiskPoolClaim,
    RiskPoolClaimShare,
    RiskPoolContribution,
    RiskPoolEnrolment,
    RiskPoolParty,
    RiskPoolRecovery,
)


class PolicyBasis(enum.StrEnum):
    """``policy_rule.basis`` (see :data:`fundops.metrics.models.POLICY_BASES`)."""

    SUBSCRIBED = "subscribed"
    PAID_IN = "paid_in"


class WarrantStatus(enum.StrEnum):
    """``warrant.status`` (see :data:`fundops.syndication.loans.events.WARRANT_STATUSES`)."""

    OPEN = "open"
    EXERCISED = "exercised"
    EXPIRED = "expired"


LIVE_LOAN_STATUSES = frozenset({LoanStatus.APPROVED, LoanStatus.ACTIVE, LoanStatus.REPAID,
                                LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF})
"""Loans whose ``reserved_amount`` counts in their term sheet's ``reserved_amount``."""


def _user(name: str, doc: str = "") -> FieldSpec:
    return _ref(name, "user", required=False, doc=doc or "id of a `user`; empty if unknown")


def _memo(name: str, max_len: int = 500) -> FieldSpec:
    return _text(name, max_len=max_len, required=False, null_if_empty=False)


_CURRENCY = FieldSpec("currency", "currency", doc="ISO 4217 code")
_RECORDED_BY = _user("recorded_by_id", "id of the `user` who recorded it; empty if unknown")

LOAN_RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("policy_rule", PolicyRule, (
        _key(),
        _ref("fund_id", "fund"),
        _text("rule_type", max_len=40),
        _text("params", max_len=100_000,
              doc="JSON object, numbers as decimal strings (copied as is)"),
        _enum("basis", PolicyBasis),
        _date("effective_from"),
        _memo("source_citation", 300),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A fund's policy parameter in force from a date; unique per (fund, type, date)."),
    RecordType("index_level", IndexLevel, (
        _key(),
        _text("index_code", max_len=40, doc="unique with `on`, also against the database"),
        _date("on"),
        _decimal("level", 6, allow_zero=False, doc="> 0, up to 6 decimals"),
    ), "A public index's closing level on one day (global reference data)."),
    RecordType("term_sheet", TermSheet, (
        _key(),
        _ref("organisation_id", "organisation", doc="the organisation managing the lead fund"),
        _ref("company_id", "company"),
        _ref("lead_fund_id", "fund"),
        _text("round_name", max_len=50),
        _enum("instrument", Instrument),
        _CURRENCY,
        _money("round_size", doc="> 0"),
        _money("pre_money", doc="> 0"),
        _money("post_money", doc="> 0"),
        _decimal("price_per_share", 4, required=False, doc="up to 4 decimals"),
        _rate("ownership_rate", required=False),
        _rate("liquidation_preference", required=False, doc="a multiple, 1 = 1x"),
        _rate("redemption_rate", required=False, doc="annual rate, a fraction"),
        _memo("use_of_proceeds"),
        _bool("is_binding"),
        _date("signed_on", required=False),
        _date("long_stop_on"),
        _date("expected_funding_on", required=False),
        _enum("status", TermSheetStatus),
        _money("reserved_amount", allow_zero=True,
               doc="checked: equals the sum of `reserved_amount` of its loans with status "
                   "approved, active, repaid, defaulted or written_off; ≤ `round_size`"),
        _stamp("created_at"),
        _user("created_by_id"),
    ), "A financing round of a company as its lead investor agreed it. Verification codes "
       "are not exported (they are credentials; issue new ones after a restore)."),
    RecordType("term_sheet_allocation", TermSheetAllocation, (
        _key(),
        _ref("term_sheet_id", "term_sheet"),
        _ref("fund_id", "fund", required=False, doc="the investing fund, if in fundops"),
        _text("investor_name"),
        _bool("is_lead"),
        _money("amount", doc="> 0"),
        _CURRENCY,
    ), "One investor's part of a round."),
    RecordType("term_sheet_tranche", TermSheetTranche, (
        _key(),
        _ref("term_sheet_id", "term_sheet"),
        _int("seq", doc="unique per term sheet"),
        _money("amount", doc="> 0"),
        _date("expected_on", required=False),
        _memo("condition", 300),
    ), "A tranche of a round."),
    RecordType("term_sheet_funding", TermSheetFunding, (
        _key(),
        _ref("allocation_id", "term_sheet_allocation"),
        _enum("source", FundingSource),
        _ref("cash_flow_id", "cash_flow", required=False,
             doc="for `ledger`: the fund's `investment` entry; unique"),
        _memo("evidence_ref", 200),
        _date("arrived_on"),
        _money("amount", allow_negative=True, doc="negative for a reversal"),
        _CURRENCY,
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "Equity that arrived against an allocation (append-only)."),
    RecordType("term_sheet_event", TermSheetEvent, (
        _key(),
        _ref("term_sheet_id", "term_sheet"),
        _enum("from_status", TermSheetStatus, required=False),
        _enum("to_status", TermSheetStatus),
        _memo("reason"),
        _stamp("at"),
        _user("by_user_id"),
    ), "A status transition of a term sheet (append-only)."),
    RecordType("loan_product", LoanProduct, (
        _key(),
        _ref("organisation_id", "organisation", doc="the bank"),
        _text("name"),
        _CURRENCY,
        _rate("alpha", doc="multiple of equity arrived, 0 to 100000000"),
        _rate("beta", doc="multiple of post-money, 0 to 100000000"),
        _money("cap_amount", doc="> 0"),
        _enum("required_status", TermSheetStatus),
        _enum("equity_rule", EquityRule),
        _rate("required_share"),
        _int("tenor_months"),
        _enum("rate_type", RateType),
        _rate("fixed_rate", required=False),
        _rate("spread", required=False, allow_negative=True, doc="over LPR, a fraction"),
        _enum("repayment_type", RepaymentType),
        _rate("subsidy_share"),
        _rate("subsidy_max_rate", required=False),
        FieldSpec("subsidy_annual_cap", "money", required=False),
        _rate("warrant_coverage"),
        _enum("collateral", Collateral),
        _memo("risk_scheme", 100),
        _bool("active", default=True),
        _stamp("created_at"),
    ), "A bank's investment-linked loan product."),
    RecordType("loan", Loan, (
        _key(),
        _ref("term_sheet_id", "term_sheet"),
        _ref("product_id", "loan_product"),
        _ref("lead_bank_id", "organisation"),
        _ref("company_id", "company"),
        _CURRENCY,
        _money("requested_amount", doc="> 0"),
        _money("reserved_amount", allow_zero=True, doc="what its approval reserved"),
        _rate("annual_rate", required=False),
        _date("first_due_on", required=False),
        _enum("status", LoanStatus),
        _memo("flag", 300),
        _stamp("applied_at"),
        _user("applied_by_id"),
        FieldSpec("decided_at", "timestamp", required=False, doc="empty: not decided"),
        _user("decided_by_id"),
        _memo("decision_note"),
    ), "A loan application or loan against a term sheet."),
    RecordType("loan_share", LoanShare, (
        _key(),
        _ref("loan_id", "loan"),
        _ref("bank_id", "organisation", doc="unique per loan"),
        _bool("is_lead"),
        _money("amount", doc="> 0"),
    ), "One lending bank's part of a loan."),
    RecordType("loan_entry", LoanEntry, (
        _key(),
        _ref("loan_id", "loan"),
        _enum("kind", LoanEntryKind),
        _date("value_on"),
        _money("amount", allow_negative=True, doc="negative only for a reversal"),
        _CURRENCY,
        _memo("memo"),
        _ref("reverses_id", "loan_entry", required=False,
             doc="id of an earlier `loan_entry` row that this row reverses"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A posted event of a loan (append-only)."),
    RecordType("loan_schedule_row", LoanScheduleRow, (
        _key(),
        _ref("loan_id", "loan"),
        _int("period", doc="unique per loan"),
        _date("due_on"),
        _money("opening_balance", allow_zero=True),
        _money("principal", allow_zero=True),
        _money("interest", allow_zero=True),
        _money("subsidy", allow_zero=True),
        _money("closing_balance", allow_zero=True),
    ), "One period of a loan's repayment schedule (append-only)."),
    RecordType("warrant", Warrant, (
        _key(),
        _ref("loan_id", "loan"),
        _text("holder_name"),
        _rate("coverage", doc="a fraction of the loan amount"),
        _money("amount", allow_zero=True),
        _decimal("exercise_price", 4, required=False, doc="up to 4 decimals"),
        _date("window_from"),
        _date("window_to"),
        _enum("status", WarrantStatus),
        _date("closed_on", required=False),
    ), "A warrant attached to a loan."),
    RecordType("risk_pool", RiskPool, (
        _key(),
        _ref("organisation_id", "organisation"),
        _text("name", doc="unique per organisation"),
        _CURRENCY,
        _rate("leverage_k", required=False, doc="enrolled ≤ k × balance"),
        FieldSpec("cap_per_loan", "money", required=False),
        FieldSpec("cap_per_company", "money", required=False),
        FieldSpec("cap_per_year", "money", required=False),
        _money("enrolled_amount", allow_zero=True,
               doc="checked: equals the sum of its `risk_pool_enrolment` amounts"),
        _memo("source"),
        _stamp("created_at"),
    ), "A risk-compensation pool and its rules."),
    RecordType("risk_pool_party", RiskPoolParty, (
        _key(),
        _ref("pool_id", "risk_pool"),
        _int("seq"),
        _text("name", max_len=100, doc="unique per pool"),
        _text("role", max_len=20, doc="`pool` is the pool itself"),
        _rate("share"),
        FieldSpec("cap", "money", required=False),
    ), "A bearer in a pool's loss-sharing scheme."),
    RecordType("risk_pool_bank", RiskPoolBank, (
        _key(),
        _ref("pool_id", "risk_pool"),
        _ref("bank_id", "organisation", doc="unique per pool"),
    ), "A member bank of a pool."),
    RecordType("risk_pool_contribution", RiskPoolContribution, (
        _key(),
        _ref("pool_id", "risk_pool"),
        _text("funder"),
        _money("amount", allow_negative=True),
        _date("contributed_on"),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "Money a funder put into a pool (append-only)."),
    RecordType("risk_pool_enrolment", RiskPoolEnrolment, (
        _key(),
        _ref("pool_id", "risk_pool"),
        _ref("loan_id", "loan", doc="unique"),
        _money("amount"),
        _date("enrolled_on"),
        _user("enrolled_by_id"),
    ), "A loan covered by a pool."),
    RecordType("risk_pool_claim", RiskPoolClaim, (
        _key(),
        _ref("pool_id", "risk_pool"),
        _ref("loan_id", "loan", doc="unique"),
        _ref("company_id", "company"),
        _date("claimed_on"),
        _money("principal_outstanding", allow_zero=True),
        _money("recoveries", allow_zero=True),
        _money("loss", allow_zero=True),
        _money("pool_paid", allow_zero=True),
        _memo("binding", 20),
        _stamp("recorded_at"),
        _RECORDED_BY,
    ), "A claim on a defaulted enrolled loan (append-only)."),
    RecordType("risk_pool_claim_share", RiskPoolClaimShare, (
        _key(),
        _ref("claim_id", "risk_pool_claim"),
        _text("party", max_len=100),
        _text("role", max_len=20),
        _money("pro_rata", allow_zero=True),
        _money("borne", allow_zero=True),
    ), "One party's part of a claim's loss (append-only)."),
    RecordType("risk_pool_recovery", RiskPoolRecovery, (
        _key(),
        _ref("claim_id", "risk_pool_claim"),
        _ref("loan_entry_id", "loan_entry", doc="the loan's `recovery` entry"),
        _text("party", max_len=100),
        _money("amount", allow_zero=True),
    ), "A party's part of a recovery after a claim (append-only)."),
)
