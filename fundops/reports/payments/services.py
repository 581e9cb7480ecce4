"""LP payments: payment terms, issuing a capital call with its due date, receipts against
call lines (partial allowed; corrected by a reversal row), and charging default interest.

Every write validates, takes the fund's lock first
(:func:`fundops.portfolio.ledger_services.lock_fund`), re-reads what its check depends
on, writes and audits inside one unit of work; nothing is written on a refusal. Nothing
here posts to the fund ledger: a due date lives in ``call_issue`` beside the call's entry;
a receipt records cash the LP paid against a line already in the ledger (the call entry is
the contribution); default interest charged is a **receivable of the fund** from the LP,
kept in ``interest_charge`` (the ledger has no income kind for it; a receipt against the
charge records its collection). Amounts: yuan of the call's currency, 2 decimals, never
rounded silently; rates: fractions (0.0005 = 万分之五).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.calc.lp_payments import DefaultConvention, PremiumCompounding
from fundops.clock import business_today
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount, validate_currency
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.ledger_services import lock_fund
from fundops.portfolio.services import check_in_life
from fundops.reports.payments.models import CallIssue, CallReceipt, InterestCharge, PaymentTerms
from fundops.reports.payments.queries import (
    DEFAULT_DAYS_TO_PAY,
    ZERO,
    get_call,
    line_status,
    managed_fund,
    reversed_ids,
    terms_on,
)
from fundops.uow import Actor, unit_of_work
from fundops.validation import parse_enum, require_date, require_id, require_int, require_text

DAILY_RATE_CAP = Decimal("0.01")  # 1 % a day
ANNUAL_RATE_CAP = Decimal(1)  # 100 % a year


def parse_rate(value: object, field: str, cap: Decimal) -> Decimal:
    """A fraction ≥ 0 and ≤ ``cap`` with at most 8 decimals (named errors otherwise)."""
    rate = parse_amount(value, field, places=8, allow_zero=True, allow_negative=True,
                        max_abs=Decimal(1000))
    if rate < 0:
        raise ValidationError(field, "payment_rate_negative", value=rate)
    if rate > cap:
        raise ValidationError(field, "payment_rate_too_high", value=rate)
    return rate


def _text(value: object, field: str, max_len: int) -> str:
    text = str(value or "").strip()
    if len(text) > max_len:
        raise ValidationError(field, "too_long", max_len=max_len)
    return text


def set_payment_terms(
    actor: Actor, fund_id: int, *, effective_on: object, default_rate: object,
    default_convention: str = "daily", days_to_pay: object = DEFAULT_DAYS_TO_PAY,
    grace_days: object = 0, equalisation_rate: object = "0.08",
    equalisation_compounding: str = "simple", memo: str = "",
) -> PaymentTerms:
    """Record a new version of the fund's payment terms (append-only; the latest version
    effective on a date applies). ``days_to_pay`` 1 … 365 calendar days after the notice;
    ``default_rate`` per day (``daily``, ≤ 1 %) or per year (``annual_act365``, ≤ 100 %);
    ``grace_days`` 0 … 365; ``equalisation_rate`` per year (≤ 100 %), ``simple`` or
    compounded ``annual``ly. A negative rate is ``payment_rate_negative``."""
    fund = managed_fund(actor, fund_id, write=True)
    when = require_date(effective_on, "effective_on")
    check_in_life(fund, when, "effective_on")
    days = require_int(days_to_pay, "days_to_pay", 1, 365)
    grace = require_int(grace_days, "grace_days", 0, 365)
    convention = parse_enum(DefaultConvention, default_convention, "default_convention")
    cap = DAILY_RATE_CAP if convention is DefaultConvention.DAILY else ANNUAL_RATE_CAP
    rate = parse_rate(default_rate, "default_rate", cap)
    eq_rate = parse_rate(equalisation_rate, "equalisation_rate", ANNUAL_RATE_CAP)
    compounding = parse_enum(PremiumCompounding, equalisation_compounding,
                             "equalisation_compounding")
    note = _text(memo, "memo", 500)
    with unit_of_work():
        lock_fund(fund.id)
        row = PaymentTerms(fund_id=fund.id, effective_on=when, days_to_pay=days,
                           default_rate=rate, default_convention=convention, grace_days=grace,
                           equalisation_rate=eq_rate, equalisation_compounding=compounding,
                           memo=note, recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        record_by(actor, "payment_terms.create", "payment_terms", row.id, {
            "fund_id": fund.id, "effective_on": when, "days_to_pay": days,
            "default_rate": rate, "default_convention": convention.value,
            "grace_days": grace, "equalisation_rate": eq_rate,
            "equalisation_compounding": compounding.value})
        return row


def default_due_on(fund_id: int, issued_on: date) -> date:
    """The notice date plus the terms' days to pay (no terms: 10 calendar days)."""
    terms = terms_on(fund_id, issued_on)
    return issued_on + timedelta(days=terms.days_to_pay if terms else DEFAULT_DAYS_TO_PAY)


def issue_call(actor: Actor, fund_id: int, entry_id: int, *, issued_on: object = None,
               due_on: object = None) -> CallIssue:
    """Issue a capital call to its LPs: the notice date (default: the call's date) and
    the due date of every line (default: :func:`default_due_on`). Once per call
    (``call_already_issued``); a reversed call cannot be issued; the due date may not be
    before the call date (``due_before_call``) nor the notice (``due_before_issue``)."""
    fund = managed_fund(actor, fund_id, write=True)
    entry = get_call(fund.id, entry_id)
    issued = entry.value_on if issued_on in (None, "") else require_date(issued_on, "issued_on")
    check_in_life(fund, issued, "issued_on")
    with unit_of_work():
        lock_fund(fund.id)
        if entry.id in reversed_ids(fund.id):
            raise ValidationError("entry_id", "call_reversed")
        existing = db.session.scalars(
            sa.select(CallIssue).where(CallIssue.cash_flow_id == entry.id)).first()
        if existing is not None:
            raise ConflictError("call_already_issued", issued_on=existing.issued_on,
                                due_on=existing.due_on)
        due = (default_due_on(fund.id, issued) if due_on in (None, "")
               else require_date(due_on, "due_on"))
        if due < entry.value_on:
            raise ValidationError("due_on", "due_before_call", due_on=due,
                                  value_on=entry.value_on)
        if due < issued:
            raise ValidationError("due_on", "due_before_issue", due_on=due, issued_on=issued)
        terms = terms_on(fund.id, issued)
        row = CallIssue(fund_id=fund.id, cash_flow_id=entry.id, issued_on=issued, due_on=due,
                        terms_id=terms.id if terms else None, recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        record_by(actor, "call_issue.create", "call_issue", row.id, {
            "fund_id": fund.id, "cash_flow_id": entry.id, "issued_on": issued, "due_on": due})
        return row


def _line(entry: CashFlow, investor_id: object) -> CashFlowAllocation:
    inv = require_id(investor_id, "investor_id")
    line = db.session.scalars(sa.select(CashFlowAllocation).where(
        CashFlowAllocation.cash_flow_id == entry.id, CashFlowAllocation.investor_id == inv,
        CashFlowAllocation.amount != 0)).first()
    if line is None:
        raise ValidationError("investor_id", "line_not_in_call")
    return line


def _received(allocation_id: int, *, on_charges: bool) -> Decimal:
    query = sa.select(sa.func.sum(CallReceipt.amount)).where(
        CallReceipt.allocation_id == allocation_id)
    query = query.where(CallReceipt.charge_id.is_not(None) if on_charges
                        else CallReceipt.charge_id.is_(None))
    return db.session.scalar(query) or ZERO


def record_receipt(
    actor: Actor, fund_id: int, entry_id: int, *, investor_id: object, received_on: object,
    amount: object, currency: str | None = None, bank_reference: str = "", memo: str = "",
    against_interest: bool = False,
) -> CallReceipt:
    """Record money received from an LP against its line of a call (partial allowed) or,
    with ``against_interest``, against the default interest charged on the line.

    Refused, writing nothing: more than is still due on the line (or on its charges) at
    any date (``receipt_exceeds_due``, field ``amount``); a reversed call
    (``call_reversed``); a date before the call (``receipt_before_call``); another
    currency than the call's (``receipt_currency_mismatch``). The check runs under the
    fund lock, so two concurrent receipts never together exceed what is due."""
    fund = managed_fund(actor, fund_id, write=True)
    entry = get_call(fund.id, entry_id)
    when = require_date(received_on, "received_on")
    if when < entry.value_on:
        raise ValidationError("received_on", "receipt_before_call", received_on=when,
                              value_on=entry.value_on)
    value = parse_amount(amount, "amount")
    cur = validate_currency(currency or entry.currency)
    if cur != entry.currency:
        raise ValidationError("currency", "receipt_currency_mismatch", currency=cur,
                              expected=entry.currency)
    reference = _text(bank_reference, "bank_reference", 100)
    note = _text(memo, "memo", 500)
    with unit_of_work():
        lock_fund(fund.id)  # concurrent receipts on the fund queue here, then re-read
        line = _line(entry, investor_id)
        if entry.id in reversed_ids(fund.id):
            raise ValidationError("amount", "call_reversed")
        charge_id = None
        if against_interest:
            charged = db.session.scalar(sa.select(sa.func.sum(InterestCharge.amount)).where(
                InterestCharge.allocation_id == line.id)) or ZERO
            due = charged - _received(line.id, on_charges=True)
            charge_id = db.session.scalar(sa.select(sa.func.max(InterestCharge.id)).where(
                InterestCharge.allocation_id == line.id))
        else:
            due = line.amount - _received(line.id, on_charges=False)
        if value > due or (against_interest and charge_id is None):
            raise ValidationError("amount", "receipt_exceeds_due", amount=Money(value, cur),
                                  due=Money(max(due, ZERO), cur))
        row = CallReceipt(fund_id=fund.id, allocation_id=line.id,
                          investor_id=line.investor_id, charge_id=charge_id, received_on=when,
                          amount=value, currency=cur, bank_reference=reference, memo=note,
                          recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        record_by(actor, "call_receipt.create", "call_receipt", row.id, {
            "fund_id": fund.id, "cash_flow_id": entry.id, "investor_id": line.investor_id,
            "received_on": when, "amount": value, "currency": cur,
            "against_interest": against_interest, "bank_reference": reference})
        return row


def get_receipt(fund_id: int, receipt_id: int) -> CallReceipt:
    row = db.session.get(CallReceipt, receipt_id)
    if row is None or row.fund_id != fund_id:
        raise NotFound("receipt_not_found", receipt_id=receipt_id)
    return row


def reverse_receipt(actor: Actor, fund_id: int, receipt_id: int, reason: str) -> CallReceipt:
    """Correct a receipt by its reversal: a row with the negated amount, the same date
    and line, linked by ``reverses_id``. Once per receipt; a reversal is not reversed."""
    fund = managed_fund(actor, fund_id, write=True)
    why = require_text(reason, "reason", 500)
    with unit_of_work():
        lock_fund(fund.id)
        original = get_receipt(fund.id, receipt_id)
        if original.reverses_id is not None:
            raise ValidationError("receipt_id", "receipt_reversal_of_reversal")
        if db.session.scalar(sa.select(CallReceipt.id).where(
                CallReceipt.reverses_id == original.id)):
            raise ConflictError("receipt_already_reversed", receipt_id=original.id)
        row = CallReceipt(fund_id=fund.id, allocation_id=original.allocation_id,
                          investor_id=original.investor_id, charge_id=original.charge_id,
                          received_on=original.received_on, amount=-original.amount,
                          currency=original.currency, bank_reference=original.bank_reference,
                          memo=why, reverses_id=original.id, recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        record_by(actor, "call_receipt.reverse", "call_receipt", row.id,
                  {"reverses_id": original.id, "amount": row.amount}, why)
        return row


def charge_default_interest(actor: Actor, fund_id: int, entry_id: int, *,
                            investor_id: object, as_of: object) -> InterestCharge:
    """Charge the default interest accrued on an LP's line to ``as_of`` (not after today)
    beyond what was already charged on it: a receivable of the fund (module docstring).
    Refused: a call without a due date (``charge_no_due_date``), ``as_of`` not after the
    due date (``charge_before_due``), nothing new to charge (``nothing_to_charge``)."""
    fund = managed_fund(actor, fund_id, write=True)
    entry = get_call(fund.id, entry_id)
    on = require_date(as_of, "as_of")
    if on > business_today():
        raise ValidationError("as_of", "charge_after_today", on=on)
    with unit_of_work():
        lock_fund(fund.id)
        line = _line(entry, investor_id)
        (status,) = line_status(fund.id, on, entry_id=entry.id, investor_id=line.investor_id)
        if status.due_on is None:
            raise ValidationError("entry_id", "charge_no_due_date")
        if on <= status.due_on:
            raise ValidationError("as_of", "charge_before_due", on=on, due_on=status.due_on)
        new = status.interest - status.charged
        if new <= 0:
            raise ValidationError("as_of", "nothing_to_charge", on=on,
                                  charged=Money(status.charged, line.currency))
        row = InterestCharge(fund_id=fund.id, allocation_id=line.id,
                             investor_id=line.investor_id, accrued_to=on, amount=new,
                             currency=line.currency, recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        record_by(actor, "interest_charge.create", "interest_charge", row.id, {
            "fund_id": fund.id, "cash_flow_id": entry.id, "investor_id": line.investor_id,
            "accrued_to": on, "amount": new, "interest_to_date": status.interest})
        return row
