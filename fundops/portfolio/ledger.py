"""Append-only ledger tables: cash flows, LP allocations, valuations and investments.

Sign convention: ``CashFlow.amount`` is positive in the direction its kind names
(a capital call is money from LPs into the fund, a distribution is money from the fund
to LPs, an investment is money from the fund to a company, …). A reversal entry has
the same kind and the negated amount, so original + reversal nets to exactly zero.
Rows in these tables are never updated or deleted; database triggers enforce it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.db import Money, Quantity, Rate, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.portfolio.enums import (
    CallPurpose,
    CashFlowKind,
    DistributionType,
    Instrument,
)
from fundops.portfolio.models import Company, Fund, Investor

APPEND_ONLY_TABLES = (
    "commitment",
    "cash_flow",
    "cash_flow_allocation",
    "fund_valuation",
    "holding_valuation",
    "investment",
    "audit_event",
)


class CashFlow(Model):
    """One posted ledger entry of a fund (see the module docstring for the sign)."""

    __tablename__ = "cash_flow"
    __table_args__ = (
        sa.UniqueConstraint("fund_id", "source_ref"),
        # per-fund, per-kind sums up to a date read only this (covering) index
        sa.Index("ix_cash_flow_fund_kind_value_on", "fund_id", "kind", "value_on", "amount"),
        # a page of a fund's ledger (newest first) reads only its rows, in index order
        sa.Index("ix_cash_flow_fund_value_on_id", "fund_id", "value_on", "id"),
        # a parent's sums per sub-fund read only its fund-of-funds entries (partial index)
        sa.Index("ix_cash_flow_fund_target", "fund_id", "target_fund_id", "kind", "amount",
                 sqlite_where=sa.text("target_fund_id IS NOT NULL"),
                 postgresql_where=sa.text("target_fund_id IS NOT NULL")),
        # a fund's sums per company read only its company entries (partial index)
        sa.Index("ix_cash_flow_fund_company", "fund_id", "company_id", "kind", "amount",
                 sqlite_where=sa.text("company_id IS NOT NULL"),
                 postgresql_where=sa.text("company_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    kind: Mapped[CashFlowKind] = mapped_column(enum_column(CashFlowKind))
    call_purpose: Mapped[CallPurpose | None] = mapped_column(enum_column(CallPurpose))
    distribution_type: Mapped[DistributionType | None] = mapped_column(
        enum_column(DistributionType)
    )
    recallable: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    value_on: Mapped[date] = mapped_column(sa.Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    counterparty: Mapped[str] = mapped_column(sa.String(200), default="")
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("company.id"), index=True)
    # The sub-fund paid or received, for FUND_CONTRIBUTION / FUND_RETURN entries.
    target_fund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    source_ref: Mapped[str | None] = mapped_column(sa.String(100))
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    reverses_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cash_flow.id"), unique=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship(foreign_keys=[fund_id])
    company: Mapped[Company | None] = relationship()
    target_fund: Mapped[Fund | None] = relationship(foreign_keys=[target_fund_id])
    allocations: Mapped[list[CashFlowAllocation]] = relationship(
        back_populates="cash_flow", order_by="CashFlowAllocation.id"
    )
    reverses: Mapped[CashFlow | None] = relationship(remote_side=[id])


class CashFlowAllocation(Model):
    """An LP's exact share of a capital call or distribution (same sign as the entry)."""

    __tablename__ = "cash_flow_allocation"
    __table_args__ = (sa.UniqueConstraint("cash_flow_id", "investor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cash_flow_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), index=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))

    cash_flow: Mapped[CashFlow] = relationship(back_populates="allocations")
    investor: Mapped[Investor] = relationship()


class FundValuation(Model):
    """Fund NAV at a date as the GP reports it; a later row for the same date supersedes."""

    __tablename__ = "fund_valuation"
    # a fund's latest NAV (on or before a date) is one step down this index
    __table_args__ = (sa.Index("ix_fund_valuation_fund_as_of_id", "fund_id", "as_of", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    as_of: Mapped[date] = mapped_column(sa.Date)
    nav_amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    source: Mapped[str] = mapped_column(sa.String(100), default="gp_report")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class HoldingValuation(Model):
    """Fair value of a fund's holding in a company at a date."""

    __tablename__ = "holding_valuation"
    # the latest valuation of each holding on or before a date: one ordered index range
    __table_args__ = (sa.Index("ix_holding_valuation_holding_as_of",
                               "fund_id", "company_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    as_of: Mapped[date] = mapped_column(sa.Date)
    fair_value_amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    method: Mapped[str] = mapped_column(sa.String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    company: Mapped[Company] = relationship()


class Investment(Model):
    """A fund's investment in a company in one round, paid by one ledger entry."""

    __tablename__ = "investment"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    round_name: Mapped[str] = mapped_column(sa.String(50))
    instrument: Mapped[Instrument] = mapped_column(enum_column(Instrument))
    invested_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    shares: Mapped[Decimal | None] = mapped_column(Quantity())
    ownership_rate: Mapped[Decimal | None] = mapped_column(Rate())
    cash_flow_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    company: Mapped[Company] = relationship()
    cash_flow: Mapped[CashFlow] = relationship()
