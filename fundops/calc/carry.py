"""Pref/hurdle arithmetic and the tiers of one pool (domain rules §5.5, §5.5.1).

A *pool* is one party's pro-rata share of a distribution (see :mod:`fundops.calc.waterfall`).
Everything here is closed form (no solver): the hurdle balance of a pool on the run date
``t`` is a sum over its dated flows, one growth factor each (cached by rate and days).

Conventions (they are printed beside every result, see
:func:`fundops.calc.waterfall_terms.conventions`):

* Day count Actual/365 Fixed, as the fund's XIRR (``(t − t_j)/365`` years).
* ``Hurdle.SIMPLE``: pref = Σ unreturned capital × h × days/365, from each contribution date
  until the day that capital is returned; unpaid pref does not itself earn pref;
  pref outstanding = accrued − pref paid.
* ``Hurdle.COMPOUND``: balance B = Σ C_j (1+h)^{(t−t_j)/365} − Σ (capital+pref paid)_k
  (1+h)^{(t−s_k)/365}: unreturned capital and unpaid pref compound annually; both stop
  accruing the day they are paid back. Pref outstanding = B − unreturned capital (≥ 0).
  It is the amount that brings the XIRR of the pool's capital and pref flows to h.
* ``Hurdle.IRR``: the same balance over *every* LP receipt of the waterfall (capital, pref,
  catch-up and split; 让利 transfers excluded) and over the full contributions (fees are
  always in the LP's IRR): pref outstanding is the amount that brings the LP's XIRR to h,
  0 once it is there (so capital called after carry was paid earns no pref until the XIRR
  falls below h again).
* The catch-up target is cumulative over the fund's life: the catch-up tier runs until the
  GP holds ``c`` of all profit this pool has distributed (pref + catch-up + split tiers),
  with k of each yuan to the GP: size X = (c·P₀ − G₀)/(k − c), P₀ the profit distributed
  so far including this run's pref, G₀ the carry paid so far (X = c·P/(1−c) with 100 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from fundops.calc.waterfall_terms import (
    ZERO,
    Hurdle,
    PartyHistory,
    Slice,
    WaterfallTerms,
)

DAYS_PER_YEAR = 365


@lru_cache(maxsize=64)
def _log_growth(rate: Decimal) -> Decimal:
    return (1 + rate).ln()


@lru_cache(maxsize=1 << 16)
def growth(rate: Decimal, days: int) -> Decimal:
    """(1 + rate)^(days/365): the compound growth factor over ``days`` (≥ 0) days."""
    if days == 0 or rate == 0:
        return Decimal(1)
    return (days * _log_growth(rate) / DAYS_PER_YEAR).exp()


def simple_interest(amounts: list[tuple[date, Decimal]], rate: Decimal, on: date) -> Decimal:
    """Σ amount × rate × (on − date)/365: simple interest on each amount from its date."""
    day_sum = sum((amount * (on - when).days for when, amount in amounts), ZERO)
    return day_sum * rate / DAYS_PER_YEAR


def _future_value(amounts: list[tuple[date, Decimal]], rate: Decimal, on: date) -> Decimal:
    return sum((amount * growth(rate, (on - when).days) for when, amount in amounts), ZERO)


@dataclass(frozen=True)
class PoolState:
    """Where one pool stands on the run date, before the run (yuan, exact).

    ``capital``: unreturned capital (tier 1 still owed); ``pref``: pref outstanding
    (tier 2 still owed); ``profit``: profit distributed so far (pref + catch-up + split
    tiers, LP and GP parts); ``carry``: carry paid so far on this pool.
    """

    capital: Decimal
    pref: Decimal
    profit: Decimal
    carry: Decimal


def pool_state(terms: WaterfallTerms, history: PartyHistory, on: date) -> PoolState:
    """The state of a party's pool on ``on`` from its dated history (see the module)."""
    basis = terms.capital_basis
    paid_in = [(c.on, c.base(basis)) for c in history.contributions]
    slices = history.slices
    capital = max(ZERO, sum((a for _, a in paid_in), ZERO) - sum((s.capital for s in slices), ZERO))
    profit = sum((s.pref + s.catch_up + s.split + s.carry for s in slices), ZERO)
    carry = sum((s.carry for s in slices), ZERO)
    rate = terms.hurdle_rate
    if terms.hurdle is Hurdle.NONE:
        pref = ZERO
    elif terms.hurdle is Hurdle.SIMPLE:
        returned = [(s.on, s.capital) for s in slices]
        accrued = simple_interest(paid_in, rate, on) - simple_interest(returned, rate, on)
        pref = accrued - sum((s.pref for s in slices), ZERO)
    elif terms.hurdle is Hurdle.COMPOUND:
        paid_back = [(s.on, s.capital + s.pref) for s in slices]
        pref = _future_value(paid_in, rate, on) - _future_value(paid_back, rate, on) - capital
    else:  # Hurdle.IRR: every waterfall receipt, full contributions
        full = [(c.on, c.amount) for c in history.contributions]
        receipts = [(s.on, s.waterfall) for s in slices]
        pref = _future_value(full, rate, on) - _future_value(receipts, rate, on) - capital
    return PoolState(capital, max(ZERO, pref), profit, carry)


def split_pool(amount: Decimal, state: PoolState, carry: Decimal, catch_up: Decimal | None,
               on: date) -> Slice:
    """Run ``amount`` (≥ 0, exact yuan) of one pool through the tiers, exactly (no rounding).

    Tier 1 pays unreturned capital, tier 2 the pref outstanding, tier 3 the catch-up
    (``catch_up`` = k of it to the GP; ``None``: no tier 3), tier 4 splits the remainder
    ``carry`` to the GP and 1 − c to the LP. ``carry`` = 0 for a GP-commitment pool.
    """
    rest = amount
    capital = min(rest, state.capital)
    rest -= capital
    pref = min(rest, state.pref)
    rest -= pref
    tier3 = ZERO
    if catch_up is not None and catch_up > carry:
        target = (carry * (state.profit + pref) - state.carry) / (catch_up - carry)
        tier3 = min(rest, max(ZERO, target))
    rest -= tier3
    carry_catch_up = tier3 * (catch_up or ZERO)
    carry_split = rest * carry
    return Slice(on, capital=capital, pref=pref, catch_up=tier3 - carry_catch_up,
                 split=rest - carry_split, carry_catch_up=carry_catch_up,
                 carry_split=carry_split)


def total_paid_in(history: PartyHistory) -> Decimal:
    """Everything the party paid in (fees included): its pro-rata weight in a run."""
    return sum((c.amount for c in history.contributions), ZERO)


__all__ = [
    "DAYS_PER_YEAR",
    "PoolState",
    "growth",
    "pool_state",
    "simple_interest",
    "split_pool",
    "total_paid_in",
]
