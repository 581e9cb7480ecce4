"""Tables of the management-fee engine (migration 0019_fee_terms).

* ``fee_terms`` / ``fee_tier``: versions of a fund's fee terms with their tiers,
  append-only (database triggers): the version for a period is the latest one effective on
  or before the period's last day (the later row on the same date supersedes).
* ``fee_draft``: a period's prepared fee call. NOT the ledger: its ``status`` (draft →
  posted | discarded) and the posted entries' ids are updated under the fund lock and
  audited. ``live_period`` is the period while the draft is live (draft or posted) and
  NULL once discarded: UNIQUE (fund_id, live_period) allows one live draft per period.
* ``fee_draft_line`` / ``fee_draft_share``: the draft's calculation lines and per-LP split,
  append-only.

Amounts are yuan of the fund's currency with 2 decimals (a line's unrounded amount is
stored to 6 decimals, for display); rates are annual fractions with 8 decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.calc.fees import Basis, Frequency, PaymentSource, Timing
from fundops.db import Money, Rate, ScaledDecimal, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.portfolio.models import Fund, Investor
from fundops.reports.fees.enums import DraftStatus, LineKind

FEE_APPEND_ONLY_TABLES = ("fee_terms", "fee_tier", "fee_draft_line", "fee_draft_share")


class FeeTerms(Model):
    """One version of a fund's management-fee terms (append-only)."""

    __tablename__ = "fee_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    effective_on: Mapped[date] = mapped_column(sa.Date)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    timing: Mapped[Timing] = mapped_column(enum_column(Timing))
    source: Mapped[PaymentSource] = mapped_column(enum_column(PaymentSource))
    offset_rate: Mapped[Decimal] = mapped_column(Rate())
    charge_in_extension: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    tiers: Mapped[list[FeeTier]] = relationship(order_by="FeeTier.position")


class FeeTier(Model):
    """A tier of a terms version: ``rate`` a year on ``basis`` from ``from_on`` to
    ``to_on`` (both included; NULL = open-ended)."""

    __tablename__ = "fee_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms_id: Mapped[int] = mapped_column(sa.ForeignKey("fee_terms.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    basis: Mapped[Basis] = mapped_column(enum_column(Basis))
    rate: Mapped[Decimal] = mapped_column(Rate())
    from_on: Mapped[date] = mapped_column(sa.Date)
    to_on: Mapped[date | None] = mapped_column(sa.Date)


class FeeDraft(Model):
    """A period's fee call as prepared (see the module docstring)."""

    __tablename__ = "fee_draft"
    __table_args__ = (sa.UniqueConstraint("fund_id", "live_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    terms_id: Mapped[int] = mapped_column(sa.ForeignKey("fee_terms.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    timing: Mapped[Timing] = mapped_column(enum_column(Timing))
    source: Mapped[PaymentSource] = mapped_column(enum_column(PaymentSource))
    regular_amount: Mapped[Decimal] = mapped_column(Money())
    catch_up_amount: Mapped[Decimal] = mapped_column(Money())
    fee_amount: Mapped[Decimal] = mapped_column(Money())
    income_amount: Mapped[Decimal] = mapped_column(Money())
    offset_rate: Mapped[Decimal] = mapped_column(Rate())
    offset_amount: Mapped[Decimal] = mapped_column(Money())
    net_amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[DraftStatus] = mapped_column(enum_column(DraftStatus))
    live_period: Mapped[str | None] = mapped_column(sa.String(7))
    call_cash_flow_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cash_flow.id"),
                                                          unique=True)
    fee_cash_flow_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cash_flow.id"),
                                                         unique=True)
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prepared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")

    fund: Mapped[Fund] = relationship()
    terms: Mapped[FeeTerms] = relationship()
    lines: Mapped[list[FeeDraftLine]] = relationship(order_by="FeeDraftLine.position")
    shares: Mapped[list[FeeDraftShare]] = relationship(order_by="FeeDraftShare.investor_id")


class FeeDraftLine(Model):
    """A calculation line: ``base × rate × days / 365`` over ``from_on`` … ``to_on``;
    a catch-up line names the late closer (``investor_id``)."""

    __tablename__ = "fee_draft_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("fee_draft.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[LineKind] = mapped_column(enum_column(LineKind))
    investor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    basis: Mapped[Basis] = mapped_column(enum_column(Basis))
    rate: Mapped[Decimal] = mapped_column(Rate())
    from_on: Mapped[date] = mapped_column(sa.Date)
    to_on: Mapped[date] = mapped_column(sa.Date)
    days: Mapped[int] = mapped_column(sa.Integer)
    base_amount: Mapped[Decimal] = mapped_column(Money())
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(6))

    investor: Mapped[Investor | None] = relationship()


class FeeDraftShare(Model):
    """One LP's part of the draft's fee call: ``regular_amount`` (commitment-weighted on
    the period's first day; ``weight_amount`` is that commitment) + ``catch_up_amount``."""

    __tablename__ = "fee_draft_share"

    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("fee_draft.id"), primary_key=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), primary_key=True)
    weight_amount: Mapped[Decimal] = mapped_column(Money())
    regular_amount: Mapped[Decimal] = mapped_column(Money())
    catch_up_amount: Mapped[Decimal] = mapped_column(Money())
    amount: Mapped[Decimal] = mapped_column(Money())

    investor: Mapped[Investor] = relationship()
