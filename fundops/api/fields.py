"""Field types of the JSON API: one declaration checks a request, writes a response and
documents both in the OpenAPI document.

Requests are checked for *shape* only (types, known keys, ids in range, enum values);
the services check meaning (positive amounts, dates in order …) with their own coded
errors, exactly as for the pages. A failed check is a marshmallow error whose message is
``"<code> <json params>"``: a code of :mod:`fundops.messages` that
:mod:`fundops.api.errors` turns into a 422 naming the field.

Wire formats: amounts are exact decimal strings in yuan of the record's currency
(``"1234.56"``, never an exponent) — a request may also send a JSON integer, never a JSON
number with a fraction (a binary float); fractions (rates, shares) likewise
(``"0.035"`` = 3.5 %); dates ``YYYY-MM-DD``; timestamps ISO 8601 in UTC; ``null`` in a
request means "not given".
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields

MAX_ID = 2**31 - 1  # ids are 32-bit integer columns
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL = re.compile(DECIMAL_PATTERN.strip("^$"))
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def refusal(code: str, **params: Any) -> ma.ValidationError:
    """A field's refusal carrying a message code and its parameters."""
    return ma.ValidationError(f"{code} {json.dumps(params, ensure_ascii=False, default=str)}")


class _Coded(fields.Field[Any]):
    """Base: ``null`` is "not given" (an error only when the field is required)."""

    # a field's messages go through str.format: "{{}}" is the empty params "{}"
    default_error_messages = {  # noqa: RUF012 (marshmallow merges it per class)
        "required": "required {{}}", "null": "required {{}}", "validator_failed": "invalid {{}}"}

    def __init__(self, *args: Any, doc: str = "", nullable: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        self.nullable = nullable
        metadata = dict(kwargs.pop("metadata", {}))
        if doc:
            metadata["description"] = doc
        super().__init__(*args, metadata=metadata, **kwargs)


class Id(_Coded):
    """A row id: a JSON integer 1 … 2³¹−1."""

    low = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metadata = {**self.metadata, "minimum": self.low, "maximum": MAX_ID}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> int:
        value = _whole(value)
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= MAX_ID:
            raise refusal("syn_not_an_integer", low=self.low, high=MAX_ID)
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class Int(Id):
    """A whole number −(2³¹−1) … 2³¹−1 (months, counts)."""

    low = -MAX_ID


class Text(_Coded):
    """A string; ``max_length`` documented (services enforce their own limits too)."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        if max_length is not None:
            self.metadata = {**self.metadata, "maxLength": max_length}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise refusal("syn_not_a_string")
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class Bool(_Coded):
    """``true`` or ``false`` (no 0/1, no strings)."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise refusal("not_boolean", value=value)
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class Amount(_Coded):
    """An exact decimal: a request gives a decimal string of :data:`DECIMAL_PATTERN` or a
    JSON integer (passed to the service as given, which parses it exactly); a response
    gives ``format(value, "f")`` (documented as a string only, see :class:`Reply`)."""

    unit = "yuan, exact decimal string"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metadata = {**self.metadata, "pattern": DECIMAL_PATTERN}
        given = self.metadata.get("description")
        text = f"{self.unit}; {given}" if given else self.unit
        self.metadata = {**self.metadata, "description": text}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str | int:
        value = _whole(value)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise refusal("syn_amount_not_text")
        if isinstance(value, str) and not _DECIMAL.fullmatch(value):
            raise refusal("amount_invalid", value=value[:40])
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return format(Decimal(value), "f")


class Rate(Amount):
    """A fraction as an exact decimal string (0.035 = 3.5 %)."""

    unit = "fraction, exact decimal string (0.035 = 3.5 %)"


class Day(_Coded):
    """A calendar date ``YYYY-MM-DD``: a request's text must be one (the document's ``format:
    date``; blank is not a date), refused with the services' own code before they run."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise refusal("syn_not_a_string")
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError:
            raise refusal("not_a_date", value=value[:40]) from None
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.isoformat()


class Timestamp(_Coded):
    """A UTC timestamp, ISO 8601 with its offset (responses only)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.isoformat()


class Choice(_Coded):
    """One value of an enum (its ``value`` strings); ``exclude`` leaves values out of a
    request (e.g. statuses only the system sets)."""

    def __init__(self, enum_cls: type[enum.Enum] | tuple[str, ...], *args: Any,
                 exclude: tuple[str, ...] = (), **kwargs: Any) -> None:
        values = (enum_cls if isinstance(enum_cls, tuple)
                  else tuple(str(m.value) for m in enum_cls))
        self.values = tuple(v for v in values if v not in exclude)
        super().__init__(*args, **kwargs)
        # a nullable reply's documented type admits null: so must its enum (JSON Schema)
        nulls = [None] if self.nullable else []
        self.metadata = {**self.metadata, "enum": [*self.values, *nulls]}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise refusal("syn_not_a_string")
        if value not in self.values:
            raise refusal("syn_not_in_values", value=value, values=", ".join(self.values))
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value.value if isinstance(value, enum.Enum) else value


class Lines(fields.List[Any]):
    """A list of objects (or of ids); ``null`` is "not given"."""

    default_error_messages = {  # noqa: RUF012 (marshmallow merges it per class)
        "invalid": "syn_not_a_list {{}}", "required": "required {{}}", "null": "required {{}}"}

    def __init__(self, inner: Any, *args: Any, doc: str = "", nullable: bool = False,
                 **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        self.nullable = nullable
        if isinstance(inner, type) and issubclass(inner, ma.Schema):
            inner = Object(inner)
        super().__init__(inner, *args, metadata={"description": doc} if doc else {}, **kwargs)
        self.inner.allow_none = False  # an item is never null (nor documented so)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> Any:
        return _whole_or_nothing(super()._deserialize, value, attr, data, **kwargs)


class Object(fields.Nested):
    """A nested object."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     partial: Any = None, **kwargs: Any) -> Any:
        return _whole_or_nothing(super()._deserialize, value, attr, data, partial, **kwargs)

    def __init__(self, nested: Any, *args: Any, nullable: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        self.nullable = nullable
        super().__init__(nested, *args, **kwargs)

    default_error_messages = {  # noqa: RUF012 (marshmallow merges it per class)
        "type": "syn_not_an_object {{}}", "required": "required {{}}", "null": "required {{}}"}


class Schema(ma.Schema):
    """Base of every request and response schema: unknown keys are refused (a misspelt
    optional field is never silently ignored); a request's ``null`` fields are dropped."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {  # noqa: RUF012 (marshmallow merges it per class)
        "unknown": "syn_unknown_field {}", "type": "syn_not_an_object {}"}

    @ma.pre_load
    def _known(self, data: Any, **kwargs: Any) -> Any:
        """An unknown key is the refusal, before any field's (the first in the body's
        order: marshmallow's own check comes last and in no fixed order)."""
        if isinstance(data, Mapping):
            known = {f.data_key or name for name, f in self.load_fields.items()}
            unknown = next((key for key in data if key not in known), None)
            if unknown is not None:
                raise ma.ValidationError(self.error_messages["unknown"], str(unknown))
        return data

    @ma.post_load
    def _given(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if v is not None}

    @ma.pre_load
    def _not_given(self, data: Any, **kwargs: Any) -> Any:
        """A declared field sent as ``null`` is left out before any check: a required one
        is then ``required``, and no ``@validates`` hook ever sees ``None``."""
        if not isinstance(data, Mapping):
            return data
        declared = {f.data_key or name for name, f in self.load_fields.items()}
        return {k: v for k, v in data.items() if v is not None or k not in declared}

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        _document(field_obj, reply=False)


OPENAPI_TYPES: dict[type[fields.Field[Any]], tuple[str, str | None]] = {}
"""Each field type's OpenAPI type and format (registered with the document's generator)."""


class Reply(Schema):
    """Base of response schemas: every field is always present (documented as required);
    ``null`` only where the field was declared ``nullable=True``."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        field_obj.required = True
        field_obj.allow_none = bool(getattr(field_obj, "nullable", False))
        _document(field_obj, reply=True)


OPENAPI_TYPES.update({Id: ("integer", None), Int: ("integer", None), Text: ("string", None),
                      Bool: ("boolean", None), Amount: ("string", None),
                      Rate: ("string", None), Day: ("string", "date"),
                      Timestamp: ("string", "date-time"), Choice: ("string", None)})


def _whole(value: Any) -> Any:
    """A JSON number with a zero fraction (``5.0``, ``1e9``) is an integer in JSON Schema,
    so the document's ``integer`` admits it: read it as that ``int`` (exactly: every
    float with a zero fraction is a whole number). Any other value is returned as is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _whole_or_nothing(load: Any, *args: Any, **kwargs: Any) -> Any:
    """A list or object with a refused part is refused whole: marshmallow would keep the
    parts that passed, and a ``@validates`` hook would then see half-checked lines."""
    try:
        return load(*args, **kwargs)
    except ma.ValidationError as error:
        raise ma.ValidationError(error.messages) from None


def _document(field_obj: fields.Field[Any], *, reply: bool) -> None:
    """The bound field's documented shape as it is checked: an optional request enum (and
    a nullable reply's) admits ``null``; a request's amount is a string of the pattern or
    a JSON integer, a reply's a string. The metadata is replaced, not changed: the
    declared field shares its dict with every bound copy."""
    documented = dict(field_obj.metadata)
    if isinstance(field_obj, Amount):
        documented["type"] = "string" if reply else ["string", "integer"]
    if isinstance(field_obj, Choice):
        documented["enum"] = [*field_obj.values, *([None] if field_obj.allow_none else [])]
    field_obj.metadata = documented


__all__ = ["MAX_ID", "Amount", "Bool", "Choice", "Day", "Id", "Int", "Lines", "Object",
           "Rate", "Reply", "Schema", "Text", "Timestamp", "date", "datetime", "refusal"]
