"""Unified social credit code (统一社会信用代码, GB 32100-2015) check-character validation."""

from __future__ import annotations

import unicodedata

from fundops.errors import ValidationError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 code characters (no I, O, Z, S, V); a character's value is its index here."""

USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""Weights of positions 1..17, i.e. ``3 ** (i - 1) % 31``."""

USCC_LENGTH = 18

_VALUES = {ch: index for index, ch in enumerate(USCC_ALPHABET)}


def _check_value(first17: str) -> int:
    """Check value for 17 already-validated characters: ``(31 - weighted_sum % 31) % 31``."""
    weighted_sum = sum(
        _VALUES[ch] * weight for ch, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return (31 - weighted_sum % 31) % 31


def _first_bad_char(code: str) -> tuple[int, str] | None:
    """Return (1-based position, character) of the first character outside the alphabet."""
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUES:
            return position, ch
    return None


def uscc_check_char(first17: str) -> str:
    """Return the 18th (check) character for the first 17 characters of a USCC.

    ``first17`` must be exactly 17 characters from :data:`USCC_ALPHABET`
    (upper case); otherwise ``ValueError`` is raised. Computation: value =
    31 - (sum of value_i * weight_i mod 31), with 31 mapped to 0; the check
    character is ``USCC_ALPHABET[value]``.
    """
    if not isinstance(first17, str):
        raise TypeError("first17 must be a str")
    if len(first17) != USCC_LENGTH - 1:
        raise ValueError(f"need exactly 17 characters, got {len(first17)}")
    bad = _first_bad_char(first17)
    if bad is not None:
        raise ValueError(f"invalid character {bad[1]!r} at position {bad[0]}")
    return USCC_ALPHABET[_check_value(first17)]


def make_uscc(first17: str) -> str:
    """Append the correct check character to 17 valid characters (for demo/test data)."""
    return first17 + uscc_check_char(first17)


def validate_uscc(code: object, field: str = "uscc") -> str:
    """Normalise and validate an 18-character unified social credit code.

    Normalisation: NFKC (full-width input such as "９１" becomes "91"), strip
    surrounding whitespace, upper-case. Only the length, the alphabet and the
    check character are verified, not whether the code is actually registered.

    Returns the normalised code. Raises ``ValidationError(field, ...)`` with a
    specific message: missing value, wrong length, an invalid character (named,
    with its 1-based position) or a wrong check character (expected vs got).
    """
    if code is None or (isinstance(code, str) and not code.strip()):
        raise ValidationError(field, "required")
    if not isinstance(code, str):
        raise ValidationError(field, "not_text", kind=type(code).__name__)
    normalised = unicodedata.normalize("NFKC", code).strip().upper()
    if len(normalised) != USCC_LENGTH:
        raise ValidationError(field, "uscc_length", length=USCC_LENGTH, got=len(normalised))
    bad = _first_bad_char(normalised)
    if bad is not None:
        position, ch = bad
        raise ValidationError(field, "uscc_bad_char", char=repr(ch), position=position)
    expected = USCC_ALPHABET[_check_value(normalised[:17])]
    got = normalised[17]
    if got != expected:
        raise ValidationError(field, "uscc_check_char", expected=repr(expected), got=repr(got))
    return normalised


def is_valid_uscc(code: object) -> bool:
    """True when :func:`validate_uscc` accepts ``code``; never raises."""
    try:
        validate_uscc(code)
    except ValidationError:
        return False
    return True
