"""Enumerations of the investment-linked lending feature; values are the stored strings."""

from __future__ import annotations

import enum

from fundops.calc.schedules import RepaymentType

__all__ = ["WARRANT_OUTCOMES", "Collateral", "EquityRule", "FundingSource", "LoanEntryKind",
           "LoanStatus", "RateType", "RepaymentType", "TermSheetStatus", "WarrantStatus"]


class TermSheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    IC_APPROVED = "ic_approved"  # 投委会通过
    CLOSING = "closing"
    FUNDED = "funded"  # set by the system when the equity has arrived, never by hand
    LAPSED = "lapsed"
    CANCELLED = "cancelled"


# Transitions a user may make; FUNDED is reached only through equity arrival.
TERM_SHEET_TRANSITIONS: dict[TermSheetStatus, frozenset[TermSheetStatus]] = {
    TermSheetStatus.DRAFT: frozenset({TermSheetStatus.SIGNED, TermSheetStatus.CANCELLED}),
    TermSheetStatus.SIGNED: frozenset({TermSheetStatus.IC_APPROVED, TermSheetStatus.LAPSED,
                                       TermSheetStatus.CANCELLED}),
    TermSheetStatus.IC_APPROVED: frozenset({TermSheetStatus.CLOSING, TermSheetStatus.LAPSED,
                                            TermSheetStatus.CANCELLED}),
    TermSheetStatus.CLOSING: frozenset({TermSheetStatus.LAPSED, TermSheetStatus.CANCELLED}),
    TermSheetStatus.FUNDED: frozenset(),
    TermSheetStatus.LAPSED: frozenset(),
    TermSheetStatus.CANCELLED: frozenset(),
}

# Order of the live statuses, for "at least this status" product requirements.
STATUS_RANK = {TermSheetStatus.DRAFT: 0, TermSheetStatus.SIGNED: 1,
               TermSheetStatus.IC_APPROVED: 2, TermSheetStatus.CLOSING: 3,
               TermSheetStatus.FUNDED: 4}
DEAD_STATUSES = frozenset({TermSheetStatus.LAPSED, TermSheetStatus.CANCELLED})


class FundingSource(enum.StrEnum):
    LEDGER = "ledger"  # an investment entry in the investing fund's fundops ledger
    EVIDENCE = "evidence"  # an outside co-investor's payment, on the lead GP's evidence


class RateType(enum.StrEnum):
    FIXED = "fixed"
    LPR_SPREAD = "lpr_spread"  # LPR + spread, fixed at approval


class Collateral(enum.StrEnum):
    CREDIT = "credit"
    EQUITY_PLEDGE = "equity_pledge"
    IP_PLEDGE = "ip_pledge"
    DATA_ASSET_PLEDGE = "data_asset_pledge"


class EquityRule(enum.StrEnum):
    SHARE = "share"  # arrived ≥ required share × round before any drawdown
    PRO_RATA = "pro_rata"  # drawdowns up to reservation × complete tranches / round


class LoanStatus(enum.StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"  # headroom reserved
    ACTIVE = "active"  # drawn at least once
    REPAID = "repaid"
    DEFAULTED = "defaulted"
    WRITTEN_OFF = "written_off"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class LoanEntryKind(enum.StrEnum):
    DISBURSEMENT = "disbursement"  # bank -> borrower, principal
    PRINCIPAL_REPAYMENT = "principal_repayment"
    INTEREST_PAYMENT = "interest_payment"
    SUBSIDY_RECEIVED = "subsidy_received"  # 贴息
    OVERDUE = "overdue"  # memo of an amount past due (no cash)
    DEFAULT = "default"  # principal outstanding at default (no cash)
    WRITE_OFF = "write_off"
    RECOVERY = "recovery"


class WarrantStatus(enum.StrEnum):
    """``warrant.status``: open until exercised (within its window) or expired."""

    OPEN = "open"
    EXERCISED = "exercised"
    EXPIRED = "expired"


WARRANT_OUTCOMES = (WarrantStatus.EXERCISED, WarrantStatus.EXPIRED)
"""The statuses that close a warrant."""
