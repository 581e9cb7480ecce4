"""Imports every model module so that the metadata (and Alembic) sees all tables."""

from __future__ import annotations

from fundops.approvals.models import ApprovalPolicy, ApprovalRequest
from fundops.audit import AuditEvent
from fundops.auth.models import ApiToken, Organisation, User
from fundops.auth.throttle import LoginAttempt
from fundops.exits.models import (
    BuybackClaim,
    BuyoutOption,
    EscrowRelease,
    ExitEvent,
    ExitReminder,
    InterestTransfer,
    IpoListing,
    ListedPrice,
)
from fundops.idempotency import IdempotencyKey
from fundops.jobs.models import JobRun
from fundops.metrics.models import IndexLevel, MetricCache, PolicyRule
from fundops.portfolio.ledger import (
    CashFlow,
    CashFlowAllocation,
    FundValuation,
    HoldingValuation,
    Investment,
)
from fundops.portfolio.models import (
    Commitment,
    Company,
    CompanyIdentity,
    CompanyTagLink,
    Fund,
    FundStageChange,
    Investor,
)
from fundops.reports.runs.models import ReportRun, ReportRunFile
from fundops.syndication.loans.models import (
    Loan,
    LoanEntry,
    LoanProduct,
    LoanScheduleRow,
    LoanShare,
    Warrant,
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
from fundops.syndication.term_sheets.models import (
    TermSheet,
    TermSheetAllocation,
    TermSheetEvent,
    TermSheetFunding,
    TermSheetTranche,
    VerificationCode,
)
from fundops.versions import MetricChange
from fundops.web.formtokens import FormSubmission

__all__ = [
    "ApiToken",
    "ApprovalPolicy",
    "ApprovalRequest",
    "AuditEvent",
    "BuybackClaim",
    "BuyoutOption",
    "CashFlow",
    "CashFlowAllocation",
    "Commitment",
    "Company",
    "CompanyIdentity",
    "CompanyTagLink",
    "EscrowRelease",
    "ExitEvent",
    "ExitReminder",
    "FormSubmission",
    "Fund",
    "FundStageChange",
    "FundValuation",
    "HoldingValuation",
    "IdempotencyKey",
    "IndexLevel",
    "InterestTransfer",
    "Investment",
    "Investor",
    "IpoListing",
    "JobRun",
    "ListedPrice",
    "Loan",
    "LoanEntry",
    "LoanProduct",
    "LoanScheduleRow",
    "LoanShare",
    "LoginAttempt",
    "MetricCache",
    "MetricChange",
    "Organisation",
    "PolicyRule",
    "ReportRun",
    "ReportRunFile",
    "RiskPool",
    "RiskPoolBank",
    "RiskPoolClaim",
    "RiskPoolClaimShare",
    "RiskPoolContribution",
    "RiskPoolEnrolment",
    "RiskPoolParty",
    "RiskPoolRecovery",
    "TermSheet",
    "TermSheetAllocation",
    "TermSheetEvent",
    "TermSheetFunding",
    "TermSheetTranche",
    "User",
    "VerificationCode",
    "Warrant",
]
