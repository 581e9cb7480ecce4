"""Field-level validation: every raw value of every row becomes a typed value or a problem.

The validators of :mod:`fundops.money`, :mod:`fundops.identifiers` and
:mod:`fundops.portfolio.services` do the work; this module only adapts file values
(JSON values, or openpyxl cell values) to them and refuses binary floats and formulas.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fundops.calc.loss_sharing import ClaimLimit, PoolRole
from fundops.calc.policy import RuleType
from fundops.errors import ValidationError
from fundops.exchange.codec import unescape_cell_text
from fundops.exchange.files import RawDataset, RawRow
from fundops.exchange.problems import Problems
from fundops.exchange.schema import NUMERIC_TEXT_KINDS, RECORD_TYPES, FieldSpec, RecordType
from fundops.identifiers import validate_uscc
from fundops.money import parse_amount, validate_currency
from fundops.portfolio.enums import CompanyTag
from fundops.validation import parse_enum, require_date, require_text, validate_region

MAX_KEY_LEN = 100
# Same rule as fundops.portfolio.services.create_fund (which keeps it private).
FUND_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass
class Row:
    """One validated row: typed ``values`` (references hold the target's key) and the
    names of fields that failed (``bad``), so cross-row checks can skip them."""

    sheet: str
    number: int
    key: str | None
    values: dict[str, Any] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)

    def get(self, name: str) -> Any:
        """The parsed value, or None when missing or invalid."""
        return None if name in self.bad else self.values.get(name)

    def ok(self, *names: str) -> bool:
        """True when every named field parsed (it may still be None if optional)."""
        return not any(n in self.bad for n in names)


Dataset = dict[str, list[Row]]


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else (
        str(value) if isinstance(value, int | float | Decimal) else repr(value))
    return f"'{text[:39]}…'" if len(text) > 40 else f"'{text}'"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _what(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    return f"a {type(value).__name__}"


def _integral(value: object) -> int | None:
    """The int value of an integral float or Decimal (7.0 -> 7); None otherwise."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def parse_key(value: object, name: str) -> str:
    """An id used as a key in the file: an integer, or non-empty text (compared as text)."""
    if isinstance(value, bool):
        raise ValidationError(name, "id_invalid", value=_shown(value))
    if isinstance(value, int):
        return str(value)
    if (whole := _integral(value)) is not None:
        return str(whole)
    if isinstance(value, str) and value.strip():
        key = value.strip()
        if len(key) > MAX_KEY_LEN:
            raise ValidationError(name, "too_long", max_len=MAX_KEY_LEN)
        return key
    raise ValidationError(name, "id_invalid", value=_shown(value))


def _text(spec: FieldSpec, value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        else:
            raise ValidationError(spec.name, "not_text", kind=_what(value))
    if spec.required:
        return require_text(value, spec.name, spec.max_len)
    text = (value or "").strip()
    if len(text) > spec.max_len:
        raise ValidationError(spec.name, "too_long", max_len=spec.max_len)
    if not text:
        return None if spec.null_if_empty else ""
    return text


def _decimal(spec: FieldSpec, value: object) -> Decimal:
    if not isinstance(value, str):
        raise ValidationError(spec.name, "decimal_not_text", kind=_what(value),
                              value=_shown(value))
    amount = parse_amount(value, spec.name, allow_zero=spec.allow_zero,
                          allow_negative=spec.allow_negative, places=spec.places)
    return amount


def _date(spec: FieldSpec, value: object) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == datetime.min.time():
            return value.date()
        raise ValidationError(spec.name, "date_with_time", value=_shown(value))
    if not isinstance(value, str | date):
        raise ValidationError(spec.name, "date_not_text", kind=_what(value),
                              value=_shown(value))
    return require_date(value, spec.name)


def _timestamp(spec: FieldSpec, value: object) -> datetime:
    if isinstance(value, datetime):
        raise ValidationError(spec.name, "timestamp_not_text_cell")
    if not isinstance(value, str):
        raise ValidationError(spec.name, "timestamp_not_text", kind=_what(value))
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(spec.name, "timestamp_invalid", value=_shown(value)) from None
    if stamp.tzinfo is None:
        raise ValidationError(spec.name, "timestamp_no_offset", value=_shown(value))
    return stamp.astimezone(UTC)


def _bool(spec: FieldSpec, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValidationError(spec.name, "bool_invalid", value=_shown(value))


def _int(spec: FieldSpec, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if (whole := _integral(value)) is not None:
        return whole
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        return int(value)
    raise ValidationError(spec.name, "int_invalid", value=_shown(value))


def _tags(spec: FieldSpec, value: object) -> list[CompanyTag]:
    if not isinstance(value, str):
        raise ValidationError(spec.name, "tags_not_text", kind=_what(value))
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return sorted({parse_enum(CompanyTag, p, spec.name) for p in parts})


def _enum(spec: FieldSpec, value: object) -> Any:
    if spec.enum is None:
        raise TypeError(f"{spec.name}: enum field without an enum class")
    return parse_enum(spec.enum, value.strip() if isinstance(value, str) else value, spec.name)


_PARSERS: dict[str, Callable[[FieldSpec, Any], Any]] = {
    "text": _text,
    "enum": _enum,
    "money": _decimal,
    "decimal": _decimal,
    "currency": lambda spec, v: validate_currency(v, spec.name),
    "date": _date,
    "timestamp": _timestamp,
    "bool": _bool,
    "int": _int,
    "uscc": lambda spec, v: validate_uscc(v, spec.name),
    "region": lambda spec, v: validate_region(v, spec.name),
    "tags": _tags,
}


def _email(value: str) -> str:
    # Same normalisation as fundops.auth.accounts.create_user.
    email = value.strip().lower()
    if "@" not in email:
        raise ValidationError("email", "email_invalid", email=email)
    return email


def _fund_code(value: str) -> str:
    if not FUND_CODE_RE.match(value):
        raise ValidationError("code", "fund_code_shape")
    return value


def _json_object(value: str) -> dict[str, Any]:
    """A policy rule's ``params`` text as the JSON object the database column holds."""
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValidationError("params", "params_json_object", example='{"max_share": "0.30"}')
    return parsed


def _kind(enum_cls: type, field: str) -> Callable[[str], Any]:
    """A text field whose values are one enum's (the file keeps the plain string)."""
    return lambda value: parse_enum(enum_cls, value, field)


_EXTRA: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("user", "email"): _email,
    ("fund", "code"): _fund_code,
    ("policy_rule", "rule_type"): _kind(RuleType, "rule_type"),
    ("policy_rule", "params"): _json_object,
    ("risk_pool_party", "role"): _kind(PoolRole, "role"),
    ("risk_pool_claim", "binding"): _kind(ClaimLimit, "binding"),
    ("risk_pool_claim_share", "role"): _kind(PoolRole, "role"),
}


def parse_value(rtype: RecordType, spec: FieldSpec, value: object, source: str) -> Any:
    """Parse one file value of ``spec``; raises ``ValidationError`` naming the field."""
    if source == "xlsx" and isinstance(value, str) and spec.kind not in NUMERIC_TEXT_KINDS:
        value = unescape_cell_text(value)
    if spec.kind in ("key", "ref", "objref"):
        if _blank(value):
            if spec.required:
                raise ValidationError(spec.name, "required")
            return None
        return parse_key(value, spec.name)
    if _blank(value) and spec.kind != "text":
        if spec.required:
            raise ValidationError(spec.name, "required")
        return [] if spec.kind == "tags" else spec.default
    parsed = _PARSERS[spec.kind](spec, value)
    extra = _EXTRA.get((rtype.name, spec.name))
    return extra(parsed) if extra is not None and parsed is not None else parsed


def parse_row(rtype: RecordType, raw: RawRow, source: str, problems: Problems) -> Row:
    """Parse every field of one raw row, recording one problem per bad field."""
    row = Row(rtype.name, raw.number, None)
    for name in sorted(set(raw.values) - set(rtype.field_names)):
        problems.row(rtype.name, raw.number, str(name), "unknown field")
    for spec in rtype.fields:
        if spec.name in raw.formula_fields:
            problems.row(rtype.name, raw.number, spec.name,
                         f"cell holds a formula {_shown(raw.values.get(spec.name))}; "
                         "enter the value itself (formulas are never evaluated)")
            row.bad.add(spec.name)
            continue
        try:
            row.values[spec.name] = parse_value(rtype, spec, raw.values.get(spec.name), source)
        except ValidationError as exc:
            problems.row(rtype.name, raw.number, spec.name, exc.message, exc.code, exc.params)
            row.bad.add(spec.name)
    row.key = row.get("id")
    return row


def parse_dataset(raw: RawDataset, problems: Problems) -> Dataset:
    """Parse every row of every sheet (missing sheets are empty)."""
    return {
        rtype.name: [parse_row(rtype, r, raw.source, problems)
                     for r in raw.sheets.get(rtype.name, [])]
        for rtype in RECORD_TYPES
    }
