"""Turning model values into file values, and the xlsx formula-injection escape.

File values are JSON-compatible: ``int`` for ids and integers, ``bool``, ``None`` and
``str`` for everything else (amounts as fixed-point decimal strings, dates as
``YYYY-MM-DD``, timestamps as ISO 8601 in UTC with a ``+00:00`` offset).
"""

from __future__ import annotations

import enum
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fundops.exchange.schema import FieldSpec, RecordType
from fundops.money import quantize_exact

FileValue = int | bool | str | None

# ASVS 5.0 1.2.10: characters that make a spreadsheet treat text as a formula.
DANGEROUS_FIRST = frozenset("=+-@\t\r\0")
# One or more apostrophes followed by a dangerous character.
_ESCAPED = re.compile(r"'+[=+\-@\t\r\0]")


def escape_cell_text(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet could read as a formula.

    Text starting with ``= + - @``, tab, CR or NUL gets one ``'`` in front. So does
    text that already starts with apostrophes followed by such a character, so that
    :func:`unescape_cell_text` restores every text exactly.
    """
    if text and (text[0] in DANGEROUS_FIRST or _ESCAPED.match(text)):
        return "'" + text
    return text


def unescape_cell_text(text: str) -> str:
    """Undo :func:`escape_cell_text`: drop one leading ``'`` when apostrophes are
    followed by ``= + - @``, tab, CR or NUL; any other text is returned unchanged."""
    if _ESCAPED.match(text):
        return text[1:]
    return text


def format_decimal(value: Decimal, places: int) -> str:
    """Fixed-point text with exactly ``places`` decimals (never exponent notation)."""
    return format(quantize_exact(value, places), "f")


def to_file_value(spec: FieldSpec, value: Any) -> FileValue:
    """Convert one model attribute value to its file value (``key``/``ref`` are ints)."""
    if value is None:
        return None
    kind = spec.kind
    if kind in ("key", "ref", "objref", "int"):
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind in ("money", "decimal"):
        return format_decimal(value, spec.places)
    if kind == "date":
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"{spec.name}: expected a date, got {type(value).__name__}")
        return value.isoformat()
    if kind == "timestamp":
        return str(value.astimezone(UTC).isoformat())
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dict | list):  # a JSON column (policy_rule.params): canonical text
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def record_to_file(rtype: RecordType, obj: Any) -> dict[str, FileValue]:
    """All fields of one model instance as file values, in field order."""
    out: dict[str, FileValue] = {}
    for spec in rtype.fields:
        if spec.kind == "tags":
            out[spec.name] = ",".join(sorted(link.tag.value for link in obj.tags))
        else:
            out[spec.name] = to_file_value(spec, getattr(obj, spec.column))
    return out
