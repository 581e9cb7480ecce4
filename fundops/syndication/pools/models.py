"""Risk-compensation pools (风险补偿资金池): funders, member banks, the loss-sharing scheme,
enrolled loans, claims on default and recoveries handed back.

``enrolled_amount`` on the pool is the sum of enrolled loans' amounts; enrolment moves it
in one conditional UPDATE against ``leverage_k × balance`` (the same pattern as a term
sheet's reservations). Contributions, claims, claim shares and recovery shares are
append-only. Money in yuan of the pool's currency; fractions as decimals (0.8 = 80 %).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.calc.loss_sharing import ClaimLimit, PoolRole
from fundops.db import Money, Rate, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model

APPEND_ONLY_TABLES = ("risk_pool_contribution", "risk_pool_claim", "risk_pool_claim_share",
                      "risk_pool_recovery")


class RiskPool(Model):
    """A pool and its rules: caps per loan / company / year and the leverage cap k."""

    __tablename__ = "risk_pool"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),
                      sa.CheckConstraint("enrolled_amount >= 0", name="enrolled_non_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    currency: Mapped[str] = mapped_column(sa.String(3))
    leverage_k: Mapped[Decimal | None] = mapped_column(Rate())  # enrolled ≤ k × balance
    cap_per_loan: Mapped[Decimal | None] = mapped_column(Money())
    cap_per_company: Mapped[Decimal | None] = mapped_column(Money())
    cap_per_year: Mapped[Decimal | None] = mapped_column(Money())
    enrolled_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    source: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parties: Mapped[list[RiskPoolParty]] = relationship(order_by="RiskPoolParty.seq")


class RiskPoolParty(Model):
    """One bearer in the pool's loss-sharing scheme (role ``pool`` is the pool itself)."""

    __tablename__ = "risk_pool_party"
    __table_args__ = (sa.UniqueConstraint("pool_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_pool.id"), index=True)
    seq: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[PoolRole] = mapped_column(enum_column(PoolRole))
    share: Mapped[Decimal] = mapped_column(Rate())
    cap: Mapped[Decimal | None] = mapped_column(Money())


class RiskPoolBank(Model):
    """A bank whose loans may be enrolled in the pool."""

    __tablename__ = "risk_pool_bank"
    __table_args__ = (sa.UniqueConstraint("pool_id", "bank_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_pool.id"), index=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)


class RiskPoolContribution(Model):
    """Money a funder put in (e.g. province and city 1 : 1); append-only."""

    __tablename__ = "risk_pool_contribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_pool.id"), index=True)
    funder: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[Decimal] = mapped_column(Money())
    contributed_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class RiskPoolEnrolment(Model):
    """A loan covered by the pool, with the amount counted against its leverage cap."""

    __tablename__ = "risk_pool_enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_pool.id"), index=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    enrolled_on: Mapped[date] = mapped_column(sa.Date)
    enrolled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class RiskPoolClaim(Model):
    """The loss on a defaulted enrolled loan and what the pool paid (append-only)."""

    __tablename__ = "risk_pool_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_pool.id"), index=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), unique=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    claimed_on: Mapped[date] = mapped_column(sa.Date)
    principal_outstanding: Mapped[Decimal] = mapped_column(Money())
    recoveries: Mapped[Decimal] = mapped_column(Money())
    loss: Mapped[Decimal] = mapped_column(Money())
    pool_paid: Mapped[Decimal] = mapped_column(Money())
    binding: Mapped[ClaimLimit] = mapped_column(  # which limit cut it ("" = none)
        enum_column(ClaimLimit), default=ClaimLimit.NONE)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    shares: Mapped[list[RiskPoolClaimShare]] = relationship(order_by="RiskPoolClaimShare.id")


class RiskPoolClaimShare(Model):
    """One party's part of a claim's loss: pro rata and after caps (append-only)."""

    __tablename__ = "risk_pool_claim_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_pool_claim.id"), index=True)
    party: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[PoolRole] = mapped_column(enum_column(PoolRole))
    pro_rata: Mapped[Decimal] = mapped_column(Money())
    borne: Mapped[Decimal] = mapped_column(Money())


class RiskPoolRecovery(Model):
    """A party's part of a recovery made after the claim (append-only)."""

    __tablename__ = "risk_pool_recovery"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_pool_claim.id"), index=True)
    loan_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("loan_entry.id"), index=True)
    party: Mapped[str] = mapped_column(sa.String(100))
    amount: Mapped[Decimal] = mapped_column(Money())
