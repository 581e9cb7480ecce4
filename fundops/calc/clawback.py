"""Deal-by-deal (American) carry and the clawback at the end of the fund (§5.5, §5.5.1).

Each realised deal runs through the tiers on its own flows (the contributions that funded
it and its proceeds), so the GP earns carry deal by deal. At the end the whole fund is
rerun on the same flows (all contributions, every proceeds date) as one whole-fund
waterfall; conventions (printed beside the result):

* clawback = deal-by-deal carry received − whole-fund carry on the same flows, floored at
  0; before the GP's taxes (no tax offset) and not reduced by anything else;
* escrow offset: the clawback is paid first out of the escrow (the holdback of the deal
  runs, or the balance the caller passes), the GP pays the rest; escrow beyond the
  clawback is released to the GP;
* the clawback goes back to each LP in proportion to the carry its pools bore deal by deal
  in excess of the whole-fund rerun (largest remainder to the fen).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from fundops.calc.allocation import allocate_pro_rata
from fundops.calc.returns import xirr
from fundops.calc.waterfall import FEN, WaterfallRun, replay
from fundops.calc.waterfall_terms import (
    ZERO,
    Contribution,
    Convention,
    Party,
    Structure,
    WaterfallTerms,
    conventions,
)
from fundops.errors import ValidationError


@dataclass(frozen=True)
class Deal:
    """One realised deal's flows: per party the contributions that funded it, and its
    proceeds ``(date, yuan)`` distributed through the waterfall."""

    key: Hashable
    contributions: Mapping[Party, tuple[Contribution, ...]]
    proceeds: tuple[tuple[date, Decimal], ...]


@dataclass(frozen=True)
class Clawback:
    """The end-of-fund true-up of a deal-by-deal fund (yuan, fen).

    ``deal_carry``: carry per deal; ``deal_by_deal_carry``: their sum; ``whole_fund_carry``:
    the rerun's carry; ``amount``: the clawback; ``from_escrow`` + ``from_gp`` == ``amount``;
    ``escrow_released``: escrow returned to the GP; ``to_lps``: the clawback per LP;
    ``lp_irr``: the LPs' XIRR on the fund's gross flows (contributions and proceeds).
    """

    deal_carry: Mapping[Hashable, Decimal]
    deal_by_deal_carry: Decimal
    whole_fund_carry: Decimal
    amount: Decimal
    from_escrow: Decimal
    from_gp: Decimal
    escrow_released: Decimal
    to_lps: Mapping[Party, Decimal]
    lp_irr: float | None
    conventions: tuple[Convention, ...]


def deal_runs(terms: WaterfallTerms, deals: Sequence[Deal], gp: Party,
              conditions_met: Collection[str] = ()) -> dict[Hashable, tuple[WaterfallRun, ...]]:
    """Each deal's proceeds run through the tiers on that deal's flows alone."""
    return {deal.key: replay(terms, deal.contributions, deal.proceeds, gp, conditions_met)
            for deal in deals}


def clawback(terms: WaterfallTerms, deals: Sequence[Deal], gp: Party,
             escrow_held: Decimal | None = None,
             conditions_met: Collection[str] = ()) -> Clawback:
    """The clawback of a deal-by-deal fund at its end (see the module for the conventions).

    ``escrow_held``: the escrow balance for the GP's carry; ``None`` takes the holdback of
    the deal runs. Raises ``ValidationError("structure", ...)`` for whole-fund terms.
    """
    if terms.structure is not Structure.DEAL_BY_DEAL:
        raise ValidationError("structure", "waterfall_not_deal_by_deal")
    by_deal = deal_runs(terms, deals, gp, conditions_met)
    deal_carry = {key: sum((r.carry for r in runs), ZERO) for key, runs in by_deal.items()}
    total = sum(deal_carry.values(), ZERO)
    contributions: dict[Party, list[Contribution]] = {}
    for deal in deals:
        for party, flows in deal.contributions.items():
            contributions.setdefault(party, []).extend(flows)
    proceeds = [flow for deal in deals for flow in deal.proceeds]
    whole_terms = replace(terms, structure=Structure.WHOLE_FUND)
    fund_runs = replay(whole_terms, {p: tuple(f) for p, f in contributions.items()},
                       proceeds, gp, conditions_met)
    whole = sum((r.carry for r in fund_runs), ZERO)
    amount = max(FEN * 0, total - whole)
    if escrow_held is None:
        escrow_held = sum((r.escrow for runs in by_deal.values() for r in runs), FEN * 0)
    from_escrow = min(amount, escrow_held)
    borne = _carry_by_party([r for runs in by_deal.values() for r in runs])
    rerun = _carry_by_party(list(fund_runs))
    excess = [(p, max(ZERO, c - rerun.get(p, ZERO))) for p, c in borne.items()]
    to_lps = (allocate_pro_rata(amount, excess)
              if amount > 0 and any(w > 0 for _, w in excess) else {})
    gross = [(c.on, -c.amount) for paid in contributions.values() for c in paid] + proceeds
    rate = xirr([d for d, _ in gross], [a for _, a in gross]) if gross else None
    return Clawback(deal_carry, total, whole, amount, from_escrow, amount - from_escrow,
                    escrow_held - from_escrow, to_lps, rate, conventions(terms))


def _carry_by_party(runs: Sequence[WaterfallRun]) -> dict[Party, Decimal]:
    """The carry each party's pools bore over ``runs``."""
    out: dict[Party, Decimal] = {}
    for run in runs:
        for party, piece in run.slices.items():
            out[party] = out.get(party, ZERO) + piece.carry
    return out
