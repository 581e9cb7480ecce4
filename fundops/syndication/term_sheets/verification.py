"""Verification codes: the company hands one to a bank, which then sees the verified facts.

A code is 20 random base32 characters (100 bits) shown once to the term sheet's owner;
only its SHA-256 is stored. An unknown or revoked code is "not found", like any other
object outside the caller's reach.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.auth.models import Organisation
from fundops.db import utcnow
from fundops.errors import NotFound, ValidationError
from fundops.extensions import db
from fundops.portfolio.models import Company, Fund
from fundops.portfolio.queries import get_fund_totals
from fundops.syndication.term_sheets.fundings import arrived_by_allocation
from fundops.syndication.term_sheets.models import TermSheet, TermSheetAllocation, VerificationCode
from fundops.syndication.term_sheets.services import get_term_sheet
from fundops.uow import Actor, unit_of_work

ZERO = Decimal("0.00")


def _hash(code: str) -> str:
    normal = "".join(ch for ch in str(code).upper() if ch.isalnum())
    return hashlib.sha256(normal.encode("ascii", "ignore")).hexdigest()


def issue_code(actor: Actor, term_sheet_id: int) -> tuple[VerificationCode, str]:
    """A new code for the term sheet (owner's writers); returns the record and the code
    text, formatted in groups of four (the only time it is shown)."""
    ts = get_term_sheet(actor, term_sheet_id, write=True)
    raw = base64.b32encode(secrets.token_bytes(15)).decode("ascii")  # 24 chars, 120 bits
    text = "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    with unit_of_work():
        code = VerificationCode(term_sheet_id=ts.id, code_hash=_hash(raw), hint=raw[-4:],
                                created_by_id=actor.user_id)
        db.session.add(code)
        db.session.flush()
        record_by(actor, "verification_code.issue", "term_sheet", ts.id, {"code_id": code.id,
                                                                          "hint": code.hint})
    return code, text


def revoke_code(
    actor: Actor, term_sheet_id: int, code_id: int, reason: str = ""
) -> VerificationCode:
    """Revoke a code; banks that applied with it keep their applications."""
    ts = get_term_sheet(actor, term_sheet_id, write=True)
    code = db.session.get(VerificationCode, int(code_id))
    if code is None or code.term_sheet_id != ts.id:
        raise NotFound()
    if code.revoked_at is not None:
        raise ValidationError("code_id", "verification_code_revoked")
    with unit_of_work():
        code.revoked_at, code.revoked_by_id = utcnow(), actor.user_id
        record_by(actor, "verification_code.revoke", "term_sheet", ts.id,
                  {"code_id": code.id}, reason=str(reason or "")[:500])
    return code


def list_codes(actor: Actor, term_sheet_id: int) -> list[VerificationCode]:
    """The term sheet's codes (hint, dates, revocation) for its owner organisation, any role."""
    ts = get_term_sheet(actor, term_sheet_id)
    if ts.organisation_id != actor.organisation_id:
        raise NotFound()
    return list(db.session.scalars(sa.select(VerificationCode).where(
        VerificationCode.term_sheet_id == ts.id).order_by(VerificationCode.id)))


def term_sheet_for_code(code: str) -> TermSheet:
    """The term sheet a live code points to; NotFound otherwise."""
    row = db.session.scalar(sa.select(VerificationCode).where(
        VerificationCode.code_hash == _hash(code), VerificationCode.revoked_at.is_(None)))
    if row is None:
        raise NotFound()
    ts = db.session.get(TermSheet, row.term_sheet_id)
    assert ts is not None
    return ts


@dataclass(frozen=True)
class VerifiedFacts:
    """What a bank may know about a round: amounts in yuan of ``currency``.

    ``lead_can_pay`` is whether the lead fund's uncalled capital covers the part of its
    allocation that has not arrived yet; ``reserved_by_banks`` is every bank's live
    reservations on the round together (no bank named).
    """

    term_sheet_id: int
    status: str
    company_name: str
    company_uscc: str
    round_name: str
    instrument: str
    currency: str
    round_size: Decimal
    pre_money: Decimal
    post_money: Decimal
    price_per_share: Decimal | None
    is_binding: bool
    signed_on: date | None
    long_stop_on: date
    lead_fund_name: str
    lead_fund_registration_no: str | None
    lead_manager: str
    lead_allocation: Decimal
    lead_arrived: Decimal
    lead_uncalled: Decimal
    lead_can_pay: bool
    allocated: Decimal
    equity_arrived: Decimal
    reserved_by_banks: Decimal
    tranches: tuple[tuple[int, Decimal, date | None], ...]


def facts_of(ts: TermSheet) -> VerifiedFacts:
    """The verified facts of a term sheet (no access check: callers decide who may see)."""
    company = db.session.get(Company, ts.company_id)
    fund = db.session.get(Fund, ts.lead_fund_id)
    assert company is not None and fund is not None
    manager = db.session.get(Organisation, fund.organisation_id)
    allocations = list(db.session.scalars(sa.select(TermSheetAllocation).where(
        TermSheetAllocation.term_sheet_id == ts.id).order_by(TermSheetAllocation.id)))
    arrived = arrived_by_allocation(ts.id)
    lead = next(a for a in allocations if a.is_lead)
    lead_arrived = arrived.get(lead.id, ZERO)
    uncalled = get_fund_totals(fund).uncalled_amount
    return VerifiedFacts(
        term_sheet_id=ts.id, status=ts.status.value, company_name=company.name,
        company_uscc=company.uscc, round_name=ts.round_name, instrument=ts.instrument.value,
        currency=ts.currency, round_size=ts.round_size, pre_money=ts.pre_money,
        post_money=ts.post_money, price_per_share=ts.price_per_share, is_binding=ts.is_binding,
        signed_on=ts.signed_on, long_stop_on=ts.long_stop_on, lead_fund_name=fund.name_zh,
        lead_fund_registration_no=fund.registration_no,
        lead_manager=manager.name if manager else "", lead_allocation=lead.amount,
        lead_arrived=lead_arrived, lead_uncalled=uncalled,
        lead_can_pay=uncalled >= lead.amount - lead_arrived,
        allocated=sum((a.amount for a in allocations), ZERO),
        equity_arrived=sum(arrived.values(), ZERO), reserved_by_banks=ts.reserved_amount,
        tranches=tuple((t.seq, t.amount, t.expected_on) for t in ts.tranches),
    )


def verify(actor: Actor, code: str) -> VerifiedFacts:
    """The facts behind a live code, for any signed-in organisation (normally a bank).

    Each successful look-up is audited in the caller's trail (which organisation looked
    at which round, with which code), so the owner can be told who verified its round.
    """
    ts = term_sheet_for_code(code)
    row = db.session.scalar(sa.select(VerificationCode).where(
        VerificationCode.code_hash == _hash(code)))
    with unit_of_work():
        record_by(actor, "verification_code.verify", "term_sheet", ts.id,
                  {"code_id": row.id if row else None, "status": ts.status.value})
    return facts_of(ts)
