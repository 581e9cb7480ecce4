"""Write one page table (:class:`fundops.web.table_html.Table`) as an xlsx workbook.

Layout: row 1 is the table's title (its heading, with the amounts' unit); then the table's
own rows — header rows, body rows, footer rows — with exactly its columns (spans merged).
Placeholder rows ("No exits yet.", one cell across the table) and rows left empty once
forms and buttons are dropped are not data and are left out.

Values: a cell whose text is one figure (see :mod:`fundops.web.figures`), optionally
signed, is its exact number — amounts in the page's unit (value ÷ 10,000 for 万元) with
``#,##0.00``, rates as fractions with a percentage format, multiples with ``0.00"x"`` — and
the cell's notes become an Excel comment. A numeric-looking text in a ``num`` cell without
a figure (a percentage computed in the template) is the number shown. ``YYYY-MM-DD`` is a
date, ``YYYY-MM-DD HH:MM`` a date-time. Everything else, header texts included, is written
with ``write_string``: user text such as ``=HYPERLINK("x")`` is never a formula.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import xlsxwriter

from fundops.web.table_html import Cell, Table

UNIT_SCALE = {"yuan": (Decimal(1), 2), "wan": (Decimal(10_000), 2),
              "yi": (Decimal(100_000_000), 4)}
_FMT = re.compile(r"^([pxd])(\d{1,2})$")
_NUMBER = re.compile(r"^([−-])?(\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.(\d{1,12}))?(%|x)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$")
_MINUS = ("−", "-")
PLACEHOLDER_CLASSES = frozenset({"empty", "muted"})


@dataclass(frozen=True, slots=True)
class Value:
    """One cell as written: kind "n" (number), "d" (date), "t" (date-time) or "s" (text)."""

    kind: str
    value: Any
    num_format: str = ""
    comment: str = ""


@dataclass
class Placed:
    cell: Cell
    row: int
    col: int
    part: str


def _zeros(places: int) -> str:
    return "." + "0" * places if places else ""


def figure_number(exact: str, fmt: str) -> tuple[Decimal, str] | None:
    """The number an exact figure is written as, and its Excel number format."""
    try:
        value = Decimal(exact)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if fmt in UNIT_SCALE:
        divisor, places = UNIT_SCALE[fmt]
        return value / divisor, "#,##0" + _zeros(places)
    match = _FMT.match(fmt)
    if match:
        kind, places = match.group(1), int(match.group(2))
        if kind == "p":
            return value, "0" + _zeros(places) + "%"
        if kind == "x":
            return value, "#,##0" + _zeros(places) + '"x"'
        return value, "0" + _zeros(places)
    decimals = max(0, -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    return value, "#,##0" + ("." + "#" * decimals if decimals else "")


def shown_number(text: str) -> tuple[Decimal, str] | None:
    """A number written in a cell's text ("12.5%", "1,000", "−3.20x"), as shown."""
    match = _NUMBER.match(text)
    if not match:
        return None
    sign, whole, fraction, suffix = match.groups()
    if len(whole) > 1 and whole[0] == "0":
        return None  # a code such as 007, not a number
    value = Decimal(whole.replace(",", "") + ("." + fraction if fraction else ""))
    if sign:
        value = -value
    places = len(fraction or "")
    base = "#,##0" if "," in whole else "0"
    if suffix == "%":
        return value / 100, "0" + _zeros(places) + "%"
    if suffix == "x":
        return value, base + _zeros(places) + '"x"'
    return value, base + _zeros(places)


def cell_value(cell: Cell, part: str, drop_links: bool) -> Value:
    """What a page cell is in the workbook (see the module docstring)."""
    main, notes = cell.texts(drop_links)
    if part == "head":
        return Value("s", "\n".join(t for t in (main, notes) if t))
    main_marks = [m for m in cell.marks if not m.note]
    if len(main_marks) == 1:
        mark = main_marks[0]
        shown = " ".join(mark.shown.split())
        sign = main[: len(main) - len(shown)].strip() if main.endswith(shown) else None
        number = figure_number(mark.exact, mark.fmt) if sign in ("", *_MINUS) else None
        if number is not None:
            value = -number[0] if sign else number[0]
            return Value("n", value, number[1], notes)
    if not cell.marks and ({"num", "tabular"} & cell.classes):
        parsed = shown_number(main)
        if parsed is not None:
            return Value("n", parsed[0], parsed[1], notes)
    if not notes:
        when = _when(main)
        if when is not None:
            return when
    return Value("s", "\n".join(t for t in (main, notes) if t))


def _when(text: str) -> Value | None:
    try:
        if _DATE.match(text):
            return Value("d", date.fromisoformat(text), "yyyy-mm-dd")
        if _DATETIME.match(text):
            return Value("t", datetime.fromisoformat(text), "yyyy-mm-dd hh:mm")
    except ValueError:
        return None
    return None


def place(table: Table) -> tuple[list[Placed], int]:
    """Each cell at its (row, column) of the table's grid (row and column spans honoured),
    and the number of columns."""
    placed: list[Placed] = []
    taken: set[tuple[int, int]] = set()
    row_end: dict[int, int] = {}  # per row: one past its last occupied column
    for r, row in enumerate(table.rows):
        col = 0
        for cell in row.cells:
            while (r, col) in taken:
                col += 1
            placed.append(Placed(cell, r, col, row.part))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, col + dc))
                row_end[r + dr] = max(row_end.get(r + dr, 0), col + cell.colspan)
            col += cell.colspan
    return placed, max(row_end.values(), default=0)


def _headerless(placed: list[Placed]) -> set[int]:
    """Columns whose header is empty: the page's action columns (their links are no data)."""
    head = [p for p in placed if p.part == "head"]
    if not head:
        return set()
    last = max(p.row for p in head)
    empty: set[int] = set()
    for p in head:
        if p.row <= last < p.row + p.cell.rowspan and not any(p.cell.texts()):
            empty.update(range(p.col, p.col + p.cell.colspan))
    return empty


def _kept_rows(table: Table, placed: list[Placed], values: dict[int, Value],
               width: int) -> list[int]:
    spanning = {p.row + d for p in placed if p.cell.rowspan > 1 for d in range(p.cell.rowspan)}
    by_row: dict[int, list[int]] = {}
    for i, p in enumerate(placed):
        by_row.setdefault(p.row, []).append(i)
    keep = []
    for r, row in enumerate(table.rows):
        cells = by_row.get(r, [])
        if row.part == "body" and r not in spanning:
            only = placed[cells[0]].cell if len(cells) == 1 else None
            if only is not None and width > 1 and only.colspan >= width and (
                    PLACEHOLDER_CLASSES & only.classes):
                continue
            if all(values[i].kind == "s" and not values[i].value for i in cells):
                continue
        keep.append(r)
    return keep


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def workbook(table: Table, title: str, sheet_name: str,
             properties: dict[str, str] | None = None) -> bytes:
    """The xlsx bytes of ``table`` under the title row ``title``."""
    placed, width = place(table)
    width = max(width, 1)
    dropped = _headerless(placed)
    values = {i: cell_value(p.cell, p.part, p.col in dropped) for i, p in enumerate(placed)}
    kept = _kept_rows(table, placed, values, width)
    out_row = {r: i + 1 for i, r in enumerate(kept)}  # row 0 is the title

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    if properties:
        book.set_properties(properties)
    sheet = book.add_worksheet(sheet_name)
    title_format = book.add_format({"bold": True, "font_size": 12})
    if width > 1:
        sheet.merge_range(0, 0, 0, width - 1, "", title_format)
    sheet.write_string(0, 0, title, title_format)
    formats = _Formats(book)
    widths = [6] * width
    for i, p in enumerate(placed):
        if p.row in out_row:
            _put(sheet, formats, p, values[i], out_row)
            if p.cell.colspan == 1:
                longest = max((display_width(t) for t in _text_of(values[i]).split("\n")),
                              default=0)
                widths[p.col] = max(widths[p.col], min(longest + 2, 60))
    for col, w in enumerate(widths):
        sheet.set_column(col, col, w)
    head_rows = [out_row[r] for r in kept if table.rows[r].part == "head"]
    if head_rows:
        sheet.freeze_panes(max(head_rows) + 1, 0)
    book.close()
    return buffer.getvalue()


class _Formats:
    """One xlsxwriter format per (number format, bold, wrapped)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.made: dict[tuple[str, bool, bool], Any] = {}

    def get(self, num_format: str, bold: bool, wrap: bool) -> Any:
        key = (num_format, bold, wrap)
        if key not in self.made:
            spec: dict[str, Any] = {"valign": "top", "bold": bold, "text_wrap": wrap}
            if num_format:
                spec["num_format"] = num_format
            self.made[key] = self.book.add_format(spec)
        return self.made[key]


def _put(sheet: Any, formats: _Formats, p: Placed, v: Value, out_row: dict[int, int]) -> None:
    """Write one placed cell (merged over its spans, its notes as a comment)."""
    first = out_row[p.row]
    last = max(out_row.get(r, 0) for r in range(p.row, p.row + p.cell.rowspan))
    bold = p.cell.header or p.part != "body"
    cell_format = formats.get(v.num_format, bold, v.kind == "s" and "\n" in str(v.value))
    if last > first or p.cell.colspan > 1:
        sheet.merge_range(first, p.col, last, p.col + p.cell.colspan - 1, "", cell_format)
    if v.kind == "n":
        sheet.write_number(first, p.col, float(v.value), cell_format)
    elif v.kind in ("d", "t"):
        sheet.write_datetime(first, p.col, v.value, cell_format)
    elif v.value:
        sheet.write_string(first, p.col, str(v.value), cell_format)
    else:
        sheet.write_blank(first, p.col, None, cell_format)
    if v.comment:
        sheet.write_comment(first, p.col, v.comment)


def _text_of(v: Value) -> str:
    if v.kind == "n":
        return f"{v.value:,.2f}"
    if v.kind in ("d", "t"):
        return "0000-00-00 00:00" if v.kind == "t" else "0000-00-00"
    return str(v.value)
