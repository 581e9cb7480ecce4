"""A :class:`~fundops.reports.render.document.Document` as an xlsx workbook (XlsxWriter).

One sheet per section (its ``sheet`` name, made safe and unique for Excel). Numbers are
stored as numbers with a number format: 元 amounts to the fen (``#,##0.00``), 万元 amounts
as the amount / 10 000 rounded half-up to 0.01 with the header saying 万元, rates as
fractions (``0.00%``), multiples (``0.00"x"``), integers (``#,##0``), dates as dates
(``yyyy-mm-dd``). Every string — a title, a header, a name typed by a user — is written
with ``write_string``, so ``=HYPERLINK("x")`` stays text and is never a formula. The
workbook's properties and creation date are fixed from the document (``stamp``), and
XlsxWriter dates the zip members 1980-01-01, so the same document gives the same bytes.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

from fundops.reports.render.document import (
    NA,
    UNIT_SUFFIX,
    Document,
    Field,
    KeyValues,
    Kind,
    Paragraph,
    Section,
    Table,
    Value,
    amount_shown,
    header,
)

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    Kind.AMOUNT: "#,##0.00", Kind.AMOUNT_WAN: "#,##0.00", Kind.RATE: "0.00%",
    Kind.MULTIPLE: '0.00"x"', Kind.INTEGER: "#,##0", Kind.DATE: "yyyy-mm-dd",
}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_WIDTH_MAX = 60


def sheet_names(sections: tuple[Section, ...]) -> list[str]:
    """Each section's sheet name: forbidden characters replaced, at most 31 characters,
    unique (case-insensitively, as Excel compares them) by a numbered suffix."""
    seen: set[str] = set()
    out = []
    for number, section in enumerate(sections, start=1):
        base = _BAD_SHEET_CHARS.sub("_", section.sheet or section.title).strip("'") or str(number)
        name = base[:_SHEET_MAX]
        suffix = 2
        while name.lower() in seen:
            tail = f"({suffix})"
            name = base[:_SHEET_MAX - len(tail)] + tail
            suffix += 1
        seen.add(name.lower())
        out.append(name)
    return out


def render_xlsx(document: Document) -> bytes:
    """The workbook's bytes (deterministic for a given document)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False})
    book.set_properties({"title": document.title, "subject": document.subtitle,
                         "author": document.author, "company": document.author,
                         "created": document.stamp})
    styles = _Styles(book)
    for name, section in zip(sheet_names(document.sections), document.sections, strict=True):
        _Sheet(book.add_worksheet(name), styles).section(document, section)
    book.close()
    return buffer.getvalue()


class _Styles:
    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.subtitle = book.add_format({"italic": True, "font_color": "#555555"})
        self.heading = book.add_format({"bold": True, "font_size": 11, "bottom": 1})
        self.header = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1,
                                       "text_wrap": True, "valign": "top"})
        self.text = book.add_format({"valign": "top"})
        self.label = book.add_format({"bold": True, "valign": "top"})
        self.note = book.add_format({"font_color": "#555555", "text_wrap": False})
        self.number = {k: book.add_format({"num_format": f}) for k, f in FORMATS.items()}
        self.total_text = book.add_format({"bold": True, "top": 1})
        self.total = {k: book.add_format({"num_format": f, "bold": True, "top": 1})
                      for k, f in FORMATS.items()}


class _Sheet:
    """Writes one section top to bottom, remembering each column's widest text."""

    def __init__(self, sheet: Any, styles: _Styles) -> None:
        self.sheet, self.s, self.row = sheet, styles, 0
        self.widths: dict[int, int] = {}

    def section(self, document: Document, section: Section) -> None:
        self.text(0, f"{document.title} · {section.title}", self.s.title, width=False)
        self.text(1, document.subtitle, self.s.subtitle, width=False)
        self.row = 3
        for block in section.blocks:
            if isinstance(block, Table):
                self.table(block)
            elif isinstance(block, KeyValues):
                self.key_values(block)
            elif isinstance(block, Paragraph):
                self.text(0, block.text, self.s.note, width=False)
                self.row += 1
            self.row += 1
        for col, width in sorted(self.widths.items()):
            self.sheet.set_column(col, col, min(max(width + 2, 10), _WIDTH_MAX))

    def text(self, col: int, value: str, style: Any, *, width: bool = True) -> None:
        self.sheet.write_string(self.row, col, value, style)
        if width:
            self.widths[col] = max(self.widths.get(col, 0), _text_width(value))

    def value(self, col: int, value: Value, kind: Kind, total: bool = False) -> None:
        styles = self.s.total if total else self.s.number
        text_style = self.s.total_text if total else self.s.text
        if value is None:
            self.text(col, NA if not total else "", text_style)
            return
        if kind is Kind.DATE and not isinstance(value, str | int | float | Decimal):
            stamp = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - a calendar day
            self.sheet.write_datetime(self.row, col, stamp, styles[Kind.DATE])
            self.widths[col] = max(self.widths.get(col, 0), 10)
            return
        if kind.numeric and isinstance(value, Decimal | int | float):
            number = (amount_shown(Decimal(str(value)), kind) if kind.amount
                      else Decimal(str(value)))
            self.sheet.write_number(self.row, col, float(number), styles[kind])
            self.widths[col] = max(self.widths.get(col, 0), len(f"{number:,.2f}") + 1)
            return
        self.text(col, str(value), text_style)

    def table(self, table: Table) -> None:
        self.text(0, table.title, self.s.heading, width=False)
        self.row += 1
        if table.note:
            self.text(0, table.note, self.s.note, width=False)
            self.row += 1
        for col, column in enumerate(table.columns):
            self.text(col, header(column), self.s.header)
        self.row += 1
        if not table.rows and table.empty:
            self.text(0, table.empty, self.s.note, width=False)
            self.row += 1
        for cells in table.rows:
            for col, (column, cell) in enumerate(zip(table.columns, cells, strict=True)):
                self.value(col, cell, column.kind)
            self.row += 1
        if table.total is not None:
            for col, (column, cell) in enumerate(zip(table.columns, table.total, strict=True)):
                self.value(col, cell, column.kind, total=True)
            self.row += 1

    def key_values(self, block: KeyValues) -> None:
        self.text(0, block.title, self.s.heading, width=False)
        self.row += 1
        for f in block.fields:
            self.text(0, _field_label(f), self.s.label)
            self.value(1, f.value, f.kind)
            self.row += 1


def _field_label(f: Field) -> str:
    return f.label + UNIT_SUFFIX.get(f.kind, "")


def _text_width(text: str) -> int:
    """Approximate column width: a CJK character is about two Latin ones."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
