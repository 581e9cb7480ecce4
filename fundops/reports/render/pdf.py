"""A :class:`~fundops.reports.render.document.Document` as a PDF (reportlab), A4 landscape.

Chinese text is set in a TrueType CJK font embedded in the file (subset), so it can be
selected, searched and extracted. The font comes from the Debian package
``fonts-wqy-zenhei`` (``/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc``, face 0), which
``./dev.sh demo`` and ``./dev.sh test`` install; the setting ``REPORT_CJK_FONT`` (a path,
optionally ``path#face``) names another TrueType file. No font: :class:`FontMissing`, a
coded error (409 on a page or in the API), never a 500.

The canvas is made with ``invariant=1`` (fixed creation date and document id) and the
document's own title, author and subject, so the same document gives the same bytes.
Amounts show with the unit in their column header (元 or 万元); rounding is that of
:func:`fundops.reports.render.document.display`.
"""

from __future__ import annotations

import io
import os
import threading
from typing import Any
from xml.sax.saxutils import escape

from flask import current_app, has_app_context
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph as Para
from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as Grid

from fundops.errors import ConflictError
from fundops.reports.render.document import (
    Column,
    Document,
    Field,
    KeyValues,
    Kind,
    Paragraph,
    Table,
    display,
    header,
)

MIMETYPE = "application/pdf"
FONT_NAME = "FundopsCJK"
FONT_PACKAGE = "fonts-wqy-zenhei"
DEFAULT_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc#0",
)
_lock = threading.Lock()
_registered: dict[str, str] = {}


class FontMissing(ConflictError):
    """The CJK font the PDF needs is not installed (``report_font_missing``)."""

    default_code = "report_font_missing"


def font_candidates() -> tuple[str, ...]:
    """The configured font (``REPORT_CJK_FONT``) or the Debian package's files."""
    configured = current_app.config.get("REPORT_CJK_FONT") if has_app_context() else None
    return (str(configured),) if configured else DEFAULT_FONTS


def cjk_font() -> str:
    """Register the CJK font with reportlab once per process and path; its name."""
    candidates = font_candidates()
    for spec in candidates:
        path, _, face = spec.partition("#")
        if not os.path.isfile(path):
            continue
        with _lock:
            name = _registered.get(spec)
            if name is None:
                name = f"{FONT_NAME}{len(_registered)}"
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=int(face or 0)))
                _registered[spec] = name
        return name
    raise FontMissing("report_font_missing", path=candidates[0].partition("#")[0],
                      package=FONT_PACKAGE)


def render_pdf(document: Document) -> bytes:
    """The PDF's bytes (deterministic for a given document)."""
    font = cjk_font()
    buffer = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=16 * mm,
        bottomMargin=14 * mm, title=document.title, author=document.author,
        subject=document.subtitle, creator=document.author, producer=document.author,
        invariant=1)
    story = _Story(font, doc.width).build(document)

    def decorate(canvas: Any, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillGray(0.4)
        canvas.drawString(14 * mm, page[1] - 9 * mm, f"{document.title} · {document.subtitle}")
        canvas.drawRightString(page[0] - 14 * mm, 8 * mm, f"第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


class _Story:
    """The flowables of a document in the CJK font."""

    def __init__(self, font: str, width: float) -> None:
        self.font, self.width = font, width

        def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.35,
                                  wordWrap="CJK", **kw)

        self.title = style("title", 18, spaceAfter=4)
        self.subtitle = style("subtitle", 10, textColor="#555555", spaceAfter=10)
        self.h1 = style("h1", 13, spaceBefore=10, spaceAfter=6)
        self.h2 = style("h2", 10, spaceBefore=6, spaceAfter=4)
        self.body = style("body", 8.5)
        self.cell = style("cell", 7.5)
        self.num = style("num", 7.5, alignment=2)
        self.head = style("head", 7.5, textColor="#1F2937")

    def para(self, text: str, style: Any) -> Any:
        return Para(escape(text), style)

    def build(self, document: Document) -> list[Any]:
        story: list[Any] = [self.para(document.title, self.title),
                            self.para(document.subtitle, self.subtitle)]
        for number, section in enumerate(document.sections, start=1):
            story.append(self.para(f"{_chinese_number(number)}、{section.title}", self.h1))
            for block in section.blocks:
                if isinstance(block, Table):
                    story.extend(self.table(block))
                elif isinstance(block, KeyValues):
                    story.extend(self.key_values(block))
                elif isinstance(block, Paragraph):
                    story.append(self.para(block.text, self.body))
                story.append(Spacer(1, 6))
        story.extend(self.para(note, self.body) for note in document.notes)
        return story

    def _grid(self, rows: list[list[Any]], widths: list[float], header_rows: int,
              total: bool) -> Any:
        grid = Grid(rows, colWidths=widths, repeatRows=header_rows)
        commands: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.font), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, header_rows - 1), 0.6, "#94A3B8"),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), "#EEF2F7"),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if total:
            commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.6, "#94A3B8"))
        grid.setStyle(TableStyle(commands))
        return grid

    def widths(self, table: Table) -> list[float]:
        """Column widths: each column's widest cell (numbers never wrap); text columns
        give way (they wrap) when the page is too narrow, and share what is left over."""
        pad = 14.0  # the cell padding (6 + 6) and a margin
        natural = []
        for i, c in enumerate(table.columns):
            texts = [display(row[i], c.kind) for row in
                     (*table.rows, *((table.total,) if table.total is not None else ()))]
            widest = max((pdfmetrics.stringWidth(t, self.font, 7.5) for t in texts), default=0)
            head = min(pdfmetrics.stringWidth(header(c), self.font, 7.5), 70.0)
            natural.append(max(widest, head, 24.0) + pad)
        fixed = [w if c.kind.numeric or c.kind is Kind.DATE else 0.0
                 for w, c in zip(natural, table.columns, strict=True)]
        flexible = [n - f for n, f in zip(natural, fixed, strict=True)]
        room = self.width - sum(fixed)
        if sum(flexible) and room > 0:
            scale = room / sum(flexible)
            return [f + x * scale for f, x in zip(fixed, flexible, strict=True)]
        scale = self.width / sum(natural)
        return [n * scale for n in natural]

    def table(self, table: Table) -> list[Any]:
        out: list[Any] = [self.para(table.title, self.h2)]
        if table.note:
            out.append(self.para(table.note, self.body))
        widths = self.widths(table)
        rows: list[list[Any]] = [[self.fitted(header(c), w, self.head)
                                  for c, w in zip(table.columns, widths, strict=True)]]
        lines = [*table.rows, *((table.total,) if table.total is not None else ())]
        for cells in lines:
            rows.append([self.fitted(display(v, c.kind), w, self.cell) if v is not None
                         or cells is not table.total else ""
                         for v, c, w in zip(cells, table.columns, widths, strict=True)])
        grid = self._grid(rows, widths, 1, table.total is not None)
        grid.setStyle(TableStyle([("ALIGN", (i, 1), (i, -1), "RIGHT")
                                  for i, c in enumerate(table.columns) if c.kind.numeric]))
        out.append(grid)
        if not table.rows and table.empty:
            out.append(self.para(table.empty, self.body))
        return out

    def fitted(self, text: str, width: float, style: Any) -> Any:
        """A plain string when it fits on one line of the column (drawn directly: fast),
        else a paragraph that wraps (CJK line breaking)."""
        if "\n" not in text and pdfmetrics.stringWidth(text, self.font, 7.5) <= width - 12.5:
            return text
        return self.para(text, style)

    def cell_of(self, value: Any, kind: Kind) -> Any:
        text = display(value, kind)
        return self.para(text, self.num if kind.numeric else self.cell)

    def key_values(self, block: KeyValues) -> list[Any]:
        out: list[Any] = [self.para(block.title, self.h2)]
        pairs = [self._pair(f) for f in block.fields]
        rows: list[list[Any]] = []
        for i in range(0, len(pairs), 2):
            left, right = pairs[i], pairs[i + 1] if i + 1 < len(pairs) else ["", ""]
            rows.append([*left, *right])
        if not rows:
            return out
        widths = [self.width * w for w in (0.18, 0.32, 0.18, 0.32)]
        grid = Grid(rows, colWidths=widths)
        grid.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.font), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#E2E8F0"),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
        out.append(grid)
        return out

    def _pair(self, f: Field) -> list[Any]:
        return [self.para(header(_as_column(f)), self.head), self.cell_of(f.value, f.kind)]


def _as_column(f: Field) -> Any:
    return Column(f.key, f.label, f.kind)


def _chinese_number(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 … 99 (section numbers of a Chinese report)."""
    digits = "零一二三四五六七八九"
    if n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"
