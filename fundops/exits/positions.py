"""The position of a holding (one fund × one company) on a date: the unit every exit
event is measured against.

Definitions (中文 in the pages; the same words in :mod:`fundops.exits.postings`):

- **Shares held** (持有股数) = Σ shares of the fund's investments in the company dated on
  or before the date whose ledger entry is not reversed − Σ shares disposed of by the
  non-reversed exit events; ``None`` when no investment recorded a share count (then
  every disposal is given as a fraction).
- **Remaining cost** (剩余成本), average-cost method (加权平均成本法): Σ investment
  entries (net of reversals) on or before the date − Σ cost basis of the non-reversed exit
  events. Each disposal removes ``remaining cost × fraction_disposed`` (fraction =
  shares disposed ÷ shares held, or the fraction the user gives when shares are unknown;
  a full realisation removes all of it, fraction 1), rounded to the fen half-up.
- **Value before** (处置前价值) = the latest holding valuation on or before the date (the
  last recorded on its day), rolled forward by the investments (+) and proceeds (−) of
  the company dated after that valuation and on or before the date, floored at 0;
  without a valuation, the net cost (investments − proceeds) floored at 0. This is the
  definition of :mod:`fundops.metrics.engine` (holding value), so the deal view and the
  exit agree.
- **Closed** (已退出) = the latest non-reversed exit event closed the holding and no
  investment is dated after it.

Amounts are exact Decimals in the fund's currency (2 decimals); shares 4 decimals.
Reads only; the writer (:mod:`fundops.exits.postings`) re-reads a position under the
fund lock before it decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.clock import business_today  # re-exported: an exit dated after it is refused
from fundops.exits.enums import EscrowOutcome
from fundops.exits.models import EscrowRelease, ExitEvent
from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, HoldingValuation, Investment

ZERO = Decimal("0.00")

__all__ = [
    "HoldingPosition", "business_today", "holding_position", "holding_value", "live_exit",
    "live_exit_events", "reversed_exit_ids",
]


@dataclass(frozen=True, slots=True)
class HoldingPosition:
    """A holding on ``on`` (see the module docstring for each definition).

    ``invested`` is Σ investment entries (net of reversals) up to ``on``; ``cost_disposed``
    Σ cost basis of the live exits; ``realised_gain`` Σ realised gain of the live exits
    net of forfeited escrow; ``proceeds`` Σ their consideration (escrow included);
    ``escrow_outstanding`` the escrow neither released nor forfeited.
    """

    fund_id: int
    company_id: int
    on: date
    first_invested_on: date | None
    shares_held: Decimal | None
    invested: Decimal
    cost_disposed: Decimal
    value: Decimal
    value_on: date | None
    closed: bool
    closed_on: date | None
    last_exit_on: date | None
    proceeds: Decimal
    realised_gain: Decimal
    escrow_outstanding: Decimal

    @property
    def remaining_cost(self) -> Decimal:
        """Average-cost basis still held (0 once closed)."""
        return self.invested - self.cost_disposed


def live_exit() -> sa.ColumnElement[bool]:
    """SQL condition: an exit event that is neither a reversal nor reversed (standing)."""
    reversed_ids = sa.select(ExitEvent.reverses_id).where(ExitEvent.reverses_id.is_not(None))
    return sa.and_(ExitEvent.reverses_id.is_(None), ExitEvent.id.not_in(reversed_ids))


def reversed_exit_ids(fund_id: int) -> set[int]:
    """Ids of the fund's exit events cancelled by a reversing event."""
    return set(db.session.scalars(sa.select(ExitEvent.reverses_id).where(
        ExitEvent.fund_id == fund_id, ExitEvent.reverses_id.is_not(None))))


def live_exit_events(fund_id: int, company_id: int | None = None) -> list[ExitEvent]:
    """The fund's non-reversed exit events (reversals excluded), oldest first (date, id)."""
    query = sa.select(ExitEvent).where(ExitEvent.fund_id == fund_id,
                                       ExitEvent.reverses_id.is_(None))
    if company_id is not None:
        query = query.where(ExitEvent.company_id == company_id)
    gone = reversed_exit_ids(fund_id)
    events = db.session.scalars(query.order_by(ExitEvent.value_on, ExitEvent.id))
    return [e for e in events if e.id not in gone]


def holding_value(fund_id: int, company_id: int, on: date) -> tuple[Decimal, date | None]:
    """(value, valuation date or None) of the holding on ``on``: the latest valuation on
    or before ``on`` rolled forward by later investments (+) and proceeds (−) up to
    ``on``, floored at 0 (the engine's definition; see the module docstring)."""
    latest = db.session.execute(
        sa.select(HoldingValuation.as_of, HoldingValuation.fair_value_amount)
        .where(HoldingValuation.fund_id == fund_id, HoldingValuation.company_id == company_id,
               HoldingValuation.as_of <= on)
        .order_by(HoldingValuation.as_of.desc(), HoldingValuation.id.desc()).limit(1)
    ).first()
    base, since = (latest[1], latest[0]) if latest is not None else (ZERO, None)
    sign = sa.case((CashFlow.kind == CashFlowKind.INVESTMENT, CashFlow.amount),
                   else_=-CashFlow.amount)
    query = sa.select(sa.func.coalesce(sa.func.sum(sign), 0)).where(
        CashFlow.fund_id == fund_id, CashFlow.company_id == company_id,
        CashFlow.kind.in_([CashFlowKind.INVESTMENT, CashFlowKind.PROCEEDS]),
        CashFlow.value_on <= on)
    if since is not None:
        query = query.where(CashFlow.value_on > since)
    moved = Decimal(db.session.scalar(query) or 0)
    return max(base + moved, ZERO).quantize(Decimal("0.01")), since


def _invested(fund_id: int, company_id: int, on: date) -> tuple[Decimal, date | None]:
    total, first = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(CashFlow.amount), 0), sa.func.min(CashFlow.value_on))
        .where(CashFlow.fund_id == fund_id, CashFlow.company_id == company_id,
               CashFlow.kind == CashFlowKind.INVESTMENT, CashFlow.value_on <= on)
    ).one()
    return Decimal(total).quantize(Decimal("0.01")), first


def _shares_invested(fund_id: int, company_id: int, on: date) -> tuple[Decimal | None, date | None]:
    """(Σ shares of the live investments up to ``on`` or None, the latest one's date)."""
    reversal = sa.orm.aliased(CashFlow)  # an entry is reversed at most once (unique index)
    rows = db.session.execute(
        sa.select(Investment.shares, Investment.invested_on).where(
            Investment.fund_id == fund_id, Investment.company_id == company_id,
            Investment.invested_on <= on,
            ~sa.exists().where(reversal.reverses_id == Investment.cash_flow_id))
    ).all()
    counted = [s for s, _ in rows if s is not None]
    last = max((d for _, d in rows), default=None)
    return (sum(counted, Decimal("0.0000")) if counted else None), last


def holding_position(fund_id: int, company_id: int, on: date) -> HoldingPosition:
    """The position of the holding on ``on``: the live exit events dated on or before
    ``on`` count; ``last_exit_on`` is the date of the latest live exit at any date (the
    writer refuses an exit dated before it)."""
    invested, first_on = _invested(fund_id, company_id, on)
    shares, last_investment_on = _shares_invested(fund_id, company_id, on)
    every = live_exit_events(fund_id, company_id)
    events = [e for e in every if e.value_on <= on]
    for event in events:
        if shares is not None and event.shares is not None:
            shares -= event.shares
    forfeited = _escrow_totals(events)
    value, value_on = holding_value(fund_id, company_id, on)
    last = events[-1] if events else None
    closed = bool(last is not None and last.closes_holding
                  and (last_investment_on is None or last_investment_on <= last.value_on))
    return HoldingPosition(
        fund_id=fund_id, company_id=company_id, on=on, first_invested_on=first_on,
        shares_held=shares, invested=invested,
        cost_disposed=sum((e.cost_basis_amount for e in events), ZERO),
        value=value, value_on=value_on, closed=closed,
        closed_on=last.value_on if closed and last is not None else None,
        last_exit_on=every[-1].value_on if every else None,
        proceeds=sum((e.proceeds_amount for e in events), ZERO),
        realised_gain=sum((e.realised_gain_amount for e in events), ZERO) - forfeited[0],
        escrow_outstanding=sum((e.escrow_amount for e in events), ZERO) - forfeited[1],
    )


def _escrow_totals(events: list[ExitEvent]) -> tuple[Decimal, Decimal]:
    """(Σ forfeited, Σ released + forfeited) of the live escrow releases of ``events``."""
    if not events:
        return ZERO, ZERO
    ids = [e.id for e in events]
    rows = db.session.scalars(sa.select(EscrowRelease).where(
        EscrowRelease.exit_event_id.in_(ids))).all()
    gone = {r.reverses_id for r in rows if r.reverses_id is not None}
    live = [r for r in rows if r.reverses_id is None and r.id not in gone]
    forfeited = sum((r.amount for r in live if r.outcome is EscrowOutcome.FORFEITED), ZERO)
    return forfeited, sum((r.amount for r in live), ZERO)
