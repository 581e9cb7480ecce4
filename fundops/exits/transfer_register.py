"""Reads of the LP register that transfers depend on (no writes).

An LP's **interest** in a fund on a date is its commitment (the sum of its commitment rows
dated on or before it, transfers' negative seller rows included) and its **paid-in
capital in the register**: its capital-call allocations plus its ``lp_transfer``
allocations (paid-in bought +, sold −), reversals netted, dated on or before it. Amounts
are yuan of the fund's currency, exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.exits.models import InterestTransfer
from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.models import Commitment

ZERO = Decimal("0.00")
REGISTER_PAID_IN_KINDS = (CashFlowKind.CAPITAL_CALL, CashFlowKind.LP_TRANSFER)


@dataclass(frozen=True, slots=True)
class Interest:
    """An LP's commitment and paid-in capital in the register on a date (yuan)."""

    committed: Decimal
    paid_in: Decimal

    @property
    def uncalled(self) -> Decimal:
        return self.committed - self.paid_in


def interests_on(fund_id: int, investor_ids: Iterable[int], on: date) -> dict[int, Interest]:
    """Each investor's :class:`Interest` on ``on`` (inclusive); zero for one without rows."""
    ids = list(investor_ids)
    committed: dict[int, Decimal] = dict(db.session.execute(
        sa.select(Commitment.investor_id, sa.func.sum(Commitment.amount))
        .where(Commitment.fund_id == fund_id, Commitment.investor_id.in_(ids),
               Commitment.committed_on <= on)
        .group_by(Commitment.investor_id)).all())
    paid: dict[int, Decimal] = dict(db.session.execute(
        sa.select(CashFlowAllocation.investor_id, sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlowAllocation.investor_id.in_(ids),
               CashFlow.kind.in_(REGISTER_PAID_IN_KINDS), CashFlow.value_on <= on)
        .group_by(CashFlowAllocation.investor_id)).all())
    return {i: Interest(Decimal(committed.get(i) or ZERO), Decimal(paid.get(i) or ZERO))
            for i in ids}


def first_commitment_on(fund_id: int, investor_id: int) -> date | None:
    return db.session.scalar(
        sa.select(sa.func.min(Commitment.committed_on))
        .where(Commitment.fund_id == fund_id, Commitment.investor_id == investor_id))


def allocated_between(fund_id: int, investor_id: int, kind: CashFlowKind, after: date,
                      upto: date) -> Decimal:
    """The investor's allocations of ``kind`` dated in (after, upto], reversals netted."""
    return Decimal(db.session.scalar(
        sa.select(sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlowAllocation.investor_id == investor_id,
               CashFlow.kind == kind, CashFlow.value_on > after, CashFlow.value_on <= upto))
        or ZERO)


def dated_allocations(fund_id: int, investor_id: int, kind: CashFlowKind,
                      upto: date) -> list[tuple[date, Decimal]]:
    """(value date, net amount) of the investor's allocations of ``kind`` up to ``upto``."""
    rows = db.session.execute(
        sa.select(CashFlow.value_on, sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlowAllocation.investor_id == investor_id,
               CashFlow.kind == kind, CashFlow.value_on <= upto)
        .group_by(CashFlow.value_on).order_by(CashFlow.value_on)).all()
    return [(when, Decimal(total)) for when, total in rows if total]


def _reversed_entries(fund_id: int) -> sa.Select[int | None]:
    return sa.select(CashFlow.reverses_id).where(CashFlow.fund_id == fund_id,
                                                 CashFlow.reverses_id.is_not(None))


def _reversed_transfers(fund_id: int) -> sa.Select[int | None]:
    return sa.select(InterestTransfer.reverses_id).where(
        InterestTransfer.fund_id == fund_id, InterestTransfer.reverses_id.is_not(None))


def later_register_use(fund_id: int, on: date, transfer_id: int | None = None) -> date | None:
    """The date of a call or distribution in effect (neither reversed nor a reversal)
    dated on or after ``on``, or of a transfer in effect dated after ``on`` (or on it and
    recorded after ``transfer_id``); None when there is none.

    Such an entry was split with the register as it stood: a transfer dated before it,
    or the reversal of a transfer it followed, would change that register underneath it.
    """
    call = db.session.scalar(
        sa.select(sa.func.min(CashFlow.value_on)).where(
            CashFlow.fund_id == fund_id,
            CashFlow.kind.in_((CashFlowKind.CAPITAL_CALL, CashFlowKind.DISTRIBUTION)),
            CashFlow.value_on >= on, CashFlow.reverses_id.is_(None),
            CashFlow.id.not_in(_reversed_entries(fund_id))))
    later = InterestTransfer.transfer_on > on
    if transfer_id is not None:
        later = sa.or_(later, sa.and_(InterestTransfer.transfer_on == on,
                                      InterestTransfer.id > transfer_id))
    moved = db.session.scalar(
        sa.select(sa.func.min(InterestTransfer.transfer_on)).where(
            InterestTransfer.fund_id == fund_id, later, InterestTransfer.reverses_id.is_(None),
            InterestTransfer.id.not_in(_reversed_transfers(fund_id))))
    dates = [d for d in (call, moved) if d is not None]
    return min(dates) if dates else None


def is_reversed(transfer: InterestTransfer) -> bool:
    return db.session.scalar(sa.select(InterestTransfer.id).where(
        InterestTransfer.reverses_id == transfer.id)) is not None
