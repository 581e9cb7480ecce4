"""Reads of LP payments for pages, the API and other reporting code (notices,
statements): the payment terms in force, a call's due date (:func:`due_on`), the state of
every call line on a date (:func:`line_status`) and the arrears list (:func:`arrears`).

A **line** is one LP's allocation of a capital call (a ledger entry of kind
``capital_call`` that is not itself a reversal). Its amount due is the allocation, or 0
when the call was reversed (a reversed call has nothing due). Receipts against the line
(``charge_id`` empty) reduce what is outstanding; default interest accrues per
:func:`fundops.calc.lp_payments.accrue_default_interest` under the terms in force on the
line's due date (none: no interest). A call never issued has no due date.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.calc.lp_payments import Accrual, accrue_default_interest
from fundops.errors import NotFound
from fundops.extensions import db
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.enums import CallPurpose, CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.models import Fund, Investor
from fundops.reports.payments.models import CallIssue, CallReceipt, InterestCharge, PaymentTerms
from fundops.uow import Actor

ZERO = Decimal("0.00")
DEFAULT_DAYS_TO_PAY = 10
"""Without payment terms a due date defaults to 10 calendar days after the notice (ILPA
asks for at least 10 business days: set the fund's terms to match its LPA)."""


class LineState(enum.StrEnum):
    NO_DUE_DATE = "no_due_date"
    NOT_DUE = "not_due"
    PAID = "paid"
    OVERDUE = "overdue"
    OVERPAID = "overpaid"
    REVERSED = "reversed"


def managed_fund(actor: Actor, fund_id: int, write: bool = False) -> Fund:
    """A fund the actor manages (an LP-access viewer or another organisation: 404);
    ``write`` also requires a writer role."""
    fund, access = get_fund(actor, fund_id, write=write)
    if access is not Access.MANAGER:
        raise NotFound("fund_not_found", fund_id=fund_id)
    return fund


def terms_on(fund_id: int, on: date) -> PaymentTerms | None:
    """The payment terms in force on ``on`` (latest effective date; later row wins)."""
    return db.session.scalars(
        sa.select(PaymentTerms).where(PaymentTerms.fund_id == fund_id,
                                      PaymentTerms.effective_on <= on)
        .order_by(PaymentTerms.effective_on.desc(), PaymentTerms.id.desc()).limit(1)).first()


def terms_history(fund_id: int) -> list[PaymentTerms]:
    return list(db.session.scalars(
        sa.select(PaymentTerms).where(PaymentTerms.fund_id == fund_id)
        .order_by(PaymentTerms.effective_on.desc(), PaymentTerms.id.desc())))


def issue_of(cash_flow_id: int) -> CallIssue | None:
    return db.session.scalars(
        sa.select(CallIssue).where(CallIssue.cash_flow_id == cash_flow_id)).first()


def due_on(cash_flow_id: int) -> date | None:
    """The due date of a capital call's lines, or None when the call was never issued."""
    return db.session.scalar(
        sa.select(CallIssue.due_on).where(CallIssue.cash_flow_id == cash_flow_id))


def reversed_ids(fund_id: int) -> set[int]:
    """Ids of the fund's entries that have been reversed."""
    return set(db.session.scalars(sa.select(CashFlow.reverses_id).where(
        CashFlow.fund_id == fund_id, CashFlow.reverses_id.is_not(None))))


def get_call(fund_id: int, entry_id: int) -> CashFlow:
    """A capital call of the fund (not a reversal), else 404."""
    entry = db.session.get(CashFlow, entry_id)
    if (entry is None or entry.fund_id != fund_id or entry.kind is not CashFlowKind.CAPITAL_CALL
            or entry.reverses_id is not None):
        raise NotFound("entry_not_found", entry_id=entry_id)
    return entry


@dataclass(frozen=True, slots=True)
class LineStatus:
    """One call line on ``as_of`` (yuan; ``outstanding`` < 0 when overpaid)."""

    cash_flow_id: int
    allocation_id: int
    investor_id: int
    investor_name: str
    call_on: date
    purpose: CallPurpose | None
    currency: str
    called: Decimal
    due: Decimal
    issued_on: date | None
    due_on: date | None
    received: Decimal
    outstanding: Decimal
    days_past_due: int
    interest: Decimal
    charged: Decimal
    charge_received: Decimal
    state: LineState
    accrual: Accrual | None

    @property
    def charge_outstanding(self) -> Decimal:
        return self.charged - self.charge_received


def _state(reversed_: bool, due_date: date | None, outstanding: Decimal,
           as_of: date) -> LineState:
    if reversed_:
        return LineState.REVERSED
    if outstanding < 0:
        return LineState.OVERPAID
    if outstanding == 0:
        return LineState.PAID
    if due_date is None:
        return LineState.NO_DUE_DATE
    return LineState.OVERDUE if as_of > due_date else LineState.NOT_DUE


def _lines(fund_id: int, as_of: date, entry_id: int | None, investor_id: int | None,
           noticed_only: bool) -> sa.Select[CashFlowAllocation, CashFlow, str]:
    """The call lines :func:`line_status` reads, with their entry and LP name, in order."""
    query = (sa.select(CashFlowAllocation, CashFlow, Investor.name)
             .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
             .join(Investor, Investor.id == CashFlowAllocation.investor_id)
             .where(CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.CAPITAL_CALL,
                    CashFlow.reverses_id.is_(None), CashFlowAllocation.amount != 0)
             .order_by(CashFlow.value_on, CashFlow.id, CashFlowAllocation.investor_id))
    if entry_id is not None:  # one call: its lines whatever its date
        query = query.where(CashFlow.id == entry_id)
    else:
        query = query.where(CashFlow.value_on <= as_of)
    if investor_id is not None:
        query = query.where(CashFlowAllocation.investor_id == investor_id)
    if noticed_only:
        query = query.join(CallIssue, CallIssue.cash_flow_id == CashFlow.id)
    return query


def line_status(fund_id: int, as_of: date, *, entry_id: int | None = None,
                investor_id: int | None = None, noticed_only: bool = False) -> list[LineStatus]:
    """Every line of the fund's capital calls dated on or before ``as_of`` (or every line
    of one call, or one LP's), in call date order: due, received to ``as_of``, outstanding, days
    past due, default interest accrued to ``as_of`` and charged (module docstring).
    ``noticed_only``: only the lines of calls with a notice (a due date) — the only ones
    that can be overdue."""
    rows = db.session.execute(_lines(fund_id, as_of, entry_id, investor_id, noticed_only)).all()
    if not rows:
        return []
    ids = [a.id for a, _, _ in rows]
    issues = {i.cash_flow_id: i for i in db.session.scalars(
        sa.select(CallIssue).where(CallIssue.fund_id == fund_id))}
    principal: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    on_charges: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in db.session.scalars(sa.select(CallReceipt).where(
            CallReceipt.fund_id == fund_id, CallReceipt.allocation_id.in_(ids))):
        if r.charge_id is None:
            principal[r.allocation_id].append((r.received_on, r.amount))
        elif r.received_on <= as_of:
            on_charges[r.allocation_id] += r.amount
    charged: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for c in db.session.scalars(sa.select(InterestCharge).where(
            InterestCharge.fund_id == fund_id, InterestCharge.allocation_id.in_(ids))):
        charged[c.allocation_id] += c.amount
    gone = reversed_ids(fund_id)
    terms_cache: dict[date, PaymentTerms | None] = {}
    out = []
    for alloc, entry, name in rows:
        issue = issues.get(entry.id)
        is_reversed = entry.id in gone
        due = ZERO if is_reversed else alloc.amount
        receipts = principal.get(alloc.id, [])
        received = sum((a for d, a in receipts if d <= as_of), ZERO)
        accrual = None
        if issue is not None and not is_reversed:
            if issue.due_on not in terms_cache:
                terms_cache[issue.due_on] = terms_on(fund_id, issue.due_on)
            terms = terms_cache[issue.due_on]
            if terms is not None:
                accrual = accrue_default_interest(
                    due, issue.due_on, receipts, as_of, rate=terms.default_rate,
                    convention=terms.default_convention, grace_days=terms.grace_days)
        outstanding = due - received
        late = (as_of - issue.due_on).days if (
            issue is not None and outstanding > 0 and as_of > issue.due_on) else 0
        out.append(LineStatus(
            entry.id, alloc.id, alloc.investor_id, name, entry.value_on, entry.call_purpose,
            alloc.currency, alloc.amount, due, issue.issued_on if issue else None,
            issue.due_on if issue else None, received, outstanding, late,
            accrual.interest if accrual else ZERO, charged.get(alloc.id, ZERO),
            on_charges.get(alloc.id, ZERO),
            _state(is_reversed, issue.due_on if issue else None, outstanding, as_of), accrual))
    return out


@dataclass(frozen=True, slots=True)
class Arrears:
    """The lines past their due date with something outstanding on ``as_of``, and totals
    (yuan of ``currency``)."""

    as_of: date
    currency: str
    lines: list[LineStatus]
    outstanding: Decimal
    interest: Decimal
    charged: Decimal
    charge_outstanding: Decimal


def arrears(fund: Fund, as_of: date, investor_id: int | None = None) -> Arrears:
    """The fund's arrears list on ``as_of`` (optionally one LP's)."""
    lines = [s for s in line_status(fund.id, as_of, investor_id=investor_id, noticed_only=True)
             if s.state is LineState.OVERDUE]
    return Arrears(as_of, fund.currency, lines, sum((s.outstanding for s in lines), ZERO),
                   sum((s.interest for s in lines), ZERO), sum((s.charged for s in lines), ZERO),
                   sum((s.charge_outstanding for s in lines), ZERO))


def list_receipts(fund_id: int, *, entry_id: int | None = None,
                  investor_id: int | None = None) -> list[CallReceipt]:
    """Receipts (and their reversals) of the fund, of one call or of one LP, in order."""
    query = sa.select(CallReceipt).where(CallReceipt.fund_id == fund_id)
    if entry_id is not None:
        query = query.join(CashFlowAllocation,
                           CashFlowAllocation.id == CallReceipt.allocation_id).where(
            CashFlowAllocation.cash_flow_id == entry_id)
    if investor_id is not None:
        query = query.where(CallReceipt.investor_id == investor_id)
    return list(db.session.scalars(query.order_by(CallReceipt.received_on, CallReceipt.id)))


def reversed_receipt_ids(fund_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(CallReceipt.reverses_id).where(
        CallReceipt.fund_id == fund_id, CallReceipt.reverses_id.is_not(None))))


def list_charges(fund_id: int, *, entry_id: int | None = None,
                 investor_id: int | None = None) -> list[InterestCharge]:
    query = sa.select(InterestCharge).where(InterestCharge.fund_id == fund_id)
    if entry_id is not None:
        query = query.join(CashFlowAllocation,
                           CashFlowAllocation.id == InterestCharge.allocation_id).where(
            CashFlowAllocation.cash_flow_id == entry_id)
    if investor_id is not None:
        query = query.where(InterestCharge.investor_id == investor_id)
    return list(db.session.scalars(query.order_by(InterestCharge.id)))


@dataclass(frozen=True, slots=True)
class CallSummary:
    """A capital call with its issue and the sums of its lines on a date."""

    entry: CashFlow
    issued_on: date | None
    due_on: date | None
    reversed: bool
    received: Decimal
    outstanding: Decimal


def list_calls(fund_id: int, as_of: date) -> list[CallSummary]:
    """The fund's capital calls (newest first) with what was received on their lines."""
    lines = line_status(fund_id, as_of)
    received: dict[int, Decimal] = defaultdict(lambda: ZERO)
    outstanding: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for s in lines:
        received[s.cash_flow_id] += s.received
        outstanding[s.cash_flow_id] += s.outstanding
    gone = reversed_ids(fund_id)
    issues = {i.cash_flow_id: i for i in db.session.scalars(
        sa.select(CallIssue).where(CallIssue.fund_id == fund_id))}
    entries = db.session.scalars(sa.select(CashFlow).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.CAPITAL_CALL,
        CashFlow.reverses_id.is_(None), CashFlow.value_on <= as_of)
        .order_by(CashFlow.value_on.desc(), CashFlow.id.desc()))
    out = []
    for e in entries:
        issue = issues.get(e.id)
        out.append(CallSummary(e, issue.issued_on if issue else None,
                               issue.due_on if issue else None, e.id in gone,
                               received.get(e.id, ZERO), outstanding.get(e.id, ZERO)))
    return out
