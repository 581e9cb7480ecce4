"""A parent fund's direct sub-funds at a quarter end, from one ledger load: each
sub-fund's own net and gross performance, its schedule of investments, and the parent's
LP position in it (for the parent's report and the consolidated pack).

Same definitions and units as :mod:`fundops.metrics.engine` (exact Decimal yuan, IRR an
annual fraction). The sub-funds' own sub-funds are loaded too, so a sub-fund's gross value
includes its share of their NAV, as on its own performance page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from fundops.exits.queries import NO_REALISATION, realisations
from fundops.extensions import db
from fundops.metrics.engine import Metrics, Position
from fundops.metrics.perspectives import DealLine
from fundops.metrics.snapshots import sub_fund_metrics
from fundops.portfolio.access import visible_fund_ids
from fundops.portfolio.models import Company, Fund, Investor
from fundops.reports.quarterly import frames
from fundops.uow import Actor


@dataclass(frozen=True)
class SubFundBook:
    """One direct sub-fund at ``as_of``: ``stake`` is the parent's LP position in it
    (None if the parent's LP record has no position yet)."""

    fund: Fund
    as_of: date
    net: Position | None
    gross: Position | None
    stake: Position | None
    schedule: pd.DataFrame


def sub_fund_books(actor: Actor, parent_id: int, subs: list[int], end: date,
                   schedules: bool = False) -> list[SubFundBook]:
    """The books of the parent's direct sub-funds the actor may see, by fund code; their
    schedules of investments only with ``schedules`` (the consolidated pack: empty
    frames otherwise, and the deal metrics are not computed)."""
    visible = set(db.session.scalars(visible_fund_ids(actor.organisation_id)))
    ids = sorted(s for s in subs if s in visible)
    if not ids:
        return []
    metrics: Metrics = sub_fund_metrics(parent_id, ids, end, schedules).value
    funds = {f.id: f for f in db.session.scalars(sa.select(Fund).where(Fund.id.in_(ids)))}
    mine = sorted(db.session.scalars(sa.select(Investor.id).where(Investor.fund_id == parent_id)))
    keys = [k for k in metrics.deals if k[0] in funds]
    companies = {c.id: c for c in db.session.scalars(
        sa.select(Company).where(Company.id.in_({k[1] for k in keys})))} if keys else {}
    realised = realisations(ids, end) if keys else {}
    valuations = valuation_index(frames.latest_valuations(ids, end)) if keys else {}
    by_fund: dict[int, list[tuple[int, int]]] = {}
    for k in keys:
        by_fund.setdefault(k[0], []).append(k)
    books = []
    for fid in ids:
        deals = sorted((DealLine(companies[k[1]], metrics.deals[k],
                                 realised.get(k, NO_REALISATION))
                        for k in by_fund.get(fid, ())), key=lambda d: d.company.name)
        stake = next((metrics.lp_net[(fid, inv)] for inv in mine
                      if (fid, inv) in metrics.lp_net), None)
        books.append(SubFundBook(funds[fid], end, metrics.fund_net.get(fid),
                                 metrics.gross.get(fid), stake,
                                 deal_frame(fid, deals, valuations)))
    return sorted(books, key=lambda b: (b.fund.code, b.fund.id))


SCHEDULE_COLUMNS = [
    "company_id", "company", "sector", "first_on", "cost", "disposed_cost", "remaining_cost",
    "fair_value", "realised", "escrow", "moic", "irr", "method", "valued_on"]


def valuation_index(valuations: pd.DataFrame) -> dict[tuple[int, int], tuple[Any, Any]]:
    """:func:`frames.latest_valuations` as ``{(fund_id, company_id): (method, valued_on)}``."""
    return {key: (method, on) for key, method, on in zip(
        valuations.index, valuations["method"], valuations["valued_on"], strict=True)}


def deal_frame(fund_id: int, deals: list[DealLine],
               latest: dict[tuple[int, int], tuple[Any, Any]]) -> pd.DataFrame:
    """Per company held or exited: cost, cost of the parts disposed of, remaining cost,
    fair value, realised proceeds (cash), escrow outstanding, MOIC, IRR, and the latest
    valuation's method and date (None: carried at cost). ``latest`` is
    :func:`valuation_index`."""
    rows = []
    for deal in deals:
        p, company = deal.position, deal.company
        method, valued_on = latest.get((fund_id, company.id), (None, None))
        rows.append({
            "company_id": company.id, "company": company.name, "sector": company.sector,
            "first_on": p.first_on, "cost": p.paid_in,
            "disposed_cost": deal.realisation.cost_basis, "remaining_cost": deal.remaining_cost,
            "fair_value": p.value, "realised": p.distributed,
            "escrow": deal.realisation.escrow_outstanding, "moic": p.tvpi, "irr": p.irr,
            "method": method or None, "valued_on": valued_on,
        })
    return pd.DataFrame(rows, columns=SCHEDULE_COLUMNS, dtype=object)
