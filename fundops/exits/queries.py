"""Read side of the exit events for pages and the API (no writes).

Holdings are listed with their position (:mod:`fundops.exits.positions`: shares held,
remaining cost by the average-cost method, value rolled forward, realised gain to date
net of forfeited escrow, open or closed); exits newest first with whether each was
reversed and the escrow still outstanding; buy-back claims with their accrued price.
Amounts are exact Decimals in the fund's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundops.exits.claims import claim_price
from fundops.exits.enums import ClaimStatus, EscrowOutcome
from fundops.exits.models import BuybackClaim, EscrowRelease, ExitEvent
from fundops.exits.positions import HoldingPosition, holding_position
from fundops.extensions import db
from fundops.portfolio.ledger import Investment
from fundops.portfolio.models import Company

ZERO = Decimal("0.00")

__all__ = ["NO_REALISATION", "ClaimLine", "ExitLine", "HoldingLine", "Realisation",
           "exit_totals", "list_claims", "list_exits", "list_holding_positions",
           "realisations"]


@dataclass(frozen=True, slots=True)
class HoldingLine:
    """A holding of the fund with its position on ``position.on``."""

    company: Company
    position: HoldingPosition


@dataclass(frozen=True, slots=True)
class ExitLine:
    """An exit event with its state: ``reversed`` (a reversing event exists),
    ``forfeited`` / ``released`` (live escrow releases), ``escrow_outstanding``, and
    ``realised_net`` = realised gain − forfeited escrow."""

    event: ExitEvent
    reversed: bool
    released: Decimal
    forfeited: Decimal
    releases: list[EscrowRelease]

    @property
    def escrow_outstanding(self) -> Decimal:
        if self.reversed or self.event.reverses_id is not None:
            return ZERO
        return self.event.escrow_amount - self.released - self.forfeited

    @property
    def realised_net(self) -> Decimal:
        return self.event.realised_gain_amount - self.forfeited


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """A buy-back claim and its accrued price on ``on`` (settled or withdrawn claims: the
    price at their last state is not shown, ``accrued`` is None)."""

    claim: BuybackClaim
    on: date
    accrued: Decimal | None


def list_holding_positions(fund_id: int, on: date) -> list[HoldingLine]:
    """Every company the fund invested in, by name, with its position on ``on``."""
    ids = sa.select(Investment.company_id).where(Investment.fund_id == fund_id)
    companies = db.session.scalars(
        sa.select(Company).where(Company.id.in_(ids)).order_by(Company.name, Company.id))
    return [HoldingLine(c, holding_position(fund_id, c.id, on)) for c in companies]


def list_exits(fund_id: int) -> list[ExitLine]:
    """The fund's exit events (reversals included), newest first."""
    events = list(db.session.scalars(sa.select(ExitEvent).where(ExitEvent.fund_id == fund_id)
                                      .order_by(ExitEvent.value_on.desc(), ExitEvent.id.desc())))
    gone = {e.reverses_id for e in events if e.reverses_id is not None}
    releases = list(db.session.scalars(
        sa.select(EscrowRelease).join(ExitEvent, ExitEvent.id == EscrowRelease.exit_event_id)
        .where(ExitEvent.fund_id == fund_id).order_by(EscrowRelease.id)))
    undone = {r.reverses_id for r in releases if r.reverses_id is not None}
    out = []
    for event in events:
        mine = [r for r in releases if r.exit_event_id == event.id]
        live = [r for r in mine if r.reverses_id is None and r.id not in undone]
        out.append(ExitLine(
            event, event.id in gone,
            sum((r.amount for r in live if r.outcome is EscrowOutcome.RELEASED), ZERO),
            sum((r.amount for r in live if r.outcome is EscrowOutcome.FORFEITED), ZERO),
            mine))
    return out


def exit_totals(lines: list[HoldingLine]) -> dict[str, Decimal]:
    """Fund totals of the holdings: realised (to date, net of forfeits), unrealised
    (value − remaining cost of the open holdings), value, remaining cost, escrow
    outstanding."""
    open_lines = [h.position for h in lines if not h.position.closed]
    value = sum((p.value for p in open_lines), ZERO)
    cost = sum((p.remaining_cost for p in open_lines), ZERO)
    return {
        "realised": sum((h.position.realised_gain for h in lines), ZERO),
        "unrealised": value - cost, "value": value, "remaining_cost": cost,
        "escrow_outstanding": sum((h.position.escrow_outstanding for h in lines), ZERO),
    }


def list_claims(fund_id: int, on: date) -> list[ClaimLine]:
    """The fund's buy-back claims, newest first, open ones with the price accrued on
    ``on``."""
    claims = db.session.scalars(sa.select(BuybackClaim).where(BuybackClaim.fund_id == fund_id)
                                .order_by(BuybackClaim.triggered_on.desc(),
                                          BuybackClaim.id.desc()))
    return [ClaimLine(c, on, claim_price(c, on) if c.status is ClaimStatus.OPEN else None)
            for c in claims]


@dataclass(frozen=True, slots=True)
class Realisation:
    """What the exit events of one holding realised up to a date (average-cost method):
    ``proceeds`` Σ consideration (escrow included), ``cost_basis`` Σ average cost of the
    parts disposed of, ``realised_gain`` = proceeds − cost basis − forfeited escrow,
    ``escrow_outstanding`` escrow neither released nor forfeited by that date. Yuan of
    the fund's currency, exact; a reversed exit (or release) counts 0."""

    proceeds: Decimal
    cost_basis: Decimal
    realised_gain: Decimal
    escrow_outstanding: Decimal


NO_REALISATION = Realisation(ZERO, ZERO, ZERO, ZERO)


def _sum(column: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(column, type_=column.type), 0)


def realisations(fund_ids: list[int], on: date) -> dict[tuple[int, int], Realisation]:
    """:class:`Realisation` per (fund, company) with exit events dated on or before ``on``
    (two queries for all the funds). A reversal repeats its original's date with every
    figure negated, and a release's reversal its release's amount negated, so plain sums
    count exactly the live rows."""
    if not fund_ids:
        return {}
    events = db.session.execute(
        sa.select(ExitEvent.fund_id, ExitEvent.company_id, _sum(ExitEvent.proceeds_amount),
                  _sum(ExitEvent.cost_basis_amount), _sum(ExitEvent.realised_gain_amount),
                  _sum(ExitEvent.escrow_amount))
        .where(ExitEvent.fund_id.in_(fund_ids), ExitEvent.value_on <= on)
        .group_by(ExitEvent.fund_id, ExitEvent.company_id)).all()
    settled: dict[tuple[int, int], dict[EscrowOutcome, Decimal]] = {}
    for fund_id, company_id, outcome, amount in db.session.execute(
            sa.select(ExitEvent.fund_id, ExitEvent.company_id, EscrowRelease.outcome,
                      _sum(EscrowRelease.amount))
            .join(ExitEvent, ExitEvent.id == EscrowRelease.exit_event_id)
            .where(ExitEvent.fund_id.in_(fund_ids), EscrowRelease.value_on <= on)
            .group_by(ExitEvent.fund_id, ExitEvent.company_id, EscrowRelease.outcome)):
        settled.setdefault((fund_id, company_id), {})[outcome] = Decimal(amount)
    out = {}
    for fund_id, company_id, proceeds, basis, gain, escrow in events:
        done = settled.get((fund_id, company_id), {})
        forfeited = done.get(EscrowOutcome.FORFEITED, ZERO)
        released = done.get(EscrowOutcome.RELEASED, ZERO)
        out[(fund_id, company_id)] = Realisation(
            _fen(proceeds), _fen(basis), _fen(Decimal(gain) - forfeited),
            _fen(Decimal(escrow) - released - forfeited))
    return out


def _fen(value: Any) -> Decimal:
    return Decimal(value).quantize(ZERO)
