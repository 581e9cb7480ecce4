"""Reads of the stored waterfall: the terms in force, the calculation's terms from a stored
version, runs, "as if liquidated" on a date and the clawback of a deal-by-deal fund.

The fund's NAV comes from the metrics feature through :func:`use_fund_nav` (exits never
import metrics; the app factory wires it). Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundops.calc.clawback import Clawback, Deal, clawback
from fundops.calc.waterfall import Liquidation, as_if_liquidated
from fundops.calc.waterfall_terms import (
    ConcessionTier,
    Contribution,
    Convention,
    Party,
    PartyHistory,
    Structure,
    conventions,
)
from fundops.calc.waterfall_terms import WaterfallTerms as Terms
from fundops.errors import NotFound, ValidationError
from fundops.exits.models import (
    WaterfallRun,
    WaterfallRunReversal,
    WaterfallTerms,
)
from fundops.exits.waterfall_history import (
    deal_histories,
    deal_proceeds,
    fund_histories,
    live_runs,
)
from fundops.extensions import db
from fundops.uow import Actor

FundNav = Callable[[Actor, int, date], Decimal]
_fund_nav: list[FundNav] = []


def use_fund_nav(source: FundNav) -> None:
    """Where "as if liquidated" reads a fund's NAV on a date (yuan, ≥ 0)."""
    _fund_nav[:] = [source]


def fund_nav(actor: Actor, fund_id: int, on: date) -> Decimal:
    """The fund's NAV on ``on`` from the wired source, floored at 0, to the fen."""
    if not _fund_nav:
        raise NotFound("waterfall_nav_unavailable")
    nav = _fund_nav[0](actor, fund_id, on)
    return max(Decimal("0.00"), nav.quantize(Decimal("0.01")))


def terms_on(fund_id: int, on: date) -> WaterfallTerms | None:
    """The version in force on ``on``: latest ``effective_on`` ≤ ``on``, then latest row."""
    return db.session.scalars(
        sa.select(WaterfallTerms).where(WaterfallTerms.fund_id == fund_id,
                                        WaterfallTerms.effective_on <= on)
        .order_by(WaterfallTerms.effective_on.desc(), WaterfallTerms.id.desc()).limit(1)
    ).first()


def terms_history(fund_id: int) -> list[WaterfallTerms]:
    """Every version of the fund's terms, newest effective date (then row) first."""
    return list(db.session.scalars(
        sa.select(WaterfallTerms).where(WaterfallTerms.fund_id == fund_id)
        .order_by(WaterfallTerms.effective_on.desc(), WaterfallTerms.id.desc())))


def calc_terms(row: WaterfallTerms) -> Terms:
    """The calculation's terms of a stored version (the carry recipient is always a
    GP-commitment party: its own paid-in takes no carry)."""
    tiers = tuple(
        ConcessionTier(c.government_id, c.threshold_rate, c.share_rate,
                       tuple((b.investor_id, b.weight) for b in c.beneficiaries),
                       c.condition.value if c.condition else None)
        for c in row.concessions)
    return Terms(structure=row.structure, carry=row.carry_rate, catch_up=row.catch_up_rate,
                 hurdle=row.hurdle, hurdle_rate=row.hurdle_rate,
                 capital_basis=row.capital_basis,
                 gp_commitment=frozenset({row.carry_recipient_id,
                                          *(p.investor_id for p in row.gp_parties)}),
                 holdback=row.holdback_rate, concessions=tiers,
                 concession_placement=row.concession_placement)


def stored_conventions(row: WaterfallTerms) -> tuple[Convention, ...]:
    """The calculation's conventions plus the stored waterfall's own."""
    return (*conventions(calc_terms(row)), *own_conventions(row))


def own_conventions(row: WaterfallTerms) -> tuple[Convention, ...]:
    """The stored waterfall's conventions (recipient, histories, escrow, deal flows)."""
    extra = [Convention("wf_conv_recipient", (("recipient", row.carry_recipient.name),)),
             Convention("wf_conv_history")]
    if row.holdback_rate:
        extra.append(Convention("wf_conv_escrow_in_fund"))
    if row.structure is Structure.DEAL_BY_DEAL:
        extra.append(Convention("wf_conv_deal_flows"))
    return tuple(extra)


def list_runs(fund_id: int) -> list[WaterfallRun]:
    """The fund's runs, newest first (reversed ones too)."""
    return list(db.session.scalars(
        sa.select(WaterfallRun).where(WaterfallRun.fund_id == fund_id)
        .order_by(WaterfallRun.value_on.desc(), WaterfallRun.id.desc())))


def reversal_of(run_id: int) -> WaterfallRunReversal | None:
    return db.session.scalars(sa.select(WaterfallRunReversal).where(
        WaterfallRunReversal.run_id == run_id)).first()


def reversed_run_ids(fund_id: int) -> set[int]:
    return set(db.session.scalars(
        sa.select(WaterfallRunReversal.run_id).join(
            WaterfallRun, WaterfallRun.id == WaterfallRunReversal.run_id)
        .where(WaterfallRun.fund_id == fund_id)))


def get_run(fund_id: int, run_id: int) -> WaterfallRun:
    run = db.session.get(WaterfallRun, run_id)
    if run is None or run.fund_id != fund_id:
        raise NotFound("waterfall_run_not_found", run_id=run_id)
    return run


def latest_live_run(fund_id: int) -> WaterfallRun | None:
    runs = live_runs(fund_id)
    return runs[-1] if runs else None


def run_of_entry(entry: Any) -> ValidationError | None:
    """The reversal owner of :mod:`fundops.portfolio.ledger_services`: a waterfall run's
    distribution entry is reversed only through its run."""
    found = db.session.scalar(sa.select(WaterfallRun.id).where(
        WaterfallRun.cash_flow_id == entry.id))
    return ValidationError("entry_id", "waterfall_reverse_the_run") if found else None


@dataclass(frozen=True)
class LiquidationView:
    """"As if liquidated" on ``on``: the terms row, the result and its conventions."""

    terms: WaterfallTerms
    result: Liquidation
    conventions: tuple[Convention, ...]


def liquidation(actor: Actor, fund_id: int, on: date,
                conditions_met: Sequence[str] = ()) -> LiquidationView | None:
    """Accrued carry and each party's net NAV if the fund's NAV on ``on`` were distributed
    through the whole-fund tiers of the terms in force (None: no terms). A deal-by-deal
    fund is measured the same way over the whole fund (its clawback is separate)."""
    if terms_on(fund_id, on) is None:
        return None
    return liquidation_at(fund_id, on, fund_nav(actor, fund_id, on), conditions_met)


def liquidation_at(fund_id: int, on: date, nav: Decimal,
                   conditions_met: Sequence[str] = ()) -> LiquidationView | None:
    """:func:`liquidation` with the NAV (yuan, ≥ 0, fen) given by the caller (the metrics
    feature passes the NAV it computed); None: no terms in force on ``on``."""
    row = terms_on(fund_id, on)
    if row is None:
        return None
    nav = max(Decimal("0.00"), nav.quantize(Decimal("0.01")))
    histories = fund_histories(fund_id, on)
    result = liquidate(calc_terms(row), histories, row.carry_recipient_id, nav, on,
                       conditions_met)
    return LiquidationView(row, result, (*result.conventions, Convention("wf_conv_nav"),
                                         *own_conventions(row)))


def liquidate(terms: Terms, histories: Mapping[Party, PartyHistory], gp: int, nav: Decimal,
              on: date, conditions_met: Sequence[str] = ()) -> Liquidation:
    """:func:`as_if_liquidated`, with nobody paid in read as zero carry (nothing to run)."""
    paid = any(h.contributions for h in histories.values())
    return as_if_liquidated(terms, histories if paid else {}, gp,
                            nav if paid else Decimal("0.00"), on, conditions_met)


@dataclass(frozen=True)
class ClawbackView:
    terms: WaterfallTerms
    result: Clawback
    deals: list[Deal]


def deal_clawback(fund_id: int, on: date) -> ClawbackView | None:
    """The clawback if the deal-by-deal fund ended on ``on``: each company with exit
    proceeds is a deal (flows: :mod:`fundops.exits.waterfall_history`); the escrow is the
    holdback of the fund's live runs. None: no deal-by-deal terms or no realised deal."""
    row = terms_on(fund_id, on)
    if row is None or row.structure is not Structure.DEAL_BY_DEAL:
        return None
    deals = []
    for company_id, proceeds in sorted(deal_proceeds(fund_id, on).items()):
        histories = deal_histories(fund_id, company_id, on)
        flows: dict[Party, tuple[Contribution, ...]] = {
            p: h.contributions for p, h in histories.items() if h.contributions}
        if flows:
            deals.append(Deal(company_id, flows, tuple(proceeds)))
    if not deals:
        return None
    escrow = sum((r.escrow_amount for r in live_runs(fund_id, on)), Decimal("0.00"))
    return ClawbackView(row, clawback(calc_terms(row), deals, row.carry_recipient_id, escrow),
                        deals)
