"""Bulk loaders for the metrics engine: ledger rows as integer numpy arrays.

Amounts come back as integer fen (minor units, exact) and dates as days since
1970-01-01, fetched through the raw DB-API cursor of the session's connection so that
national-scale portfolios load at driver speed. Nothing here rounds or converts money
to float; callers sum in integers and turn totals into Decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind

EPOCH = date(1970, 1, 1)
KIND_CODES: dict[str, int] = {kind.value: i for i, kind in enumerate(CashFlowKind)}
K = {kind: KIND_CODES[kind.value] for kind in CashFlowKind}


def to_day(on: date) -> int:
    return (on - EPOCH).days


def from_day(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def cents_to_decimal(cents: int | np.integer[Any]) -> Decimal:
    """Exact: an integer number of fen as yuan with 2 decimal places."""
    return Decimal(int(cents)).scaleb(-2)


def _dialect() -> str:
    return str(db.session.get_bind().dialect.name)


def _day_sql(column: str) -> str:
    if _dialect() == "sqlite":
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    return f"({column} - DATE '1970-01-01')"


def _kind_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{name}' THEN {code}" for name, code in KIND_CODES.items())
    return f"CASE {column} {cases} END"


def _fetch(sql: str, params: Sequence[Any], width: int) -> np.ndarray:
    """Run ``sql`` on the raw DB-API cursor; returns an int64 array of shape (n, width)."""
    placeholder = "?" if _dialect() == "sqlite" else "%s"
    connection = db.session.connection()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql.replace("{p}", placeholder), tuple(params))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return np.zeros((0, width), dtype=np.int64)
    return np.array(rows, dtype=np.int64).reshape(len(rows), width)


def _fund_filter(column: str, fund_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if fund_ids is None:
        return "", []
    if not fund_ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join('{p}' for _ in fund_ids)})", list(fund_ids)


@dataclass(frozen=True)
class Ledger:
    """Everything the return metrics need, up to one as-of date, as int64 arrays.

    flows: fund_id, kind, day, cents, company_id (0 if none), target_fund_id (0 if none),
        summed per distinct (fund, kind, day, company, target)
    allocations: fund_id, investor_id, kind, day, cents, summed per (fund, investor, kind, day)
    commitments: fund_id, investor_id, day, cents
    navs: fund_id, day, cents (every valuation ≤ as-of; the latest record per date wins)
    holdings: fund_id, company_id, day, cents (every holding valuation ≤ as-of)
    lp_funds: investor_id, fund_id for LP records that are themselves funds
    trades: fund_id, investor_id, day, cents — the prices of LP-interest transfers in
        effect (not reversed), LP sign: the seller +price, the buyer −price; paid between
        the LPs outside the fund, so only LP positions read them
    """

    as_of: date
    flows: np.ndarray
    allocations: np.ndarray
    commitments: np.ndarray
    navs: np.ndarray
    holdings: np.ndarray
    lp_funds: np.ndarray
    trades: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.int64))


def load_ledger(as_of: date, fund_ids: Sequence[int] | None = None) -> Ledger:
    """Load the ledger of ``fund_ids`` (all funds when None) with value dates ≤ ``as_of``."""
    cut = as_of.isoformat() if _dialect() == "sqlite" else as_of
    where, ids = _fund_filter("cf.fund_id", fund_ids)
    # Rows are summed per (fund, kind, date, company, sub-fund) and per (fund, investor,
    # kind, date) in SQL: same-day flows share one discount factor, so metrics are
    # unchanged, and national-scale ledgers shrink by an order of magnitude.
    day_cf = _day_sql("cf.value_on")
    flows = _fetch(
        f"SELECT cf.fund_id, {_kind_sql('cf.kind')}, {day_cf}, CAST(SUM(cf.amount) AS BIGINT), "
        f"COALESCE(cf.company_id, 0), COALESCE(cf.target_fund_id, 0) FROM cash_flow cf "
        f"WHERE cf.value_on <= {{p}}{where} "
        f"GROUP BY cf.fund_id, cf.kind, cf.value_on, cf.company_id, cf.target_fund_id",
        [cut, *ids], 6)
    allocations = _fetch(
        f"SELECT cf.fund_id, a.investor_id, {_kind_sql('cf.kind')}, {day_cf}, "
        f"CAST(SUM(a.amount) AS BIGINT) "
        f"FROM cash_flow_allocation a JOIN cash_flow cf ON cf.id = a.cash_flow_id "
        f"WHERE cf.value_on <= {{p}}{where} "
        f"GROUP BY cf.fund_id, a.investor_id, cf.kind, cf.value_on",
        [cut, *ids],
        5,
    )
    where_c, ids_c = _fund_filter("c.fund_id", fund_ids)
    commitments = _fetch(
        f"SELECT c.fund_id, c.investor_id, {_day_sql('c.committed_on')}, c.amount "
        f"FROM commitment c WHERE c.committed_on <= {{p}}{where_c}", [cut, *ids_c], 4)
    where_v, ids_v = _fund_filter("v.fund_id", fund_ids)
    navs = _fetch(
        f"SELECT v.fund_id, {_day_sql('v.as_of')}, v.nav_amount FROM fund_valuation v "
        f"WHERE v.as_of <= {{p}}{where_v} ORDER BY v.fund_id, v.as_of, v.id", [cut, *ids_v], 3)
    where_h, ids_h = _fund_filter("h.fund_id", fund_ids)
    holdings = _fetch(
        f"SELECT h.fund_id, h.company_id, {_day_sql('h.as_of')}, h.fair_value_amount "
        f"FROM holding_valuation h WHERE h.as_of <= {{p}}{where_h} "
        f"ORDER BY h.fund_id, h.company_id, h.as_of, h.id", [cut, *ids_h], 4)
    lp_funds = _fetch("SELECT i.id, i.fund_id FROM investor i WHERE i.fund_id IS NOT NULL", [], 2)
    return Ledger(as_of, flows, allocations, commitments, navs, holdings, lp_funds,
                  _load_trades(cut, fund_ids))


def _load_trades(cut: Any, fund_ids: Sequence[int] | None) -> np.ndarray:
    """Transfer prices in effect, dated ≤ the cut: seller +price, buyer −price (fen)."""
    where, ids = _fund_filter("t.fund_id", fund_ids)
    live = (f"FROM interest_transfer t WHERE t.transfer_on <= {{p}}{where} "
            "AND t.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM interest_transfer r "
            "WHERE r.reverses_id = t.id)")
    day = _day_sql("t.transfer_on")
    return _fetch(
        f"SELECT t.fund_id, t.seller_id, {day}, t.price_amount {live} UNION ALL "
        f"SELECT t.fund_id, t.buyer_id, {day}, -t.price_amount {live}",
        [cut, *ids, cut, *ids], 4)
