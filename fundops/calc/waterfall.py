"""Running a distribution through a fund's waterfall (domain rules §5.5, §5.5.1, §3.4).

:func:`run_distribution` splits a distribution of ``amount`` yuan on ``on`` among the LPs and
the carry recipient (the GP), exact to the fen, with a tier-by-tier breakdown per party:

1. the amount is apportioned among the parties pro rata to what each has paid in to date
   (fees included); each share is a *pool*;
2. each pool runs through the tiers of :func:`fundops.calc.carry.split_pool` with that
   party's own history: return of capital, preferred return, GP catch-up, the split. A
   GP-commitment party's pool runs with no carry (pro rata treatment, no carry on itself);
3. the 让利 tiers move part of a government LP's excess to their beneficiaries
   (:mod:`fundops.calc.concession`): before carry out of its pool before step 2, after
   carry out of what step 2 paid it;
4. rounding: every tier is exact until the split; then the tier lines (LP tiers and carry
   lines of every pool) are rounded together to the fen by largest remainder
   (:func:`fundops.calc.allocation.allocate_pro_rata`, so they sum to ``amount`` exactly;
   ties go to the larger line, then to the earlier line: parties in the order of
   ``histories``, within a party LP tiers before the carry lines); 让利 is rounded down to
   the fen first and split among the beneficiaries by largest remainder; the holdback share of
   the GP's carry is rounded the same way against the carry.

Every tier is cumulative over the fund's life: a run pays the cumulative targets less what
earlier runs paid (read from the slices in each party's history), so splitting one
distribution into two on the same day gives the same totals within one fen per line.
For a deal-by-deal fund, call it per deal with that deal's flows as the histories
(:mod:`fundops.calc.clawback`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal, localcontext
from enum import StrEnum

from fundops.calc.allocation import allocate_pro_rata, allocate_units
from fundops.calc.carry import pool_state, split_pool, total_paid_in
from fundops.calc.concession import Cession, cessions
from fundops.calc.waterfall_terms import (
    ZERO,
    ConcessionPlacement,
    Contribution,
    Convention,
    Party,
    PartyHistory,
    Slice,
    WaterfallTerms,
    conventions,
    validate_history,
)
from fundops.errors import ValidationError
from fundops.money import MINOR_PLACES, decimal_places

FEN = Decimal("0.01")
_WEIGHT_PLACES = 12  # rounding weights: exact lines truncated to 10^-12 yuan
_PRECISION = 34  # digits of the exact stage (amounts up to 10^15 yuan keep 10^-19 yuan)


class Tier(StrEnum):
    """The lines of a slice, in breakdown order; each value names a :class:`Slice` field."""

    CAPITAL = "capital"
    PREF = "pref"
    CATCH_UP = "catch_up"
    SPLIT = "split"
    CARRY_CATCH_UP = "carry_catch_up"
    CARRY_SPLIT = "carry_split"
    CONCESSION_IN = "concession_in"
    CONCESSION_OUT = "concession_out"
    CEDED_BEFORE_CARRY = "ceded_before_carry"


_WATERFALL_LINES = (Tier.CAPITAL, Tier.PREF, Tier.CATCH_UP, Tier.SPLIT,
                    Tier.CARRY_CATCH_UP, Tier.CARRY_SPLIT)


def amount_of(piece: Slice, tier: Tier) -> Decimal:
    """The amount of ``tier`` in ``piece``."""
    value: Decimal = getattr(piece, tier.value)
    return value


@dataclass(frozen=True)
class TierSizes:
    """Whole-run tier sizes, exact (unrounded, summed over the pools): ``capital`` (tier 1),
    ``pref`` (tier 2), ``catch_up`` (tier 3, LP and GP parts), ``remainder`` (tier 4, split
    c to the GP and 1 − c to the LPs), ``ceded`` (让利 before the cap and rounding)."""

    capital: Decimal
    pref: Decimal
    catch_up: Decimal
    remainder: Decimal
    ceded: Decimal


@dataclass(frozen=True)
class WaterfallRun:
    """One distribution through the waterfall.

    ``slices``: per party, the rounded breakdown (fen) - store them; the next run reads them
    back as :attr:`PartyHistory.slices`. The carry recipient has a slice only when it is a
    GP-commitment party or a 让利 beneficiary. ``carry``: the GP's carry in this run (the
    carry lines of every slice); ``escrow``: the holdback part of it, paid into escrow;
    ``payments``: the cash each party receives now (the GP: its slice + carry − escrow).
    Σ ``payments`` + ``escrow`` == ``amount`` exactly.
    """

    on: date
    amount: Decimal
    gp: Party
    slices: Mapping[Party, Slice]
    tier_sizes: TierSizes
    carry: Decimal
    escrow: Decimal
    payments: Mapping[Party, Decimal]
    conventions: tuple[Convention, ...]


def run_distribution(terms: WaterfallTerms, histories: Mapping[Party, PartyHistory],
                     gp: Party, amount: Decimal, on: date,
                     conditions_met: Collection[str] = ()) -> WaterfallRun:
    """Split ``amount`` (yuan, > 0, at most 2 decimals) distributed on ``on`` among the
    parties of ``histories`` (LPs and GP-commitment parties, each with its contributions
    and earlier slices, all dated on or before ``on``) and the carry recipient ``gp``.

    ``conditions_met``: the labels of the 让利 conditions met for this run.
    Raises ``ValidationError`` for a non-positive amount or one with fen fractions
    (``amount``), a flow after ``on`` (``histories``), nobody paid in (``histories``), or a
    carry recipient that is also an LP but not a GP-commitment party (``gp``).
    """
    _check_amount(amount, positive=True)
    validate_history(histories, on)
    if gp in histories and gp not in terms.gp_commitment and histories[gp].contributions:
        raise ValidationError("gp", "waterfall_gp_carry_on_itself")
    weights = {party: total_paid_in(h) for party, h in histories.items()}
    total_weight = sum(weights.values(), ZERO)
    if total_weight <= 0:
        raise ValidationError("histories", "waterfall_nothing_paid_in", on=on.isoformat())
    before = terms.concession_placement is ConcessionPlacement.BEFORE_CARRY
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        pools = {party: amount * w / total_weight for party, w in weights.items()}
        pre: list[Cession] = []
        if before:
            pre = cessions(terms, histories, pools, on, conditions_met)
            pre = [replace(c, amount=c.amount.quantize(FEN, rounding=ROUND_FLOOR)) for c in pre]
            for cession in pre:
                pools[cession.government] -= cession.amount
        exact = {party: _pool(terms, histories[party], party, pools[party], on)
                 for party in pools}
        post: list[Cession] = []
        if not before:
            post = cessions(terms, histories, {p: s.waterfall for p, s in exact.items()}, on,
                            conditions_met)
        sizes = _sizes(exact, [*pre, *post])
    slices = _round(amount - sum((c.amount for c in pre), ZERO), exact, on)
    for cession in pre:
        slices = _cede(slices, cession, on, before=True)
    for cession in post:
        slices = _cede(slices, cession, on, before=False)
    carry = sum((s.carry for s in slices.values()), ZERO)
    escrow = FEN * 0
    if carry and terms.holdback:
        escrow = allocate_pro_rata(carry, [(0, terms.holdback), (1, 1 - terms.holdback)])[0]
    payments = {party: s.received for party, s in slices.items()}
    payments[gp] = payments.get(gp, ZERO) + carry - escrow
    return WaterfallRun(on, amount, gp, slices, sizes, carry, escrow, payments,
                        conventions(terms))


def _check_amount(amount: Decimal, *, positive: bool) -> None:
    if positive and amount <= 0:
        raise ValidationError("amount", "not_positive")
    if amount < 0:
        raise ValidationError("amount", "amount_negative", value=amount)
    if decimal_places(amount) > MINOR_PLACES:
        raise ValidationError("amount", "amount_too_many_places", places=MINOR_PLACES,
                              value=amount)


def _pool(terms: WaterfallTerms, history: PartyHistory, party: Party, amount: Decimal,
          on: date) -> Slice:
    """The exact slice of one party's pool of ``amount``."""
    state = pool_state(terms, history, on)
    if party in terms.gp_commitment:
        return split_pool(amount, state, ZERO, None, on)
    return split_pool(amount, state, terms.carry, terms.catch_up, on)


def _sizes(exact: Mapping[Party, Slice], ceded: Sequence[Cession]) -> TierSizes:
    return TierSizes(
        capital=sum((s.capital for s in exact.values()), ZERO),
        pref=sum((s.pref for s in exact.values()), ZERO),
        catch_up=sum((s.catch_up + s.carry_catch_up for s in exact.values()), ZERO),
        remainder=sum((s.split + s.carry_split for s in exact.values()), ZERO),
        ceded=sum((c.amount for c in ceded), ZERO))


def _allocate_fen(amount: Decimal, lines: list[tuple[tuple[Party, Tier], Decimal]]
                  ) -> dict[tuple[Party, Tier], Decimal]:
    """:func:`allocate_units` of ``amount`` in fen over the lines' exact values, each
    truncated to 10^-12 yuan first (integer arithmetic: cheap for as-if-liquidated runs)."""
    weights = [int(value.scaleb(_WEIGHT_PLACES)) for _, value in lines]
    units = allocate_units(int(amount.scaleb(MINOR_PLACES)), weights)
    return {key: Decimal(n).scaleb(-MINOR_PLACES) for (key, _), n in zip(lines, units,
                                                                         strict=True)}


def _round(amount: Decimal, exact: Mapping[Party, Slice], on: date) -> dict[Party, Slice]:
    """Round every waterfall line of every slice to the fen, summing to ``amount``."""
    lines = [((party, tier), amount_of(piece, tier))
             for party, piece in exact.items() for tier in _WATERFALL_LINES
             if amount_of(piece, tier) > 0]
    rounded = _allocate_fen(amount, lines) if amount and lines else {}
    out: dict[Party, Slice] = {}
    for party in exact:
        zero = ZERO.quantize(FEN)
        line = [rounded.get((party, tier), zero) for tier in _WATERFALL_LINES]
        out[party] = Slice(on, capital=line[0], pref=line[1], catch_up=line[2], split=line[3],
                           carry_catch_up=line[4], carry_split=line[5], concession_in=zero,
                           concession_out=zero, ceded_before_carry=zero)
    return out


def _cede(slices: dict[Party, Slice], cession: Cession, on: date, *,
          before: bool) -> dict[Party, Slice]:
    """Record a cession: before carry it already left the government's pool (exact fen);
    after carry it is rounded down to the fen, capped at what the government receives,
    and taken from it. Either way the beneficiaries get it by largest remainder."""
    own = slices.get(cession.government, _empty(on))
    out = dict(slices)
    if before:
        ceded = cession.amount
        out[cession.government] = replace(own, ceded_before_carry=own.ceded_before_carry + ceded)
    else:
        ceded = min(cession.amount.quantize(FEN, rounding=ROUND_FLOOR), own.received)
        out[cession.government] = replace(own, concession_out=own.concession_out + ceded)
    if ceded <= 0:
        return slices
    weights = [(p, w) for p, w in cession.weights if w > 0]
    for party, share in allocate_pro_rata(ceded, weights).items():
        current = out.get(party, _empty(on))
        out[party] = replace(current, concession_in=current.concession_in + share)
    return out


def _empty(on: date) -> Slice:
    zero = ZERO.quantize(FEN)
    return Slice(on, zero, zero, zero, zero, zero, zero, zero, zero, zero)


@dataclass(frozen=True)
class Liquidation:
    """The fund "as if liquidated" on ``on``: its NAV distributed as one run.

    ``accrued_carry``: the GP's carry (escrow included); ``net_nav``: per party (LPs and
    GP-commitment parties), what it would receive, i.e. its NAV net of accrued carry;
    ``run``: the full breakdown (``None`` when the NAV is zero).
    """

    on: date
    nav: Decimal
    accrued_carry: Decimal
    net_nav: Mapping[Party, Decimal]
    run: WaterfallRun | None
    conventions: tuple[Convention, ...]


def as_if_liquidated(terms: WaterfallTerms, histories: Mapping[Party, PartyHistory],
                     gp: Party, nav: Decimal, on: date,
                     conditions_met: Collection[str] = ()) -> Liquidation:
    """Accrued carry and the LPs' net NAV if the fund's NAV (yuan, ≥ 0, at most 2
    decimals) were distributed on ``on`` through the whole-fund tiers (for a deal-by-deal
    fund pass one deal's flows and value). Nothing is stored; arguments as for
    :func:`run_distribution`."""
    _check_amount(nav, positive=False)
    notes = (*conventions(terms), Convention("wf_conv_as_if_liquidated"))
    if nav == 0:
        validate_history(histories, on)
        zero = ZERO.quantize(FEN)
        return Liquidation(on, nav, zero, dict.fromkeys(histories, zero), None, notes)
    run = run_distribution(terms, histories, gp, nav, on, conditions_met)
    net = {party: s.received for party, s in run.slices.items() if party in histories}
    return Liquidation(on, nav, run.carry, net, run, notes)


def replay(terms: WaterfallTerms, contributions: Mapping[Party, Sequence[Contribution]],
           distributions: Sequence[tuple[date, Decimal]], gp: Party,
           conditions_met: Collection[str] = ()) -> tuple[WaterfallRun, ...]:
    """Run ``distributions`` (date, yuan) in date order (stable) through the waterfall,
    each run seeing the contributions dated on or before it and the earlier runs' slices.
    Used for a whole-fund rerun (clawback) and for a deal's runs."""
    slices: dict[Party, list[Slice]] = {party: [] for party in contributions}
    runs = []
    for on, amount in sorted(distributions, key=lambda item: item[0]):
        histories = {party: PartyHistory(tuple(c for c in flows if c.on <= on),
                                         tuple(slices.get(party, ())))
                     for party, flows in contributions.items()}
        run = run_distribution(terms, histories, gp, amount, on, conditions_met)
        for party, piece in run.slices.items():
            slices.setdefault(party, []).append(piece)
        runs.append(run)
    return tuple(runs)
