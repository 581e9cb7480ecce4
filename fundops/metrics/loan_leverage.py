"""Loan leverage of a guidance fund: bank credit mobilised by its portfolio's rounds (投联贷),
per yuan of guidance capital, in aggregate only.

Rounds counted: term sheets with an allocation to any fund reachable from the guidance
fund through fund-held commitments on or before the date (the fund itself included).
Credit counted: loans on those rounds decided (approved) on or before the date and not
declined or cancelled — their reservations ("approved") — and disbursements on or before
the date, net of reversals ("disbursed"). Denominator: the guidance fund's commitments
(subscribed) or call allocations (paid-in) in its direct sub-funds on or before the date.
No bank, loan or company is named: the guidance fund sees totals and counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundops.calc.leverage import LeverageRatio, LpAmount, loan_leverage_ratios
from fundops.calc.lookthrough import fund_order
from fundops.extensions import db
from fundops.metrics.leverage import load_lp_amounts
from fundops.metrics.lookthrough import direct_sub_fund_ids, fund_links
from fundops.portfolio.access import get_fund
from fundops.syndication.enums import LoanEntryKind, LoanStatus
from fundops.syndication.loans.models import Loan, LoanEntry
from fundops.syndication.term_sheets.models import TermSheetAllocation
from fundops.uow import Actor
from fundops.validation import require_date

__all__ = ["LoanLeverage", "guidance_amounts", "load_loan_leverage", "loan_leverage"]

ZERO = Decimal("0.00")
COUNTED = (LoanStatus.APPROVED, LoanStatus.ACTIVE, LoanStatus.REPAID, LoanStatus.DEFAULTED,
           LoanStatus.WRITTEN_OFF)


@dataclass(frozen=True)
class LoanLeverage:
    """Totals (yuan) and the four ratios (two definitions × two bases)."""

    fund_id: int
    as_of: date
    rounds: int
    loans: int
    approved: Decimal
    disbursed: Decimal
    ratios: tuple[LeverageRatio, ...]


def load_loan_leverage(root_fund_id: int, when: date,
                       guidance: tuple[Decimal, Decimal] | None = None) -> LoanLeverage:
    """Loan leverage of ``root_fund_id`` at ``when`` (callers check access to the fund).

    ``guidance`` is the root's (commitments, paid-in) in its direct sub-funds, yuan, when
    the caller has them (the parent overview's cached figures); else they are read."""
    edges = {(p, s) for p, s, _on, _fen in fund_links(when)}
    funds = fund_order(root_fund_id, edges)
    rounds = sa.select(TermSheetAllocation.term_sheet_id).where(
        TermSheetAllocation.fund_id.in_(funds)).distinct()
    end = datetime.combine(when + timedelta(days=1), time(), tzinfo=UTC)
    loans = list(db.session.execute(
        sa.select(Loan.id, Loan.term_sheet_id, Loan.reserved_amount).where(
            Loan.term_sheet_id.in_(rounds), Loan.status.in_(COUNTED), Loan.decided_at < end)))
    ids = [row.id for row in loans]
    disbursed = (db.session.scalar(sa.select(sa.func.sum(LoanEntry.amount)).where(
        LoanEntry.loan_id.in_(ids), LoanEntry.kind == LoanEntryKind.DISBURSEMENT,
        LoanEntry.value_on <= when)) if ids else None) or ZERO
    approved = sum((row.reserved_amount for row in loans), ZERO)
    committed, paid_in = guidance or guidance_amounts(
        load_lp_amounts(direct_sub_fund_ids(root_fund_id, when), root_fund_id, when))
    return LoanLeverage(root_fund_id, when, len({row.term_sheet_id for row in loans}),
                        len(loans), approved, disbursed,
                        loan_leverage_ratios(approved, disbursed, committed, paid_in))


def guidance_amounts(lps: Mapping[int, Sequence[LpAmount]]) -> tuple[Decimal, Decimal]:
    """The guidance fund's (commitments, paid-in) over the funds' LP amounts, yuan."""
    mine = [lp for rows in lps.values() for lp in rows if lp.is_guidance]
    return sum((lp.committed for lp in mine), ZERO), sum((lp.paid_in for lp in mine), ZERO)


def loan_leverage(actor: Actor, fund_id: int, as_of: object) -> LoanLeverage:
    """:func:`load_loan_leverage` for a fund the actor may see (LP access is enough)."""
    fund, _ = get_fund(actor, fund_id)
    return load_loan_leverage(fund.id, require_date(as_of, "as_of"))
