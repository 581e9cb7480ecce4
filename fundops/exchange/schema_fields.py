"""Field and record-type descriptions of the dataset format (see :mod:`.schema`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a record type (see the module docstring for ``kind``)."""

    name: str
    kind: str
    required: bool = True
    doc: str = ""
    target: str | None = None
    enum: type[enum.Enum] | None = None
    max_len: int = 200
    null_if_empty: bool = True
    places: int = 2
    allow_zero: bool = False
    allow_negative: bool = False
    default: Any = None
    attr: str | None = None

    @property
    def column(self) -> str:
        """The model attribute this field maps to."""
        return self.attr or self.name


@dataclass(frozen=True, slots=True)
class RecordType:
    """A record type: one JSON array or one xlsx sheet, stored in ``model``."""

    name: str
    model: type[Any]
    fields: tuple[FieldSpec, ...]
    doc: str

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _key() -> FieldSpec:
    return FieldSpec("id", "key", doc="the record's id in this file")


def _ref(name: str, target: str, required: bool = True, doc: str = "") -> FieldSpec:
    return FieldSpec(name, "ref", required=required, target=target,
                     doc=doc or f"id of a `{target}` record in this file")


def _text(name: str, max_len: int = 200, required: bool = True, null_if_empty: bool = True,
          doc: str = "", attr: str | None = None) -> FieldSpec:
    return FieldSpec(name, "text", required=required, max_len=max_len,
                     null_if_empty=null_if_empty, doc=doc, attr=attr)


def _enum(name: str, enum_cls: type[enum.Enum], required: bool = True) -> FieldSpec:
    return FieldSpec(name, "enum", required=required, enum=enum_cls)


def _money(name: str, allow_zero: bool = False, allow_negative: bool = False,
           doc: str = "") -> FieldSpec:
    return FieldSpec(name, "money", allow_zero=allow_zero, allow_negative=allow_negative,
                     doc=doc)


def _date(name: str, required: bool = True, doc: str = "") -> FieldSpec:
    return FieldSpec(name, "date", required=required, doc=doc)


def _stamp(name: str) -> FieldSpec:
    return FieldSpec(name, "timestamp", required=False, doc="empty: time of the import")


def _bool(name: str, default: bool = False, attr: str | None = None) -> FieldSpec:
    return FieldSpec(name, "bool", required=False, default=default, attr=attr)


def _decimal(name: str, places: int, required: bool = True, doc: str = "",
             allow_zero: bool = True, allow_negative: bool = False) -> FieldSpec:
    return FieldSpec(name, "decimal", required=required, places=places, doc=doc,
                     allow_zero=allow_zero, allow_negative=allow_negative)


def _rate(name: str, required: bool = True, doc: str = "",
          allow_negative: bool = False) -> FieldSpec:
    """A fraction or multiple stored as ``Rate`` (8 decimals)."""
    return _decimal(name, 8, required=required, doc=doc or "a fraction (0.05 = 5 %)",
                    allow_negative=allow_negative)


def _int(name: str, doc: str = "") -> FieldSpec:
    return FieldSpec(name, "int", doc=doc)
