"""Tables of call and distribution notices (append-only; database triggers, migration
0022_notices): the fund's receiving account (收款账户, versioned by effective date) and the
notices themselves (缴款通知书 / 分配通知书), one per LP line of a ledger entry.

A notice keeps what was sent: its number, dates, amount, the receiving account in force
on its issue date (calls) and the LP's cumulative figures after the entry, so a later
correction of the books never changes a notice already issued. Amounts are yuan of the
row's currency with 2 decimals (fen), positive.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.db import Money, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.models import Fund, Investor

NOTICE_APPEND_ONLY_TABLES = ("receiving_account", "notice")


class NoticeKind(enum.StrEnum):
    """A notice answers a capital call (缴款通知书) or a distribution (分配通知书)."""

    CALL = "call"
    DISTRIBUTION = "distribution"

    @property
    def code(self) -> str:
        """The letters in the notice number: CN (call notice) or DN (distribution)."""
        return "CN" if self is NoticeKind.CALL else "DN"


class ReceivingAccount(Model):
    """One version of the fund's receiving bank account (收款账户): the version with the
    latest ``effective_on`` on or before a date is in force (a later row for the same date
    supersedes)."""

    __tablename__ = "receiving_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    effective_on: Mapped[date] = mapped_column(sa.Date)
    bank_name: Mapped[str] = mapped_column(sa.String(200))
    account_name: Mapped[str] = mapped_column(sa.String(200))
    account_number: Mapped[str] = mapped_column(sa.String(40))
    branch: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class Notice(Model):
    """A notice to one LP of one ledger entry (``cash_flow_id``, a capital call or a
    distribution): ``number`` is ``<fund code>-CN-0007`` (calls) or ``-DN-`` (distributions),
    ``seq`` its place in the fund's series of that kind (from 1, no gaps).

    ``due_on`` and ``account_id``: calls only. ``carry_withheld``: a waterfall run's
    distribution only — the carry taken from this LP's share (its slice's catch-up and
    split carry), so the gross before carry is ``amount + carry_withheld``. The cumulative
    figures are the LP's register at the end of the entry's value date (the entry
    included): ``committed``, ``paid_in`` (calls and transfers of interest),
    ``unfunded`` (committed − paid-in, not below 0) and ``distributed``."""

    __tablename__ = "notice"
    __table_args__ = (sa.UniqueConstraint("fund_id", "kind", "seq"),
                      sa.UniqueConstraint("cash_flow_id", "investor_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    cash_flow_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), index=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    seq: Mapped[int] = mapped_column(sa.Integer)
    number: Mapped[str] = mapped_column(sa.String(60))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receiving_account.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    carry_withheld: Mapped[Decimal | None] = mapped_column(Money())
    committed: Mapped[Decimal] = mapped_column(Money())
    paid_in: Mapped[Decimal] = mapped_column(Money())
    unfunded: Mapped[Decimal] = mapped_column(Money())
    distributed: Mapped[Decimal] = mapped_column(Money())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    cash_flow: Mapped[CashFlow] = relationship()
    investor: Mapped[Investor] = relationship()
    account: Mapped[ReceivingAccount | None] = relationship()

    @property
    def gross(self) -> Decimal:
        """The LP's distribution before the carry withheld (= ``amount`` without carry)."""
        return self.amount + (self.carry_withheld or Decimal("0.00"))
