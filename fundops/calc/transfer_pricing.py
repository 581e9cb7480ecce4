"""Prices of LP-interest transfers (份额转让, domain-rules §5.4) and of the guidance fund's
exits by transfer: the buy-out option and the early exit (§3.4, §5.6).

Conventions (printed beside every result by the pages and the API):

* **S-fund transfer price** = ``reference NAV × (1 − discount)`` + calls the seller paid
  after the reference date − distributions the seller received after it, both at **face
  value** (no interest). ``discount`` is a fraction; a negative discount is a premium.
  The first term is rounded to the fen half-up; the adjustments are exact. A negative
  result is refused by the service (a transfer price is never negative).
* **Cost plus interest** (buy-out option, early exit priced by the charter) =
  ``Σ contributions + interest − Σ distributions received``, at face value, floored at 0.
  Interest is **simple**, Actual/365, at ``rate`` from each contribution date to the
  pricing date, on the ``original`` principal (each contribution accrues whatever was
  returned) or on the ``unreturned`` principal (the outstanding balance after
  distributions, never below 0, accrues). Rounded to the fen half-up once, at the end.

Worked example (S-fund): reference NAV 48,000,000.00 at 2023-12-31, discount 15 %, the
seller paid a call of 2,000,000.00 and received 1,000,000.00 after the reference date:
``48,000,000 × 0.85 + 2,000,000 − 1,000,000 = 41,800,000.00``.

Worked example (让利 buy-out): the government paid 30,000,000.00 on 2020-01-01 and
10,000,000.00 on 2021-01-01, received 5,000,000.00 on 2022-01-01; priced on 2024-01-01 at
3 % simple on the original principal:
interest = 30,000,000 × 0.03 × 1461/365 + 10,000,000 × 0.03 × 1095/365
= 3,602,465.7534… + 900,000 = 4,502,465.75; price = 40,000,000 + 4,502,465.75 − 5,000,000
= 39,502,465.75. On the unreturned principal the 5,000,000 stops accruing on 2022-01-01:
interest = 4,502,465.75… − 5,000,000 × 0.03 × 730/365 = 4,202,465.75; price 39,202,465.75.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "CostPlusInterest", "InterestBase", "TransferPrice", "cost_plus_interest", "fen",
    "transfer_price",
]

ZERO = Decimal("0.00")
DAYS_PER_YEAR = Decimal(365)


class InterestBase(enum.StrEnum):
    """Which principal accrues the reference interest of a cost-plus-interest price."""

    ORIGINAL = "original"  # every contribution, whatever was returned
    UNRETURNED = "unreturned"  # the balance not yet returned by distributions


def fen(value: Decimal) -> Decimal:
    """``value`` rounded to 2 decimals, half-up (away from zero on .5)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class TransferPrice:
    """The parts of an S-fund transfer price (yuan; ``discount`` a fraction)."""

    reference_nav: Decimal
    discount: Decimal
    discounted_nav: Decimal  # reference_nav × (1 − discount), to the fen
    calls_after: Decimal
    distributions_after: Decimal
    price: Decimal  # discounted_nav + calls_after − distributions_after (may be < 0)


def transfer_price(reference_nav: Decimal, discount: Decimal, calls_after: Decimal,
                   distributions_after: Decimal) -> TransferPrice:
    """Price of an LP interest: ``NAV_ref × (1 − discount) + calls − distributions`` after
    the reference date, at face value (see the module docstring)."""
    discounted = fen(reference_nav * (Decimal(1) - discount))
    price = discounted + calls_after - distributions_after
    return TransferPrice(reference_nav, discount, discounted, calls_after,
                         distributions_after, price)


@dataclass(frozen=True, slots=True)
class CostPlusInterest:
    """The parts of a cost-plus-interest price (yuan, to the fen)."""

    principal: Decimal  # Σ contributions up to the pricing date
    interest: Decimal  # simple interest (see ``base``), to the fen
    distributions: Decimal  # Σ distributions received up to the pricing date
    price: Decimal  # max(principal + interest − distributions, 0)
    rate: Decimal
    base: InterestBase
    on: date


def _exact_interest(flows: Sequence[tuple[date, Decimal]], returns: Sequence[tuple[date, Decimal]],
                    rate: Decimal, on: date, base: InterestBase) -> Decimal:
    if base is InterestBase.ORIGINAL:
        return sum((amount * rate * Decimal((on - when).days) / DAYS_PER_YEAR
                    for when, amount in flows if when <= on), Decimal(0))
    # unreturned: walk the dated balance; distributions reduce it (never below 0)
    events = sorted([(when, amount) for when, amount in flows if when <= on]
                    + [(when, -amount) for when, amount in returns if when <= on],
                    key=lambda e: (e[0], e[1] < 0))
    interest, balance = Decimal(0), Decimal(0)
    last: date | None = None
    for when, amount in events:
        if last is not None:
            interest += balance * rate * Decimal((when - last).days) / DAYS_PER_YEAR
        balance = max(balance + amount, Decimal(0))
        last = when
    if last is not None:
        interest += balance * rate * Decimal((on - last).days) / DAYS_PER_YEAR
    return interest


def cost_plus_interest(contributions: Sequence[tuple[date, Decimal]],
                       distributions: Sequence[tuple[date, Decimal]], rate: Decimal, on: date,
                       base: InterestBase = InterestBase.ORIGINAL) -> CostPlusInterest:
    """Principal + simple interest at ``rate`` (a fraction per year, Actual/365) from each
    contribution date to ``on`` − distributions received, at face value, floored at 0.

    Flows dated after ``on`` are ignored. Amounts are positive yuan.
    """
    principal = sum((a for when, a in contributions if when <= on), Decimal(0))
    returned = sum((a for when, a in distributions if when <= on), Decimal(0))
    interest = fen(_exact_interest(contributions, distributions, rate, on, base))
    price = max(fen(principal) + interest - fen(returned), ZERO)
    return CostPlusInterest(fen(principal), interest, fen(returned), price, rate, base, on)
