"""Loan credit events: overdue, default, write-off, recovery; and warrants on a loan.

All by the lead bank's writers, as append-only :class:`LoanEntry` rows (no cash for
OVERDUE and DEFAULT: they record amounts at a date). A recovery on a loan with a pool
claim is handed back to the parties in proportion to what each bore
(:func:`fundops.syndication.pools.services.share_recovery`). Amounts are yuan, exact to the fen.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import sqlalchemy as sa

from fundops.audit import record, record_by
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount
from fundops.syndication.enums import WARRANT_OUTCOMES, LoanEntryKind, LoanStatus, WarrantStatus
from fundops.syndication.loans.models import Loan, LoanEntry, Warrant
from fundops.syndication.loans.services import get_loan, outstanding_principal
from fundops.syndication.pools.services import share_recovery
from fundops.uow import Actor, lock_row, unit_of_work, updated_rows
from fundops.validation import require_date, require_text

ZERO = Decimal("0.00")


def _entry(loan: Loan, kind: LoanEntryKind, when: date, amount: Decimal, memo: str,
           actor: Actor) -> LoanEntry:
    entry = LoanEntry(loan_id=loan.id, kind=kind, value_on=when, amount=amount,
                      currency=loan.currency, memo=str(memo or "")[:500],
                      recorded_by_id=actor.user_id)
    db.session.add(entry)
    return entry


def _lock(loan: Loan) -> None:
    """Serialise credit events of one loan and re-read its state under the lock."""
    lock_row(Loan, loan.id)
    db.session.refresh(loan)


def mark_overdue(actor: Actor, loan_id: int, *, amount: object, value_on: object,
                 memo: str = "") -> LoanEntry:
    """Record an amount past due on a date (a memo entry: no cash moves)."""
    loan = get_loan(actor, loan_id, write=True)
    due = parse_amount(amount, "amount")
    when = require_date(value_on, "value_on")
    with unit_of_work():
        _lock(loan)
        if loan.status is not LoanStatus.ACTIVE:
            raise ConflictError("loan_overdue_not_active", loan_id=loan.id, status=loan.status)
        entry = _entry(loan, LoanEntryKind.OVERDUE, when, due, memo, actor)
        db.session.flush()
        record_by(actor, "loan.overdue", "loan", loan.id, {"amount": due, "value_on": when})
    return entry


def declare_default(actor: Actor, loan_id: int, *, value_on: object, reason: str) -> LoanEntry:
    """The loan defaults: a DEFAULT entry carries the principal outstanding at that date."""
    loan = get_loan(actor, loan_id, write=True)
    when = require_date(value_on, "value_on")
    why = require_text(reason, "reason", 500)
    with unit_of_work():
        _lock(loan)
        if loan.status is not LoanStatus.ACTIVE:
            raise ConflictError("loan_default_not_active", loan_id=loan.id, status=loan.status)
        outstanding = outstanding_principal(loan.id)
        if outstanding <= 0:
            raise ConflictError("loan_nothing_outstanding", loan_id=loan.id)
        entry = _entry(loan, LoanEntryKind.DEFAULT, when, outstanding, why, actor)
        loan.status = LoanStatus.DEFAULTED
        db.session.flush()
        record_by(actor, "loan.default", "loan", loan.id,
                  {"outstanding": outstanding, "value_on": when}, reason=why)
    return entry


def write_off(actor: Actor, loan_id: int, *, amount: object, value_on: object,
              reason: str) -> LoanEntry:
    """Write principal off a defaulted loan; fully written off → ``written_off``."""
    loan = get_loan(actor, loan_id, write=True)
    part = parse_amount(amount, "amount")
    when = require_date(value_on, "value_on")
    why = require_text(reason, "reason", 500)
    with unit_of_work():
        _lock(loan)
        if loan.status is not LoanStatus.DEFAULTED:
            raise ConflictError("loan_write_off_not_defaulted", loan_id=loan.id,
                                status=loan.status)
        outstanding = outstanding_principal(loan.id)
        if part > outstanding:
            raise ValidationError("amount", "loan_write_off_beyond_outstanding",
                                  amount=Money(part, loan.currency),
                                  outstanding=Money(outstanding, loan.currency))
        entry = _entry(loan, LoanEntryKind.WRITE_OFF, when, part, why, actor)
        if part == outstanding:
            loan.status = LoanStatus.WRITTEN_OFF
        db.session.flush()
        record_by(actor, "loan.write_off", "loan", loan.id, {"amount": part}, reason=why)
    return entry


def record_recovery(actor: Actor, loan_id: int, *, amount: object, value_on: object,
                    memo: str = "") -> LoanEntry:
    """Money recovered on a defaulted or written-off loan (collateral, guarantor, court).

    With a pool claim on the loan, the recovery is split back among the claim's parties
    in the same transaction.
    """

    loan = get_loan(actor, loan_id, write=True)
    got = parse_amount(amount, "amount")
    when = require_date(value_on, "value_on")
    with unit_of_work():
        _lock(loan)
        if loan.status not in (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF):
            raise ConflictError("loan_recovery_not_defaulted", loan_id=loan.id,
                                status=loan.status)
        entry = _entry(loan, LoanEntryKind.RECOVERY, when, got, memo, actor)
        db.session.flush()
        parts = share_recovery(loan, entry)
        record_by(actor, "loan.recovery", "loan", loan.id,
                  {"amount": got, "value_on": when, "shared": parts})
    return entry


def add_warrant(actor: Actor, loan_id: int, *, holder_name: str, window_from: object,
                window_to: object, coverage: object = None,
                exercise_price: object = None) -> Warrant:
    """认股权 on an approved loan: ``amount = coverage × reserved`` (fen, half-even);
    coverage defaults to the product's, the exercise price to the round's price."""
    loan = get_loan(actor, loan_id, write=True)
    if loan.status not in (LoanStatus.APPROVED, LoanStatus.ACTIVE):
        raise ConflictError("warrant_loan_not_live", loan_id=loan.id, status=loan.status)
    cover = (parse_amount(coverage, "coverage", places=8) if coverage not in (None, "")
             else loan.product.warrant_coverage)
    if not 0 < cover <= 1:
        raise ValidationError("coverage", "warrant_coverage_range")
    price = (parse_amount(exercise_price, "exercise_price", places=4)
             if exercise_price not in (None, "") else loan.term_sheet.price_per_share)
    start, end = require_date(window_from, "window_from"), require_date(window_to, "window_to")
    if end < start:
        raise ValidationError("window_to", "warrant_window_not_open", on=end, start=start)
    with unit_of_work():
        warrant = Warrant(loan_id=loan.id, holder_name=require_text(holder_name, "holder_name"),
                          coverage=cover, exercise_price=price, window_from=start, window_to=end,
                          amount=(cover * loan.reserved_amount).quantize(
                              Decimal("0.01"), ROUND_HALF_EVEN),
                          status=WarrantStatus.OPEN)
        db.session.add(warrant)
        db.session.flush()
        record_by(actor, "warrant.create", "loan", loan.id, {
            "warrant_id": warrant.id, "coverage": cover, "amount": warrant.amount,
            "exercise_price": price, "window": f"{start}..{end}"})
    return warrant


def get_warrant(actor: Actor, warrant_id: int, *, write: bool = False) -> Warrant:
    """A warrant on a loan the actor's bank lends in (write: the lead bank); else 404."""
    warrant = db.session.get(Warrant, int(warrant_id))
    if warrant is None:
        raise NotFound()
    try:
        get_loan(actor, warrant.loan_id, write=write)
    except NotFound:
        raise NotFound() from None
    return warrant


def _refuse_closed(warrant: Warrant) -> None:
    if warrant.status is WarrantStatus.EXERCISED:
        raise ConflictError("warrant_already_exercised", warrant_id=warrant.id)
    if warrant.status is not WarrantStatus.OPEN:
        raise ConflictError("warrant_already_expired", warrant_id=warrant.id)


def close_warrant(actor: Actor, warrant_id: int, *, outcome: str, on: object) -> Warrant:
    """Record a warrant's exercise (within its window) or expiry (after it opened);
    ``outcome`` is ``"exercised"`` or ``"expired"`` (a :class:`WarrantStatus` value)."""
    warrant = get_warrant(actor, warrant_id, write=True)
    if not isinstance(outcome, str) or outcome not in WARRANT_OUTCOMES:
        raise ValidationError("outcome", "warrant_bad_outcome")
    outcome = WarrantStatus(outcome)
    when = require_date(on, "on")
    _refuse_closed(warrant)
    if outcome is WarrantStatus.EXERCISED and not warrant.window_from <= when <= warrant.window_to:
        raise ValidationError("on", "warrant_outside_window", on=when, start=warrant.window_from,
                              end=warrant.window_to)
    if outcome is WarrantStatus.EXPIRED and when < warrant.window_from:
        raise ValidationError("on", "warrant_window_not_open", on=when, start=warrant.window_from)
    with unit_of_work():
        lock_row(Warrant, warrant.id)  # the daily job or another user may close it meanwhile
        db.session.refresh(warrant)
        _refuse_closed(warrant)
        warrant.status, warrant.closed_on = outcome, when
        record_by(actor, f"warrant.{outcome}", "loan", warrant.loan_id,
                  {"warrant_id": warrant.id, "on": when})
    return warrant


def warrants_past_window(on: date) -> list[int]:
    """Ids of open warrants whose window closed before ``on``, lowest first."""
    return list(db.session.scalars(sa.select(Warrant.id).where(
        Warrant.status == "open", Warrant.window_to < on).order_by(Warrant.id)))


def expire_past_window(warrant_id: int, on: date, *, source: str = "daily job") -> bool:
    """Expire an open warrant whose window closed before ``on``, as of its window's last
    day: a system action, audited for the lead bank. Idempotent: under the row lock, a
    conditional update; False and nothing done if no longer open (expired already, or
    exercised meanwhile) or not yet due. Joins the caller's unit of work, if any."""
    with unit_of_work():
        lock_row(Warrant, warrant_id)
        row = db.session.execute(sa.select(Warrant.loan_id, Warrant.window_to).where(
            Warrant.id == warrant_id)).one_or_none()
        if row is None:
            return False
        moved = updated_rows(
            sa.update(Warrant).where(Warrant.id == warrant_id, Warrant.status == "open",
                                     Warrant.window_to < on)
            .values(status="expired", closed_on=row.window_to)
            .execution_options(synchronize_session=False))
        if moved != 1:
            return False
        bank = db.session.scalar(sa.select(Loan.lead_bank_id).where(Loan.id == row.loan_id))
        record(organisation_id=bank, user_id=None, action="warrant.expired",
               object_type="loan", object_id=row.loan_id, changes={"warrant_id": warrant_id},
               reason=f"window closed ({source})", auth_method="system")
    return True
