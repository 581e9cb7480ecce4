"""Imports every model module so that the metadata (and Alembic) sees all tables."""

from __future__ import annotations

from fundops.audit import AuditEvent
from fundops.auth.models import ApiToken, Organisation, User
from fundops.formtokens import FormSubmission
from fundops.idempotency import IdempotencyKey
from fundops.jobs import JobRun
from fundops.metrics.models import IndexLevel, PolicyRule
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
    CompanyTagLink,
    Fund,
    FundStageChange,
    Investor,
)
from fundops.syndication.loan_models import (
    Loan,
    LoanEntry,
    LoanProduct,
    LoanScheduleRow,
    LoanShare,
    Warrant,
)
from fundops.syndication.models import (
    TermSheet,
    TermSheetAllocation,
    TermSheetEvent,
    TermSheetFunding,
    TermSheetTranche,
    VerificationCode,
)
from fundops.syndication.pool_models import (
    RiskPool,
    RiskPoolBank,
    RiskPoolClaim,
    RiskPoolClaimShare,
    RiskPoolContribution,
    RiskPoolEnrolment,
    RiskPoolParty,
    RiskPoolRecovery,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CashFlow",
    "CashFlowAllocation",
    "Commitment",
    "Company",
    "CompanyTagLink",
    "Fund",
    "FundStageChange",
    "FormSubmission",
    "FundValuation",
    "HoldingValuation",
    "IdempotencyKey",
    "IndexLevel",
    "Investment",
    "Investor",
    "JobRun",
    "Loan",
    "LoanEntry",
    "LoanProduct",
    "LoanScheduleRow",
    "LoanShare",
    "Organisation",
    "PolicyRule",
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
