"""Approval policies (per organisation, action and amount) and approval requests."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.auth.models import User
from fundops.db import Money, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model


class ApprovalStatus(enum.StrEnum):
    """Where an approval request stands; only ``pending`` may change (once)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ApprovalPolicy(Model):
    """An action of an organisation needs a second person when its amount is at least
    ``threshold_amount`` (in ``currency``; 0 = always). No row = posts directly."""

    __tablename__ = "approval_policy"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    threshold_amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class ApprovalRequest(Model):
    """A post a maker submitted that waits for a checker: the service call's keyword
    arguments as JSON (``payload``, its SHA-256 kept to detect tampering), the amount
    that decided the policy (positive, in ``currency``), and the decision."""

    __tablename__ = "approval_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[str] = mapped_column(sa.Text)
    payload_sha256: Mapped[str] = mapped_column(sa.String(64))
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    fund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    status: Mapped[ApprovalStatus] = mapped_column(enum_column(ApprovalStatus), index=True)
    maker_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    confirm_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    warnings: Mapped[str] = mapped_column(sa.Text, default="[]")
    result_type: Mapped[str] = mapped_column(sa.String(40), default="")
    result_id: Mapped[int | None] = mapped_column(sa.Integer)

    maker: Mapped[User] = relationship(foreign_keys=[maker_id])
    checker: Mapped[User | None] = relationship(foreign_keys=[checker_id])
