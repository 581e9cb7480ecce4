"""Tables of LP payments (append-only; database triggers, migration 0020_lp_payments):
payment terms per fund (versioned by effective date), a capital call's issue with its due
date (a side table keyed by the call's ledger entry: the ledger is never changed),
receipts against call lines and against default-interest charges, the charges (a
receivable of the fund, outside the fund ledger) and later closers' equalisations.

Amounts are in the row's currency with 2 decimals (receipts: a reversal is negative);
rates are fractions with 8 decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.calc.lp_payments import DefaultConvention, PremiumCompounding
from fundops.db import Money, Rate, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.models import Commitment, Investor

PAYMENT_APPEND_ONLY_TABLES = ("payment_terms", "call_issue", "interest_charge",
                              "call_receipt", "equalisation", "equalisation_line")


class PaymentTerms(Model):
    """One version of a fund's payment terms: the version with the latest ``effective_on``
    on or before a date applies (a later row for the same date supersedes).

    ``days_to_pay``: calendar days from the notice (issue) date to the due date (ILPA asks
    for at least 10 business days; the default of 10 calendar days is shorter: set it per
    the LPA). ``default_rate`` read per ``default_convention``; ``grace_days`` after the
    due date bear no interest; ``equalisation_rate`` per year, Actual/365, simple or
    compounded annually (``equalisation_compounding``)."""

    __tablename__ = "payment_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    effective_on: Mapped[date] = mapped_column(sa.Date)
    days_to_pay: Mapped[int] = mapped_column(sa.Integer)
    default_rate: Mapped[Decimal] = mapped_column(Rate())
    default_convention: Mapped[DefaultConvention] = mapped_column(
        enum_column(DefaultConvention))
    grace_days: Mapped[int] = mapped_column(sa.Integer)
    equalisation_rate: Mapped[Decimal] = mapped_column(Rate())
    equalisation_compounding: Mapped[PremiumCompounding] = mapped_column(
        enum_column(PremiumCompounding))
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class CallIssue(Model):
    """A capital call issued to its LPs: the notice date and the due date of every line of
    the call (``cash_flow_id``, one issue per call)."""

    __tablename__ = "call_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    cash_flow_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    terms_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment_terms.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    cash_flow: Mapped[CashFlow] = relationship()


class InterestCharge(Model):
    """Default interest charged on a call line (``allocation_id``), accrued to
    ``accrued_to``: a receivable of the fund from the LP, kept here (the fund ledger has
    no income kind for it). ``amount`` is what this charge adds to the earlier ones."""

    __tablename__ = "interest_charge"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    allocation_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow_allocation.id"),
                                               index=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    accrued_to: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    allocation: Mapped[CashFlowAllocation] = relationship()


class CallReceipt(Model):
    """Money received from an LP against a call line (``allocation_id``) or, with
    ``charge_id``, against a default-interest charge on it. A correction is a reversal
    row (``reverses_id``, negated amount, the same ``received_on``)."""

    __tablename__ = "call_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    allocation_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow_allocation.id"),
                                               index=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    charge_id: Mapped[int | None] = mapped_column(sa.ForeignKey("interest_charge.id"),
                                                  index=True)
    received_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    bank_reference: Mapped[str] = mapped_column(sa.String(100), default="")
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("call_receipt.id"),
                                                    unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    investor: Mapped[Investor] = relationship()
    allocation: Mapped[CashFlowAllocation] = relationship()


class Equalisation(Model):
    """A later closer's commitment equalised on ``equalised_on`` (once per commitment):
    the catch-up call, the premium call, the return of capital (recallable) and the
    premium distribution it posted (an entry is None when its amount is 0)."""

    __tablename__ = "equalisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment.id"), unique=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    equalised_on: Mapped[date] = mapped_column(sa.Date)
    rate: Mapped[Decimal] = mapped_column(Rate())
    compounding: Mapped[PremiumCompounding] = mapped_column(enum_column(PremiumCompounding))
    catch_up_amount: Mapped[Decimal] = mapped_column(Money())
    premium_amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    premium_call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cash_flow.id"),
                                                        unique=True)
    refund_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    premium_distribution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cash_flow.id"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    commitment: Mapped[Commitment] = relationship()
    investor: Mapped[Investor] = relationship()
    lines: Mapped[list[EqualisationLine]] = relationship(
        order_by="(EqualisationLine.earlier_call_id, EqualisationLine.investor_id)")


class EqualisationLine(Model):
    """One LP's change on one earlier call: ``delta`` (+ catch-up paid, − excess
    returned), the premium it paid on its catch-up and the premium it received."""

    __tablename__ = "equalisation_line"

    equalisation_id: Mapped[int] = mapped_column(sa.ForeignKey("equalisation.id"),
                                                 primary_key=True)
    earlier_call_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"),
                                                 primary_key=True, index=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), primary_key=True)
    delta: Mapped[Decimal] = mapped_column(Money())
    premium_paid: Mapped[Decimal] = mapped_column(Money())
    premium_received: Mapped[Decimal] = mapped_column(Money())

    investor: Mapped[Investor] = relationship()
