"""Batch return metrics for every fund, LP position and deal of a loaded ledger.

Perspectives (all as of one date, LP sign convention: money in negative, out positive):

- **fund net**: the fund's capital calls (−) and distributions (+) with the fund NAV at
  the as-of date as a positive terminal flow;
- **LP net**: one LP's call (−) and distribution (+) allocations, with its share of the
  fund NAV — the NAV split by largest remainder pro rata to paid-in capital in the
  register (calls plus paid-in bought, minus paid-in sold, with an LP interest); a
  transfer's price is the seller's inflow (in its distributed) and the buyer's outflow
  (in its paid-in) on the transfer date;
- **fund gross**: investments in companies and contributions to sub-funds (−), proceeds
  and returns from sub-funds (+), with the holdings' fair value plus the fund's NAV share
  of each sub-fund as terminal value;
- **deal**: one fund's investments in one company (−), its proceeds (+), and the
  holding's fair value.

NAV at the as-of date is the latest reported NAV on or before it, rolled forward by the
calls (+), distributions, fees and expenses (−) dated after the valuation; with no
valuation yet it is rolled from zero at inception (a cost basis). A holding's value is
its latest fair value rolled forward by later investments (+) and proceeds (−), never
below zero; without a valuation it is net cost. "After" is strictly after the valuation
date: a valuation is end of day, flows on its date are inside it. Both roll-forwards are
:func:`fundops.calc.rollforward.roll_forward`, the definition the look-through uses.
Amounts are summed as integer fen and reported as exact Decimals; only XIRR works in
floats.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

import numpy as np

from fundops.calc import multiples, pickling
from fundops.calc.allocation import allocate_units
from fundops.calc.returns import xirr_flat
from fundops.calc.rollforward import HOLDING_FLOW_SIGN, NAV_FLOW_SIGN, roll_forward
from fundops.metrics.frames import K, Ledger, cents_to_decimal, from_day, to_day
from fundops.portfolio.enums import CashFlowKind

Key = TypeVar("Key", bound=tuple[int, ...])

NAV_ROLL = {K[CashFlowKind(kind)]: sign for kind, sign in NAV_FLOW_SIGN.items()}
NET_SIGN = {K[CashFlowKind.CAPITAL_CALL]: -1, K[CashFlowKind.DISTRIBUTION]: 1}
GROSS_SIGN = {K[CashFlowKind.INVESTMENT]: -1, K[CashFlowKind.PROCEEDS]: 1,
              K[CashFlowKind.FUND_CONTRIBUTION]: -1, K[CashFlowKind.FUND_RETURN]: 1}
HOLDING_MOVE = {K[CashFlowKind(kind)]: sign for kind, sign in HOLDING_FLOW_SIGN.items()}
MOVED_PAID_IN = K[CashFlowKind.LP_TRANSFER]  # paid-in moved between LPs (not a fund flow)
NO_DAY = -(10**9)


class Perspective(enum.StrEnum):
    """Whose flows a :class:`Position` measures (defined in the module docstring); the
    values are the codes the API and the CLI show."""

    FUND_NET = "fund_net"
    LP_NET = "lp_net"
    FUND_GROSS = "fund_gross"
    DEAL = "deal"


@dataclass(frozen=True, slots=True)
class Position:
    """Return metrics of one perspective at ``as_of``.

    ``paid_in`` and ``distributed`` are positive totals of money in and out (yuan);
    ``value`` is the terminal value used (NAV or fair value); ``value_on`` the date of the
    valuation it was rolled forward from (None: none yet, cost basis). ``irr`` is an
    annual rate as a fraction (None: n/a). The multiples are exact Decimals computed on
    access (10 dp, half-even; TVPI = DPI + RVPI exactly) or None ("n/a").
    """

    perspective: Perspective
    key: tuple[int, ...]
    as_of: date
    committed: Decimal | None
    paid_in: Decimal
    distributed: Decimal
    value: Decimal
    value_on: date | None
    irr: float | None
    first_on: date | None = None

    @property
    def realised(self) -> Decimal:
        """Realised value: distributions (fund and LP net), proceeds (gross and deal)."""
        return self.distributed

    @property
    def unrealised(self) -> Decimal:
        """Unrealised value: the NAV (or its share) or the holdings' fair value."""
        return self.value

    @property
    def dpi(self) -> Decimal | None:
        return multiples.dpi(self.distributed, self.paid_in)

    @property
    def rvpi(self) -> Decimal | None:
        return multiples.rvpi(self.value, self.paid_in)

    @property
    def tvpi(self) -> Decimal | None:
        return multiples.tvpi(self.distributed, self.value, self.paid_in)

    @property
    def pic(self) -> Decimal | None:
        return None if self.committed is None else multiples.pic(self.paid_in, self.committed)

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
    """The perspectives computed from one ledger load (for the focus funds)."""

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


def pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One int64 key for two non-negative int32 ids."""
    return (a.astype(np.int64) << 32) | b.astype(np.int64)


class Groups:
    """Rows labelled 0..n-1 by their key; sums, minima and lookups per label, in int64."""

    def __init__(self, keys: np.ndarray, extra: np.ndarray | None = None) -> None:
        both = keys if extra is None else np.concatenate([keys, extra])
        self.keys, inverse = np.unique(both, return_inverse=True)
        self.labels = inverse[: len(keys)]
        self.n = len(self.keys)

    def sum(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.int64)
        np.add.at(out, self.labels, values)
        return out

    def first_day(self, days: np.ndarray) -> np.ndarray:
        out = np.full(self.n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(out, self.labels, days)
        return out


def _lookup(sorted_keys: np.ndarray, values: np.ndarray, keys: np.ndarray,
            default: int) -> np.ndarray:
    """values[i] where sorted_keys[i] == key, else ``default``, for every key."""
    if len(sorted_keys) == 0:
        return np.full(len(keys), default, dtype=np.int64)
    idx = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.where(sorted_keys[idx] == keys, values[idx], default)


def _irrs(groups: np.ndarray, days: np.ndarray, cents: np.ndarray, terminal: np.ndarray,
          end: int) -> list[float | None]:
    n = len(terminal)
    if n == 0:
        return []
    rates = xirr_flat(np.concatenate([groups, np.arange(n)]),
                      np.concatenate([days, np.full(n, end, dtype=np.int64)]),
                      np.concatenate([cents, terminal]).astype(np.float64) / 100.0, n)
    return [None if np.isnan(r) else float(r) for r in rates]


def _day(day: int) -> date | None:
    return None if day in (NO_DAY, np.iinfo(np.int64).max) else from_day(day)


def _positions(perspective: Perspective, keys: Sequence[Key], as_of: date,
               committed: np.ndarray | None, paid: np.ndarray, dist: np.ndarray,
               value: np.ndarray, value_day: np.ndarray, irrs: list[float | None],
               first: np.ndarray) -> dict[Key, Position]:
    out: dict[Key, Position] = {}
    for i, key in enumerate(keys):
        out[key] = Position(
            perspective, key, as_of,
            None if committed is None else cents_to_decimal(committed[i]),
            cents_to_decimal(paid[i]), cents_to_decimal(dist[i]), cents_to_decimal(value[i]),
            _day(int(value_day[i])), irrs[i], _day(int(first[i])))
    return out


def fund_navs(ledger: Ledger) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fund ids, NAV in fen at the as-of date, valuation day rolled from or NO_DAY), by
    :func:`fundops.calc.rollforward.roll_forward` (not floored here: see :func:`compute`)."""
    f, v = ledger.flows, ledger.navs
    funds = np.unique(np.concatenate([f[:, 0], v[:, 0], ledger.commitments[:, 0]]))
    sign = _signed(f[:, 1], NAV_ROLL)
    rows = sign != 0
    rolled = roll_forward(funds, np.array([to_day(ledger.as_of)], dtype=np.int64),
                          val_keys=v[:, 0], val_days=v[:, 1], val_fen=v[:, 2],
                          flow_keys=f[rows, 0], flow_days=f[rows, 2],
                          flow_fen=f[rows, 3] * sign[rows])
    return funds, rolled.unfloored[:, 0], np.where(rolled.valued[:, 0],
                                                   rolled.valued_on[:, 0], NO_DAY)


def compute(ledger: Ledger, focus: Collection[int] | None = None,
            deals: bool = True) -> Metrics:
    """Fund net, LP net, fund gross and (optionally) deal metrics.

    Positions are built for the ``focus`` funds only (all funds when None); NAVs and LP
    shares of NAV are computed for every loaded fund, because a parent fund's gross value
    includes its share of its sub-funds' NAV. Of the other funds only their NAV and their
    LPs' NAV-share weights are read, so :func:`fundops.metrics.frames.load_focus_ledger`
    loads just these for them.
    """
    end = to_day(ledger.as_of)
    result = Metrics(ledger.as_of)
    funds, nav, nav_day = fund_navs(ledger)
    wanted = funds if focus is None else np.intersect1d(funds, np.fromiter(focus, np.int64))
    nav = np.maximum(nav, 0)
    _fund_net(ledger, result, funds, nav, nav_day, wanted, end)
    lp_values = _lp_net(ledger, result, funds, nav, nav_day, wanted, end)
    _gross(ledger, result, lp_values, wanted, end)
    if deals:
        _deals(ledger, result, wanted, end)
    return result


def _fund_net(ledger: Ledger, result: Metrics, funds: np.ndarray, nav: np.ndarray,
              nav_day: np.ndarray, wanted: np.ndarray, end: int) -> None:
    f = ledger.flows
    sign = _signed(f[:, 1], NET_SIGN)
    rows = (sign != 0) & np.isin(f[:, 0], wanted)
    sgn = sign[rows]
    cents = f[rows, 3] * sgn
    g = Groups(f[rows, 0], wanted)
    terminal = _lookup(funds, nav, g.keys, 0)
    irrs = _irrs(g.labels, f[rows, 2], cents, terminal, end)
    committed = Groups(ledger.commitments[:, 0], g.keys)
    committed_sum = committed.sum(ledger.commitments[:, 3])[np.searchsorted(committed.keys, g.keys)]
    result.fund_net.update({k[0]: p for k, p in _positions(
        Perspective.FUND_NET, [(int(k),) for k in g.keys], ledger.as_of, committed_sum,
        g.sum(np.where(sgn < 0, -cents, 0)), g.sum(np.where(sgn > 0, cents, 0)), terminal,
        _lookup(funds, nav_day, g.keys, NO_DAY), irrs, g.first_day(f[rows, 2])).items()})


def _nav_shares(fund_ids: np.ndarray, weights: np.ndarray, navs: np.ndarray) -> np.ndarray:
    """Each row's share of its fund's NAV, pro rata to weight by largest remainder (exact)."""
    out = np.zeros(len(fund_ids), dtype=np.int64)
    if len(fund_ids) == 0:
        return out
    order = np.argsort(fund_ids, kind="stable")
    bounds = np.flatnonzero(np.r_[True, np.diff(fund_ids[order]) != 0, True])
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        idx = order[lo:hi]
        total = int(navs[idx[0]])
        w = [int(weights[i]) for i in idx]
        if total and any(w):
            out[idx] = allocate_units(total, w)
    return out


def _lp_net(ledger: Ledger, result: Metrics, funds: np.ndarray, nav: np.ndarray,
            nav_day: np.ndarray, wanted: np.ndarray, end: int) -> dict[tuple[int, int], int]:
    """LP positions of the focus funds; returns NAV shares (fen) of every needed LP.

    An LP-interest transfer moves paid-in between LPs (``lp_transfer`` allocations): that
    counts in the NAV-share weight, never as a flow. Its price, paid between the LPs, is
    the seller's inflow and the buyer's outflow on the transfer date: in their IRR flows,
    in the buyer's paid-in and in the seller's distributed (ILPA: a secondary buyer's
    paid-in is its purchase price plus later calls).
    """
    a, c, t = ledger.allocations, ledger.commitments, ledger.trades
    lp_fund = dict(ledger.lp_funds.tolist()) if len(ledger.lp_funds) else {}
    # Funds whose LP shares are needed: the focus funds and funds their LP records are in.
    parents_records = np.array([i for i, f in lp_fund.items() if f in set(wanted.tolist())],
                               dtype=np.int64)
    subs = np.unique(a[np.isin(a[:, 1], parents_records), 0])
    needed = np.union1d(wanted, subs)
    sign = _signed(a[:, 2], NET_SIGN)
    rows = (sign != 0) & np.isin(a[:, 0], needed)
    sgn = sign[rows]
    moved = (a[:, 2] == MOVED_PAID_IN) & np.isin(a[:, 0], needed)
    trow = np.isin(t[:, 0], needed)
    price = t[trow, 3]
    keys = np.concatenate([pair(a[rows, 0], a[rows, 1]), pair(t[trow, 0], t[trow, 1])])
    days = np.concatenate([a[rows, 3], t[trow, 2]])
    cents = np.concatenate([a[rows, 4] * sgn, price])
    paid_in = np.concatenate([np.where(sgn < 0, a[rows, 4], 0), np.maximum(-price, 0)])
    received = np.concatenate([np.where(sgn > 0, a[rows, 4], 0), np.maximum(price, 0)])
    called = np.concatenate([np.where(sgn < 0, a[rows, 4], 0), np.zeros(len(price), np.int64)])
    crow = np.isin(c[:, 0], needed)
    moved_keys = pair(a[moved, 0], a[moved, 1])
    g = Groups(keys, np.concatenate([pair(c[crow, 0], c[crow, 1]), moved_keys]))
    weight = g.sum(called)
    np.add.at(weight, np.searchsorted(g.keys, moved_keys), a[moved, 4])
    fund_of = g.keys >> 32
    shares = _nav_shares(fund_of, np.maximum(weight, 0), _lookup(funds, nav, fund_of, 0))
    values = {(int(k >> 32), int(k & 0xFFFFFFFF)): int(v)
              for k, v in zip(g.keys.tolist(), shares.tolist(), strict=True)}
    focus = np.isin(fund_of, wanted)
    frows = np.isin(g.labels, np.flatnonzero(focus))
    sub = Groups(g.keys[g.labels[frows]], g.keys[focus])
    terminal = shares[focus]
    irrs = _irrs(sub.labels, days[frows], cents[frows], terminal, end)
    committed = Groups(pair(c[crow, 0], c[crow, 1]), sub.keys)
    csum = committed.sum(c[crow, 3])[np.searchsorted(committed.keys, sub.keys)]
    lp_keys = [(int(k >> 32), int(k & 0xFFFFFFFF)) for k in sub.keys.tolist()]
    result.lp_net.update(_positions(
        Perspective.LP_NET, lp_keys, ledger.as_of, csum, g.sum(paid_in)[focus],
        g.sum(received)[focus], terminal, _lookup(funds, nav_day, sub.keys >> 32, NO_DAY), irrs,
        sub.first_day(days[frows])))
    return values


def _holding_values(ledger: Ledger, wanted: np.ndarray) -> tuple[np.ndarray, ...]:
    """(pair keys, value in fen, valuation day or NO_DAY) of the focus funds' holdings
    with any investment or proceeds, by :func:`fundops.calc.rollforward.roll_forward`
    (the look-through's definition)."""
    f, h = ledger.flows, ledger.holdings
    sign = _signed(f[:, 1], HOLDING_MOVE)
    rows = (sign != 0) & np.isin(f[:, 0], wanted)
    move_keys = pair(f[rows, 0], f[rows, 4])
    keys = np.unique(move_keys)
    hrows = np.isin(h[:, 0], wanted)
    rolled = roll_forward(keys, np.array([to_day(ledger.as_of)], dtype=np.int64),
                          val_keys=pair(h[hrows, 0], h[hrows, 1]), val_days=h[hrows, 2],
                          val_fen=h[hrows, 3], flow_keys=move_keys, flow_days=f[rows, 2],
                          flow_fen=f[rows, 3] * sign[rows])
    return keys, rolled.value[:, 0], np.where(rolled.valued[:, 0], rolled.valued_on[:, 0],
                                              NO_DAY)


def _gross(ledger: Ledger, result: Metrics, lp_values: dict[tuple[int, int], int],
           wanted: np.ndarray, end: int) -> None:
    f = ledger.flows
    sign = _signed(f[:, 1], GROSS_SIGN)
    rows = (sign != 0) & np.isin(f[:, 0], wanted)
    sgn = sign[rows]
    cents = f[rows, 3] * sgn
    hkeys, hvalue, _ = _holding_values(ledger, wanted)
    lp_fund = dict(ledger.lp_funds.tolist()) if len(ledger.lp_funds) else {}
    sub_value: dict[int, int] = {}
    for (_, investor), value in lp_values.items():
        parent = lp_fund.get(investor)
        if parent is not None:
            sub_value[parent] = sub_value.get(parent, 0) + value
    extra = np.array([p for p in sub_value if p in set(wanted.tolist())], dtype=np.int64)
    g = Groups(f[rows, 0], np.concatenate([hkeys >> 32, extra]))
    held = np.zeros(g.n, dtype=np.int64)
    np.add.at(held, np.searchsorted(g.keys, hkeys >> 32), hvalue)
    terminal = held + np.array([sub_value.get(int(k), 0) for k in g.keys], dtype=np.int64)
    irrs = _irrs(g.labels, f[rows, 2], cents, terminal, end)
    result.gross.update({k[0]: p for k, p in _positions(
        Perspective.FUND_GROSS, [(int(k),) for k in g.keys], ledger.as_of, None,
        g.sum(np.where(sgn < 0, -cents, 0)), g.sum(np.where(sgn > 0, cents, 0)), terminal,
        np.full(g.n, NO_DAY), irrs, g.first_day(f[rows, 2])).items()})


def _deals(ledger: Ledger, result: Metrics, wanted: np.ndarray, end: int) -> None:
    f = ledger.flows
    sign = _signed(f[:, 1], GROSS_SIGN)
    rows = (sign != 0) & np.isin(f[:, 0], wanted) & (f[:, 4] != 0)
    sgn = sign[rows]
    cents = f[rows, 3] * sgn
    hkeys, hvalue, hday = _holding_values(ledger, wanted)
    g = Groups(pair(f[rows, 0], f[rows, 4]), hkeys)
    terminal = _lookup(hkeys, hvalue, g.keys, 0)
    irrs = _irrs(g.labels, f[rows, 2], cents, terminal, end)
    keys = [(int(k >> 32), int(k & 0xFFFFFFFF)) for k in g.keys.tolist()]
    result.deals.update(_positions(
        Perspective.DEAL, keys, ledger.as_of, None, g.sum(np.where(sgn < 0, -cents, 0)),
        g.sum(np.where(sgn > 0, cents, 0)), terminal, _lookup(hkeys, hday, g.keys, NO_DAY),
        irrs, g.first_day(f[rows, 2])))


pickling.register(sys.modules[__name__])  # fast unpickling of the cached records
