"""The long tables of the fund performance page, paged and sortable on the server.

The quarterly history (newest quarter first), the LP positions and the deals each show
one page (:mod:`fundops.web.paging`, parameters ``history_*``, ``lps_*``, ``deals_*``);
the chart above the history has every quarter, and the Excel download of a table every
row. Only which rows are shown changes: the figures are the report's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fundops.web.paging import DESC, Column, TableSpec


def _on(path: str, first: str = DESC) -> Column:
    """A column sorted by the attribute at ``path`` (``a.b``: ``row.a.b``; None on the way
    is None)."""
    names = path.split(".")

    def value(row: Any) -> Any:
        for name in names:
            if row is None:
                return None
            row = getattr(row, name)
        return row
    return Column(path.replace(".", "_"), key=value, first=first)


def _named(name: str, key: Callable[[Any], Any], first: str = DESC) -> Column:
    return Column(name, key=key, first=first)


HISTORY = TableSpec("history-table", (
    _on("on"), _on("net.paid_in"), _on("net.realised"), _on("net.unrealised"),
    _on("gross.realised"), _on("gross.unrealised"), _on("net.dpi"), _on("net.rvpi"),
    _on("net.tvpi"), _on("net.irr"), _on("gross.irr"),
), default_sort="on", default_dir=DESC, prefix="history", per_choices=(12, 24, 48, 100),
    default_per=12)
"""Quarter ends since inception, newest first (the report gives them oldest first); three
years a page by default (the chart above has every quarter)."""

LPS = TableSpec("lp-metrics-table", (
    _on("investor_name", first="asc"), _on("investor_type", first="asc"),
    _on("position.committed"), _on("position.paid_in"), _on("position.distributed"),
    _on("position.value"), _on("position.dpi"), _on("position.rvpi"), _on("position.tvpi"),
    _on("position.irr"), _on("position.pic"),
), prefix="lps")
"""The LPs' positions, in the report's order by default."""

DEALS = TableSpec("deal-table", (
    _named("company", lambda d: d.company.name, first="asc"), _on("position.first_on"),
    _on("position.paid_in"), _on("position.realised"),
    _on("realisation.escrow_outstanding"), _on("realisation.cost_basis"),
    _on("realisation.realised_gain"), _on("position.unrealised"), _on("unrealised_gain"),
    _on("position.value_on"), _on("position.tvpi"), _on("position.irr"),
), prefix="deals")
"""The fund's direct investments, in the report's order by default."""
