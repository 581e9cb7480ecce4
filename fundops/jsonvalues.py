"""JSON-ready values: Decimals as positional strings (exact, never "0E-8"), dates in ISO 8601."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any


def to_json(value: Any) -> Any:
    """``value`` with every Decimal, date and datetime inside it made JSON-ready (recursive
    through dicts, lists and tuples); other values unchanged."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value
