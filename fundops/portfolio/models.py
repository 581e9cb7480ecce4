"""Reference data of the ledger: funds and their stages, investors, commitments, companies."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.db import Money, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.portfolio.enums import (
    CompanyStage,
    CompanyTag,
    FundKind,
    FundStage,
    InvestorType,
)


class Fund(Model):
    """A fund managed by one organisation.

    Its life runs from ``inception_on`` to ``extension_end_on`` (or ``term_end_on``
    when there is no extension); ledger value dates must fall inside it.
    """

    __tablename__ = "fund"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    name_zh: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[FundKind] = mapped_column(enum_column(FundKind))
    currency: Mapped[str] = mapped_column(sa.String(3))
    vintage: Mapped[int] = mapped_column(sa.Integer)
    target_size_amount: Mapped[Decimal] = mapped_column(Money())
    inception_on: Mapped[date] = mapped_column(sa.Date)
    investment_period_end_on: Mapped[date] = mapped_column(sa.Date)
    term_end_on: Mapped[date] = mapped_column(sa.Date)
    extension_end_on: Mapped[date | None] = mapped_column(sa.Date)
    stage: Mapped[FundStage] = mapped_column(enum_column(FundStage))
    region_code: Mapped[str] = mapped_column(sa.String(6))
    registration_no: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    is_guidance_fund: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    stage_changes: Mapped[list[FundStageChange]] = relationship(
        back_populates="fund", order_by="FundStageChange.effective_on"
    )

    @property
    def life_end_on(self) -> date:
        """Last day on which the fund can record ledger entries."""
        return self.extension_end_on or self.term_end_on

    @property
    def display_name(self) -> str:
        return self.name_zh


class FundStageChange(Model):
    """A dated lifecycle transition (raising → investing → … → liquidated)."""

    __tablename__ = "fund_stage_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    stage: Mapped[FundStage] = mapped_column(enum_column(FundStage))
    effective_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship(back_populates="stage_changes")


class Investor(Model):
    """An LP as recorded by one organisation; may itself be a fund (fund-of-funds)."""

    __tablename__ = "investor"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    investor_type: Mapped[InvestorType] = mapped_column(enum_column(InvestorType))
    fund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    uscc: Mapped[str | None] = mapped_column(sa.String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    fund: Mapped[Fund | None] = relationship(foreign_keys=[fund_id])


class Commitment(Model):
    """An investor's subscription (认缴) to a fund at a closing. Append-only.

    A commitment typed by a user is positive. A transfer of an LP interest
    (:mod:`fundops.exits.transfers`) adds a negative row for the seller and a positive one
    for the buyer dated the transfer date, so every sum of an LP's commitments on a date
    is its interest in the register on that date; an amount is never 0.
    """

    __tablename__ = "commitment"
    __table_args__ = (sa.CheckConstraint("amount <> 0", name="amount_nonzero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    committed_on: Mapped[date] = mapped_column(sa.Date)
    closing: Mapped[int] = mapped_column(sa.Integer, default=1)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    investor: Mapped[Investor] = relationship()


class CompanyIdentity(Model):
    """A company's public registry facts, shared by every organisation: its unified social
    credit code, registered name and region. The first registration of a code sets them."""

    __tablename__ = "company_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    registered_name: Mapped[str] = mapped_column(sa.String(200))
    region_code: Mapped[str] = mapped_column(sa.String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Company(Model):
    """One organisation's record of a portfolio company: its private facts (sector, stage,
    flags, tags; valuations and investments point here) about a shared identity.

    ``name``, ``uscc`` and ``region_code`` are copies of the identity's public facts
    (``registered_name``, ``uscc``, ``region_code``), written together with the record; an
    organisation holds at most one record per identity.
    """

    __tablename__ = "company"
    __table_args__ = (sa.UniqueConstraint("created_by_organisation_id", "identity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    identity_id: Mapped[int] = mapped_column(sa.ForeignKey("company_identity.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str] = mapped_column(sa.String(18))
    sector: Mapped[str] = mapped_column(sa.String(100))
    is_hard_tech: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    stage: Mapped[CompanyStage] = mapped_column(enum_column(CompanyStage))
    region_code: Mapped[str] = mapped_column(sa.String(6))
    is_sme: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    identity: Mapped[CompanyIdentity] = relationship()
    tags: Mapped[list[CompanyTagLink]] = relationship(
        cascade="all, delete-orphan", order_by="CompanyTagLink.tag", lazy="selectin"
    )

    @property
    def tag_values(self) -> list[CompanyTag]:
        return [t.tag for t in self.tags]


class CompanyTagLink(Model):
    """A recognition tag on a company (专精特新, 小巨人, 高新技术企业)."""

    __tablename__ = "company_tag"

    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), primary_key=True)
    tag: Mapped[CompanyTag] = mapped_column(enum_column(CompanyTag), primary_key=True)
