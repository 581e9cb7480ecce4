"""Floors for the metrics benchmarks: bare DB-API fetches plus vectorised numpy arithmetic.

A floor computes the same outputs as the fundops code it is compared with, from the same
rows, with nothing but the driver cursor (sqlite3 / psycopg) and numpy: no ORM, no
Python loop over rows, no Decimal or Fraction objects. It is what the work costs at
least in Python; the benchmark prints fundops' time as a multiple of it.

- :func:`portfolio_floor` mirrors ``portfolio_metrics`` (``fundops.metrics.engine``): the
  visible funds, then the five SELECTs of ``fundops.metrics.frames.load_ledger``; fund net,
  LP net, fund gross and deal paid-in / distributions / terminal value / first date /
  DPI / RVPI / TVPI, and every IRR with one ``xirr_flat`` call per perspective.
- :func:`lookthrough_floor` mirrors ``look_through_history`` (paid-in basis, fair value):
  the parent's links, its paid-in per sub-fund, the sub-funds' calls, investments less
  proceeds, holding valuations (rolled forward by the later flows, floored at 0) and
  company sectors; total and per-sector exposure per quarter end
  (in float yuan, where fundops keeps the total as an exact Fraction).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from fundops.calc.returns import xirr_flat
from fundops.portfolio.enums import CashFlowKind

EPOCH = date(1970, 1, 1)
KIND = {kind.value: i for i, kind in enumerate(CashFlowKind)}
CALL, DIST = KIND["capital_call"], KIND["distribution"]
INV, PROC = KIND["investment"], KIND["proceeds"]
FEE, EXP = KIND["management_fee"], KIND["expense"]
CONTRIB, RETURN = KIND["fund_contribution"], KIND["fund_return"]
EXACT_LIMIT = 2.0**53  # float64 sums of integers stay exact below this


@dataclass
class Driver:
    """A bare DB-API connection and the SQL dialect bits the SELECTs need."""

    conn: Any
    dialect: str  # "sqlite" or "postgresql"

    @property
    def p(self) -> str:
        return "?" if self.dialect == "sqlite" else "%s"

    def day(self, column: str) -> str:
        if self.dialect == "sqlite":
            return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
        return f"({column} - DATE '1970-01-01')"

    def kind(self, column: str) -> str:
        cases = " ".join(f"WHEN '{name}' THEN {code}" for name, code in KIND.items())
        return f"CASE {column} {cases} END"

    def cut(self, on: date) -> object:
        return on.isoformat() if self.dialect == "sqlite" else on

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        try:
            cur.execute(sql, params)
            return list(cur.fetchall())
        finally:
            cur.close()

    def ints(self, sql: str, params: tuple[object, ...], width: int) -> np.ndarray:
        """An int64 array (n, width) straight from the cursor."""
        rows = self.rows(sql, params)
        flat = np.fromiter(itertools.chain.from_iterable(rows), np.int64, len(rows) * width)
        return flat.reshape(len(rows), width)


def _in(driver: Driver, ids: list[int]) -> str:
    return ", ".join(driver.p for _ in ids)


def visible_fund_ids(driver: Driver, organisation_id: int) -> list[int]:
    """Funds the organisation manages or holds a commitment in through one of its funds."""
    p = driver.p
    rows = driver.rows(
        f"SELECT f.id FROM fund f WHERE f.organisation_id = {p} UNION "
        f"SELECT c.fund_id FROM commitment c JOIN investor i ON i.id = c.investor_id "
        f"WHERE i.fund_id IN (SELECT id FROM fund WHERE organisation_id = {p})",
        (organisation_id, organisation_id))
    return sorted(r[0] for r in rows)


@dataclass
class LedgerArrays:
    flows: np.ndarray  # fund, kind, day, cents, company, target
    allocations: np.ndarray  # fund, investor, kind, day, cents
    commitments: np.ndarray  # fund, investor, day, cents
    navs: np.ndarray  # fund, day, cents (ordered by fund, day, id)
    holdings: np.ndarray  # fund, company, day, cents (ordered by fund, company, day, id)
    lp_funds: np.ndarray  # investor, fund
    # fund, investor, day, cents: LP-interest transfer prices (LP positions only). The
    # synthetic portfolio has none; compute_portfolio refuses any (it does not apply them).
    trades: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.int64))


LEDGER_WIDTHS = (6, 5, 4, 3, 4, 2, 4)
"""Columns of the seven SELECTs of ``load_ledger``, in :class:`LedgerArrays` field order
(:func:`plain_ledger_sql` gives the first six: no transfer prices)."""

Statement = tuple[str, tuple[object, ...], int]


def plain_ledger_sql(driver: Driver, as_of: date, fund_ids: list[int]) -> list[Statement]:
    """The SELECTs of ``fundops.metrics.frames.load_ledger`` as first written: one row per
    ledger entry and allocation (no aggregation in SQL). Used when the statements the
    engine issues cannot be captured, and to show what aggregating in SQL saves."""
    d, k, p = driver.day, driver.kind, driver.p
    params = (driver.cut(as_of), *fund_ids)
    ids = _in(driver, fund_ids)
    flows = (f"SELECT cf.fund_id, {k('cf.kind')}, {d('cf.value_on')}, cf.amount, "
             f"COALESCE(cf.company_id, 0), COALESCE(cf.target_fund_id, 0) FROM cash_flow cf "
             f"WHERE cf.value_on <= {p} AND cf.fund_id IN ({ids})")
    allocations = (f"SELECT cf.fund_id, a.investor_id, {k('cf.kind')}, {d('cf.value_on')}, "
                   f"a.amount FROM cash_flow_allocation a JOIN cash_flow cf "
                   f"ON cf.id = a.cash_flow_id WHERE cf.value_on <= {p} AND cf.fund_id IN ({ids})")
    commitments = (f"SELECT c.fund_id, c.investor_id, {d('c.committed_on')}, c.amount "
                   f"FROM commitment c WHERE c.committed_on <= {p} AND c.fund_id IN ({ids})")
    navs = (f"SELECT v.fund_id, {d('v.as_of')}, v.nav_amount FROM fund_valuation v "
            f"WHERE v.as_of <= {p} AND v.fund_id IN ({ids}) ORDER BY v.fund_id, v.as_of, v.id")
    holdings = (f"SELECT h.fund_id, h.company_id, {d('h.as_of')}, h.fair_value_amount "
                f"FROM holding_valuation h WHERE h.as_of <= {p} AND h.fund_id IN ({ids}) "
                f"ORDER BY h.fund_id, h.company_id, h.as_of, h.id")
    lp_funds = "SELECT i.id, i.fund_id FROM investor i WHERE i.fund_id IS NOT NULL"
    return [(flows, params, 6), (allocations, params, 5), (commitments, params, 4),
            (navs, params, 3), (holdings, params, 4), (lp_funds, (), 2)]


def fetch_ledger(driver: Driver, statements: list[Statement]) -> LedgerArrays:
    """Run the ledger SELECTs through the bare cursor into int64 arrays."""
    return LedgerArrays(*(driver.ints(sql, params, width) for sql, params, width in statements))


# --------------------------------------------------------------------------- helpers


def _sum(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact integer group sums via float64 bincount (guarded below 2**53)."""
    out = np.bincount(groups, weights=values, minlength=n)
    if len(out) and np.abs(out).max() >= EXACT_LIMIT:
        raise OverflowError("group sum beyond exact float range")
    return out.astype(np.int64)


def _first(groups: np.ndarray, days: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, groups, days)
    return out


def _last_per_key(keys: np.ndarray) -> np.ndarray:
    """Mask of the last row of each run of equal keys (rows ordered by key)."""
    if not len(keys):
        return np.zeros(0, dtype=bool)
    return np.r_[keys[1:] != keys[:-1], True]


@dataclass
class Perspective:
    """Arrays over the keys of one perspective (fen; days since 1970; IRR nan = n/a)."""

    keys: np.ndarray
    paid: np.ndarray
    dist: np.ndarray
    value: np.ndarray
    first: np.ndarray
    irr: np.ndarray

    @property
    def dpi(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.paid > 0, self.dist / self.paid, np.nan)

    @property
    def rvpi(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.paid > 0, self.value / self.paid, np.nan)

    @property
    def tvpi(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.paid > 0, (self.dist + self.value) / self.paid, np.nan)


def _perspective(keys: np.ndarray, groups: np.ndarray, days: np.ndarray, cents: np.ndarray,
                 terminal: np.ndarray, end: int) -> Perspective:
    n = len(keys)
    paid = _sum(groups, np.where(cents < 0, -cents, 0), n)
    dist = _sum(groups, np.where(cents > 0, cents, 0), n)
    irr = xirr_flat(np.concatenate([groups, np.arange(n)]),
                    np.concatenate([days, np.full(n, end)]),
                    np.concatenate([cents, terminal]).astype(np.float64) / 100.0, n)
    out = Perspective(keys, paid, dist, terminal, _first(groups, days, n), irr)
    _ = out.dpi, out.rvpi, out.tvpi  # the multiples are part of the output
    return out


def _split_lrm(total: np.ndarray, weights: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``total[g]`` pro rata to ``weights`` within each group.

    Rows are ordered by group; ties go to the larger weight, then the earlier row (the
    rule of ``allocate_pro_rata``). Groups whose weights are all zero get zeros.
    """
    n_groups = len(total)
    wsum = _sum(group, weights, n_groups)
    ok = (total > 0) & (wsum > 0)
    prod = total[group].astype(object) * weights.astype(object)  # exact beyond int64
    den = np.where(ok, wsum, 1)[group].astype(object)
    base = (prod // den).astype(np.int64)
    rem = (prod - base.astype(object) * den).astype(np.int64)
    base[~ok[group]] = 0
    left = total - _sum(group, base, n_groups)
    order = np.lexsort((np.arange(len(group)), -weights, -rem, group))
    starts = np.searchsorted(group[order], np.arange(n_groups))
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - starts[group[order]]
    base += ((rank < left[group]) & ok[group]).astype(np.int64)
    return base


def compute_portfolio(ledger: LedgerArrays, as_of: date) -> PortfolioFloor:
    """Fund net, LP net, fund gross and deal perspectives (the engine's definitions)."""
    if len(ledger.trades):
        raise NotImplementedError("the floor does not apply LP-interest transfer prices")
    end = (as_of - EPOCH).days
    f, a, c = ledger.flows, ledger.allocations, ledger.commitments
    fund, kind, day, cents, company = f[:, 0], f[:, 1], f[:, 2], f[:, 3], f[:, 4]
    nf = int(max(fund.max(initial=0), ledger.navs[:, 0].max(initial=0),
                 c[:, 0].max(initial=0))) + 1

    # NAV: latest valuation rolled forward by later calls, distributions, fees, expenses
    nav_last = _last_per_key(ledger.navs[:, 0])
    val_day = np.full(nf, np.iinfo(np.int64).min // 2, dtype=np.int64)
    val_nav = np.zeros(nf, dtype=np.int64)
    val_day[ledger.navs[nav_last, 0]] = ledger.navs[nav_last, 1]
    val_nav[ledger.navs[nav_last, 0]] = ledger.navs[nav_last, 2]
    roll = np.zeros(8, dtype=np.int64)
    roll[[CALL, DIST, FEE, EXP]] = (1, -1, -1, -1)
    after = day > val_day[fund]
    nav = val_nav + _sum(fund[after], (cents * roll[kind])[after], nf)
    present = np.zeros(nf, dtype=bool)
    present[fund] = True
    present[ledger.navs[:, 0]] = True
    present[c[:, 0]] = True
    fund_ids = np.flatnonzero(present)
    fidx = np.full(nf, -1, dtype=np.int64)
    fidx[fund_ids] = np.arange(len(fund_ids))
    nav_pos = np.maximum(nav[fund_ids], 0)

    # fund net
    net_sign = np.zeros(8, dtype=np.int64)
    net_sign[[CALL, DIST]] = (-1, 1)
    s = net_sign[kind]
    rows = s != 0
    fund_net = _perspective(fund_ids, fidx[fund[rows]], day[rows], cents[rows] * s[rows],
                            nav_pos, end)

    # LP net: NAV split pro rata to paid-in by largest remainder
    m_inv = int(max(a[:, 1].max(initial=0), c[:, 1].max(initial=0))) + 1
    akey = a[:, 0] * m_inv + a[:, 1]
    lp_keys = np.unique(np.concatenate([akey, c[:, 0] * m_inv + c[:, 1]]))
    agroup = np.searchsorted(lp_keys, akey)
    acents = a[:, 4] * net_sign[a[:, 2]]
    lp_fund = lp_keys // m_inv
    lp_paid = _sum(agroup, np.where(acents < 0, -acents, 0), len(lp_keys))
    fund_nav_all = np.zeros(nf, dtype=np.int64)
    fund_nav_all[fund_ids] = nav_pos
    lp_value = _split_lrm(fund_nav_all, lp_paid, lp_fund)
    lp_net = _perspective(lp_keys, agroup, a[:, 3], acents, lp_value, end)

    # fund gross: holdings rolled forward, plus the value of LP positions held by funds
    gross_sign = np.zeros(8, dtype=np.int64)
    gross_sign[[INV, PROC, CONTRIB, RETURN]] = (-1, 1, -1, 1)
    gs = gross_sign[kind]
    g = gs != 0
    gfund, gday, gcents, gcomp = fund[g], day[g], cents[g] * gs[g], company[g]
    m_comp = int(max(company.max(initial=0), ledger.holdings[:, 1].max(initial=0))) + 1
    move = (kind == INV) | (kind == PROC)
    mkey = fund[move] * m_comp + company[move]
    deal_keys = np.unique(mkey)
    h = ledger.holdings
    hkey = h[:, 0] * m_comp + h[:, 1]
    hl = _last_per_key(hkey)
    hpos = np.searchsorted(deal_keys, hkey[hl])
    hpos_ok = hpos < len(deal_keys)
    hpos_ok[hpos_ok] = deal_keys[hpos[hpos_ok]] == hkey[hl][hpos_ok]
    d_day = np.full(len(deal_keys), np.iinfo(np.int64).min // 2, dtype=np.int64)
    d_base = np.zeros(len(deal_keys), dtype=np.int64)
    d_day[hpos[hpos_ok]] = h[hl, 2][hpos_ok]
    d_base[hpos[hpos_ok]] = h[hl, 3][hpos_ok]
    mgroup = np.searchsorted(deal_keys, mkey)
    mcents = np.where(kind[move] == INV, cents[move], -cents[move])
    later = day[move] > d_day[mgroup]
    d_value = np.maximum(d_base + _sum(mgroup[later], mcents[later], len(deal_keys)), 0)
    held = _sum(deal_keys // m_comp, d_value, nf)
    lp_fund_of = np.zeros(m_inv, dtype=np.int64)
    known = ledger.lp_funds[ledger.lp_funds[:, 0] < m_inv]
    lp_fund_of[known[:, 0]] = known[:, 1]
    parent = lp_fund_of[lp_keys % m_inv]
    sub_value = _sum(parent[parent > 0], lp_value[parent > 0], nf)
    gpresent = np.zeros(nf, dtype=bool)
    gpresent[gfund] = True
    gpresent[deal_keys // m_comp] = True
    gpresent[parent[parent > 0]] = True
    gross_ids = np.flatnonzero(gpresent)
    gidx = np.full(nf, -1, dtype=np.int64)
    gidx[gross_ids] = np.arange(len(gross_ids))
    gross = _perspective(gross_ids, gidx[gfund], gday, gcents,
                         held[gross_ids] + sub_value[gross_ids], end)

    # deals: (fund, company) investment and proceeds flows, the holding as terminal value
    dr = gcomp != 0
    dgroup = np.searchsorted(deal_keys, gfund[dr] * m_comp + gcomp[dr])
    deals = _perspective(deal_keys, dgroup, gday[dr], gcents[dr], d_value, end)
    return PortfolioFloor({"fund_net": fund_net, "lp_net": lp_net, "gross": gross,
                           "deals": deals}, m_inv, m_comp)


@dataclass
class PortfolioFloor:
    """The four perspectives; LP keys are ``fund * lp_modulus + investor`` and deal keys
    ``fund * deal_modulus + company``."""

    perspectives: dict[str, Perspective]
    lp_modulus: int
    deal_modulus: int


def portfolio_floor(driver: Driver, organisation_id: int, as_of: date,
                    statements: list[Statement] | None = None) -> PortfolioFloor:
    """Visible funds, the ledger SELECTs (``statements``, else :func:`plain_ledger_sql`)
    and the vectorised perspectives."""
    ids = visible_fund_ids(driver, organisation_id)
    ledger = fetch_ledger(driver, statements or plain_ledger_sql(driver, as_of, ids))
    return compute_portfolio(ledger, as_of)


# --------------------------------------------------------------------------- look-through


def _bucket_cumsum(keys: np.ndarray, days: np.ndarray, amounts: np.ndarray, n: int,
                   grid: np.ndarray) -> np.ndarray:
    """[n, Q] running totals of dated amounts at each grid date (fen, exact)."""
    q = np.searchsorted(grid, days, side="left")
    m = q < len(grid)
    flat = np.bincount(keys[m] * len(grid) + q[m], weights=amounts[m], minlength=n * len(grid))
    out = np.cumsum(flat.reshape(n, len(grid)), axis=1)
    if len(out) and np.abs(out).max() >= EXACT_LIMIT:
        raise OverflowError("running total beyond exact float range")
    return out.astype(np.int64)


def _topological(root: int, links: list[list[int]]) -> list[int]:
    """Funds reachable from ``root``, every parent before its sub-funds (Kahn's algorithm)."""
    children: dict[int, set[int]] = {}
    for parent, sub in links:
        children.setdefault(parent, set()).add(sub)
    reach, stack = {root}, [root]
    while stack:
        for s in children.get(stack.pop(), ()):
            if s not in reach:
                reach.add(s)
                stack.append(s)
    indegree = dict.fromkeys(reach, 0)
    for parent, subs in children.items():
        if parent in reach:
            for s in subs:
                indegree[s] += 1
    order, ready = [], [root]
    while ready:
        f = ready.pop()
        order.append(f)
        for s in sorted(children.get(f, ())):
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    return order


@dataclass
class LookThroughArrays:
    """What the look-through needs, as int64 arrays (days since 1970, fen)."""

    funds: list[int]  # reachable from the root, topological order
    links: np.ndarray  # parent, sub-fund, day, fen (commitments of funds' LP records)
    paid: np.ndarray  # parent, sub-fund, day, fen (call allocations to those records)
    called: np.ndarray  # fund, day, fen (capital calls)
    invested: np.ndarray  # fund, company, day, fen (investments − proceeds)
    valued: np.ndarray  # fund, company, day, id, fen (holding valuations)
    sectors: list[tuple[int, str]]  # company, sector


def lookthrough_floor(driver: Driver, root: int,
                      quarter_ends: list[date]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Exposure of ``root`` through its sub-funds (any depth) at each date, paid-in basis.

    Returns (total yuan per date, sector names, [sector, date] yuan), all floats.
    """
    return compute_lookthrough(fetch_lookthrough(driver, root, quarter_ends[-1]), quarter_ends)


def fetch_lookthrough(driver: Driver, root: int, up_to: date) -> LookThroughArrays:
    """Grouped SELECTs through the bare cursor: one per input table, all funds at once."""
    d, p = driver.day, driver.p
    cut = driver.cut(up_to)
    links = driver.ints(
        f"SELECT i.fund_id, c.fund_id, {d('c.committed_on')}, c.amount FROM commitment c "
        f"JOIN investor i ON i.id = c.investor_id "
        f"WHERE i.fund_id IS NOT NULL AND c.committed_on <= {p}", (cut,), 4)
    order = _topological(root, links[:, :2].tolist())
    ids = tuple(order)
    marks = ", ".join(p for _ in ids)
    paid = driver.ints(
        f"SELECT i.fund_id, cf.fund_id, {d('cf.value_on')}, CAST(SUM(a.amount) AS BIGINT) "
        f"FROM cash_flow_allocation a JOIN cash_flow cf ON cf.id = a.cash_flow_id "
        f"JOIN investor i ON i.id = a.investor_id "
        f"WHERE i.fund_id IN ({marks}) AND cf.fund_id IN ({marks}) "
        f"AND cf.kind = 'capital_call' AND cf.value_on <= {p} "
        f"GROUP BY i.fund_id, cf.fund_id, cf.value_on", (*ids, *ids, cut), 4)
    called = driver.ints(
        f"SELECT fund_id, {d('value_on')}, CAST(SUM(amount) AS BIGINT) FROM cash_flow "
        f"WHERE fund_id IN ({marks}) AND kind = 'capital_call' AND value_on <= {p} "
        f"GROUP BY fund_id, value_on", (*ids, cut), 3)
    invested = driver.ints(
        f"SELECT fund_id, company_id, {d('value_on')}, CAST(SUM(CASE kind WHEN 'proceeds' "
        f"THEN -amount ELSE amount END) AS BIGINT) FROM cash_flow "
        f"WHERE fund_id IN ({marks}) AND kind IN ('investment', 'proceeds') AND value_on <= {p} "
        f"GROUP BY fund_id, company_id, value_on", (*ids, cut), 4)
    valued = driver.ints(
        f"SELECT fund_id, company_id, {d('as_of')}, id, fair_value_amount "
        f"FROM holding_valuation WHERE fund_id IN ({marks}) AND as_of <= {p}", (*ids, cut), 5)
    sectors_rows = driver.rows(
        f"SELECT c.id, c.sector FROM company c WHERE c.id IN "
        f"(SELECT company_id FROM investment WHERE fund_id IN ({marks}))", ids)
    return LookThroughArrays(order, links, paid, called, invested, valued, sectors_rows)


def compute_lookthrough(data: LookThroughArrays,
                        quarter_ends: list[date]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Total and per-sector exposure per date (float yuan), vectorised over the dates."""
    grid = np.array([(q - EPOCH).days for q in quarter_ends], dtype=np.int64)
    order, links, paid, called = data.funds, data.links, data.paid, data.called
    invested, valued, sectors_rows = data.invested, data.valued, data.sectors
    funds = np.array(order, dtype=np.int64)
    nf, nq = len(funds), len(grid)
    fidx = np.full(int(max(funds.max(), links[:, :2].max(initial=0))) + 1, -1, dtype=np.int64)
    fidx[funds] = np.arange(nf)

    # shares of each link per date: parent's paid-in / the sub-fund's calls, once committed
    links = links[(fidx[links[:, 0]] >= 0)]
    m = max(nf, 1)
    lkey_all = fidx[links[:, 0]] * m + fidx[links[:, 1]]
    lkeys = np.unique(lkey_all)
    nl = len(lkeys)
    active = _bucket_cumsum(np.searchsorted(lkeys, lkey_all), links[:, 2], links[:, 3], nl,
                            grid) > 0
    pkey = fidx[paid[:, 0]] * m + fidx[paid[:, 1]]
    pos = np.searchsorted(lkeys, pkey)
    ok = (pos < nl) & (lkeys[np.minimum(pos, nl - 1)] == pkey)
    num = _bucket_cumsum(pos[ok], paid[ok, 2], paid[ok, 3], nl, grid)
    calls = _bucket_cumsum(fidx[called[:, 0]], called[:, 1], called[:, 2], nf, grid)
    lsub = lkeys % m
    lpar = lkeys // m
    den = calls[lsub]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(active & (den > 0), num / np.where(den > 0, den, 1), 0.0)
    weight = np.zeros((nf, nq))
    weight[0] = 1.0
    for link in np.argsort(lpar, kind="stable").tolist():  # topological: parents first
        weight[lsub[link]] += weight[lpar[link]] * share[link]

    # holding values per (fund, company) and date: latest fair value, else cost
    m_comp = int(max(invested[:, 1].max(initial=0), valued[:, 1].max(initial=0))) + 1
    ikey = fidx[invested[:, 0]] * m_comp + invested[:, 1]
    vkey = fidx[valued[:, 0]] * m_comp + valued[:, 1]
    pairs = np.unique(np.concatenate([ikey, vkey]))
    npairs = len(pairs)
    ig = np.searchsorted(pairs, ikey)
    cost = _bucket_cumsum(ig, invested[:, 2], invested[:, 3], npairs, grid)
    held = _bucket_cumsum(ig, invested[:, 2], np.ones(len(ig)), npairs, grid) > 0
    vg = np.searchsorted(pairs, vkey)
    vq = np.searchsorted(grid, valued[:, 2], side="left")
    keep = vq < nq
    vg, vq, vday, vid, vamt = vg[keep], vq[keep], valued[keep, 2], valued[keep, 3], valued[keep, 4]
    o = np.lexsort((vid, vday, vg))
    vg, vq, vamt, vday = vg[o], vq[o], vamt[o], vday[o]
    # flows of the pair on or before each valuation's day (inside it): per-pair running sums
    fo = np.lexsort((invested[:, 2], ig))
    span = int(max(grid.max(), invested[:, 2].max(initial=0), vday.max(initial=0))) + 2
    fcode = ig[fo] * span + invested[fo, 2]
    cum = np.r_[0, np.cumsum(invested[fo, 3])]
    inside = (cum[np.searchsorted(fcode, vg * span + vday, side="right")]
              - cum[np.searchsorted(fcode, vg * span, side="left")])
    last = np.r_[(vg[1:] != vg[:-1]) | (vq[1:] != vq[:-1]), True] if len(vg) else vg.astype(bool)
    stamp = np.full((npairs, nq), -1, dtype=np.int64)
    stamp[vg[last], vq[last]] = vq[last]
    raw = np.zeros((npairs, nq), dtype=np.int64)
    raw[vg[last], vq[last]] = vamt[last] - inside[last]
    src = np.maximum.accumulate(stamp, axis=1)
    fair = np.take_along_axis(raw, np.maximum(src, 0), axis=1)  # value − flows inside it
    value = np.maximum(np.where(src >= 0, fair, 0) + cost, 0)  # rolled by the later flows
    value = np.where(held | (src >= 0), value, 0)

    sector_of = dict(sectors_rows)
    names = sorted(set(sector_of.values()))
    sidx = {s: i for i, s in enumerate(names)}
    comp_sector = np.zeros(m_comp, dtype=np.int64)
    for cid, sec in sector_of.items():
        if cid < m_comp:
            comp_sector[cid] = sidx[sec]
    pair_fund = pairs // m_comp
    pair_sector = comp_sector[pairs % m_comp]
    exposure = value * weight[pair_fund]  # [P, Q] yuan*100
    by_sector = np.zeros((len(names), nq))
    np.add.at(by_sector, pair_sector, exposure)
    return exposure.sum(axis=0) / 100.0, names, by_sector / 100.0
