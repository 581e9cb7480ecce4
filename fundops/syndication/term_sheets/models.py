"""Term sheets, their syndicate, equity arrival, status history and verification codes.

A term sheet (投资意向书 / 条款清单) is owned by the organisation managing its lead fund.
``reserved_amount`` is the sum of every bank's live reservations against the round; it
only moves through one conditional UPDATE (see :mod:`fundops.syndication.loans.services`) and
the database checks ``0 ≤ reserved_amount ≤ round_size`` as a backstop. Equity arrival
(:class:`TermSheetFunding`), status history and verification codes are append-only
except a code's revocation stamp.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.db import Money, Quantity, Rate, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.portfolio.enums import Instrument
from fundops.portfolio.models import Company, Fund
from fundops.syndication.enums import FundingSource, TermSheetStatus

APPEND_ONLY_TABLES = ("term_sheet_event", "term_sheet_funding")


class TermSheet(Model):
    """One financing round of a company as its lead investor agreed it."""

    __tablename__ = "term_sheet"
    __table_args__ = (
        sa.CheckConstraint("reserved_amount >= 0 AND reserved_amount <= round_size",
                           name="reserved_within_round"),
        sa.CheckConstraint("round_size > 0", name="round_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    lead_fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    round_name: Mapped[str] = mapped_column(sa.String(50))
    instrument: Mapped[Instrument] = mapped_column(enum_column(Instrument))
    currency: Mapped[str] = mapped_column(sa.String(3))
    round_size: Mapped[Decimal] = mapped_column(Money())
    pre_money: Mapped[Decimal] = mapped_column(Money())
    post_money: Mapped[Decimal] = mapped_column(Money())
    price_per_share: Mapped[Decimal | None] = mapped_column(Quantity())
    ownership_rate: Mapped[Decimal | None] = mapped_column(Rate())  # fully diluted, of the round
    liquidation_preference: Mapped[Decimal | None] = mapped_column(Rate())  # multiple, 1.0 = 1x
    redemption_rate: Mapped[Decimal | None] = mapped_column(Rate())  # annual buy-back rate
    use_of_proceeds: Mapped[str] = mapped_column(sa.String(500), default="")
    is_binding: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    signed_on: Mapped[date | None] = mapped_column(sa.Date)
    long_stop_on: Mapped[date] = mapped_column(sa.Date)
    expected_funding_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[TermSheetStatus] = mapped_column(enum_column(TermSheetStatus))
    reserved_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    company: Mapped[Company] = relationship()
    lead_fund: Mapped[Fund] = relationship()
    allocations: Mapped[list[TermSheetAllocation]] = relationship(
        back_populates="term_sheet", order_by="TermSheetAllocation.id")
    tranches: Mapped[list[TermSheetTranche]] = relationship(order_by="TermSheetTranche.seq")


class TermSheetAllocation(Model):
    """One investor's part of the round: a fund in fundops, or an outside investor by name."""

    __tablename__ = "term_sheet_allocation"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("term_sheet.id"), index=True)
    fund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    investor_name: Mapped[str] = mapped_column(sa.String(200))
    is_lead: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))

    term_sheet: Mapped[TermSheet] = relationship(back_populates="allocations")
    fund: Mapped[Fund | None] = relationship()


class TermSheetTranche(Model):
    """A tranche of the round: its amount, expected date and release condition."""

    __tablename__ = "term_sheet_tranche"
    __table_args__ = (sa.UniqueConstraint("term_sheet_id", "seq"),
                      sa.CheckConstraint("amount > 0", name="amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    term_sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("term_sheet.id"), index=True)
    seq: Mapped[int] = mapped_column(sa.Integer)
    amount: Mapped[Decimal] = mapped_column(Money())
    expected_on: Mapped[date | None] = mapped_column(sa.Date)
    condition: Mapped[str] = mapped_column(sa.String(300), default="")


class TermSheetFunding(Model):
    """Equity that arrived against an allocation (append-only; reversals are negative).

    ``source = ledger``: ``cash_flow_id`` is the investing fund's INVESTMENT entry (or its
    reversal) in the company; ``evidence``: an outside investor's payment, with the
    lead GP's evidence reference (bank statement, capital verification report).
    """

    __tablename__ = "term_sheet_funding"

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(sa.ForeignKey("term_sheet_allocation.id"),
                                               index=True)
    source: Mapped[FundingSource] = mapped_column(enum_column(FundingSource))
    cash_flow_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    evidence_ref: Mapped[str] = mapped_column(sa.String(200), default="")
    arrived_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class TermSheetEvent(Model):
    """A status transition: who, when, from, to and why (append-only)."""

    __tablename__ = "term_sheet_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("term_sheet.id"), index=True)
    from_status: Mapped[TermSheetStatus | None] = mapped_column(enum_column(TermSheetStatus))
    to_status: Mapped[TermSheetStatus] = mapped_column(enum_column(TermSheetStatus))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class VerificationCode(Model):
    """A code the company hands to a bank; only its SHA-256 is stored. Revocable."""

    __tablename__ = "verification_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("term_sheet.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hint: Mapped[str] = mapped_column(sa.String(8))  # the last characters, to tell codes apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
