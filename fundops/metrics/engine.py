"""Batch return metrics for every fund, LP position and deal of a loaded ledger.

Perspectives (all as of one date, LP sign convention: money in negative, out positive):

- **fund net**: the fund's capital calls (−) and distributions (+) with the fund NAV at
  the as-of date as a positive terminal flow;
- **LP net**: one LP's call (−) and distribution (+) allocations, with its share of the
  fund NAV — the NAV split by largest remainder pro rata to paid-in capital;
- **fund gross**: investments in companies and contributions to sub-funds (−), proceeds
  and returns from sub-funds (+), with the holdings' fair value plus the fund's NAV share
  of each sub-fund as terminal value;
- **deal**: one fund's investments in one company (−), its proceeds (+), and the
  holding's fair value.

NAV at the as-of date is the latest reported NAV on or before it, rolled forward by the
calls (+), distributions, fees and expenses (−) dated after the valuation; with no
valuation yet it is rolled from zero at inception (a cost basis). A holding's value is
its latest fair value rolled forward by later investments (+) and proceeds (−), never
below zero; without a valuation it is net cost. Amounts are summed as integer fen and
reported as exact Decimals; only XIRR works in floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np

from fundops.calc import multiples
from fundops.calc.allocation import allocate_pro_rata
from fundops.calc.returns import xirr_flat
from fundops.metrics.frames import K, Ledger, cents_to_decimal, from_day, to_day
from fundops.portfolio.enums import CashFlowKind

NAV_ROLL = {K[CashFlowKind.CAPITAL_CALL]: 1, K[CashFlowKind.DISTRIBUTION]: -1,
            K[CashFlowKind.MANAGEMENT_FEE]: -1, K[CashFlowKind.EXPENSE]: -1}
NET_SIGN = {K[CashFlowKind.CAPITAL_CALL]: -1, K[CashFlowKind.DISTRIBUTION]: 1}
GROSS_SIGN = {K[CashFlowKind.INVESTMENT]: -1, K[CashFlowKind.PROCEEDS]: 1,
              K[CashFlowKind.FUND_CONTRIBUTION]: -1, K[CashFlowKind.FUND_RETURN]: 1}


@dataclass(frozen=True, slots=True)
class Position:
    """Return metrics of one perspective at ``as_of``.

    ``paid_in`` and ``distributed`` are positive totals of money in and out (yuan);
    ``value`` is the terminal value used (NAV or fair value); ``value_on`` the date of the
    valuation it was rolled forward from (None: none yet, cost basis). ``irr`` is an
    annual rate as a fraction (None: n/a); multiples are exact Decimals or None (n/a).
    """

    perspective: str
    key: tuple[int, ...]
    as_of: date
    committed: Decimal | None
    paid_in: Decimal
    distributed: Decimal
    value: Decimal
    value_on: date | None
    irr: float | None
    dpi: Decimal | None
    rvpi: Decimal | None
    tvpi: Decimal | None
    pic: Decimal | None

    first_on: date | None = None

    @property
    def value_age_days(self) -> int | None:
        return None if self.value_on is None else (self.as_of - self.value_on).days

    @property
    def short_track_record(self) -> bool:
        """Under a year since the first flow: GIPS shows the cumulative, not annual, rate."""
        return self.first_on is not None and (self.as_of - self.first_on).days < 365

    @property
    def irr_cumulative(self) -> float | None:
        """``(1 + irr) ** (days / 365) - 1`` over the days since the first flow."""
        if self.irr is None or self.first_on is None:
            return None
        return float((1.0 + self.irr) ** ((self.as_of - self.first_on).days / 365.0) - 1.0)


@dataclass
class Metrics:
    """Every perspective computed from one ledger load."""

    as_of: date
    fund_net: dict[int, Position] = field(default_factory=dict)
    lp_net: dict[tuple[int, int], Position] = field(default_factory=dict)
    gross: dict[int, Position] = field(default_factory=dict)
    deals: dict[tuple[int, int], Position] = field(default_factory=dict)


def _signed(kinds: np.ndarray, table: dict[int, int]) -> np.ndarray:
    out = np.zeros(len(kinds), dtype=np.int64)
    for kind, sign in table.items():
        out[kinds == kind] = sign
    return out


def _latest(keys: np.ndarray, days: np.ndarray, cents: np.ndarray) -> dict[int, tuple[int, int]]:
    """Last (day, cents) per key for rows sorted by key then date then record id."""
    if len(keys) == 0:
        return {}
    last = np.r_[keys[1:] != keys[:-1], True]
    return {int(k): (int(d), int(c)) for k, d, c in zip(keys[last], days[last], cents[last],
                                                        strict=True)}


def _irrs(groups: list[np.ndarray], days: list[np.ndarray], cents: list[np.ndarray],
          n: int) -> list[float | None]:
    if n == 0:
        return []
    rates = xirr_flat(np.concatenate(groups), np.concatenate(days),
                      np.concatenate(cents).astype(np.float64) / 100.0, n)
    return [None if np.isnan(r) else float(r) for r in rates]


def _position(perspective: str, key: tuple[int, ...], as_of: date, committed: int | None,
              paid: int, dist: int, value: int, value_day: int | None,
              irr: float | None, first_day: int | None) -> Position:
    p, d, v = cents_to_decimal(paid), cents_to_decimal(dist), cents_to_decimal(value)
    c = None if committed is None else cents_to_decimal(committed)
    return Position(
        perspective, key, as_of, c, p, d, v, None if value_day is None else from_day(value_day),
        irr, multiples.dpi(d, p), multiples.rvpi(v, p), multiples.tvpi(d, v, p),
        None if c is None else multiples.pic(p, c),
        None if first_day is None else from_day(first_day),
    )


def fund_navs(ledger: Ledger) -> dict[int, tuple[int, int | None]]:
    """Each fund's NAV at the as-of date in fen, with the valuation day it rolls from."""
    f = ledger.flows
    latest = _latest(ledger.navs[:, 0], ledger.navs[:, 1], ledger.navs[:, 2])
    funds = (set(np.unique(f[:, 0]).tolist()) | set(latest)
             | set(np.unique(ledger.commitments[:, 0]).tolist()))
    roll_sign = _signed(f[:, 1], NAV_ROLL)
    out: dict[int, tuple[int, int | None]] = {}
    order = np.argsort(f[:, 0], kind="stable")
    fs, ds, cs, ss = f[order, 0], f[order, 2], f[order, 3], roll_sign[order]
    bounds = np.searchsorted(fs, np.array(sorted(funds), dtype=np.int64))
    ends = np.append(bounds[1:], len(fs)) if len(bounds) else bounds
    for fund_id, lo, hi in zip(sorted(funds), bounds.tolist(), ends.tolist(), strict=True):
        day, base = latest.get(fund_id, (None, 0))
        after = ds[lo:hi] > (day if day is not None else -(10**9))
        out[fund_id] = (base + int((cs[lo:hi] * ss[lo:hi])[after].sum()), day)
    return out


def compute(ledger: Ledger) -> Metrics:
    """Fund net, LP net, fund gross and deal metrics for every fund in ``ledger``."""
    as_of, end = ledger.as_of, to_day(ledger.as_of)
    result = Metrics(as_of)
    navs = fund_navs(ledger)
    committed_fund: dict[int, int] = {}
    committed_lp: dict[tuple[int, int], int] = {}
    for fid, inv, _, cents in ledger.commitments.tolist():
        committed_fund[fid] = committed_fund.get(fid, 0) + cents
        committed_lp[(fid, inv)] = committed_lp.get((fid, inv), 0) + cents
    _fund_net(ledger, result, navs, committed_fund, end)
    lp_values = _lp_net(ledger, result, navs, committed_lp, end)
    _gross_and_deals(ledger, result, lp_values, end)
    return result


def _fund_net(ledger: Ledger, result: Metrics, navs: dict[int, tuple[int, int | None]],
              committed: dict[int, int], end: int) -> None:
    f = ledger.flows
    sign = _signed(f[:, 1], NET_SIGN)
    rows = sign != 0
    funds = sorted(navs)
    index = {fid: i for i, fid in enumerate(funds)}
    fids, days, cents = f[rows, 0], f[rows, 2], f[rows, 3] * sign[rows]
    groups = np.array([index[x] for x in fids.tolist()], dtype=np.int64)
    nav = np.array([max(navs[fid][0], 0) for fid in funds], dtype=np.int64)
    irrs = _irrs([groups, np.arange(len(funds))], [days, np.full(len(funds), end)],
                 [cents, nav], len(funds))
    paid_i = _group_sums(groups, np.where(cents < 0, -cents, 0), len(funds))
    dist_i = _group_sums(groups, np.where(cents > 0, cents, 0), len(funds))
    first = _group_first(groups, days, len(funds))
    for i, fid in enumerate(funds):
        result.fund_net[fid] = _position("fund_net", (fid,), ledger.as_of, committed.get(fid, 0),
                                         paid_i[i], dist_i[i], int(nav[i]), navs[fid][1], irrs[i],
                                         first[i])


def _group_first(groups: np.ndarray, days: np.ndarray, n: int) -> list[int | None]:
    """Earliest day per group, None for a group without flows."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, groups, days)
    return [None if x == np.iinfo(np.int64).max else int(x) for x in out]


def _group_sums(groups: np.ndarray, values: np.ndarray, n: int) -> list[int]:
    """Integer sums per group (np.add.at keeps int64; bincount would go through float)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, groups, values.astype(np.int64))
    return [int(x) for x in out]


def _lp_net(ledger: Ledger, result: Metrics, navs: dict[int, tuple[int, int | None]],
            committed: dict[tuple[int, int], int], end: int) -> dict[tuple[int, int], int]:
    a = ledger.allocations
    sign = _signed(a[:, 2], NET_SIGN)
    keys = sorted(set(zip(a[:, 0].tolist(), a[:, 1].tolist(), strict=True)) | set(committed))
    index = {k: i for i, k in enumerate(keys)}
    groups = np.array([index[k] for k in zip(a[:, 0].tolist(), a[:, 1].tolist(), strict=True)],
                      dtype=np.int64)
    cents = a[:, 4] * sign
    paid = _group_sums(groups, np.where(cents < 0, -cents, 0), len(keys))
    dist = _group_sums(groups, np.where(cents > 0, cents, 0), len(keys))
    values: dict[tuple[int, int], int] = {}
    by_fund: dict[int, list[tuple[int, int]]] = {}
    for k in keys:
        by_fund.setdefault(k[0], []).append(k)
    for fid, lp_keys in by_fund.items():
        nav = max(navs.get(fid, (0, None))[0], 0)
        weights = [(k, Decimal(paid[index[k]])) for k in lp_keys]
        if nav and any(w for _, w in weights):
            shares = allocate_pro_rata(Decimal(nav), weights, places=0)
            values.update({k: int(v) for k, v in shares.items()})
        else:
            values.update({k: 0 for k in lp_keys})
    terminal = np.array([values[k] for k in keys], dtype=np.int64)
    irrs = _irrs([groups, np.arange(len(keys))], [a[:, 3], np.full(len(keys), end)],
                 [cents, terminal], len(keys))
    first = _group_first(groups, a[:, 3], len(keys))
    for k, i in index.items():
        result.lp_net[k] = _position("lp_net", k, ledger.as_of, committed.get(k, 0), paid[i],
                                     dist[i], values[k], navs.get(k[0], (0, None))[1], irrs[i],
                                     first[i])
    return values


def _holding_values(ledger: Ledger, end: int) -> dict[tuple[int, int], tuple[int, int | None]]:
    """Fair value per (fund, company) at the as-of date, rolled forward, in fen."""
    f, h = ledger.flows, ledger.holdings
    keyed = h[:, 0] * (1 << 32) + h[:, 1]
    latest = _latest(keyed, h[:, 2], h[:, 3])
    inv, pro = K[CashFlowKind.INVESTMENT], K[CashFlowKind.PROCEEDS]
    moves: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for fid, kind, day, cents, company, _ in f[(f[:, 1] == inv) | (f[:, 1] == pro)].tolist():
        moves.setdefault((fid, company), []).append((day, cents if kind == inv else -cents))
    out: dict[tuple[int, int], tuple[int, int | None]] = {}
    for key, items in moves.items():
        day, base = latest.get(key[0] * (1 << 32) + key[1], (None, 0))
        later = sum(c for d, c in items if day is None or d > day)
        out[key] = (max(base + later, 0), day)
    return out


def _gross_and_deals(ledger: Ledger, result: Metrics, lp_values: dict[tuple[int, int], int],
                     end: int) -> None:
    f = ledger.flows
    sign = _signed(f[:, 1], GROSS_SIGN)
    rows = sign != 0
    fids, days, cents = f[rows, 0], f[rows, 2], f[rows, 3] * sign[rows]
    companies = f[rows, 4]
    holdings = _holding_values(ledger, end)
    lp_fund = dict(ledger.lp_funds.tolist()) if len(ledger.lp_funds) else {}
    sub_value: dict[int, int] = {}
    for (_, investor), value in lp_values.items():
        parent = lp_fund.get(investor)
        if parent is not None:
            sub_value[parent] = sub_value.get(parent, 0) + value
    funds = sorted(set(fids.tolist()) | {k[0] for k in holdings} | set(sub_value))
    findex = {fid: i for i, fid in enumerate(funds)}
    fgroups = np.array([findex[x] for x in fids.tolist()], dtype=np.int64)
    held: dict[int, int] = {}
    for (fid, _), (value, _) in holdings.items():
        held[fid] = held.get(fid, 0) + value
    terminal = [held.get(fid, 0) + sub_value.get(fid, 0) for fid in funds]
    irrs = _irrs([fgroups, np.arange(len(funds))], [days, np.full(len(funds), end)],
                 [cents, np.array(terminal, dtype=np.int64)], len(funds))
    paid = _group_sums(fgroups, np.where(cents < 0, -cents, 0), len(funds))
    dist = _group_sums(fgroups, np.where(cents > 0, cents, 0), len(funds))
    first = _group_first(fgroups, days, len(funds))
    for i, fid in enumerate(funds):
        result.gross[fid] = _position("fund_gross", (fid,), ledger.as_of, None, paid[i], dist[i],
                                      terminal[i], None, irrs[i], first[i])
    deal_rows = companies != 0
    keys = sorted(holdings)
    dindex = {k: i for i, k in enumerate(keys)}
    dg = np.array([dindex[k] for k in zip(fids[deal_rows].tolist(), companies[deal_rows].tolist(),
                                          strict=True)], dtype=np.int64)
    dc = cents[deal_rows]
    dvals = np.array([holdings[k][0] for k in keys], dtype=np.int64)
    dirrs = _irrs([dg, np.arange(len(keys))], [days[deal_rows], np.full(len(keys), end)],
                  [dc, dvals], len(keys))
    dpaid = _group_sums(dg, np.where(dc < 0, -dc, 0), len(keys))
    ddist = _group_sums(dg, np.where(dc > 0, dc, 0), len(keys))
    dfirst = _group_first(dg, days[deal_rows], len(keys))
    for k, i in dindex.items():
        result.deals[k] = _position("deal", k, ledger.as_of, None, dpaid[i], ddist[i],
                                    int(dvals[i]), holdings[k][1], dirrs[i], dfirst[i])
