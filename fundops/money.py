"""Exact decimal money: parsing, currency codes and a small currency-tagged amount type."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from decimal import MAX_PREC, Decimal, InvalidOperation, localcontext

from babel.core import get_global
from babel.numbers import get_territory_currencies, list_currencies

from fundops.errors import ValidationError

MINOR_PLACES = 2
"""Decimal places of the minor unit: amounts are stored in yuan with 2 places (fen)."""

DEFAULT_CURRENCY = "CNY"

# Integer part written with "," thousands separators: 1,234 or -12,345,678 (groups of three).
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_CODE_SHAPE = re.compile(r"[A-Z]{3}")
_MAX_SHOWN = 40


def _active_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender in at least one territory today.

    ``babel.numbers.list_currencies()`` also contains withdrawn codes (DEM, FRF, ...),
    so it is intersected with the currencies CLDR records as currently in use in some
    territory. Non-tender units (XAU, XDR, XTS, XXX, fund codes such as CLF) and the
    non-ISO offshore code CNH are therefore excluded.
    """
    today = _dt.datetime.now(_dt.UTC).date()  # a code's tender status changes on a date; any zone
    in_use: set[str] = set()
    for territory in get_global("territory_currencies"):
        in_use.update(get_territory_currencies(territory, start_date=today))
    return frozenset(in_use & set(list_currencies()))


CURRENCIES: frozenset[str] = _active_currencies()


def D(value: str | int | Decimal) -> Decimal:
    """Build an exact :class:`Decimal` from a string, int or Decimal (no rounding).

    Strings are stripped of surrounding whitespace; "," is accepted only as a
    thousands separator in correctly grouped numbers ("1,234,567.89"), so a
    decimal comma such as "1,50" is rejected rather than read as 150.

    Raises ``TypeError`` for ``float`` and ``bool`` (and any other type) and
    ``ValueError`` for unparsable strings or non-finite values (NaN, Infinity).
    """
    if isinstance(value, (bool, float)):
        raise TypeError(f"D() does not accept {type(value).__name__}; pass str, int or Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise ValueError(f"misplaced thousands separator in {value!r}")
            text = text.replace(",", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
    else:
        raise TypeError(f"D() does not accept {type(value).__name__}; pass str, int or Decimal")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def decimal_places(value: Decimal) -> int:
    """Count the significant fractional digits of a finite Decimal (trailing zeros ignored).

    ``decimal_places(Decimal("1.230")) == 2``; integers and zero give 0.
    """
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite number: {value!r}")
    end = len(digits)
    while end > 0 and digits[end - 1] == 0:
        end -= 1
        exponent += 1
    if end == 0:
        return 0
    return max(0, -exponent)


def quantize_exact(value: Decimal, places: int) -> Decimal:
    """Return ``value`` written with exactly ``places`` decimals, without rounding.

    Raises ``ValueError`` if that would need rounding (more than ``places``
    significant decimals). A negative zero comes back as positive zero.
    """
    if places < 0:
        raise ValueError("places must be >= 0")
    if decimal_places(value) > places:
        raise ValueError(f"{value} has more than {places} decimal places")
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + places + 2)
        result = value.quantize(Decimal(1).scaleb(-places))
    if result.is_zero():
        result = result.copy_abs()
    return result


def _shown(value: object) -> str:
    """Quote a user-supplied value for an error message, truncated to a sane length."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return f"'{text}'"


def validate_currency(code: object, field: str = "currency") -> str:
    """Normalise a currency code (strip, upper-case) and check it is in :data:`CURRENCIES`.

    Raises ``ValidationError(field, ...)`` naming the rejected value otherwise.
    """
    if code is None or (isinstance(code, str) and not code.strip()):
        raise ValidationError(field, "required")
    if not isinstance(code, str):
        raise ValidationError(field, "currency_not_code", value=_shown(code))
    normalised = code.strip().upper()
    if normalised not in CURRENCIES:
        raise ValidationError(field, "currency_unsupported", value=_shown(code))
    return normalised


def parse_amount(
    value: object,
    field: str,
    *,
    allow_zero: bool = False,
    allow_negative: bool = False,
    places: int = MINOR_PLACES,
    max_abs: Decimal = Decimal("1e15"),
) -> Decimal:
    """Parse user input into an exact amount in major units (yuan for CNY).

    Accepts ``str``, ``int`` or ``Decimal``; ``float`` and ``bool`` are rejected.
    The value is never rounded: more than ``places`` significant decimals is an
    error ("1.230" is fine for 2 places, "1.234" is not). By default the amount
    must be strictly positive; ``allow_zero`` / ``allow_negative`` relax that.
    ``abs(amount) <= max_abs`` is required.

    Returns the same value quantized to exactly ``places`` decimals (negative
    zero is returned as ``0.00``). Every failure raises ``ValidationError(field, ...)``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(field, "required")
    if isinstance(value, float):
        raise ValidationError(field, "amount_binary_float", value=_shown(value))
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValidationError(field, "amount_invalid", value=_shown(value))
    try:
        amount = D(value)
    except (TypeError, ValueError):
        raise ValidationError(field, "amount_invalid", value=_shown(value)) from None
    if decimal_places(amount) > places:
        raise ValidationError(field, "amount_too_many_places", places=places, value=_shown(value))
    if amount.is_zero():
        if not allow_zero:
            raise ValidationError(field, "amount_zero")
    elif amount < 0 and not allow_negative:
        raise ValidationError(field, "amount_negative", value=_shown(value))
    if abs(amount) > max_abs:
        raise ValidationError(field, "amount_too_large", limit=f"{max_abs:,f}")
    return quantize_exact(amount, places)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in major units (e.g. yuan) tagged with an ISO 4217 code.

    ``amount`` is any finite Decimal (int is converted; float rejected) and is
    not rounded. ``currency`` must look like a code (three letters; it is
    upper-cased) but is not checked against :data:`CURRENCIES`, so stored
    historic records still load - validate input with :func:`validate_currency`.
    Arithmetic between different currencies raises ``ValueError``.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", D(self.amount))
        if not isinstance(self.currency, str):
            raise TypeError("currency must be a str")
        code = self.currency.strip().upper()
        if not _CODE_SHAPE.fullmatch(code):
            raise ValueError(f"not a currency code: {self.currency!r}")
        object.__setattr__(self, "currency", code)

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        """Return a zero amount (``Decimal("0.00")``) in ``currency``."""
        return cls(Decimal(0).scaleb(-MINOR_PLACES), currency)

    def is_zero(self) -> bool:
        """True when the amount is zero (of either sign)."""
        return self.amount.is_zero()

    def _check_same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        with localcontext() as ctx:
            ctx.prec = MAX_PREC  # addition is then exact, never rounded
            total = self.amount + other.amount
        return Money(total, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        with localcontext() as ctx:
            ctx.prec = MAX_PREC  # subtraction is then exact, never rounded
            difference = self.amount - other.amount
        return Money(difference, self.currency)

    def __neg__(self) -> Money:
        return Money(self.amount.copy_negate(), self.currency)
