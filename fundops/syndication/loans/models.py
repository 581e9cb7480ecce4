"""Bank loan products, linked loans with their lending banks, the loan ledger and warrants.

A loan's ``reserved_amount`` is what its approval reserved against the term sheet (the
sum of its banks' shares); it is added to ``term_sheet.reserved_amount`` in the same
conditional UPDATE that approves the loan. Loan entries are append-only (corrections
are reversal entries); the schedule is stored when the loan is approved.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.db import Money, Quantity, Rate, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.syndication.enums import (
    Collateral,
    EquityRule,
    LoanEntryKind,
    LoanStatus,
    RateType,
    RepaymentType,
    TermSheetStatus,
    WarrantStatus,
)
from fundops.syndication.term_sheets.models import TermSheet

APPEND_ONLY_TABLES = ("loan_entry", "loan_schedule_row")


class LoanProduct(Model):
    """A bank's investment-linked loan product: sizing, equity condition and pricing.

    Sizing: ``min(cap_amount, alpha × equity arrived, beta × post-money)`` less what every
    bank has reserved on the round. Rates are annual fractions (0.0345 = 3.45 %).
    """

    __tablename__ = "loan_product"
    __table_args__ = (
        sa.CheckConstraint("alpha >= 0 AND alpha <= 100000000", name="alpha_range"),
        sa.CheckConstraint("beta >= 0 AND beta <= 100000000", name="beta_range"),
        sa.CheckConstraint("cap_amount > 0", name="cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    currency: Mapped[str] = mapped_column(sa.String(3))
    alpha: Mapped[Decimal] = mapped_column(Rate())  # of equity arrived
    beta: Mapped[Decimal] = mapped_column(Rate())  # of post-money valuation
    cap_amount: Mapped[Decimal] = mapped_column(Money())
    required_status: Mapped[TermSheetStatus] = mapped_column(enum_column(TermSheetStatus))
    equity_rule: Mapped[EquityRule] = mapped_column(enum_column(EquityRule))
    required_share: Mapped[Decimal] = mapped_column(Rate())  # γ: share of the round arrived
    tenor_months: Mapped[int] = mapped_column(sa.Integer)
    rate_type: Mapped[RateType] = mapped_column(enum_column(RateType))
    fixed_rate: Mapped[Decimal | None] = mapped_column(Rate())
    spread: Mapped[Decimal | None] = mapped_column(Rate())  # over LPR
    repayment_type: Mapped[RepaymentType] = mapped_column(enum_column(RepaymentType))
    subsidy_share: Mapped[Decimal] = mapped_column(Rate(), default=Decimal(0))  # 贴息 share
    subsidy_max_rate: Mapped[Decimal | None] = mapped_column(Rate())
    subsidy_annual_cap: Mapped[Decimal | None] = mapped_column(Money())
    warrant_coverage: Mapped[Decimal] = mapped_column(Rate(), default=Decimal(0))
    collateral: Mapped[Collateral] = mapped_column(enum_column(Collateral))
    risk_scheme: Mapped[str] = mapped_column(sa.String(100), default="")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Loan(Model):
    """An application, then a loan, against one term sheet, under one product."""

    __tablename__ = "loan"
    __table_args__ = (sa.CheckConstraint("requested_amount > 0", name="requested_positive"),
                      sa.CheckConstraint("reserved_amount >= 0", name="reserved_non_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    term_sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("term_sheet.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("loan_product.id"), index=True)
    lead_bank_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    requested_amount: Mapped[Decimal] = mapped_column(Money())
    reserved_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    annual_rate: Mapped[Decimal | None] = mapped_column(Rate())  # fixed at approval
    first_due_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[LoanStatus] = mapped_column(enum_column(LoanStatus))
    flag: Mapped[str] = mapped_column(sa.String(300), default="")  # e.g. term sheet lapsed
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    applied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decision_note: Mapped[str] = mapped_column(sa.String(500), default="")

    term_sheet: Mapped[TermSheet] = relationship()
    product: Mapped[LoanProduct] = relationship()
    shares: Mapped[list[LoanShare]] = relationship(back_populates="loan", order_by="LoanShare.id")


class LoanShare(Model):
    """One lending bank's part of a (joint) loan; the lead bank's row has ``is_lead``."""

    __tablename__ = "loan_share"
    __table_args__ = (sa.UniqueConstraint("loan_id", "bank_id"),
                      sa.CheckConstraint("amount > 0", name="amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), index=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    amount: Mapped[Decimal] = mapped_column(Money())

    loan: Mapped[Loan] = relationship(back_populates="shares")


class LoanEntry(Model):
    """One posted event of a loan (positive amounts; reversals negate, like the fund ledger)."""

    __tablename__ = "loan_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), index=True)
    kind: Mapped[LoanEntryKind] = mapped_column(enum_column(LoanEntryKind))
    value_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("loan_entry.id"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class LoanScheduleRow(Model):
    """One period of the contractual repayment schedule, stored at approval."""

    __tablename__ = "loan_schedule_row"
    __table_args__ = (sa.UniqueConstraint("loan_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), index=True)
    period: Mapped[int] = mapped_column(sa.Integer)
    due_on: Mapped[date] = mapped_column(sa.Date)
    opening_balance: Mapped[Decimal] = mapped_column(Money())
    principal: Mapped[Decimal] = mapped_column(Money())
    interest: Mapped[Decimal] = mapped_column(Money())
    subsidy: Mapped[Decimal] = mapped_column(Money())
    closing_balance: Mapped[Decimal] = mapped_column(Money())


class Warrant(Model):
    """认股权 attached to a loan: holder, coverage, exercise price and window."""

    __tablename__ = "warrant"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), index=True)
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    coverage: Mapped[Decimal] = mapped_column(Rate())  # of the loan amount
    amount: Mapped[Decimal] = mapped_column(Money())  # coverage × loan
    exercise_price: Mapped[Decimal | None] = mapped_column(Quantity())
    window_from: Mapped[date] = mapped_column(sa.Date)
    window_to: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[WarrantStatus] = mapped_column(enum_column(WarrantStatus),
                                                  default=WarrantStatus.OPEN)
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
