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

from fundops.calc.rollforward import NAV_FLOW_SIGN
from fundops.extensions import db
from fundops.portfolio.enums import LP_ALLOCATED_KINDS, CashFlowKind

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
    """Load the ledger of ``fund_ids`` (all funds when None) with value dates ≤ ``as_of``.

    Grouped rows come back in their group-key order, so that the rows of any one fund
    are in the same order whichever other funds are loaded with it (XIRR nets same-day
    flows in row order, in floats).
    """
    cut = _cut(as_of)
    return Ledger(as_of, _flows(cut, fund_ids), _allocations(cut, fund_ids),
                  _commitments(cut, fund_ids), _navs(cut, fund_ids), _holdings(cut, fund_ids),
                  _lp_funds(), _load_trades(cut, fund_ids))


def _cut(as_of: date) -> Any:
    return as_of.isoformat() if _dialect() == "sqlite" else as_of


def _flows(cut: Any, fund_ids: Sequence[int] | None) -> np.ndarray:
    # Rows are summed per (fund, kind, date, company, sub-fund) and per (fund, investor,
    # kind, date) in SQL: same-day flows share one discount factor, so metrics are
    # unchanged, and national-scale ledgers shrink by an order of magnitude.
    where, ids = _fund_filter("cf.fund_id", fund_ids)
    return _fetch(
        f"SELECT cf.fund_id, {_kind_sql('cf.kind')}, {_day_sql('cf.value_on')}, "
        f"CAST(SUM(cf.amount) AS BIGINT), COALESCE(cf.company_id, 0), "
        f"COALESCE(cf.target_fund_id, 0) FROM cash_flow cf WHERE cf.value_on <= {{p}}{where} "
        f"GROUP BY cf.fund_id, cf.kind, cf.value_on, cf.company_id, cf.target_fund_id "
        f"ORDER BY cf.fund_id, cf.kind, cf.value_on, cf.company_id, cf.target_fund_id",
        [cut, *ids], 6)


def _allocations(cut: Any, fund_ids: Sequence[int] | None) -> np.ndarray:
    where, ids = _fund_filter("cf.fund_id", fund_ids)
    return _fetch(
        f"SELECT cf.fund_id, a.investor_id, {_kind_sql('cf.kind')}, {_day_sql('cf.value_on')}, "
        f"CAST(SUM(a.amount) AS BIGINT) "
        f"FROM cash_flow_allocation a JOIN cash_flow cf ON cf.id = a.cash_flow_id "
        f"WHERE cf.value_on <= {{p}}{where} "
        f"GROUP BY cf.fund_id, a.investor_id, cf.kind, cf.value_on "
        f"ORDER BY cf.fund_id, a.investor_id, cf.kind, cf.value_on", [cut, *ids], 5)


def _commitments(cut: Any, fund_ids: Sequence[int] | None) -> np.ndarray:
    where, ids = _fund_filter("c.fund_id", fund_ids)
    return _fetch(
        f"SELECT c.fund_id, c.investor_id, {_day_sql('c.committed_on')}, c.amount "
        f"FROM commitment c WHERE c.committed_on <= {{p}}{where}", [cut, *ids], 4)


def _navs(cut: Any, fund_ids: Sequence[int] | None) -> np.ndarray:
    where, ids = _fund_filter("v.fund_id", fund_ids)
    return _fetch(
        f"SELECT v.fund_id, {_day_sql('v.as_of')}, v.nav_amount FROM fund_valuation v "
        f"WHERE v.as_of <= {{p}}{where} ORDER BY v.fund_id, v.as_of, v.id", [cut, *ids], 3)


def _holdings(cut: Any, fund_ids: Sequence[int] | None) -> np.ndarray:
    where, ids = _fund_filter("h.fund_id", fund_ids)
    return _fetch(
        f"SELECT h.fund_id, h.company_id, {_day_sql('h.as_of')}, h.fair_value_amount "
        f"FROM holding_valuation h WHERE h.as_of <= {{p}}{where} "
        f"ORDER BY h.fund_id, h.company_id, h.as_of, h.id", [cut, *ids], 4)


def _lp_funds() -> np.ndarray:
    return _fetch("SELECT i.id, i.fund_id FROM investor i WHERE i.fund_id IS NOT NULL", [], 2)


def _load_trades(cut: Any, fund_ids: Sequence[int] | None) -> np.ndarray:
    """Transfer prices in effect, dated ≤ the cut: seller +price, buyer −price (fen)."""
    where, ids = _fund_filter("t.fund_id", fund_ids)
    live = (f"FROM interest_transfer t WHERE t.transfer_on <= {{p}}{where} "
            "AND t.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM interest_transfer r "
            "WHERE r.reverses_id = t.id)")
    day = _day_sql("t.transfer_on")
    return _fetch(
        f"SELECT t.fund_id, t.seller_id, {day}, t.price_amount {live} UNION ALL "
        f"SELECT t.fund_id, t.buyer_id, {day}, -t.price_amount {live} ORDER BY 1, 2, 3, 4",
        [cut, *ids, cut, *ids], 4)


def load_focus_ledger(as_of: date, focus_ids: Sequence[int], support_ids: Sequence[int],
                      focus_ledger: Ledger | None = None) -> Ledger:
    """What ``compute(ledger, focus=focus_ids)`` reads, at ``as_of``: the same positions
    as from ``load_ledger(as_of, [*focus_ids, *support_ids])``, with far fewer rows.

    The focus funds are loaded as :func:`load_ledger` loads them. Of a support fund (one
    of ``support_ids`` not in ``focus_ids``: a sub-fund whose NAV share a focus fund
    holds) the engine reads only its NAV at ``as_of`` and the NAV-share weights of its
    LPs, so only these are loaded, reduced in SQL:

    - navs: its latest valuation on or before ``as_of`` (the rows of that date, in record
      order: the last one wins, as in the full load);
    - flows: its NAV roll-forward flows (:data:`fundops.calc.rollforward.NAV_FLOW_SIGN`)
      dated strictly after that valuation (all of them without one), summed per kind and
      dated on the last of them; no investments, proceeds or sub-fund flows;
    - allocations: summed per (investor, kind) and dated on the last of them: calls and
      LP transfers (the NAV-share weights), and distributions only to a focus fund's LP
      records (the engine's fund-of-funds link);
    - commitments and transfer prices as in the full load; no holding valuations.

    Amounts are summed as integers (exact). The rows of a support fund are only good at
    ``as_of``: the ledger cannot be cut to an earlier date. ``focus_ledger``, when given,
    is the focus funds' own ledger at ``as_of`` (``load_ledger(as_of, focus_ids)``, or a
    later one of theirs cut to ``as_of``: a quarterly history loads it once) and is used
    instead of loading it again.
    """
    focus = sorted(set(focus_ids))
    support = sorted(set(support_ids) - set(focus))
    if focus_ledger is not None and focus_ledger.as_of != as_of:
        raise ValueError(f"the focus ledger is at {focus_ledger.as_of}, not at {as_of}")
    full = load_ledger(as_of, focus) if focus_ledger is None else focus_ledger
    if not support:
        return full
    cut = _cut(as_of)
    return Ledger(
        as_of,
        np.concatenate([full.flows, _rolled_nav_flows(cut, support)]),
        np.concatenate([full.allocations, _weight_allocations(cut, support, focus)]),
        np.concatenate([full.commitments, _commitments(cut, support)]),
        np.concatenate([full.navs, _latest_navs(cut, support)]),
        full.holdings, full.lp_funds,
        np.concatenate([full.trades, _load_trades(cut, support)]))


def _in(column: str, ids: Sequence[int]) -> str:
    return f"{column} IN ({', '.join('{p}' for _ in ids)})"


def _latest_sql(ids: Sequence[int]) -> str:
    """Each fund's latest valuation date on or before the cut (params: cut, *ids)."""
    return (f"SELECT v.fund_id AS fund_id, MAX(v.as_of) AS last FROM fund_valuation v "
            f"WHERE v.as_of <= {{p}} AND {_in('v.fund_id', ids)} GROUP BY v.fund_id")


def _latest_navs(cut: Any, ids: Sequence[int]) -> np.ndarray:
    return _fetch(
        f"SELECT v.fund_id, {_day_sql('v.as_of')}, v.nav_amount FROM fund_valuation v "
        f"JOIN ({_latest_sql(ids)}) lv ON lv.fund_id = v.fund_id AND v.as_of = lv.last "
        f"ORDER BY v.fund_id, v.as_of, v.id", [cut, *ids], 3)


def _kinds(kinds: Sequence[str]) -> str:
    return ", ".join(f"'{CashFlowKind(kind).value}'" for kind in kinds)


def nav_roll_after_latest(as_of: date, fund_ids: Sequence[int]) -> np.ndarray:
    """Each fund's NAV roll-forward flows (:data:`fundops.calc.rollforward.NAV_FLOW_SIGN`
    kinds) dated after its latest valuation on or before ``as_of`` and on or before it
    (all of them without one), summed per kind: rows as :attr:`Ledger.flows`, dated on
    the last of them, company and sub-fund 0."""
    return _rolled_nav_flows(_cut(as_of), fund_ids) if fund_ids else np.zeros((0, 6), np.int64)


def _rolled_nav_flows(cut: Any, ids: Sequence[int]) -> np.ndarray:
    """NAV roll-forward flows after each fund's latest valuation, summed per kind."""
    before_all = "'0001-01-01'" if _dialect() == "sqlite" else "DATE '0001-01-01'"
    after = (f"SELECT f.id AS fund_id, COALESCE(lv.last, {before_all}) AS after FROM fund f "
             f"LEFT JOIN ({_latest_sql(ids)}) lv ON lv.fund_id = f.id WHERE {_in('f.id', ids)}")
    # CROSS JOIN: SQLite then walks each fund's (fund, kind, date) index from its bound.
    return _fetch(
        f"SELECT cf.fund_id, {_kind_sql('cf.kind')}, {_day_sql('MAX(cf.value_on)')}, "
        f"CAST(SUM(cf.amount) AS BIGINT), 0, 0 FROM ({after}) b CROSS JOIN cash_flow cf "
        f"WHERE cf.fund_id = b.fund_id AND cf.kind IN ({_kinds(list(NAV_FLOW_SIGN))}) "
        f"AND cf.value_on > b.after AND cf.value_on <= {{p}} "
        f"GROUP BY cf.fund_id, cf.kind ORDER BY cf.fund_id, cf.kind",
        [cut, *ids, *ids, cut], 6)


WEIGHT_KINDS = (CashFlowKind.CAPITAL_CALL, CashFlowKind.LP_TRANSFER)
"""The kinds whose allocations make an LP's NAV-share weight (engine ``_lp_net``)."""
LINK_KINDS = tuple(sorted(LP_ALLOCATED_KINDS - set(WEIGHT_KINDS)))
"""The other kinds that carry allocations (only calls, distributions and LP transfers do:
the ledger services write no others, and the exchange refuses them)."""


def _weight_allocations(cut: Any, ids: Sequence[int], focus: Sequence[int]) -> np.ndarray:
    """Allocations summed per (fund, investor, kind), dated on the last of them: every
    LP's calls and paid-in moved by transfers (its NAV-share weight), and the other
    allocations to a focus fund's LP records (with one, the engine takes that fund's NAV
    shares for the focus fund, even at zero weight); other LPs' distributions change no
    share."""
    select = (f"SELECT cf.fund_id, a.investor_id, {_kind_sql('cf.kind')}, "
              f"{_day_sql('MAX(cf.value_on)')}, CAST(SUM(a.amount) AS BIGINT) "
              f"FROM cash_flow cf CROSS JOIN cash_flow_allocation a "  # SQLite: cf first
              f"WHERE a.cash_flow_id = cf.id AND cf.value_on <= {{p}} "
              f"AND {_in('cf.fund_id', ids)} AND cf.kind IN ")
    group = "GROUP BY cf.fund_id, a.investor_id, cf.kind"
    sql = f"{select}({_kinds(WEIGHT_KINDS)}) {group}"
    params: list[Any] = [cut, *ids]
    if focus:
        sql += (f" UNION ALL {select}({_kinds(LINK_KINDS)}) AND a.investor_id IN "
                f"(SELECT i.id FROM investor i WHERE {_in('i.fund_id', focus)}) {group}")
        params += [cut, *ids, *focus]
    return _fetch(f"{sql} ORDER BY 1, 2, 3", params, 5)
