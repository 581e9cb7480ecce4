"""How a capital call or distribution splits among a fund's LPs, planned without writing.

Amounts are positive yuan (or the fund's currency) with at most 2 decimal places, each
LP's share with the same sign as the total. The split is pro rata to the LPs'
commitments on the value date by the largest-remainder rule of
:func:`fundops.calc.allocation.allocate_pro_rata`, or an explicit split that must sum
exactly to the total; a call never takes an LP past its uncalled capital
(:func:`plan_call`). :mod:`fundops.portfolio.ledger_services` posts what is planned here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.calc.allocation import allocate_pro_rata, check_explicit_split
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.models import Commitment, Fund, Investor
from fundops.portfolio.services import require_date
from fundops.uow import Actor


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One LP's share of a call or distribution (yuan, same sign as the total)."""

    investor_id: int
    investor_name: str
    committed_amount: Decimal
    amount: Decimal


def committed_by_investor(fund_id: int, on: date) -> list[tuple[Investor, Decimal]]:
    """LPs with their total commitment on ``on`` (inclusive), ordered by investor id."""
    rows = db.session.execute(
        sa.select(Investor, sa.func.sum(Commitment.amount))
        .join(Commitment, Commitment.investor_id == Investor.id)
        .where(Commitment.fund_id == fund_id, Commitment.committed_on <= on)
        .group_by(Investor.id)
        .order_by(Investor.id)
    ).all()
    return [(inv, Decimal(total)) for inv, total in rows]


def lp_position_totals(fund_id: int, kind: CashFlowKind,
                       on: date | None = None) -> dict[int, Decimal]:
    """Net allocated amount per investor for one entry kind (reversals included)."""
    query = (
        sa.select(CashFlowAllocation.investor_id, sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlow.kind == kind)
        .group_by(CashFlowAllocation.investor_id)
    )
    if on is not None:
        query = query.where(CashFlow.value_on <= on)
    return {inv: Decimal(total) for inv, total in db.session.execute(query).all()}


def recallable_totals(fund_id: int) -> dict[int, Decimal]:
    """Recallable distributions per investor (all dates, reversals included)."""
    query = (
        sa.select(CashFlowAllocation.investor_id, sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.DISTRIBUTION,
               CashFlow.recallable.is_(True))
        .group_by(CashFlowAllocation.investor_id)
    )
    return {inv: Decimal(total) for inv, total in db.session.execute(query).all()}


def plan_allocation(
    fund: Fund, value_on: date, total: Decimal, split: Mapping[int, object] | None = None
) -> list[AllocationLine]:
    """Compute (without writing) each LP's exact share of ``total`` on ``value_on``."""
    lps = committed_by_investor(fund.id, value_on)
    if not lps:
        raise ValidationError("value_on", "no_lp_commitments", on=value_on)
    committed = {inv.id: amt for inv, amt in lps}
    names = {inv.id: inv.name for inv, _ in lps}
    if split:
        parts: dict[int, Decimal] = {}
        for key, raw in split.items():
            inv_id = int(key)
            if inv_id not in committed:
                raise ValidationError("allocation", "investor_not_committed", investor_id=inv_id)
            parts[inv_id] = parse_amount(raw, f"allocation[{names[inv_id]}]", allow_zero=True)
        check_explicit_split(total, {names[i]: v for i, v in parts.items()},
                             currency=fund.currency)
        shares = {inv_id: parts.get(inv_id, Decimal("0.00")) for inv_id in committed}
    else:
        shares = allocate_pro_rata(total, list(committed.items()))
    return [
        AllocationLine(inv_id, names[inv_id], committed[inv_id], shares[inv_id])
        for inv_id in committed
    ]


def preview_allocation(
    actor: Actor, fund_id: int, value_on: object, amount: object,
    split: Mapping[int, object] | None = None, kind: str = "capital_call",
) -> list[AllocationLine]:
    """The per-LP split a capital call (or, with ``kind="distribution"``, a distribution)
    would get; writes nothing."""
    fund, _ = get_fund(actor, fund_id, write=True)
    total = parse_amount(amount, "amount")
    when = require_date(value_on, "value_on")
    if kind == "distribution":
        return plan_allocation(fund, when, total, split)
    return plan_call(fund, when, total, split)


def uncalled_by_investor(fund: Fund) -> dict[int, Decimal]:
    """commitment − called + recallable distributions, per LP (all dates).

    "Called" is the LP's paid-in in the register: its call allocations plus the paid-in it
    bought (or minus what it sold) with an LP interest (``lp_transfer`` allocations).
    """
    paid = lp_position_totals(fund.id, CashFlowKind.CAPITAL_CALL)
    for inv_id, moved in lp_position_totals(fund.id, CashFlowKind.LP_TRANSFER).items():
        paid[inv_id] = paid.get(inv_id, Decimal(0)) + moved
    recallable = recallable_totals(fund.id)
    return {
        inv.id: committed - paid.get(inv.id, Decimal(0)) + recallable.get(inv.id, Decimal(0))
        for inv, committed in committed_by_investor(fund.id, fund.life_end_on)
    }


def plan_call(
    fund: Fund, value_on: date, total: Decimal, split: Mapping[int, object] | None = None
) -> list[AllocationLine]:
    """Allocate a capital call so that no LP is called beyond its uncalled capital.

    Rule: pro rata to commitment (largest remainder). If that would take any LP past
    its uncalled capital — cent rounding on the last call, or uneven earlier calls —
    the call is instead allocated pro rata to each LP's uncalled capital, which never
    exceeds it. A call larger than the total uncalled capital is refused.
    """
    lines = plan_allocation(fund, value_on, total, split)
    room = uncalled_by_investor(fund)
    over = [line for line in lines if line.amount > room.get(line.investor_id, Decimal(0))]
    if not over:
        return lines
    if split:
        line = over[0]
        raise ValidationError(
            "allocation", "share_exceeds_uncalled", investor=line.investor_name,
            share=Money(line.amount, fund.currency),
            uncalled=Money(room.get(line.investor_id, Decimal(0)), fund.currency))
    available = sum((max(r, Decimal(0)) for r in room.values()), Decimal(0))
    if total > available:
        raise ValidationError("amount", "call_exceeds_uncalled", amount=Money(total, fund.currency),
                              available=Money(available, fund.currency))
    shares = allocate_pro_rata(
        total, [(line.investor_id, max(room.get(line.investor_id, Decimal(0)), Decimal(0)))
                for line in lines])
    return [AllocationLine(line.investor_id, line.investor_name, line.committed_amount,
                           shares[line.investor_id]) for line in lines]
