"""Bank products and linked loans: apply with a verification code, check the headroom,
approve (reserving headroom race-free), disburse with the equity, record repayments.

Headroom of a round for a product = ``min(cap, α × equity arrived, β × post-money) −
every bank's live reservations on the round`` (see :func:`fundops.calc.schedules.loan_headroom`).
Approval moves ``term_sheet.reserved_amount`` in one conditional UPDATE whose WHERE
repeats the limit, so concurrent approvals can never exceed it together: PostgreSQL
re-checks the WHERE after waiting on the row lock, SQLite runs one writer at a time,
and the CHECK ``reserved_amount <= round_size`` is the backstop. A bank only ever sees
its own products and the loans it lends in; other banks appear as amounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from fundops.audit import record_by
from fundops.auth.models import Organisation, OrgKind
from fundops.calc.loan_sizing import EquityCheck, Headroom, equity_condition, loan_headroom
from fundops.calc.schedules import (
    add_months,
    interest_subsidy,
    repayment_schedule,
)
from fundops.db import utcnow
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount
from fundops.portfolio.access import require_writer
from fundops.syndication.enums import (
    DEAD_STATUSES,
    EquityRule,
    LoanEntryKind,
    LoanStatus,
    RateType,
)
from fundops.syndication.loans.models import (
    Loan,
    LoanEntry,
    LoanProduct,
    LoanScheduleRow,
    LoanShare,
)
from fundops.syndication.refusals import Reason, equity_problem, status_problem, with_prefix
from fundops.syndication.term_sheets.fundings import equity_arrived
from fundops.syndication.term_sheets.models import TermSheet
from fundops.syndication.term_sheets.verification import (
    VerifiedFacts,
    facts_of,
    term_sheet_for_code,
)
from fundops.uow import Actor, lock_row, unit_of_work, updated_rows
from fundops.validation import require_date, require_id

ZERO = Decimal("0.00")
LIVE = (LoanStatus.APPROVED, LoanStatus.ACTIVE)


def require_bank(actor: Actor) -> None:
    """Lending operations are for bank organisations; others get 404 (no such object)."""
    org = db.session.get(Organisation, actor.organisation_id)
    if org is None or org.kind is not OrgKind.BANK:
        raise NotFound()


def get_product(actor: Actor, product_id: int) -> LoanProduct:
    product = db.session.get(LoanProduct, require_id(product_id, "product_id"))
    if product is None or product.organisation_id != actor.organisation_id:
        raise NotFound()
    return product


def get_loan(actor: Actor, loan_id: int, *, write: bool = False) -> Loan:
    """A loan the actor's bank lends in (write: the lead bank's writers); else 404."""
    loan = db.session.get(Loan, int(loan_id))
    if loan is None:
        raise NotFound()
    banks = {s.bank_id for s in loan.shares} | {loan.lead_bank_id}
    if actor.organisation_id not in banks or (write and actor.organisation_id != loan.lead_bank_id):
        raise NotFound()
    if write:
        require_writer(actor)
    return loan


def list_loans(actor: Actor) -> list[Loan]:
    """Loans the actor's bank leads or shares in, newest first."""
    shared = sa.select(LoanShare.loan_id).where(LoanShare.bank_id == actor.organisation_id)
    return list(db.session.scalars(sa.select(Loan).where(sa.or_(
        Loan.lead_bank_id == actor.organisation_id, Loan.id.in_(shared))).order_by(Loan.id.desc())))


@dataclass(frozen=True)
class LoanCheck:
    """The bank's check of a loan: verified facts, headroom terms, equity condition.

    ``other_reservations`` are the other loans' reservations on the round, amounts only.
    ``status_problem`` / ``equity_problem`` are the (code, params) of what holds the loan
    back (see :mod:`fundops.syndication.refusals`); ``status_reason`` is the English text.
    """

    facts: VerifiedFacts
    headroom: Headroom
    equity: EquityCheck
    other_reservations: tuple[Decimal, ...]
    status_ok: bool
    status_reason: str | None
    drawn: Decimal
    status_problem: Reason | None = None
    equity_problem: Reason | None = None


def _equity(ts: TermSheet, product: LoanProduct, reservation: Decimal) -> EquityCheck:
    tranches = ([t.amount for t in ts.tranches]
                if product.equity_rule is EquityRule.PRO_RATA and ts.tranches else None)
    return equity_condition(max(ZERO, equity_arrived(ts.id)), ts.round_size,
                            product.required_share, tranches, reservation=reservation)


def drawn_amount(loan_id: int) -> Decimal:
    """Disbursed so far, net of reversals (yuan)."""
    return db.session.scalar(sa.select(sa.func.sum(LoanEntry.amount)).where(
        LoanEntry.loan_id == loan_id, LoanEntry.kind == LoanEntryKind.DISBURSEMENT)) or ZERO


def check_loan(actor: Actor, loan_id: int) -> LoanCheck:
    """Everything the bank needs to decide, as of now (any bank lending in the loan)."""
    loan = get_loan(actor, loan_id)
    ts, product = loan.term_sheet, loan.product
    facts = facts_of(ts)
    own = loan.reserved_amount
    room = loan_headroom(product.cap_amount, product.alpha, max(ZERO, facts.equity_arrived),
                         product.beta,
                         ts.post_money, ts.reserved_amount - own)
    others = tuple(db.session.scalars(sa.select(Loan.reserved_amount).where(
        Loan.term_sheet_id == ts.id, Loan.id != loan.id, Loan.reserved_amount > 0)
        .order_by(Loan.id)))
    problem = status_problem(ts, product)
    reservation = own or loan.requested_amount
    equity = _equity(ts, product, reservation)
    return LoanCheck(facts, room, equity, others, problem is None,
                     str(ConflictError(problem[0], **problem[1])) if problem else None,
                     drawn_amount(loan.id), problem,
                     equity_problem(ts, product, equity, max(ZERO, facts.equity_arrived),
                                    reservation))


def apply_for_loan(actor: Actor, *, code: str, product_id: int, amount: object,
                   first_due_on: object = None,
                   partners: Iterable[tuple[int, object]] = ()) -> Loan:
    """A loan application under one of the bank's products, on the round behind ``code``.

    ``partners`` are (bank organisation id, amount) of the other banks in a joint loan;
    the applying bank's own share is the rest of ``amount``.
    """
    require_bank(actor)
    require_writer(actor)
    product = get_product(actor, product_id)
    if not product.active:
        raise ValidationError("product_id", "loan_product_inactive")
    ts = term_sheet_for_code(code)
    if ts.currency != product.currency:
        raise ValidationError("product_id", "loan_product_currency",
                              product_currency=product.currency, currency=ts.currency)
    total = parse_amount(amount, "amount")
    shares: list[LoanShare] = []
    for i, (bank_id, part) in enumerate(partners):
        field = f"partners[{i}]"
        bank = db.session.get(Organisation, require_id(bank_id, field))
        if bank is None or bank.kind is not OrgKind.BANK or bank.id == actor.organisation_id:
            raise ValidationError(field, "loan_not_another_bank")
        if any(s.bank_id == bank.id for s in shares):
            raise ValidationError(field, "loan_bank_listed_twice")
        shares.append(LoanShare(bank_id=bank.id, is_lead=False, amount=parse_amount(part, field)))
    own = total - sum((s.amount for s in shares), ZERO)
    if own <= 0:
        raise ValidationError("partners", "loan_partners_leave_nothing",
                              amount=Money(total, ts.currency))
    due = require_date(first_due_on, "first_due_on") if first_due_on not in (None, "") else None
    with unit_of_work():
        loan = Loan(term_sheet_id=ts.id, product_id=product.id, lead_bank_id=actor.organisation_id,
                    company_id=ts.company_id, currency=ts.currency, requested_amount=total,
                    reserved_amount=ZERO, first_due_on=due, status=LoanStatus.APPLIED,
                    applied_by_id=actor.user_id)
        db.session.add(loan)
        db.session.flush()
        for share in [LoanShare(bank_id=actor.organisation_id, is_lead=True, amount=own), *shares]:
            share.loan_id = loan.id
            db.session.add(share)
        db.session.flush()
        record_by(actor, "loan.apply", "loan", loan.id, {
            "term_sheet_id": ts.id, "product_id": product.id, "amount": total,
            "banks": 1 + len(shares)})
    return loan


def approve_loan(actor: Actor, loan_id: int, note: str = "") -> Loan:
    """Approve the requested amount, reserving it against the round's headroom.

    Refused (ConflictError, nothing written) when the term sheet's status falls short of
    the product's requirement or the amount exceeds the headroom at this instant —
    including reservations another bank made a moment earlier.
    """
    loan = get_loan(actor, loan_id, write=True)
    if len(str(note or "")) > 500:
        raise ValidationError("note", "too_long", max_len=500)
    if loan.status is not LoanStatus.APPLIED:
        raise ConflictError("loan_not_awaiting_decision", loan_id=loan.id, status=loan.status)
    ts, product = loan.term_sheet, loan.product
    problem = status_problem(ts, product)
    if problem is not None:
        code, params = with_prefix(problem, "loan_approve_")
        raise ConflictError(code, **params)
    amount = loan.requested_amount
    rate = _price(product)
    # in integer fen: SQL arithmetic on the stored BIGINT, no type guessing on the literals
    reserved_fen = sa.type_coerce(TermSheet.reserved_amount, sa.BigInteger)
    amount_fen = int(amount.scaleb(2))
    with unit_of_work():
        lock_row(TermSheet, ts.id)  # equity arrival and other approvals queue behind this
        arrived = max(ZERO, equity_arrived(ts.id))
        limit = loan_headroom(product.cap_amount, product.alpha, arrived, product.beta,
                              ts.post_money, ZERO).limit
        limit_fen = int(limit.scaleb(2))
        moved = updated_rows(
            sa.update(TermSheet)
            .where(TermSheet.id == ts.id, reserved_fen + amount_fen <= limit_fen,
                   TermSheet.status.not_in(list(DEAD_STATUSES)))
            .values(reserved_amount=reserved_fen + amount_fen)
            .execution_options(synchronize_session=False))
        if moved != 1:  # nothing was written; the unit of work rolls back on the raise
            reserved = db.session.scalar(sa.select(TermSheet.reserved_amount).where(
                TermSheet.id == ts.id).execution_options(populate_existing=True)) or ZERO
            cur = ts.currency
            raise ConflictError(
                "loan_approve_beyond_headroom", amount=Money(amount, cur),
                limit=Money(limit, cur), reserved=Money(reserved, cur),
                left=Money(max(ZERO, limit - reserved), cur))
        taken = updated_rows(
            sa.update(Loan).where(Loan.id == loan.id, Loan.status == LoanStatus.APPLIED)
            .values(status=LoanStatus.APPROVED, reserved_amount=amount, annual_rate=rate,
                    decided_at=utcnow(), decided_by_id=actor.user_id,
                    decision_note=str(note or "")[:500])
            .execution_options(synchronize_session=False))
        if taken != 1:
            raise ConflictError("loan_decided_meanwhile", loan_id=loan.id)
        rows = _schedule(loan, product, amount, rate)
        db.session.add_all(rows)
        record_by(actor, "loan.approve", "loan", loan.id, {
            "reserved": amount, "limit": limit, "annual_rate": rate, "schedule_rows": len(rows)},
            reason=str(note or ""))
    db.session.expire_all()
    return get_loan(actor, loan.id)


def _schedule(loan: Loan, product: LoanProduct, amount: Decimal,
              rate: Decimal) -> list[LoanScheduleRow]:
    """The contractual schedule of the approved amount: monthly over the product's tenor,
    first due on the loan's ``first_due_on`` (default: a month after approval), with the
    product's interest subsidy per period (yuan, to the fen)."""
    first = loan.first_due_on or add_months(utcnow().date(), 1)
    rows = repayment_schedule(amount, rate, product.tenor_months, first,
                              repayment_type=product.repayment_type)
    subsidy = interest_subsidy(rows, rate, product.subsidy_share,
                               max_subsidy_rate=product.subsidy_max_rate,
                               annual_cap=product.subsidy_annual_cap)
    return [LoanScheduleRow(loan_id=loan.id, period=r.period, due_on=r.due_on,
                            opening_balance=r.opening_balance, principal=r.principal,
                            interest=r.interest, subsidy=sub.subsidy,
                            closing_balance=r.closing_balance)
            for r, sub in zip(rows, subsidy.rows, strict=True)]


def _price(product: LoanProduct) -> Decimal:
    if product.rate_type is RateType.FIXED:
        assert product.fixed_rate is not None
        return product.fixed_rate
    lpr = Decimal(str(current_app.config.get("LOAN_PRIME_RATE", "0.0300")))
    return (lpr + (product.spread or ZERO)).quantize(Decimal("1e-8"))


def decline_loan(actor: Actor, loan_id: int, note: str) -> Loan:
    loan = get_loan(actor, loan_id, write=True)
    reason = str(note or "").strip()
    if not reason:
        raise ValidationError("note", "loan_decline_reason_required")
    if len(reason) > 500:
        raise ValidationError("note", "too_long", max_len=500)
    with unit_of_work():
        taken = updated_rows(
            sa.update(Loan).where(Loan.id == loan.id, Loan.status == LoanStatus.APPLIED)
            .values(status=LoanStatus.DECLINED, decided_at=utcnow(), decided_by_id=actor.user_id,
                    decision_note=reason)
            .execution_options(synchronize_session=False))
        if taken != 1:
            raise ConflictError("loan_no_longer_awaiting_decision", loan_id=loan.id)
        record_by(actor, "loan.decline", "loan", loan.id, {}, reason=reason)
    db.session.refresh(loan)
    return loan


def disburse(actor: Actor, loan_id: int, *, amount: object, value_on: object,
             memo: str = "") -> LoanEntry:
    """Pay out part of the loan: only within the reservation, only once the equity
    condition allows it, never on a lapsed or cancelled round (which flags the loan).

    Raises ConflictError with the reason, and writes nothing, when refused.
    """
    loan = get_loan(actor, loan_id, write=True)
    paid = parse_amount(amount, "amount")
    when = require_date(value_on, "value_on")
    with unit_of_work():
        lock_row(Loan, loan.id)  # concurrent disbursements of this loan queue here
        db.session.refresh(loan)
        ts, product = loan.term_sheet, loan.product
        db.session.refresh(ts)
        if ts.status in DEAD_STATUSES:
            raise ConflictError("loan_disburse_term_sheet_dead", status=ts.status)
        if loan.status not in LIVE:
            raise ConflictError("loan_disburse_not_approved", loan_id=loan.id, status=loan.status)
        drawn, cur = drawn_amount(loan.id), loan.currency
        if drawn + paid > loan.reserved_amount:
            raise ConflictError("loan_disburse_beyond_reservation", amount=Money(paid, cur),
                                total=Money(drawn + paid, cur),
                                reserved=Money(loan.reserved_amount, cur))
        equity = _equity(ts, product, loan.reserved_amount)
        if drawn + paid > equity.allowed:
            problem = equity_problem(ts, product, equity, max(ZERO, equity_arrived(ts.id)),
                                     loan.reserved_amount)
            assert problem is not None  # not met: allowed < reservation
            code, params = with_prefix(problem, "loan_disburse_", drawn=Money(drawn, cur),
                                       room=Money(max(ZERO, equity.allowed - drawn), cur))
            raise ConflictError(code, **params)
        entry = LoanEntry(loan_id=loan.id, kind=LoanEntryKind.DISBURSEMENT, value_on=when,
                          amount=paid, currency=loan.currency, memo=str(memo or "")[:500],
                          recorded_by_id=actor.user_id)
        db.session.add(entry)
        loan.status = LoanStatus.ACTIVE
        db.session.flush()
        record_by(actor, "loan.disburse", "loan", loan.id, {"amount": paid, "value_on": when,
                                                            "entry_id": entry.id})
    return entry


def record_repayment(actor: Actor, loan_id: int, *, principal: object, interest: object,
                     value_on: object, subsidy: object = None) -> list[LoanEntry]:
    """Record a repayment (principal and interest) and any subsidy received, as entries.

    Principal cannot exceed what is outstanding; a loan repaid in full becomes ``repaid``.
    """
    loan = get_loan(actor, loan_id, write=True)
    when = require_date(value_on, "value_on")
    parts = [(LoanEntryKind.PRINCIPAL_REPAYMENT,
              parse_amount(principal, "principal", allow_zero=True)),
             (LoanEntryKind.INTEREST_PAYMENT, parse_amount(interest, "interest", allow_zero=True))]
    if subsidy not in (None, ""):
        parts.append((LoanEntryKind.SUBSIDY_RECEIVED, parse_amount(subsidy, "subsidy")))
    if not any(amount for _, amount in parts):
        raise ValidationError("principal", "loan_repayment_empty")
    with unit_of_work():
        lock_row(Loan, loan.id)
        db.session.refresh(loan)
        if loan.status is not LoanStatus.ACTIVE:  # after a default, money back is a recovery
            raise ConflictError("loan_repay_not_active", loan_id=loan.id, status=loan.status)
        outstanding = outstanding_principal(loan.id)
        if parts[0][1] > outstanding:
            raise ValidationError("principal", "loan_principal_beyond_outstanding",
                                  amount=Money(parts[0][1], loan.currency),
                                  outstanding=Money(outstanding, loan.currency))
        entries = [LoanEntry(loan_id=loan.id, kind=kind, value_on=when, amount=amount,
                             currency=loan.currency, recorded_by_id=actor.user_id)
                   for kind, amount in parts if amount]
        db.session.add_all(entries)
        if parts[0][1] == outstanding and drawn_amount(loan.id) == loan.reserved_amount:
            loan.status = LoanStatus.REPAID
        db.session.flush()
        record_by(actor, "loan.repayment", "loan", loan.id,
                  {kind.value: amount for kind, amount in parts})
    return entries


def outstanding_principal(loan_id: int) -> Decimal:
    """Disbursed − principal repaid − written off (yuan)."""
    sums = dict(
        db.session.execute(
            sa.select(LoanEntry.kind, sa.func.sum(LoanEntry.amount))
            .where(LoanEntry.loan_id == loan_id)
            .group_by(LoanEntry.kind)
        ).all()
    )
    return (sums.get(LoanEntryKind.DISBURSEMENT, ZERO)
            - sums.get(LoanEntryKind.PRINCIPAL_REPAYMENT, ZERO)
            - sums.get(LoanEntryKind.WRITE_OFF, ZERO))


def recoveries(loan_id: int, before: date | None = None) -> Decimal:
    """Recoveries recorded on the loan (on or before ``before`` if given)."""
    query = sa.select(sa.func.sum(LoanEntry.amount)).where(
        LoanEntry.loan_id == loan_id, LoanEntry.kind == LoanEntryKind.RECOVERY)
    if before is not None:
        query = query.where(LoanEntry.value_on <= before)
    return db.session.scalar(query) or ZERO
