"""TEMPORARY shim: the request field lists and serialisers of the linked-lending API are
now the schemas of :mod:`.term_sheets.schemas` and :mod:`.loans.schemas`. What is left
here only serves the risk-pool routes (:mod:`.pools.api`, :mod:`.pools.api_json`, still
on the legacy blueprint) until they move too; delete it then."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fundops.api.blueprint import body_object
from fundops.api.fields import MAX_ID
from fundops.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Field:
    """One request field: ``kind`` is id, int, text, enum, amount, rate, date, bool, list
    (of objects) or ids (a list of ids)."""

    kind: str
    required: bool = False
    doc: str = ""
    values: tuple[str, ...] = ()
    items: Mapping[str, Field] | None = None


CONFIRM = {"confirm": Field("bool", doc="post despite plausibility warnings (409 "
                                       "confirmation_required lists them)"),
           "confirm_reason": Field("text", doc="why, required with confirm; recorded")}


def parse_body(spec: Mapping[str, Field]) -> dict[str, Any]:
    """Check the request body against ``spec``; see :func:`parse`."""
    return parse(spec, body_object())


def parse(spec: Mapping[str, Field], data: object, prefix: str = "") -> dict[str, Any]:
    """Check ``data`` against ``spec``; returns the given, non-null fields."""
    if not isinstance(data, dict):
        raise ValidationError(prefix.rstrip(".") or "body", "syn_not_an_object")
    for key in data:
        if key not in spec:
            raise ValidationError(prefix + str(key), "syn_unknown_field")
    out: dict[str, Any] = {}
    for key, field in spec.items():
        value = data.get(key)
        if value is None:
            if field.required:
                raise ValidationError(prefix + key, "required")
            continue
        out[key] = _check(field, value, prefix + key)
    return out


def _check(field: Field, value: Any, name: str) -> Any:
    kind = field.kind
    if kind in ("id", "int"):
        low = 1 if kind == "id" else -MAX_ID
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_ID:
            raise ValidationError(name, "syn_not_an_integer", low=low, high=MAX_ID)
        return value
    if kind in ("text", "enum", "date") and not isinstance(value, str):
        raise ValidationError(name, "syn_not_a_string")
    if kind == "enum" and field.values and value not in field.values:
        raise ValidationError(name, "syn_not_in_values", value=value, values=", ".join(field.values))
    if kind in ("amount", "rate") and (isinstance(value, bool) or not isinstance(value, str | int)):
        raise ValidationError(name, "syn_amount_not_text")
    if kind == "bool" and not isinstance(value, bool):
        raise ValidationError(name, "not_boolean", value=value)
    if kind in ("list", "ids") and not isinstance(value, list):
        raise ValidationError(name, "syn_not_a_list")
    if kind == "ids":
        return [_check(Field("id"), item, f"{name}[{i}]") for i, item in enumerate(value)]
    if kind == "list":
        assert field.items is not None
        return [parse(field.items, item, f"{name}[{i}].") for i, item in enumerate(value)]
    return value
