"""The schedule-of-investments table, shared by a fund's report and the sub-fund parts of
a parent's consolidated pack."""

from __future__ import annotations

import pandas as pd
from flask_babel import gettext as _

from fundops.calc import multiples
from fundops.reports.quarterly.frames import dsum
from fundops.reports.render import Column, Kind, Table, table
from fundops.reports.render.document import frame_rows

A, R, M, T, D = Kind.AMOUNT, Kind.RATE, Kind.MULTIPLE, Kind.TEXT, Kind.DATE


def schedule_table(frame: pd.DataFrame, key: str = "schedule",
                   title: str | None = None) -> Table:
    """The schedule of investments (per company, :func:`subfunds.deal_frame`) with its
    totals row (MOIC of the totals; no IRR total)."""
    shown = frame.assign(method=frame["method"].map(
        lambda m: m if m else _("At cost (no valuation)")))
    columns = [Column("company", _("Company"), T), Column("sector", _("Sector"), T),
               Column("first_on", _("First investment"), D),
               Column("cost", _("Invested at cost"), A),
               Column("remaining_cost", _("Remaining cost"), A),
               Column("fair_value", _("Fair value"), A),
               Column("realised", _("Realised proceeds"), A),
               Column("escrow", _("Escrow outstanding"), A), Column("moic", _("MOIC"), M),
               Column("irr", _("IRR"), R), Column("method", _("Valuation method"), T),
               Column("valued_on", _("Valuation date"), D)]
    cost, value, realised = (dsum(frame["cost"]), dsum(frame["fair_value"]),
                             dsum(frame["realised"]))
    total = [_("Total"), None, None, cost, dsum(frame["remaining_cost"]), value, realised,
             dsum(frame["escrow"]), multiples.tvpi(realised, value, cost), None, None, None]
    return table(key, title or _("Schedule of investments"), columns,
                 frame_rows(shown, columns), total if len(frame) else None,
                 _("No investments by the quarter end."),
                 _("MOIC = (realised proceeds + fair value) / cost; a holding without a "
                   "valuation is carried at cost."))
