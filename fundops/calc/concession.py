"""让利 (profit concession) tiers of a waterfall (domain rules §3.4, §5.5.1).

A tier lets the government LP keep its principal plus a threshold and cede a share of its
excess to named beneficiaries. Conventions (printed beside every result):

* principal = everything the government paid in (fees included); threshold = simple
  interest at the tier's rate, Actual/365, on each contribution's *original* amount from
  its date to the run date (not reduced as capital comes back);
* the government's receipts are counted at face value, cumulatively over the fund's life:
  after the fund's carry (``AFTER_CARRY``: what its pool paid it) or before it
  (``BEFORE_CARRY``: its gross pools, i.e. what they paid it, the carry taken from them
  and what was ceded out of them);
* excess = receipts − principal − threshold, floored at zero; several tiers add up (a
  marginal schedule "50 % above 4 %, 100 % above 8 %" is two tiers of 50 %);
* the cumulative target is Σ share × excess over the tiers whose condition is met in this
  run; this run cedes the target less what the government ceded before, floored at zero
  and capped at this run's measure (its pool before carry, what the pool pays it after
  carry: the government never pays back), rounded down to the fen;
* ``BEFORE_CARRY``: the ceded amount leaves the government's pool before its waterfall
  (no carry is charged on it); ``AFTER_CARRY``: it is taken from what the pool paid the
  government (the GP keeps the carry on the whole pool). Either way it goes to the
  beneficiaries by weight (each tier's part by its weights), carry-free.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fundops.calc.carry import simple_interest
from fundops.calc.waterfall_terms import (
    ZERO,
    ConcessionPlacement,
    ConcessionTier,
    Party,
    PartyHistory,
    Slice,
    WaterfallTerms,
)


@dataclass(frozen=True)
class Cession:
    """What one government LP cedes in a run, exactly (before rounding to the fen).

    ``amount``: the ceded amount before the cap at what the government receives;
    ``weights``: ``(beneficiary, weight)`` pairs for splitting it (non-negative).
    """

    government: Party
    amount: Decimal
    weights: tuple[tuple[Party, Decimal], ...]


def _receipts(slices: Collection[Slice], placement: ConcessionPlacement) -> Decimal:
    if placement is ConcessionPlacement.BEFORE_CARRY:
        return sum((s.waterfall + s.carry + s.ceded_before_carry for s in slices), ZERO)
    return sum((s.waterfall for s in slices), ZERO)


def cessions(terms: WaterfallTerms, histories: Mapping[Party, PartyHistory],
             current: Mapping[Party, Decimal], on: date,
             conditions_met: Collection[str]) -> list[Cession]:
    """The cession of each government LP named by an active 让利 tier, in this run.

    ``current``: this run's measure per party (exact): its pool before carry, or what its
    pool pays it after carry, as the placement says. A tier is active when it has no
    condition or its condition is in ``conditions_met``. Governments without a history
    cede nothing.
    """
    by_government: dict[Party, list[ConcessionTier]] = {}
    for tier in terms.concessions:
        if tier.condition is None or tier.condition in conditions_met:
            by_government.setdefault(tier.government, []).append(tier)
    out = []
    for government, tiers in by_government.items():
        history = histories.get(government)
        if history is None:
            continue
        now = current.get(government, ZERO)
        received = _receipts(history.slices, terms.concession_placement) + now
        paid_in = [(c.on, c.amount) for c in history.contributions]
        principal = sum((a for _, a in paid_in), ZERO)
        weights: dict[Party, Decimal] = {}
        target = ZERO
        for tier in tiers:
            threshold = simple_interest(paid_in, tier.threshold_rate, on)
            part = tier.share * max(ZERO, received - principal - threshold)
            target += part
            total_weight = sum((w for _, w in tier.beneficiaries), ZERO)
            for party, weight in tier.beneficiaries:
                weights[party] = weights.get(party, ZERO) + part * weight / total_weight
        before = sum((s.ceded for s in history.slices), ZERO)
        amount = min(now, max(ZERO, target - before))
        if amount > 0:
            out.append(Cession(government, amount, tuple(weights.items())))
    return out
