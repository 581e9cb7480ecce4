"""Read-side helpers of the linked-loan pages (no writes, no access checks: the callers
have already loaded the term sheet or loan through the services, which scope them)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa

from fundops.auth.models import Organisation, OrgKind, User
from fundops.calc.loan_sizing import Headroom, loan_headroom
from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.models import Company, Fund
from fundops.syndication.enums import LoanStatus
from fundops.syndication.loans.models import Loan, LoanEntry, LoanProduct, LoanScheduleRow, Warrant
from fundops.syndication.pools.models import (
    RiskPool,
    RiskPoolBank,
    RiskPoolClaim,
    RiskPoolEnrolment,
    RiskPoolRecovery,
)
from fundops.syndication.pools.services import balance
from fundops.syndication.term_sheets.models import (
    TermSheet,
    TermSheetAllocation,
    TermSheetEvent,
    TermSheetFunding,
)
from fundops.syndication.term_sheets.verification import VerifiedFacts


def user_names(ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the given users (for "who" columns)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(wanted)))
    return dict(rows.all())


def list_event_rows(events: list[TermSheetEvent]) -> list[tuple[TermSheetEvent, str]]:
    """Status history with the name of who made each change ("" for the system)."""
    names = user_names(e.by_user_id for e in events)
    return [(e, names.get(e.by_user_id or 0, "")) for e in events]


def list_fundings(term_sheet_id: int, *, as_recorded: bool = False) -> list[TermSheetFunding]:
    """Every equity arrival recorded on the round, by arrival date (``as_recorded``: in
    the order recorded, as the API lists them)."""
    order = ((TermSheetFunding.id,) if as_recorded
             else (TermSheetFunding.arrived_on, TermSheetFunding.id))
    return list(db.session.scalars(
        sa.select(TermSheetFunding)
        .join(TermSheetAllocation, TermSheetAllocation.id == TermSheetFunding.allocation_id)
        .where(TermSheetAllocation.term_sheet_id == term_sheet_id).order_by(*order)))


def own_allocations(ts: TermSheet, organisation_id: int) -> list[TermSheetAllocation]:
    """The round's allocations of funds the organisation manages."""
    own = set(db.session.scalars(sa.select(Fund.id).where(
        Fund.organisation_id == organisation_id)))
    return [a for a in ts.allocations if a.fund_id in own]


def linkable_entries(ts: TermSheet, fund_ids: Iterable[int]) -> list[CashFlow]:
    """The funds' investment entries in the round's company and currency that are not
    linked to a round yet (reversed entries and reversals left out)."""
    ids = list(fund_ids)
    if not ids:
        return []
    linked = sa.select(TermSheetFunding.cash_flow_id).where(
        TermSheetFunding.cash_flow_id.is_not(None))
    reversed_ids = sa.select(CashFlow.reverses_id).where(CashFlow.reverses_id.is_not(None))
    return list(db.session.scalars(
        sa.select(CashFlow).where(
            CashFlow.fund_id.in_(ids), CashFlow.kind == CashFlowKind.INVESTMENT,
            CashFlow.company_id == ts.company_id, CashFlow.currency == ts.currency,
            CashFlow.reverses_id.is_(None), CashFlow.id.not_in(linked),
            CashFlow.id.not_in(reversed_ids))
        .order_by(CashFlow.value_on, CashFlow.id)))


def product_headrooms(facts: VerifiedFacts,
                      products: Iterable[LoanProduct]) -> list[tuple[LoanProduct, Headroom]]:
    """What each product could still lend on the round: ``min(cap, α × arrived, β ×
    post-money)`` less every bank's reservations (yuan, rounded down to the fen)."""
    return [(p, loan_headroom(p.cap_amount, p.alpha, facts.equity_arrived, p.beta,
                              facts.post_money, facts.reserved_by_banks))
            for p in products if p.currency == facts.currency]


def list_schedule(loan_id: int) -> list[LoanScheduleRow]:
    return list(db.session.scalars(sa.select(LoanScheduleRow).where(
        LoanScheduleRow.loan_id == loan_id).order_by(LoanScheduleRow.period)))


def list_loan_entries(loan_id: int, *, as_recorded: bool = False) -> list[LoanEntry]:
    """The loan's entries by value date (``as_recorded``: in the order recorded, as the
    API lists them)."""
    order = (LoanEntry.id,) if as_recorded else (LoanEntry.value_on, LoanEntry.id)
    return list(db.session.scalars(sa.select(LoanEntry).where(
        LoanEntry.loan_id == loan_id).order_by(*order)))


def schedule_totals(rows: list[LoanScheduleRow]) -> dict[str, Decimal]:
    zero = Decimal("0.00")
    return {"principal": sum((r.principal for r in rows), zero),
            "interest": sum((r.interest for r in rows), zero),
            "subsidy": sum((r.subsidy for r in rows), zero)}


# --- risk pools, credit events and warrants (read side of pool_views / event_views) -------


def list_bank_organisations() -> list[Organisation]:
    """Every bank organisation, by name: the member banks a pool manager may choose."""
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.BANK).order_by(Organisation.name, Organisation.id)))


def organisation_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))).all())


def company_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(
        sa.select(Company.id, Company.name).where(Company.id.in_(wanted))).all())


def pool_balances(pool_ids: Iterable[int]) -> dict[int, Decimal]:
    return {pool_id: balance(pool_id) for pool_id in pool_ids}


def member_bank_ids(pool_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(RiskPoolBank.bank_id).where(
        RiskPoolBank.pool_id == pool_id).order_by(RiskPoolBank.bank_id)))


def list_enrolments(pool_id: int, lead_bank_id: int | None = None) -> list[tuple[
        RiskPoolEnrolment, Loan]]:
    """The pool's enrolled loans, oldest first (only one lead bank's if given)."""
    query = (sa.select(RiskPoolEnrolment, Loan).join(Loan, Loan.id == RiskPoolEnrolment.loan_id)
             .where(RiskPoolEnrolment.pool_id == pool_id))
    if lead_bank_id is not None:
        query = query.where(Loan.lead_bank_id == lead_bank_id)
    return [(e, loan) for e, loan in db.session.execute(
        query.order_by(RiskPoolEnrolment.enrolled_on, RiskPoolEnrolment.id))]


def enrollable_loans(lead_bank_id: int, currency: str) -> list[Loan]:
    """Approved or disbursed loans the bank leads in the currency, in no pool yet."""
    enrolled = sa.select(RiskPoolEnrolment.loan_id)
    return list(db.session.scalars(sa.select(Loan).where(
        Loan.lead_bank_id == lead_bank_id, Loan.currency == currency,
        Loan.status.in_((LoanStatus.APPROVED, LoanStatus.ACTIVE)),
        Loan.id.not_in(enrolled)).order_by(Loan.id)))


def loan_enrolment(loan_id: int) -> tuple[RiskPoolEnrolment, RiskPool] | None:
    row = db.session.execute(
        sa.select(RiskPoolEnrolment, RiskPool)
        .join(RiskPool, RiskPool.id == RiskPoolEnrolment.pool_id)
        .where(RiskPoolEnrolment.loan_id == loan_id)
    ).first()
    return None if row is None else (row[0], row[1])


def loan_claim(loan_id: int) -> RiskPoolClaim | None:
    return db.session.scalar(sa.select(RiskPoolClaim).where(RiskPoolClaim.loan_id == loan_id))


def claim_returns(claim_ids: Iterable[int]) -> dict[tuple[int, str], Decimal]:
    """What later recoveries handed back to each party of each claim, (claim, party) → yuan."""
    ids = list(claim_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(RiskPoolRecovery.claim_id, RiskPoolRecovery.party,
                  sa.func.sum(RiskPoolRecovery.amount))
        .where(RiskPoolRecovery.claim_id.in_(ids))
        .group_by(RiskPoolRecovery.claim_id, RiskPoolRecovery.party))
    return {(claim_id, party): amount for claim_id, party, amount in rows}


def recovery_shares(loan_entry_id: int) -> list[RiskPoolRecovery]:
    """What one recovery entry handed back to each party of the loan's pool claim."""
    return list(db.session.scalars(sa.select(RiskPoolRecovery).where(
        RiskPoolRecovery.loan_entry_id == loan_entry_id).order_by(RiskPoolRecovery.id)))


def list_warrants(loan_id: int) -> list[Warrant]:
    return list(db.session.scalars(sa.select(Warrant).where(
        Warrant.loan_id == loan_id).order_by(Warrant.id)))
