"""A small document model that every report renders from: a title and subtitle, then
sections, each holding key–value blocks, tables with typed columns and paragraphs.

The same :class:`Document` becomes a web page (``templates/reports/render/document.html``),
an xlsx workbook (:mod:`fundops.reports.render.xlsx`, one sheet per section) and a PDF
(:mod:`fundops.reports.render.pdf`). Builders give values raw: amounts as exact Decimal
yuan, rates as fractions (float or Decimal), multiples as Decimals, dates as dates; ``None``
is "not available" and is shown as :data:`NA`. The renderers format them by the column
type (:class:`Kind`), so a figure is never turned into text before the last step.

Display rounding (:func:`display`) is ROUND_HALF_UP, for display only: amounts to the fen
(元, 2 dp) or to 0.01 万元 (the amount / 10 000); rates as percentages with 2 dp;
multiples with 2 dp and an ``x``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

NA = "—"
"""What a missing value (``None``) shows as, in every format."""

WAN = Decimal(10_000)
_FEN = Decimal("0.01")

Value = str | Decimal | float | int | date | None


class Kind(enum.StrEnum):
    """A column's (or a field's) type: how its values are stored and shown."""

    TEXT = "text"
    AMOUNT = "amount"  # yuan (元), 2 dp
    AMOUNT_WAN = "amount_wan"  # ten-thousands of yuan (万元): amount / 10 000, 2 dp
    RATE = "rate"  # a fraction shown as a percentage (0.0588 → 5.88%)
    MULTIPLE = "multiple"  # a ratio shown as 1.23x
    DATE = "date"
    INTEGER = "integer"

    @property
    def numeric(self) -> bool:
        return self not in (Kind.TEXT, Kind.DATE)

    @property
    def amount(self) -> bool:
        return self in (Kind.AMOUNT, Kind.AMOUNT_WAN)


UNIT_SUFFIX = {Kind.AMOUNT: "（元）", Kind.AMOUNT_WAN: "（万元）"}
"""What an amount column's header carries in the files (the page says its unit once)."""


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: ``key`` (stable, used in ids and the API), its header and type."""

    key: str
    label: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of values in the order of ``columns``; ``total`` is an optional last row
    (``None`` cells left blank); ``empty`` is said when there are no rows."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    total: tuple[Value, ...] | None = None
    empty: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in (*self.rows, *((self.total,) if self.total is not None else ())):
            if len(row) != width:
                raise ValueError(f"table {self.key}: a row has {len(row)} cells, not {width}")

    def column(self, key: str) -> list[Value]:
        """The values of one column (by key), in row order."""
        i = [c.key for c in self.columns].index(key)
        return [row[i] for row in self.rows]


@dataclass(frozen=True, slots=True)
class Field:
    """One labelled value of a key–value block."""

    key: str
    label: str
    value: Value
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)
class KeyValues:
    key: str
    title: str
    fields: tuple[Field, ...]

    def get(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Paragraph:
    key: str
    text: str


Block = KeyValues | Table | Paragraph


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered part of the document; ``sheet`` names its xlsx sheet (default: title)."""

    key: str
    title: str
    blocks: tuple[Block, ...]
    sheet: str = ""

    def block(self, key: str) -> Block:
        for b in self.blocks:
            if b.key == key:
                return b
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Document:
    """A whole report. ``properties`` go into the files' metadata (title, subject,
    author); ``stamp`` is the fixed creation time written into them, so the same input
    gives the same bytes."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    author: str = "fundops"
    stamp: datetime = datetime(2000, 1, 1)  # noqa: DTZ001 - a fixed, zone-less file stamp
    notes: tuple[str, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


def table(key: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
          total: Sequence[Any] | None = None, empty: str = "", note: str = "") -> Table:
    """A :class:`Table` from any sequences of cells."""
    return Table(key, title, tuple(columns), tuple(tuple(r) for r in rows),
                 None if total is None else tuple(total), empty, note)


def frame_rows(frame: Any, columns: Sequence[Column]) -> list[tuple[Value, ...]]:
    """The rows of a pandas DataFrame in the order of ``columns`` (by key); missing
    values (NaN, NaT, None) become ``None``."""
    keys = [c.key for c in columns]
    out = []
    for record in frame[keys].itertuples(index=False, name=None):
        out.append(tuple(_plain(v) for v in record))
    return out


def _plain(value: Any) -> Value:
    """A pandas / numpy cell as a plain Python value (missing → None)."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item") and not isinstance(value, Decimal | date | str):
        value = value.item()  # numpy scalars
    if isinstance(value, datetime):
        return value.date()
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    return value


def amount_shown(value: Decimal, kind: Kind) -> Decimal:
    """An amount as a column of ``kind`` stores it: yuan to the fen, or 万元 (÷ 10 000)
    to 0.01; ROUND_HALF_UP."""
    shown = value / WAN if kind is Kind.AMOUNT_WAN else value
    return shown.quantize(_FEN, rounding=ROUND_HALF_UP)


def display(value: Value, kind: Kind) -> str:
    """The text of a value in a column of ``kind`` (files and the PDF; the page formats
    amounts in its own unit)."""
    if value is None:
        return NA
    if kind.amount and isinstance(value, Decimal | int | float):
        return f"{amount_shown(Decimal(str(value)), kind):,.2f}"
    if kind is Kind.RATE and isinstance(value, Decimal | int | float):
        pct = (Decimal(str(value)) * 100).quantize(_FEN, rounding=ROUND_HALF_UP)
        return f"{pct:,.2f}%"
    if kind is Kind.MULTIPLE and isinstance(value, Decimal | int | float):
        return f"{Decimal(str(value)).quantize(_FEN, rounding=ROUND_HALF_UP):,.2f}x"
    if kind is Kind.INTEGER and isinstance(value, int | Decimal):
        return f"{int(value):,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def header(column: Column) -> str:
    """A column's header in the files: amounts carry their unit."""
    return column.label + UNIT_SUFFIX.get(column.kind, "")
