"""The fee bases of a fund read from the ledger, as step functions over a span of days.

The base on a day counts every record dated on or before that day (a record dated ``d``
moves the base from ``d`` on). Definitions, in yuan of the fund's currency:

* **commitment** (认缴): Σ the fund's commitments (transfers net out);
* **paid_in** (实缴): Σ capital calls posted, whatever their purpose (reversals net out);
* **invested_cost** (在投成本, cost of investments still held): Σ investment entries
  (reversals net out) − Σ cost basis of the standing exit events
  (:func:`fundops.exits.positions.live_exit`), i.e. the sum over the fund's holdings of
  :attr:`fundops.exits.positions.HoldingPosition.remaining_cost` (average cost);
* **nav** (净值): the fund's NAV as :func:`fundops.metrics.perspectives.fund_nav` computes it
  (the latest valuation rolled forward by later flows), floored at 0, to the fen.

``frozen`` reads the base once, on the span's first day, for the whole span (fees in
advance; and the commitment base always: commitments join the base from the first period
starting on or after their date — a later closing pays its catch-up for the time before).
Otherwise the span is split on every day a record that can move the base is dated.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from fundops.calc.fees import FEN, ZERO, Basis, Steps
from fundops.exits.models import ExitEvent
from fundops.exits.positions import live_exit
from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, FundValuation, HoldingValuation
from fundops.portfolio.models import Commitment, Fund
from fundops.uow import Actor


def commitments_on(fund_id: int, day: date, exclude: Collection[int] = ()) -> Decimal:
    """Σ commitments of the fund dated on or before ``day``, leaving out the commitment
    rows whose ids are in ``exclude``."""
    query = sa.select(sa.func.coalesce(sa.func.sum(Commitment.amount), 0)).where(
        Commitment.fund_id == fund_id, Commitment.committed_on <= day)
    if exclude:
        query = query.where(Commitment.id.not_in(list(exclude)))
    return Decimal(db.session.scalar(query) or 0).quantize(FEN)


def _flows(fund_id: int, kind: CashFlowKind, day: date) -> Decimal:
    return Decimal(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CashFlow.amount), 0))
                                     .where(CashFlow.fund_id == fund_id, CashFlow.kind == kind,
                                            CashFlow.value_on <= day)) or 0).quantize(FEN)


def invested_cost_on(fund_id: int, day: date) -> Decimal:
    """Investments − cost basis of the standing exits, up to ``day`` (see the module)."""
    disposed = Decimal(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ExitEvent.cost_basis_amount), 0))
        .where(ExitEvent.fund_id == fund_id, ExitEvent.value_on <= day, live_exit())) or 0)
    return max(ZERO, _flows(fund_id, CashFlowKind.INVESTMENT, day) - disposed.quantize(FEN))


def nav_on(actor: Actor, fund_id: int, day: date) -> Decimal:
    from fundops.metrics.perspectives import fund_nav

    value = fund_nav(actor, fund_id, day)
    return max(ZERO, value.quantize(FEN, rounding=ROUND_HALF_UP))


def base_on(actor: Actor, fund: Fund, basis: Basis, day: date) -> Decimal:
    """The fund's ``basis`` on ``day`` (see the module for each definition)."""
    if basis is Basis.COMMITMENT:
        return commitments_on(fund.id, day)
    if basis is Basis.PAID_IN:
        return _flows(fund.id, CashFlowKind.CAPITAL_CALL, day)
    if basis is Basis.INVESTED_COST:
        return invested_cost_on(fund.id, day)
    return nav_on(actor, fund.id, day)


def _dates(column: Any, *where: sa.ColumnElement[bool]) -> set[date]:
    return set(db.session.scalars(sa.select(column).where(*where).distinct()))


def change_days(fund_id: int, basis: Basis, lo: date, hi: date) -> list[date]:
    """Days in (``lo``, ``hi``] on which a record that can move ``basis`` is dated."""
    days: set[date] = set()
    inside = (CashFlow.fund_id == fund_id, CashFlow.value_on > lo, CashFlow.value_on <= hi)
    if basis is Basis.PAID_IN:
        days = _dates(CashFlow.value_on, *inside, CashFlow.kind == CashFlowKind.CAPITAL_CALL)
    elif basis is Basis.INVESTED_COST:
        days = _dates(CashFlow.value_on, *inside, CashFlow.kind == CashFlowKind.INVESTMENT)
        days |= _dates(ExitEvent.value_on, ExitEvent.fund_id == fund_id, ExitEvent.value_on > lo,
                       ExitEvent.value_on <= hi)
    elif basis is Basis.NAV:
        days = _dates(CashFlow.value_on, *inside)
        days |= _dates(FundValuation.as_of, FundValuation.fund_id == fund_id,
                       FundValuation.as_of > lo, FundValuation.as_of <= hi)
        days |= _dates(HoldingValuation.as_of, HoldingValuation.fund_id == fund_id,
                       HoldingValuation.as_of > lo, HoldingValuation.as_of <= hi)
    return sorted(days)


def base_steps(actor: Actor, fund: Fund, basis: Basis, lo: date, hi: date,
               frozen: bool) -> Steps:
    """``basis`` over ``lo`` … ``hi`` as (first day, value) steps; one step when ``frozen``
    or for the commitment base (see the module). Steps equal to the one before are
    merged."""
    steps = [(lo, base_on(actor, fund, basis, lo))]
    if frozen or basis is Basis.COMMITMENT:
        return steps
    for day in change_days(fund.id, basis, lo, hi):
        value = base_on(actor, fund, basis, day)
        if value != steps[-1][1]:
            steps.append((day, value))
    return steps
