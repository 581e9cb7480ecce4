"""A bank's loan book at a quarter end: its investment-linked loans drawn by that date,
one row each, with what the entries up to that date say.

The book of bank B at date D holds every loan B leads or has a share in with a
disbursement value-dated on or before D. Per loan (amounts in yuan of the loan's
currency, exact, never rounded here):

* ``principal``: the loan amount applied for and approved; ``share``: B's part of it;
* ``disbursed``: disbursements up to D, net of reversals;
* ``outstanding``: disbursed − principal repaid − written off, up to D;
* ``next_due`` / ``next_instalment``: the first row of the stored repayment schedule due
  after D (principal + interest of that row), while principal is outstanding;
  ``maturity``: the schedule's last due date;
* ``status`` at D: ``written_off`` (a write-off and nothing outstanding), ``repaid``
  (nothing outstanding), ``defaulted`` (a default entry up to D), else ``performing``;
* the linked round (the term sheet's round name), the risk-compensation pool the loan is
  enrolled in by D, the amount enrolled and the pool's own share of a loss (0.8 = 80 %).

Only entries, schedules, shares and enrolments dated up to D and the static columns of
loans, products, companies, rounds and pools are read: :data:`SOURCES` is exactly that,
and the inputs hash of a run is taken over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from fundops.auth.models import Organisation, OrgKind
from fundops.calc.loss_sharing import PoolRole
from fundops.extensions import db
from fundops.portfolio.models import Company
from fundops.reports.runs.inputs import InputRow, Source, Where, read_sources
from fundops.syndication.enums import LoanEntryKind
from fundops.syndication.loans.models import (
    Loan,
    LoanEntry,
    LoanProduct,
    LoanScheduleRow,
    LoanShare,
)
from fundops.syndication.pools.models import RiskPool, RiskPoolEnrolment, RiskPoolParty
from fundops.syndication.term_sheets.models import TermSheet

ZERO = Decimal("0.00")
Column = InstrumentedAttribute[int]
STATUSES = ("performing", "repaid", "defaulted", "written_off")


@dataclass(frozen=True, slots=True)
class LoanBookRow:
    """One loan of the book (see the module docstring for each figure)."""

    loan_id: int
    borrower: str
    uscc: str
    product: str
    round_name: str
    is_lead: bool
    currency: str
    principal: Decimal
    share: Decimal
    disbursed: Decimal
    outstanding: Decimal
    annual_rate: Decimal | None
    next_due: date | None
    next_instalment: Decimal | None
    maturity: date | None
    status: str
    pool: str
    enrolled: Decimal | None
    pool_share: Decimal | None


def book_loan_ids(bank_id: int, as_of: date) -> sa.Select[Any]:
    """Ids of the loans in the bank's book at ``as_of``."""
    shared = sa.select(LoanShare.loan_id).where(LoanShare.bank_id == bank_id)
    drawn = sa.select(LoanEntry.loan_id).where(LoanEntry.kind == LoanEntryKind.DISBURSEMENT,
                                               LoanEntry.value_on <= as_of)
    return sa.select(Loan.id).where(sa.or_(Loan.lead_bank_id == bank_id, Loan.id.in_(shared)),
                                    Loan.id.in_(drawn))


def _in_book(column: Column) -> Where:
    """Rows whose ``column`` is a loan id of the book."""
    return lambda bank, on: column.in_(book_loan_ids(bank, on))


def _of_loans(column: Column, target: Column) -> Where:
    """Rows whose ``target`` is the ``column`` of a loan of the book (its product …)."""
    return lambda bank, on: target.in_(sa.select(column).where(
        Loan.id.in_(book_loan_ids(bank, on))))


def _enrolments(bank: int, on: date) -> sa.ColumnElement[bool]:
    return sa.and_(RiskPoolEnrolment.loan_id.in_(book_loan_ids(bank, on)),
                   RiskPoolEnrolment.enrolled_on <= on)


def _pools(bank: int, on: date) -> sa.Select[Any]:
    return sa.select(RiskPoolEnrolment.pool_id).where(_enrolments(bank, on))


SOURCES: list[Source] = [
    Source("loan", Loan.__table__, _in_book(Loan.id), only=(
        "term_sheet_id", "product_id", "lead_bank_id", "company_id", "currency",
        "requested_amount", "annual_rate", "first_due_on"), amount="requested_amount"),
    Source("loan_share", LoanShare.__table__, _in_book(LoanShare.loan_id), amount="amount",
           currency=None),
    Source("loan_entry", LoanEntry.__table__,
           lambda bank, on: sa.and_(LoanEntry.loan_id.in_(book_loan_ids(bank, on)),
                                    LoanEntry.value_on <= on),
           amount="amount", reverses="reverses_id"),
    Source("loan_schedule_row", LoanScheduleRow.__table__, _in_book(LoanScheduleRow.loan_id)),
    Source("loan_product", LoanProduct.__table__, _of_loans(Loan.product_id, LoanProduct.id),
           only=("name", "currency", "tenor_months")),
    Source("company", Company.__table__, _of_loans(Loan.company_id, Company.id),
           only=("name", "uscc")),
    Source("term_sheet", TermSheet.__table__, _of_loans(Loan.term_sheet_id, TermSheet.id),
           only=("company_id", "round_name", "currency")),
    Source("risk_pool_enrolment", RiskPoolEnrolment.__table__, _enrolments, amount="amount",
           currency=None),
    Source("risk_pool", RiskPool.__table__, lambda bank, on: RiskPool.id.in_(_pools(bank, on)),
           only=("name", "currency")),
    Source("risk_pool_party", RiskPoolParty.__table__,
           lambda bank, on: RiskPoolParty.pool_id.in_(_pools(bank, on)),
           only=("pool_id", "name", "role", "share")),
]
"""The rows a loan book reads (see the module docstring)."""


def loan_book_inputs(bank_id: int, as_of: date) -> list[InputRow]:
    """The inputs of the bank's loan book at ``as_of`` (for the run's inputs hash)."""
    return read_sources(SOURCES, bank_id, as_of)


def bank_ids() -> list[int]:
    """Bank organisations with at least one loan they lead or share in."""
    lending = sa.union(sa.select(Loan.lead_bank_id), sa.select(LoanShare.bank_id))
    return list(db.session.scalars(sa.select(Organisation.id).where(
        Organisation.kind == OrgKind.BANK, Organisation.id.in_(lending))
        .order_by(Organisation.id)))


def _sums(ids: list[int], as_of: date) -> dict[tuple[int, LoanEntryKind], Decimal]:
    rows = db.session.execute(
        sa.select(LoanEntry.loan_id, LoanEntry.kind, sa.func.sum(LoanEntry.amount))
        .where(LoanEntry.loan_id.in_(ids), LoanEntry.value_on <= as_of)
        .group_by(LoanEntry.loan_id, LoanEntry.kind))
    return {(loan_id, kind): amount for loan_id, kind, amount in rows}


def _status(loan_id: int, sums: dict[tuple[int, LoanEntryKind], Decimal],
            outstanding: Decimal) -> str:
    def has(kind: LoanEntryKind) -> bool:
        return sums.get((loan_id, kind), ZERO) > 0

    if outstanding <= 0:
        return "written_off" if has(LoanEntryKind.WRITE_OFF) else "repaid"
    return "defaulted" if has(LoanEntryKind.DEFAULT) else "performing"


def _schedules(ids: list[int]) -> dict[int, list[LoanScheduleRow]]:
    rows: dict[int, list[LoanScheduleRow]] = {}
    for row in db.session.scalars(sa.select(LoanScheduleRow).where(
            LoanScheduleRow.loan_id.in_(ids)).order_by(LoanScheduleRow.loan_id,
                                                       LoanScheduleRow.period)):
        rows.setdefault(row.loan_id, []).append(row)
    return rows


def _pool_cover(ids: list[int], as_of: date) -> dict[int, tuple[str, Decimal, Decimal | None]]:
    """Loan id → (pool name, amount enrolled, the pool's own share of a loss)."""
    own_share = (sa.select(sa.func.sum(RiskPoolParty.share))
                 .where(RiskPoolParty.pool_id == RiskPool.id, RiskPoolParty.role == PoolRole.POOL)
                 .scalar_subquery())
    rows = db.session.execute(
        sa.select(RiskPoolEnrolment.loan_id, RiskPool.name, RiskPoolEnrolment.amount,
                  own_share)
        .join(RiskPool, RiskPool.id == RiskPoolEnrolment.pool_id)
        .where(RiskPoolEnrolment.loan_id.in_(ids), RiskPoolEnrolment.enrolled_on <= as_of))
    return {loan_id: (name, amount, share) for loan_id, name, amount, share in rows}


def load_loan_book(bank_id: int, as_of: date) -> list[LoanBookRow]:
    """The bank's loan book at ``as_of``, by loan id (see the module docstring)."""
    loans = list(db.session.execute(
        sa.select(Loan, Company, LoanProduct, TermSheet)
        .join(Company, Company.id == Loan.company_id)
        .join(LoanProduct, LoanProduct.id == Loan.product_id)
        .join(TermSheet, TermSheet.id == Loan.term_sheet_id)
        .where(Loan.id.in_(book_loan_ids(bank_id, as_of))).order_by(Loan.id)))
    ids = [loan.id for loan, *_ in loans]
    sums, schedules, pools = _sums(ids, as_of), _schedules(ids), _pool_cover(ids, as_of)
    shares = {(s.loan_id, s.bank_id): s.amount for s in db.session.scalars(
        sa.select(LoanShare).where(LoanShare.loan_id.in_(ids)))}
    book = []
    for loan, company, product, ts in loans:
        disbursed = sums.get((loan.id, LoanEntryKind.DISBURSEMENT), ZERO)
        outstanding = (disbursed - sums.get((loan.id, LoanEntryKind.PRINCIPAL_REPAYMENT), ZERO)
                       - sums.get((loan.id, LoanEntryKind.WRITE_OFF), ZERO))
        schedule = schedules.get(loan.id, [])
        upcoming = next((r for r in schedule if r.due_on > as_of), None) \
            if outstanding > 0 else None
        pool = pools.get(loan.id)
        book.append(LoanBookRow(
            loan.id, company.name, company.uscc, product.name, ts.round_name,
            loan.lead_bank_id == bank_id, loan.currency, loan.requested_amount,
            shares.get((loan.id, bank_id), ZERO), disbursed, outstanding, loan.annual_rate,
            upcoming.due_on if upcoming else None,
            upcoming.principal + upcoming.interest if upcoming else None,
            schedule[-1].due_on if schedule else None,
            _status(loan.id, sums, outstanding), pool[0] if pool else "",
            pool[1] if pool else None, pool[2] if pool else None))
    return book
