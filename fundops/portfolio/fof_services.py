"""Fund-of-funds postings: a parent fund paying into, and receiving from, its sub-funds.

These entries sit in the parent fund's own ledger (its books), next to the sub-fund's
capital-call and distribution allocations to the parent's LP record (the sub-fund's
books). Amounts are positive yuan in the parent fund's currency, ≤ 2 decimal places:
``fund_contribution`` is money from the parent to the sub-fund, ``fund_return`` money
from the sub-fund to the parent.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from fundops.errors import NotFound, ValidationError
from fundops.extensions import db
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import SUB_FUND_KINDS, CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.ledger_services import entry_basics, lock_fund, post_entry
from fundops.portfolio.models import Commitment, Investor
from fundops.portfolio.services import parse_enum
from fundops.uow import Actor, unit_of_work


def lp_record_ids(parent_fund_id: int, sub_fund_id: int) -> list[int]:
    """Investor records through which ``parent_fund_id`` is committed to ``sub_fund_id``."""
    return list(db.session.scalars(
        sa.select(Investor.id).join(Commitment, Commitment.investor_id == Investor.id)
        .where(Investor.fund_id == parent_fund_id, Commitment.fund_id == sub_fund_id)
        .distinct()
    ))


def record_sub_fund_flow(
    actor: Actor, fund_id: int, *, kind: str, target_fund_id: int, value_on: object,
    amount: object, currency: str | None = None, source_ref: str | None = None, memo: str = "",
) -> CashFlow:
    """Post a parent fund's contribution to, or return from, one of its sub-funds.

    The target must be a fund in which the parent fund holds a commitment.
    """
    fund, _ = get_fund(actor, fund_id, write=True)
    flow_kind = parse_enum(CashFlowKind, kind, "kind")
    if flow_kind not in SUB_FUND_KINDS:
        raise ValidationError("kind", "fof_kind")
    try:
        target, _ = get_fund(actor, int(target_fund_id))
    except (NotFound, TypeError, ValueError):
        raise ValidationError(
            "target_fund_id", "fund_not_visible", fund_id=target_fund_id
        ) from None
    if not lp_record_ids(fund.id, target.id):
        raise ValidationError("target_fund_id", "no_commitment_in_fund", fund=fund.code,
                              target=target.code)
    when, total, cur = entry_basics(fund, value_on, amount, currency)
    with unit_of_work():
        lock_fund(fund.id)  # before the source-reference check and the audit record
        return post_entry(fund, actor, CashFlow(
            fund_id=fund.id, kind=flow_kind, value_on=when, amount=total, currency=cur,
            counterparty=target.name_zh, target_fund_id=target.id,
            source_ref=(source_ref or "").strip() or None, memo=memo.strip(),
            recorded_by_id=actor.user_id,
        ), None)


def sub_fund_allocations(parent_fund_id: int, sub_fund_id: int) -> tuple[Decimal, Decimal]:
    """(called, distributed) that the sub-fund's books allocate to the parent fund."""
    records = lp_record_ids(parent_fund_id, sub_fund_id)
    rows = db.session.execute(
        sa.select(CashFlow.kind, sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == sub_fund_id, CashFlowAllocation.investor_id.in_(records))
        .group_by(CashFlow.kind)
    ).all()
    totals = dict(rows)
    return (totals.get(CashFlowKind.CAPITAL_CALL, Decimal("0.00")),
            totals.get(CashFlowKind.DISTRIBUTION, Decimal("0.00")))
