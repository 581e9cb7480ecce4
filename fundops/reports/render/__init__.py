"""Generic report renderers shared by every report (notices, statements, quarterly packs):
a small document model (:mod:`.document`) and its three outputs — the web page (the
``reports/render/document.html`` macros), xlsx (:func:`render_xlsx`) and PDF
(:func:`render_pdf`)."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from fundops.reports.render.document import (
    NA,
    Column,
    Document,
    Field,
    KeyValues,
    Kind,
    Paragraph,
    Section,
    Table,
    Value,
    display,
    table,
)
from fundops.reports.render.pdf import FontMissing, render_pdf
from fundops.reports.render.xlsx import render_xlsx

__all__ = ["NA", "Column", "Document", "Field", "FontMissing", "KeyValues", "Kind", "Paragraph",
           "Section", "Table", "Value", "display", "install", "page_cell", "render_pdf",
           "render_xlsx", "table"]


def page_cell(value: Value, kind: str) -> str:
    """A value as the web page shows it: amounts in the page's display unit (the
    ``money`` filter's), everything else as in the files."""
    from fundops.i18n import format_money

    shape = Kind(kind)
    if shape.amount and isinstance(value, Decimal | int | float):
        return format_money(Decimal(str(value)))
    return display(value, shape)


def install(app: Flask) -> None:
    """Make :func:`page_cell` available to templates as ``doc_cell``."""
    app.jinja_env.globals["doc_cell"] = page_cell
