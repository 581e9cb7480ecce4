"""Equity arriving on a term sheet's allocations: a fund's INVESTMENT ledger entry linked
to its allocation (reversals count by themselves) or an outside investor's payment on
evidence. The round becomes ``funded`` when the whole round has arrived. Amounts are yuan
of the term sheet's currency, exact to the fen.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow
from fundops.syndication.enums import DEAD_STATUSES, FundingSource, TermSheetStatus
from fundops.syndication.term_sheets.models import (
    TermSheet,
    TermSheetAllocation,
    TermSheetFunding,
)
from fundops.syndication.term_sheets.services import get_term_sheet, set_status
from fundops.uow import Actor, lock_row, unit_of_work
from fundops.validation import require_date, require_id, require_text

ZERO = Decimal("0.00")


def arrived_by_allocation(term_sheet_id: int) -> dict[int, Decimal]:
    """Equity arrived per allocation (yuan): linked entries, their reversals, evidence."""
    rows = db.session.execute(
        sa.select(TermSheetFunding.allocation_id, TermSheetFunding.cash_flow_id,
                  TermSheetFunding.amount)
        .join(TermSheetAllocation, TermSheetAllocation.id == TermSheetFunding.allocation_id)
        .where(TermSheetAllocation.term_sheet_id == term_sheet_id)).all()
    out: dict[int, Decimal] = {}
    linked = {cf: alloc for alloc, cf, _ in rows if cf is not None}
    for alloc, _cf, amount in rows:
        out[alloc] = out.get(alloc, ZERO) + amount
    if linked:  # reversals of linked entries count even when nobody linked them
        for reverses_id, amount in db.session.execute(
                sa.select(CashFlow.reverses_id, CashFlow.amount).where(
                    CashFlow.reverses_id.in_(list(linked)),
                    CashFlow.id.not_in(list(linked)))):
            assert reverses_id is not None  # the IN filter leaves no NULL
            out[linked[reverses_id]] += amount
    return out


def equity_arrived(term_sheet_id: int) -> Decimal:
    """Total equity arrived on the round (yuan)."""
    return sum(arrived_by_allocation(term_sheet_id).values(), ZERO)


def link_investment(actor: Actor, term_sheet_id: int, allocation_id: int,
                    cash_flow_id: int) -> TermSheetFunding:
    """Count a fund's INVESTMENT entry (in the round's company) as equity arrived.

    The actor must manage the allocation's fund; the entry must be that fund's, in the
    term sheet's company and currency, not linked before, and keep the allocation's
    arrivals within its amount. The round becomes ``funded`` when the whole round arrived.
    """
    ts = get_term_sheet(actor, term_sheet_id)
    alloc = _allocation(ts, allocation_id)
    if alloc.fund_id is None:
        raise ValidationError("allocation_id", "funding_outside_needs_evidence")
    fund, _ = get_fund(actor, alloc.fund_id, write=True)
    entry = db.session.get(CashFlow, require_id(cash_flow_id, "cash_flow_id"))
    if entry is None or entry.fund_id != fund.id:
        raise ValidationError("cash_flow_id", "funding_entry_not_in_ledger",
                              entry_id=cash_flow_id, fund=fund.code)
    if entry.kind is not CashFlowKind.INVESTMENT or entry.company_id != ts.company_id:
        raise ValidationError("cash_flow_id", "funding_entry_not_investment")
    if entry.reverses_id is not None or entry.amount <= 0:
        raise ValidationError("cash_flow_id", "funding_entry_is_reversal")
    if entry.currency != ts.currency:
        raise ValidationError("cash_flow_id", "funding_entry_currency", currency=entry.currency,
                              round_currency=ts.currency)
    if db.session.scalar(sa.select(TermSheetFunding.id).where(
            TermSheetFunding.cash_flow_id == entry.id)) is not None:
        raise ValidationError("cash_flow_id", "funding_entry_already_linked", entry_id=entry.id)
    return _add_funding(actor, ts, alloc, TermSheetFunding(
        allocation_id=alloc.id, source=FundingSource.LEDGER, cash_flow_id=entry.id,
        arrived_on=entry.value_on, amount=entry.amount, currency=entry.currency,
        recorded_by_id=actor.user_id))


def record_outside_funding(
    actor: Actor,
    term_sheet_id: int,
    allocation_id: int,
    *,
    amount: object,
    arrived_on: object,
    evidence_ref: str,
) -> TermSheetFunding:
    """The owner records an outside co-investor's payment, with its evidence reference."""
    ts = get_term_sheet(actor, term_sheet_id, write=True)
    alloc = _allocation(ts, allocation_id)
    if alloc.fund_id is not None:
        raise ValidationError("allocation_id", "funding_fund_uses_ledger")
    return _add_funding(actor, ts, alloc, TermSheetFunding(
        allocation_id=alloc.id, source=FundingSource.EVIDENCE,
        evidence_ref=require_text(evidence_ref, "evidence_ref", 200),
        arrived_on=require_date(arrived_on, "arrived_on"), amount=parse_amount(amount, "amount"),
        currency=ts.currency, recorded_by_id=actor.user_id))


def _allocation(ts: TermSheet, allocation_id: int) -> TermSheetAllocation:
    alloc = db.session.get(TermSheetAllocation, require_id(allocation_id, "allocation_id"))
    if alloc is None or alloc.term_sheet_id != ts.id:
        raise ValidationError("allocation_id", "funding_allocation_not_in_round",
                              allocation_id=allocation_id)
    return alloc


def _add_funding(actor: Actor, ts: TermSheet, alloc: TermSheetAllocation,
                 funding: TermSheetFunding) -> TermSheetFunding:
    with unit_of_work():
        lock_row(TermSheet, ts.id)  # concurrent arrivals on this round queue here
        db.session.refresh(ts)
        if ts.status in DEAD_STATUSES or ts.status is TermSheetStatus.DRAFT:
            raise ValidationError("term_sheet", "funding_round_not_open", status=ts.status)
        arrived = arrived_by_allocation(ts.id)
        after = arrived.get(alloc.id, ZERO) + funding.amount
        if after > alloc.amount:
            raise ValidationError("amount", "funding_beyond_allocation",
                                  investor=alloc.investor_name, total=Money(after, ts.currency),
                                  allocation=Money(alloc.amount, ts.currency))
        if funding.cash_flow_id is not None and db.session.scalar(
                sa.select(TermSheetFunding.id).where(
                    TermSheetFunding.cash_flow_id == funding.cash_flow_id)) is not None:
            raise ValidationError("cash_flow_id", "funding_entry_already_linked",
                                  entry_id=funding.cash_flow_id)
        db.session.add(funding)
        total = sum(arrived.values(), ZERO) + funding.amount
        if total >= ts.round_size and ts.status is not TermSheetStatus.FUNDED:
            set_status(ts, TermSheetStatus.FUNDED, f"equity arrived {total}", actor.user_id)
        db.session.flush()
        record_by(actor, "term_sheet.funding", "term_sheet", ts.id, {
            "allocation_id": alloc.id, "source": funding.source.value, "amount": funding.amount,
            "cash_flow_id": funding.cash_flow_id, "evidence_ref": funding.evidence_ref})
    return funding
