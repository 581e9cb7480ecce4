"""Notices: setting the fund's receiving account (收款账户) and issuing the notices of a
capital call (缴款通知书) or a distribution (分配通知书), one per LP line.

Every write validates, takes the fund's lock first
(:func:`fundops.portfolio.ledger_services.lock_fund`), re-reads what its check depends
on, writes and audits inside one unit of work; a refusal writes nothing. Nothing here
posts to the ledger.

**Issuing** an entry makes one notice per non-zero LP allocation, numbered in the fund's
series of its kind (``<fund code>-CN-0001`` …, ``-DN-`` for distributions) in investor id
order, the next number read under the fund lock (two issues never share a number).
Issuing an entry a second time is **refused** (``notices_already_issued``, a conflict:
the existing set is not returned). A call notice needs the receiving account in force on
its date (``notice_no_account``) and the call's due date
(:func:`fundops.reports.payments.queries.due_on`); a call not yet issued is first issued
through :func:`fundops.reports.payments.services.issue_call` (notice date = this date;
due date as given, else the later of the call's value date and
:func:`~fundops.reports.payments.services.default_due_on`), in the same unit of work. A
due date given for a call that already has a different one is ``notice_due_differs``; for
a distribution it is ignored. Amounts are the allocations, exact (2 dp).
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.clock import business_today
from fundops.errors import ConflictError, ValidationError
from fundops.extensions import db
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.ledger_services import lock_fund
from fundops.portfolio.models import Fund
from fundops.portfolio.services import check_in_life
from fundops.reports.notices.models import Notice, NoticeKind, ReceivingAccount
from fundops.reports.notices.queries import (
    NOTICE_KINDS,
    ZERO,
    account_on,
    carry_withheld,
    cumulative_on,
    entry_of,
    notices_of_entry,
)
from fundops.reports.payments import queries as pay_queries
from fundops.reports.payments.queries import managed_fund, reversed_ids
from fundops.reports.payments.services import default_due_on, issue_call
from fundops.uow import Actor, unit_of_work
from fundops.validation import require_date, require_id, require_text

ACCOUNT_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z -]{4,38}[0-9A-Za-z]$")
"""6 … 40 letters or digits, spaces or hyphens inside (a mainland account is 12 … 19
digits; a foreign one may be an IBAN)."""


def set_receiving_account(
    actor: Actor, fund_id: int, *, effective_on: object, bank_name: object,
    account_name: object, account_number: object, branch: object = "",
) -> ReceivingAccount:
    """Record a new version of the fund's receiving account, in force from
    ``effective_on`` (within the fund's life) until a later version (append-only)."""
    fund = managed_fund(actor, fund_id, write=True)
    when = require_date(effective_on, "effective_on")
    check_in_life(fund, when, "effective_on")
    bank = require_text(bank_name, "bank_name", 200)
    name = require_text(account_name, "account_name", 200)
    number = require_text(account_number, "account_number", 40)
    if not ACCOUNT_NUMBER.match(number):
        raise ValidationError("account_number", "account_number_invalid")
    where = str(branch or "").strip()
    if len(where) > 200:
        raise ValidationError("branch", "too_long", max_len=200)
    with unit_of_work():
        lock_fund(fund.id)
        row = ReceivingAccount(fund_id=fund.id, effective_on=when, bank_name=bank,
                               account_name=name, account_number=number, branch=where,
                               recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        record_by(actor, "receiving_account.create", "receiving_account", row.id, {
            "fund_id": fund.id, "effective_on": when, "bank_name": bank,
            "account_name": name, "account_number": number, "branch": where})
        return row


def _notice_date(fund: Fund, issued_on: object) -> date:
    today = business_today()
    issued = today if issued_on in (None, "") else require_date(issued_on, "issued_on")
    if issued > today:
        raise ValidationError("issued_on", "notice_issued_in_future", on=issued)
    if issued < fund.inception_on:
        raise ValidationError("issued_on", "notice_before_inception", on=issued,
                              inception=fund.inception_on)
    return issued


def _kind(entry: CashFlow) -> NoticeKind:
    kind = NOTICE_KINDS.get(entry.kind)
    if kind is None:
        raise ValidationError("entry_id", "notice_entry_kind")
    if entry.reverses_id is not None:
        raise ValidationError("entry_id", "notice_entry_reversal")
    return kind


def _call_due(actor: Actor, fund: Fund, entry: CashFlow, issued: date,
              given: date | None) -> date:
    """The call's due date; a call never issued is issued now (see the module)."""
    due = pay_queries.due_on(entry.id)
    if due is not None:
        if given is not None and given != due:
            raise ValidationError("due_on", "notice_due_differs", due_on=due)
        return due
    target = given or max(default_due_on(fund.id, issued), entry.value_on)
    return issue_call(actor, fund.id, entry.id, issued_on=issued, due_on=target).due_on


def issue_notices(actor: Actor, fund_id: int, entry_id: int, *, issued_on: object = None,
                  due_on: object = None) -> list[Notice]:
    """Issue the notices of a capital call or a distribution (see the module); returns
    them in number order."""
    fund = managed_fund(actor, fund_id, write=True)
    entry = entry_of(fund.id, require_id(entry_id, "entry_id"))
    kind = _kind(entry)
    issued = _notice_date(fund, issued_on)
    given = None if due_on in (None, "") else require_date(due_on, "due_on")
    with unit_of_work():
        lock_fund(fund.id)
        if entry.id in reversed_ids(fund.id):
            raise ValidationError("entry_id", "notice_entry_reversed")
        existing = notices_of_entry(entry.id)
        if existing:
            raise ConflictError("notices_already_issued", first=existing[0].number,
                                last=existing[-1].number)
        lines = list(db.session.scalars(
            sa.select(CashFlowAllocation).where(CashFlowAllocation.cash_flow_id == entry.id,
                                                CashFlowAllocation.amount != 0)
            .order_by(CashFlowAllocation.investor_id)))
        if not lines:
            raise ValidationError("entry_id", "notice_no_lines")
        account, due, carry = None, None, None
        if kind is NoticeKind.CALL:
            account = account_on(fund.id, issued)
            if account is None:
                raise ValidationError("account", "notice_no_account", on=issued)
            due = _call_due(actor, fund, entry, issued, given)
        else:
            carry = carry_withheld(entry.id)
        figures = cumulative_on(fund.id, entry.value_on)
        last = db.session.scalar(sa.select(sa.func.max(Notice.seq)).where(
            Notice.fund_id == fund.id, Notice.kind == kind)) or 0
        notices = []
        for seq, line in enumerate(lines, start=last + 1):
            f = figures.get(line.investor_id)
            notice = Notice(
                fund_id=fund.id, cash_flow_id=entry.id, investor_id=line.investor_id,
                kind=kind, seq=seq, number=f"{fund.code}-{kind.code}-{seq:04d}",
                issued_on=issued, due_on=due, account_id=account.id if account else None,
                amount=line.amount, currency=line.currency,
                carry_withheld=None if carry is None else carry.get(line.investor_id, ZERO),
                committed=f.committed if f else ZERO, paid_in=f.paid_in if f else ZERO,
                unfunded=f.unfunded if f else ZERO, distributed=f.distributed if f else ZERO,
                recorded_by_id=actor.user_id)
            db.session.add(notice)
            notices.append(notice)
        db.session.flush()
        record_by(actor, "notices.issue", "cash_flow", entry.id, {
            "fund_id": fund.id, "kind": kind.value, "issued_on": issued, "due_on": due,
            "account_id": account.id if account else None,
            "notices": {n.number: {"investor_id": n.investor_id, "amount": n.amount}
                        for n in notices}})
        return notices

