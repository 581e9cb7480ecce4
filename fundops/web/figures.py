"""Figures: the display text of a number that also carries its exact value, for the tables'
Excel download (:mod:`fundops.web.tables`).

The display filters (``money``, ``multiple``, ``rate`` …) return :func:`figure`. On an
ordinary page that is the plain text, so the pages' HTML is unchanged. While a table is
being exported (the request has ``?_xlsx=``) — or when ``TABLE_FIGURES`` is set, which the
tests use to compare a page with its download — the text is a :class:`Figure`: still a
``str`` for every Python use, but rendered into HTML as
``<span data-x=1234567.89 data-fmt=wan>123.46</span>``, the exact value and how it is shown.
The attribute values are never quoted and contain only ``[0-9A-Za-z.+-]``, so a figure that
lands inside an attribute (a ``title=``) cannot end it early.

Formats (``data-fmt``): ``yuan`` / ``wan`` / ``yi`` — an amount in yuan shown in that unit;
``pN`` — a fraction shown as a percentage with N decimals; ``xN`` — a multiple with N
decimals; ``dN`` — a plain decimal with N decimals; ``n`` — a number as written (shares).
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import current_app, has_request_context, request
from markupsafe import escape

PARAM = "_xlsx"
"""The query parameter naming the table to download (its id, or ``t<n>``: the n-th table)."""
CONFIG_FLAG = "TABLE_FIGURES"
"""Config key: render figures into every page (tests compare a page with its download)."""
_SAFE_VALUE = re.compile(r"^[0-9A-Za-z.+\-]+$")
_WANTED = "fundops.table_figures"


class Figure(str):
    """Display text with the exact number behind it (see the module docstring)."""

    exact: str
    fmt: str

    def __new__(cls, text: str, exact: str, fmt: str) -> Figure:
        obj = super().__new__(cls, text)
        obj.exact = exact
        obj.fmt = fmt
        return obj

    def __html__(self) -> str:
        return f"<span data-x={self.exact} data-fmt={self.fmt}>{escape(str(self))}</span>"


def exporting() -> bool:
    """True while the request renders a page to download one of its tables."""
    return (has_request_context() and request.method in ("GET", "HEAD")
            and PARAM in request.args)


def _figures_wanted() -> bool:
    if not has_request_context():
        return False
    # Kept on the request, not on ``g``: an app context (and its ``g``) may outlive requests.
    wanted = request.environ.get(_WANTED)
    if wanted is None:
        wanted = exporting() or bool(current_app.config.get(CONFIG_FLAG))
        request.environ[_WANTED] = wanted
    return bool(wanted)


def figure(text: str, exact: Decimal | float | int | None, fmt: str) -> str:
    """``text`` as shown; a :class:`Figure` carrying ``exact`` when tables are exported.

    ``exact`` is the unrounded value (an amount in yuan, a rate as a fraction); None (a
    figure that is not available) keeps the plain text.
    """
    if exact is None or not _figures_wanted():
        return text
    if isinstance(exact, Decimal):
        if not exact.is_finite():
            return text
        value = format(exact, "f")
    elif isinstance(exact, float):
        if exact != exact or exact in (float("inf"), float("-inf")):
            return text
        value = repr(exact)
    else:
        value = str(int(exact))
    if not _SAFE_VALUE.match(value) or not _SAFE_VALUE.match(fmt):
        return text
    return Figure(text, value, fmt)


def row_limit(limit: int) -> int | None:
    """How many rows a truncated page table shows: ``limit``, or all of them (None) while
    the table is exported — the download always has the whole table."""
    return None if exporting() else limit


def plain(value: object) -> str:
    """The text of a figure without its markup (for an HTML attribute such as ``title``)."""
    return str.__str__(value) if isinstance(value, str) else str(value)
