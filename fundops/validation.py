"""Input validators shared by every feature's services: each returns the parsed value or
raises :class:`~fundops.errors.ValidationError` naming the field, with a registered code."""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import TypeVar

from fundops.errors import ValidationError

_REGION_RE = re.compile(r"^\d{6}$")

E = TypeVar("E", bound=enum.Enum)


def parse_enum(enum_cls: type[E], value: object, field: str) -> E:
    """Return ``enum_cls(value)`` or raise a ValidationError listing the allowed values."""
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ValidationError(field, "not_one_of", value=value, allowed=allowed) from None


def require_text(value: object, field: str, max_len: int = 200) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError(field, "required")
    if len(text) > max_len:
        raise ValidationError(field, "too_long", max_len=max_len)
    return text


MAX_ROW_ID = 2**31 - 1


def require_int(value: object, field: str, low: int, high: int) -> int:
    """A whole number within [low, high]: an int, or text of one (no floats, no bools)."""
    if isinstance(value, bool | float):
        raise ValidationError(field, "not_whole_number")
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValidationError(field, "not_whole_number") from None
    if not low <= number <= high:
        raise ValidationError(field, "out_of_range", low=low, high=high)
    return number


def require_id(value: object, field: str) -> int:
    """A row id given as input (an int or its text), 1 … 2³¹−1."""
    return require_int(value, field, 1, MAX_ROW_ID)


_TRUE, _FALSE = {"true", "1", "yes", "on", "y"}, {"false", "0", "no", "off", "n", ""}


def parse_bool(value: object, field: str) -> bool:
    """True/False from a bool or its usual text forms ("true", "0", "yes", "off" …)."""
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(field, "not_boolean", value=value)


def validate_region(value: object, field: str = "region_code") -> str:
    """A six-digit administrative division code (GB/T 2260), e.g. 440300."""
    text = str(value or "").strip()
    if not _REGION_RE.match(text):
        raise ValidationError(field, "region_code_invalid", value=text)
    return text


def require_date(value: object, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(field, "not_a_date", value=value) from None
