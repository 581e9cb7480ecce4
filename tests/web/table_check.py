"""Compare a page's tables with their Excel downloads (used by test_table_downloads).

The page side is read here with a parser of its own (not fundops.web.table_html), so a
mistake in the exporter's reading shows up as a difference. The documented rules of the
download are applied: placeholder rows ("No exits yet.", one cell across the table with
class ``empty``/``muted``) and rows without text are left out; links in a headerless
(action) column are no data; forms, buttons, scripts are not text.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import openpyxl

SKIP = {"script", "style", "button", "select", "textarea", "template", "form", "svg"}
BLOCK = {"div", "p", "li", "ul", "ol", "dl", "dt", "dd"}
VOID = {"br", "input", "img", "hr", "meta", "link", "col", "wbr"}
SCALE = {"yuan": Decimal(1), "wan": Decimal(10_000), "yi": Decimal(100_000_000)}
LINK = re.compile(r'<p class="xlsx-link"><a href="([^"]+)" id="xlsx-([^"]+)" download>')


@dataclass
class HCell:
    th: bool
    colspan: int
    rowspan: int
    classes: set[str]
    text: list[str] = field(default_factory=list)
    link_text: list[str] = field(default_factory=list)
    marks: list[list[str]] = field(default_factory=list)  # [exact, fmt, shown]

    def shown(self, drop_links: bool = False) -> str:
        text = " ".join("".join(self.text).split())
        if drop_links:
            for piece in self.link_text:
                text = text.replace(" ".join(piece.split()), "", 1)
        return " ".join(text.split())


@dataclass
class HTable:
    element_id: str | None
    in_form: bool
    rows: list[tuple[str, list[HCell]]] = field(default_factory=list)


class PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[HTable] = []
        self.open: list[HTable] = []
        self.part = "body"
        self.cell: HCell | None = None
        self.inner: list[tuple[str, bool, bool, list[str] | None, bool]] = []  # …, mark, spaced
        self.forms = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append(HTable(a.get("id") or None, self.forms > 0))
            self.open.append(self.tables[-1])
            self.cell = None
        elif tag == "form" and self.cell is None:
            self.forms += 1
        elif not self.open:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self.part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "tr":
            self.open[-1].rows.append((self.part, []))
            self.cell = None
        elif tag in ("td", "th"):
            self.cell = HCell(tag == "th", int(a.get("colspan") or 1), int(a.get("rowspan") or 1),
                              set(a.get("class", "").split()))
            self.inner = []
            self.open[-1].rows[-1][1].append(self.cell)
        elif self.cell is not None:
            self._inside(tag, a)

    def _inside(self, tag: str, a: dict[str, str]) -> None:
        assert self.cell is not None
        skipping = any(e[1] for e in self.inner)
        if tag == "input" and not skipping:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                self._text("✓" if "checked" in a else "")
            elif kind not in ("hidden", "submit", "button"):
                self._text(a.get("value", ""))
        spaced = tag in BLOCK or "badge" in a.get("class", "").split()
        if spaced or tag == "br":
            self._text(" ")
        if tag in VOID:
            return
        mark = None
        if tag == "span" and "data-x" in a and not skipping:
            mark = [a["data-x"], a["data-fmt"], ""]
            self.cell.marks.append(mark)
        self.inner.append((tag, tag in SKIP, tag == "a", mark, spaced))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.open:
            self.open.pop()
            self.cell = None
        elif tag == "form" and self.cell is None and self.forms:
            self.forms -= 1
        elif tag in ("td", "th", "tr"):
            self.cell = None
        elif tag in ("thead", "tbody", "tfoot"):
            self.part = "body"
        elif self.cell is not None:
            for i in range(len(self.inner) - 1, -1, -1):
                if self.inner[i][0] == tag:
                    spaced = self.inner[i][4]
                    del self.inner[i:]
                    if spaced:
                        self._text(" ")
                    break

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self._text(data)

    def _text(self, data: str) -> None:
        if self.cell is None or any(e[1] for e in self.inner):
            return
        self.cell.text.append(data)
        if any(e[2] for e in self.inner):
            self.cell.link_text.append(data)
        for e in self.inner:
            if e[3] is not None:
                e[3][2] += data


def read_page(html: str) -> tuple[list[HTable], dict[str, str]]:
    """The page's tables and its download links (key → URL)."""
    reader = PageReader()
    reader.feed(html)
    links = {key: html_lib.unescape(href) for href, key in LINK.findall(html)}
    return reader.tables, links


def table_key(tables: list[HTable], number: int) -> str:
    ids = [t.element_id for t in tables]
    own = tables[number].element_id
    return own if own and ids.count(own) == 1 else f"t{number + 1}"


def grid(table: HTable) -> tuple[list[tuple[int, int, str, HCell]], int]:
    placed, taken, width = [], set(), 0
    for r, (part, cells) in enumerate(table.rows):
        col = 0
        for cell in cells:
            while (r, col) in taken:
                col += 1
            placed.append((r, col, part, cell))
            taken |= {(r + i, col + j) for i in range(cell.rowspan) for j in range(cell.colspan)}
            col += cell.colspan
        width = max([width] + [c + 1 for (rr, c) in taken if rr == r])
    return placed, width


def exact_number(exact: str, fmt: str) -> Decimal:
    return Decimal(exact) / SCALE.get(fmt, Decimal(1))


def check_download(table: HTable, data: bytes, where: str) -> dict[str, int]:
    """Assert the workbook is the table; returns counts of the numbers and texts compared."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    placed, width = grid(table)
    heads = [p for p in placed if p[2] == "head"]
    last_head = max((p[0] for p in heads), default=-1)
    headerless = {c for r, col, _part, cell in heads if r == last_head and not cell.shown()
                  for c in range(col, col + cell.colspan)}
    spanned = {r + i for r, _c, _p, cell in placed if cell.rowspan > 1 for i in range(cell.rowspan)}
    kept = []
    for r, (part, cells) in enumerate(table.rows):
        row_cells = [p for p in placed if p[0] == r]
        if part == "body" and r not in spanned:
            if (len(cells) == 1 and width > 1 and cells[0].colspan >= width
                    and cells[0].classes & {"empty", "muted"}):
                continue
            if all(not cell.shown(col in headerless) for _r, col, _p, cell in row_cells):
                continue
        kept.append(r)
    out = {r: i + 2 for i, r in enumerate(kept)}  # row 1 is the title
    assert isinstance(sheet.cell(1, 1).value, str) and sheet.cell(1, 1).value, where
    assert sheet.max_row == 1 + len(kept), f"{where}: {sheet.max_row - 1} rows, html {len(kept)}"
    assert sheet.max_column == max(width, 1), f"{where}: {sheet.max_column} cols, html {width}"
    counts = {"numbers": 0, "texts": 0}
    for r, col, part, cell in placed:
        if r not in out:
            continue
        got = sheet.cell(out[r], col + 1)
        assert got.data_type != "f", f"{where}: a formula at {got.coordinate}"
        _compare(cell, got, part, col in headerless, f"{where} {got.coordinate}", counts)
    return counts


def _compare(cell: HCell, got: Any, part: str, headerless: bool, where: str,
             counts: dict[str, int]) -> None:
    text = cell.shown(headerless)
    if part == "head":
        assert " ".join(str(got.value or "").split()) == text, f"{where}: header {got.value!r}"
        counts["texts"] += 1
        return
    if len(cell.marks) == 1:
        exact, fmt, shown = cell.marks[0]
        shown = " ".join(shown.split())
        if text in (shown, "−" + shown, "-" + shown):
            sign = -1 if text != shown else 1
            # the exact value as a double, to the 16 significant digits an xlsx number keeps
            expected = float(f"{float(sign * exact_number(exact, fmt)):.16G}")
            assert isinstance(got.value, int | float) and got.value == expected, (
                f"{where}: {got.value!r} != {expected!r} ({exact} {fmt})")
            counts["numbers"] += 1
            return
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        assert isinstance(got.value, datetime | date), f"{where}: {got.value!r} not a date"
        assert got.value.strftime("%Y-%m-%d") == text
        return
    if not cell.marks and not cell.classes & {"num", "tabular"} and not re.fullmatch(
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text):
        assert isinstance(got.value, str | None), f"{where}: {got.value!r} should be text"
        assert " ".join(str(got.value or "").split()) == text, f"{where}: {got.value!r} {text!r}"
        counts["texts"] += 1
