"""Read the tables of a rendered page with the standard library's ``html.parser``: where
each ``<table>`` starts, its heading, and every row and cell with its text and figures.

Used twice by :mod:`fundops.web.tables`: on every page, to place a download link before
each table; on a download, to write the chosen table to Excel. Both count the tables the
same way (every ``<table>`` start tag, in document order, from 1).

What a cell's text is: the text a reader sees, whitespace collapsed, without scripts,
styles, buttons, selects, forms and elements marked ``data-xlsx="skip"``; an input shows its
value (a checkbox ✓ when checked). Text inside a block (``div``, ``p``, ``li`` …) is a
*note* of the cell (a memo under a counterparty, a formula under an amount); the rest is
its *main* text. Text inside a link is kept apart so that the headerless action column can
drop it ("Reverse", "Settle").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
SKIP = frozenset({"script", "style", "button", "select", "textarea", "template", "form",
                  "svg", "noscript"})
BLOCK = frozenset({"div", "p", "li", "ul", "ol", "dl", "dt", "dd", "section", "table"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
NO_VALUE_INPUTS = frozenset({"hidden", "submit", "button", "reset", "image", "file",
                             "password"})
_SPACE = re.compile(r"\s+")


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass
class Chunk:
    text: str
    note: bool  # inside a block element of the cell
    link: bool  # inside an <a>


@dataclass
class Mark:
    """A figure: ``<span data-x=… data-fmt=…>shown</span>`` (see fundops.web.figures)."""

    exact: str
    fmt: str
    note: bool
    shown: str = ""


@dataclass
class Cell:
    header: bool
    colspan: int
    rowspan: int
    classes: frozenset[str]
    chunks: list[Chunk] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    def texts(self, drop_links: bool = False) -> tuple[str, str]:
        """(main text, notes): the notes one line each."""
        kept = [c for c in self.chunks if not (drop_links and c.link)]
        main = collapse("".join(c.text for c in kept if not c.note))
        lines = "".join(c.text for c in kept if c.note).split("\n")
        return main, "\n".join(t for t in (collapse(line) for line in lines) if t)


@dataclass
class Row:
    part: str  # "head", "body" or "foot"
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Table:
    number: int  # 1-based, in document order
    element_id: str | None
    start: int  # offset of "<table" in the page
    in_form: bool
    switched_off: bool  # data-xlsx="off"
    heading: str  # the nearest heading before the table, without its unit note
    unit_note: str
    caption: str = ""
    rows: list[Row] = field(default_factory=list)
    key: str = ""

    @property
    def title(self) -> str:
        return self.caption or self.heading

    @property
    def downloadable(self) -> bool:
        """A table gets a link unless it is part of a form (an entry grid) or switched off."""
        return not (self.in_form or self.switched_off)


@dataclass
class Page:
    title: str
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


@dataclass(frozen=True, slots=True)
class _Element:
    """An open element inside a cell and what it does to the text within it."""

    tag: str
    skip: bool  # not data: its text is left out
    block: bool  # its text is a note, on a line of its own
    link: bool
    spaced: bool  # a badge: words apart from its neighbours
    mark: Mark | None


@dataclass
class _Open:
    """A table being read: its current part, row and cell, and the cell's open elements."""

    table: Table
    part: str = "body"
    row: Row | None = None
    cell: Cell | None = None
    stack: list[_Element] = field(default_factory=list)
    caption: list[str] | None = None


class _Reader(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.tables: list[Table] = []
        self._open: list[_Open] = []
        self._forms = 0
        self._title: list[str] | None = None
        self.title = ""
        self._heading: list[tuple[str, bool]] | None = None  # (text, in unit note)
        self._heading_stack: list[bool] = []
        self._last_heading = ("", "")

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    # -- start tags ------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "title":
            self._title = []
        if tag == "table":
            self._start_table(a)
            return
        if not self._open:
            if tag == "form":
                self._forms += 1
            self._heading_start(tag, a)
            return
        st = self._open[-1]
        if tag in ("td", "th"):
            self._start_cell(st, tag, a)
        elif tag == "tr":
            self._end_row(st)
            st.row = Row(st.part)
            st.table.rows.append(st.row)
        elif tag in ("thead", "tbody", "tfoot"):
            self._end_row(st)
            st.part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "caption":
            st.caption = []
        elif st.cell is not None:
            self._cell_element(st, st.cell, tag, a)
        elif tag == "form":
            self._forms += 1

    def _start_table(self, a: dict[str, str | None]) -> None:
        if self._open and self._open[-1].cell is not None:
            self._add(self._open[-1], "\n", force_note=True)
        heading, unit = self._last_heading
        table = Table(number=len(self.tables) + 1, element_id=a.get("id") or None,
                      start=self._offset(), in_form=self._forms > 0 or self._in_cell_form(),
                      switched_off=a.get("data-xlsx") == "off", heading=heading,
                      unit_note=unit)
        self.tables.append(table)
        self._open.append(_Open(table))

    def _in_cell_form(self) -> bool:
        return any(e.tag == "form" for st in self._open for e in st.stack)

    def _start_cell(self, st: _Open, tag: str, a: dict[str, str | None]) -> None:
        self._end_cell(st)
        if st.row is None:
            st.row = Row(st.part)
            st.table.rows.append(st.row)
        st.cell = Cell(header=tag == "th", colspan=_span(a.get("colspan")),
                       rowspan=_span(a.get("rowspan")),
                       classes=frozenset((a.get("class") or "").split()))
        st.row.cells.append(st.cell)

    def _cell_element(self, st: _Open, cell: Cell, tag: str, a: dict[str, str | None]) -> None:
        skipping = any(e.skip for e in st.stack)
        if tag == "br":
            self._add(st, "\n")
            return
        if tag == "input":
            if not skipping:
                self._add(st, _input_text(a))
            return
        if tag in VOID:
            return
        skip = tag in SKIP or a.get("data-xlsx") == "skip"
        block = tag in BLOCK
        mark = None
        if tag == "span" and a.get("data-x") and a.get("data-fmt") and not skipping:
            mark = Mark(str(a["data-x"]), str(a["data-fmt"]), note=self._in_block(st))
            cell.marks.append(mark)
        spaced = "badge" in (a.get("class") or "").split()
        if block:
            self._add(st, "\n", force_note=True)
        elif spaced:
            self._add(st, " ")
        st.stack.append(_Element(tag, skip, block, tag == "a", spaced, mark))

    # -- end tags --------------------------------------------------------------------
    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.title = collapse("".join(self._title))
            self._title = None
        if not self._open:
            if tag == "form" and self._forms:
                self._forms -= 1
            self._heading_end(tag)
        else:
            self._end_in_table(self._open[-1], tag)

    def _end_in_table(self, st: _Open, tag: str) -> None:
        if tag == "table":
            self._end_row(st)
            self._open.pop()
            if self._open and self._open[-1].cell is not None:
                self._add(self._open[-1], "\n", force_note=True)
        elif tag in ("td", "th"):
            self._end_cell(st)
        elif tag == "tr":
            self._end_row(st)
        elif tag in ("thead", "tbody", "tfoot"):
            self._end_row(st)
            st.part = "body"
        elif tag == "caption" and st.caption is not None:
            st.table.caption = collapse("".join(st.caption))
            st.caption = None
        elif st.cell is not None:
            self._close_element(st, tag)
        elif tag == "form" and self._forms:
            self._forms -= 1

    def _close_element(self, st: _Open, tag: str) -> None:
        """Close the innermost open ``tag`` of the cell (and what is left open inside it)."""
        for i in range(len(st.stack) - 1, -1, -1):
            if st.stack[i].tag == tag:
                closed = st.stack[i]
                del st.stack[i:]
                if closed.block:
                    self._add(st, "\n", force_note=True)
                elif closed.spaced:
                    self._add(st, " ")
                return

    def _end_cell(self, st: _Open) -> None:
        st.cell = None
        st.stack = []

    def _end_row(self, st: _Open) -> None:
        self._end_cell(st)
        st.row = None

    # -- text ------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
        if not self._open:
            if self._heading is not None:
                self._heading.append((data, any(self._heading_stack)))
            return
        st = self._open[-1]
        if st.caption is not None:
            st.caption.append(data)
        elif st.cell is not None:
            self._add(st, data)

    def _in_block(self, st: _Open) -> bool:
        return any(e.block for e in st.stack)

    def _add(self, st: _Open, text: str, force_note: bool = False) -> None:
        if st.cell is None or any(e.skip for e in st.stack):
            return
        note = force_note or self._in_block(st)
        st.cell.chunks.append(Chunk(text, note, any(e.link for e in st.stack)))
        for e in st.stack:
            if e.mark is not None:
                e.mark.shown += text

    # -- headings (outside tables) ------------------------------------------------------
    def _heading_start(self, tag: str, a: dict[str, str | None]) -> None:
        if tag in HEADINGS:
            self._heading = []
            self._heading_stack = []
        elif self._heading is not None and tag not in VOID:
            self._heading_stack.append("unit-note" in (a.get("class") or "").split())

    def _heading_end(self, tag: str) -> None:
        if self._heading is None:
            return
        if tag in HEADINGS:
            main = collapse("".join(t for t, unit in self._heading if not unit))
            unit = collapse("".join(t for t, unit in self._heading if unit))
            self._last_heading = (main, unit)
            self._heading = None
        elif self._heading_stack:
            self._heading_stack.pop()


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or "1"), 1000))
    except ValueError:
        return 1


def _input_text(a: dict[str, str | None]) -> str:
    kind = (a.get("type") or "text").lower()
    if kind in NO_VALUE_INPUTS:
        return ""
    if kind in ("checkbox", "radio"):
        return "✓" if "checked" in a else ""
    return a.get("value") or ""


def table_keys(ids: list[str | None]) -> list[str]:
    """Each table's key: its id when unique on the page, else ``t<n>`` (n from 1)."""
    return [str(i) if i and ids.count(i) == 1 else f"t{n}" for n, i in enumerate(ids, 1)]


def read_tables(html: str) -> Page:
    """Every table of ``html`` with its rows, cells and key."""
    reader = _Reader(html)
    reader.feed(html)
    reader.close()
    title = reader.title
    if title.endswith(" · fundops"):
        title = title[: -len(" · fundops")]
    keys = table_keys([t.element_id for t in reader.tables])
    for table, key in zip(reader.tables, keys, strict=True):
        table.key = key
    return Page(title, reader.tables)


@dataclass(frozen=True, slots=True)
class TableStart:
    start: int
    key: str
    downloadable: bool


_TAGS = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<(/?)(table|form)\b([^>]*)>",
                   re.S | re.I)
_ATTR = re.compile(r"""(?:^|\s)(id|data-xlsx)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def scan_tables(html: str) -> list[TableStart]:
    """Where each table starts, its key and whether it gets a download link — the same
    tables, keys and verdicts as :func:`read_tables`, found with one regular expression
    (a page view cannot afford a full parse: ~35 ms for 200 ledger rows)."""
    found: list[tuple[int, str | None, bool]] = []
    forms = 0
    for m in _TAGS.finditer(html):
        if m.group(3) is None:
            continue  # a comment, script or style
        closing, tag = m.group(2) == "/", m.group(3).lower()
        if tag == "form":
            forms = max(0, forms - 1) if closing else forms + 1
            continue
        if closing:
            continue
        attrs = {a.group(1).lower(): unescape(a.group(2) or a.group(3) or a.group(4) or "")
                 for a in _ATTR.finditer(m.group(4))}
        found.append((m.start(), attrs.get("id") or None,
                      forms == 0 and attrs.get("data-xlsx") != "off"))
    keys = table_keys([f[1] for f in found])
    return [TableStart(f[0], k, f[2]) for f, k in zip(found, keys, strict=True)]
