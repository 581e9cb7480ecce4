"""Exact pro-rata allocation (largest-remainder method) and checks for explicit splits."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from decimal import MAX_PREC, Decimal, localcontext
from fractions import Fraction
from typing import TypeVar

from fundops.errors import ValidationError
from fundops.money import DEFAULT_CURRENCY, MINOR_PLACES, D, Money, decimal_places

K = TypeVar("K", bound=Hashable)


def _to_units(total: Decimal, places: int) -> int:
    """Convert ``total`` to an integer count of minor units (10**-places), exactly."""
    scaled = Fraction(total) * Fraction(10) ** places
    if scaled.denominator != 1:
        raise ValueError(f"total {total} has more than {places} decimal places")
    return scaled.numerator


def _from_units(units: int, places: int) -> Decimal:
    """Build the Decimal ``units * 10**-places`` exactly, with exponent ``-places``."""
    digits = tuple(int(ch) for ch in str(abs(units)))
    return Decimal((1 if units < 0 else 0, digits, -places))


def allocate_pro_rata(
    total: Decimal, weights: Sequence[tuple[K, Decimal]], places: int = MINOR_PLACES
) -> dict[K, Decimal]:
    """Split ``total`` among parties in proportion to their weights, exactly.

    ``total`` is an amount in major units (e.g. yuan) with at most ``places``
    decimals; each part is returned with exactly ``places`` decimals and the
    parts sum exactly to ``total``. ``weights`` is a sequence of
    ``(key, weight)`` pairs; weights are non-negative Decimals (ints accepted)
    in any unit - only their ratios matter, so scaling every weight by the same
    positive factor leaves the result unchanged.

    Rounding rule (largest-remainder method, deterministic):

    1. each party's exact share is ``total * w / sum(weights)``;
    2. the share is truncated toward zero to ``places`` decimals;
    3. the minor units still missing (``total`` minus the truncated sum) are
       handed out one each to the parties whose truncated-away fraction is
       largest; ties go to the larger weight, then to the earlier position in
       ``weights``.

    The sign mirrors for a negative ``total``: shares truncate toward zero and
    the leftover units are negative. Hence every part lies strictly within one
    minor unit of its exact share, has the sign of ``total`` (or is zero), and
    a zero-weight party always gets exactly zero.

    Returns a dict in the order of ``weights``. Raises ``ValueError`` for empty
    ``weights``, duplicate keys, a negative or non-finite weight, all-zero
    weights, a non-finite ``total`` or one with more than ``places`` decimals,
    and ``TypeError`` for float/bool values.
    """
    if places < 0:
        raise ValueError("places must be >= 0")
    if not weights:
        raise ValueError("cannot allocate: no parties (weights is empty)")
    total_units = _to_units(D(total), places)

    keys: list[K] = []
    fractions: list[Fraction] = []
    seen: set[K] = set()
    for key, weight in weights:
        if key in seen:
            raise ValueError(f"cannot allocate: party {key!r} appears more than once")
        seen.add(key)
        value = D(weight)
        if value < 0:
            raise ValueError(f"cannot allocate: weight for {key!r} is negative ({value})")
        keys.append(key)
        fractions.append(Fraction(value))
    weight_sum = sum(fractions, Fraction(0))
    if weight_sum == 0:
        raise ValueError("cannot allocate: all weights are zero")

    sign = -1 if total_units < 0 else 1
    magnitude = abs(total_units)
    base: list[int] = []
    remainders: list[Fraction] = []
    for fraction in fractions:
        exact = magnitude * fraction / weight_sum  # exact share in minor units, >= 0
        whole = exact.numerator // exact.denominator  # truncation (toward zero)
        base.append(whole)
        remainders.append(exact - whole)

    leftover = magnitude - sum(base)  # 0 <= leftover < number of parties
    order = sorted(range(len(keys)), key=lambda i: (-remainders[i], -fractions[i], i))
    for i in order[:leftover]:
        base[i] += 1

    return {key: _from_units(sign * units, places) for key, units in zip(keys, base, strict=True)}


def allocate_units(total: int, weights: Sequence[int]) -> list[int]:
    """:func:`allocate_pro_rata` on integers: ``total`` minor units split in proportion to
    non-negative integer ``weights`` (same largest-remainder rule and tie order: larger
    remainder, then larger weight, then earlier position), parts in ``weights`` order.

    Pure integer arithmetic (no Fraction or Decimal), for hot loops such as splitting a
    fund's NAV in fen among its LPs. Raises ``ValueError`` for empty weights, a negative
    weight or all-zero weights.
    """
    if not weights:
        raise ValueError("cannot allocate: no parties (weights is empty)")
    if any(w < 0 for w in weights):
        raise ValueError("cannot allocate: a weight is negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("cannot allocate: all weights are zero")
    sign, magnitude = (-1 if total < 0 else 1), abs(total)
    base, remainders = [], []
    for w in weights:
        whole, rest = divmod(magnitude * w, weight_sum)
        base.append(whole)
        remainders.append(rest)
    leftover = magnitude - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for i in order[:leftover]:
        base[i] += 1
    return [sign * b for b in base]


def _money(value: Decimal, places: int, currency: str) -> Money:
    """``value`` written with ``places`` decimals, as an amount of ``currency`` for a message."""
    return Money(value.quantize(Decimal(1).scaleb(-places)), currency)


def check_explicit_split(
    total: Decimal,
    parts: Mapping[K, Decimal],
    field: str = "allocation",
    *,
    places: int = MINOR_PLACES,
    currency: str = DEFAULT_CURRENCY,
) -> None:
    """Check that a hand-entered split of ``total`` is consistent.

    All values are amounts in major units (e.g. yuan) of ``currency`` (used only to
    show the amounts in the error). Raises
    ``ValidationError(field, ...)`` for the first problem found, in this order:

    * ``total`` or a part has more than ``places`` (default 2) decimals;
    * a part has the opposite sign of ``total`` (when ``total`` is zero every
      part must be zero);
    * the parts do not sum exactly to ``total`` - the message states both
      the sum and the total, and the difference.

    Nothing is rounded. ``TypeError`` is raised for float/bool values and
    ``ValueError`` for non-finite ones.
    """
    total_value = D(total)
    if decimal_places(total_value) > places:
        raise ValidationError(field, "split_total_places", total=str(total_value), places=places)
    values: dict[K, Decimal] = {key: D(part) for key, part in parts.items()}
    for key, value in values.items():
        if decimal_places(value) > places:
            raise ValidationError(field, "split_part_places", key=repr(key), value=str(value),
                                  places=places)
    for key, value in values.items():
        if total_value.is_zero() and not value.is_zero():
            raise ValidationError(field, "split_part_total_zero", key=repr(key),
                                  value=_money(value, places, currency))
        if (total_value > 0 and value < 0) or (total_value < 0 and value > 0):
            raise ValidationError(field, "split_part_sign", key=repr(key),
                                  value=_money(value, places, currency),
                                  total=_money(total_value, places, currency))
    with localcontext() as ctx:
        ctx.prec = MAX_PREC  # sums and differences are then exact, never rounded
        parts_sum = sum(values.values(), Decimal(0))
        difference = total_value - parts_sum
    if difference != 0:
        raise ValidationError(field, "split_sum_mismatch",
                              parts_sum=_money(parts_sum, places, currency),
                              total=_money(total_value, places, currency),
                              difference=_money(difference, places, currency))
