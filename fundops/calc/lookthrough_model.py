"""The look-through's dense model: the funds reachable from the root in topological order,
and numpy matrices over their links and (fund, company) holdings × the dates asked for.

Definitions, units and rounding are those of :mod:`fundops.calc.lookthrough`, which
computes shares and exposures from this model: amounts are **integer fen** (int64)
running totals on or before each date; no rounding happens here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from fundops.calc.lookthrough_records import LookThroughInputs

__all__ = ["HOLDING_VALUES", "SHARE_BASES", "Model", "build_model", "fund_order"]

SHARE_BASES = ("paid_in", "commitment")
HOLDING_VALUES = ("fair_value", "cost")
_DAY_SPAN = 1 << 22  # > any date ordinal, so (key × span + ordinal) sorts by key, then date


@dataclass(slots=True)
class Model:
    """Dense matrices over the reachable funds, links and (fund, company) pairs × dates."""

    funds: list[int]  # topological order, root first
    link_parent: np.ndarray  # fund index, links sorted by the parent's topological index
    link_sub: np.ndarray
    link_num: np.ndarray  # [L, Q] fen: parent's commitment or paid-in
    link_den: np.ndarray  # [L, Q] fen: sub-fund's total commitment or paid-in
    link_active: np.ndarray  # [L, Q] bool: parent committed on or before the date
    pair_fund: np.ndarray  # [P] fund index
    pair_company: np.ndarray  # [P] company id
    value: np.ndarray  # [P, Q] fen
    at_fair_value: np.ndarray  # [P, Q] bool
    value_on: np.ndarray  # [P, Q] ordinal of the valuation used, or -1
    held: np.ndarray  # [P, Q] bool


def fund_order(root: int, links: set[tuple[int, int]]) -> list[int]:
    """Funds reachable from ``root`` over (parent, sub-fund) links, in topological order
    (root first, every parent before its sub-funds). Raises ``ValueError`` on a cycle."""
    children: dict[int, set[int]] = {}
    for p, s in links:
        children.setdefault(p, set()).add(s)
    reach, stack = {root}, [root]
    while stack:
        for s in children.get(stack.pop(), ()):
            if s not in reach:
                reach.add(s)
                stack.append(s)
    indeg = dict.fromkeys(reach, 0)
    for p, s in links:
        if p in reach:
            indeg[s] += 1
    order, ready = [], [root] if indeg[root] == 0 else []
    while ready:
        f = ready.pop()
        order.append(f)
        for s in sorted(children.get(f, ())):
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    if len(order) != len(reach):
        raise ValueError("the fund-of-funds graph below the root has a cycle")
    return order


def _ordinal(d: date | str) -> int:
    return d.toordinal() if isinstance(d, date) else date.fromisoformat(d).toordinal()


def _ordinals(dates: Sequence[date | str]) -> np.ndarray:
    return np.fromiter(map(_ordinal, dates), dtype=np.int64, count=len(dates))


def _columns(rows: Sequence[tuple], width: int) -> list[list]:  # type: ignore[type-arg]
    return [[r[k] for r in rows] for k in range(width)]


def _cumulate(keys: np.ndarray, on: np.ndarray, amount: np.ndarray, nkeys: int,
              grid: np.ndarray) -> np.ndarray:
    """[nkeys, Q] running totals (int64 fen) of dated amounts at each grid date."""
    out = np.zeros((nkeys, len(grid)), dtype=np.int64)
    if len(keys):
        k = np.searchsorted(grid, on, side="left")  # first grid date on or after the event
        m = (k < len(grid)) & (keys >= 0)
        np.add.at(out, (keys[m], k[m]), amount[m])
    return np.cumsum(out, axis=1)


def build_model(inputs: LookThroughInputs, grid: np.ndarray, basis: str,  # noqa: PLR0915
                holding_value: str) -> Model:  # one array pipeline; its helpers share the indexes
    """The model of ``inputs`` at the ``grid`` dates (ordinals) on a share ``basis``
    and ``holding_value``; ``ValueError`` for an unknown basis or value, or a cycle."""
    if basis not in SHARE_BASES:
        raise ValueError(f"basis must be one of {SHARE_BASES}, not {basis!r}")
    if holding_value not in HOLDING_VALUES:
        raise ValueError(f"holding_value must be one of {HOLDING_VALUES}, not {holding_value!r}")
    links = {(int(p), int(s)) for p, s, _, _ in inputs.parent_commitments}
    funds = fund_order(inputs.root_fund_id, links)
    fidx = {f: i for i, f in enumerate(funds)}
    link_list = sorted(((p, s) for p, s in links if p in fidx), key=lambda ps: (fidx[ps[0]], ps[1]))
    lidx = {ps: i for i, ps in enumerate(link_list)}
    nl, nf = len(link_list), len(funds)

    def link_series(rows: Sequence[tuple[int, int, date, int]]) -> np.ndarray:
        p, s, on, amt = _columns(rows, 4)
        keys = np.array([lidx.get((a, b), -1) for a, b in zip(p, s, strict=True)], dtype=np.int64)
        return _cumulate(keys, _ordinals(on), np.array(amt, dtype=np.int64), nl, grid)

    def fund_series(rows: Sequence[tuple[int, date, int]]) -> np.ndarray:
        f, on, amt = _columns(rows, 3)
        keys = np.array([fidx.get(x, -1) for x in f], dtype=np.int64)
        return _cumulate(keys, _ordinals(on), np.array(amt, dtype=np.int64), nf, grid)

    committed = link_series(inputs.parent_commitments)
    num = committed if basis == "commitment" else link_series(inputs.parent_paid_in)
    totals = fund_series(inputs.fund_commitments if basis == "commitment" else inputs.fund_paid_in)
    link_sub = np.array([fidx[s] for _, s in link_list], dtype=np.int64)

    inv_f, inv_c, inv_on, inv_amt = _columns(inputs.investments, 4)
    val_f, val_c, val_on, val_id, val_amt = _columns(inputs.valuations, 5)
    fund_ids = np.array(funds, dtype=np.int64)
    by_id = np.argsort(fund_ids)

    def pair_key(funds_: list[int], companies: list[int]) -> np.ndarray:
        """(fund index << 32 | company id), or -1 for a fund outside the graph."""
        ids = np.array(funds_, dtype=np.int64)
        at = by_id[np.minimum(np.searchsorted(fund_ids[by_id], ids), nf - 1)]
        return np.where(fund_ids[at] == ids, (at << 32) | np.array(companies, dtype=np.int64), -1)

    inv_pk, val_pk = pair_key(inv_f, inv_c), pair_key(val_f, val_c)
    all_pk = np.concatenate([inv_pk, val_pk])
    uniq = np.unique(all_pk[all_pk >= 0])
    npairs, nq = len(uniq), len(grid)

    def pair_index(keys: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(uniq, keys), max(npairs - 1, 0))
        if not npairs:
            return np.full(len(keys), -1, dtype=np.int64)
        return np.where((keys >= 0) & (uniq[at] == keys), at, -1)

    inv_keys = pair_index(inv_pk)
    cost = _cumulate(inv_keys, _ordinals(inv_on), np.array(inv_amt, dtype=np.int64), npairs, grid)
    invested_any = _cumulate(inv_keys, _ordinals(inv_on), np.ones(len(inv_keys), dtype=np.int64),
                             npairs, grid) > 0

    vk = pair_index(val_pk)
    von, vamt = _ordinals(val_on), np.array(val_amt, dtype=np.int64)
    order = np.lexsort((np.array(val_id, dtype=np.int64), von, vk))  # by pair, date, record id
    vk, von, vamt = vk[order], von[order], vamt[order]
    # latest valuation on or before each grid date: the last sorted key ≤ (pair, date)
    rows = np.arange(npairs, dtype=np.int64)[:, None]
    pos = np.searchsorted(vk * _DAY_SPAN + von, rows * _DAY_SPAN + grid[None, :], side="right") - 1
    safe = np.maximum(pos, 0)
    has_val = (pos >= 0) & (vk[safe] == rows) if len(vk) else np.zeros((npairs, nq), dtype=bool)
    fair = np.where(has_val, vamt[safe], 0) if len(vk) else np.zeros((npairs, nq), dtype=np.int64)
    fair_on = np.where(has_val, von[safe], -1) if len(vk) else np.full((npairs, nq), -1)
    if holding_value == "cost":
        has_val = np.zeros_like(has_val)
        fair_on = np.full_like(fair_on, -1)
    return Model(
        funds=funds,
        link_parent=np.array([fidx[p] for p, _ in link_list], dtype=np.int64),
        link_sub=link_sub, link_num=num,
        link_den=totals[link_sub] if nl else np.zeros((0, nq), dtype=np.int64),
        link_active=committed > 0,
        pair_fund=uniq >> 32, pair_company=uniq & 0xFFFFFFFF,
        value=np.where(has_val, fair, cost), at_fair_value=has_val, value_on=fair_on,
        held=has_val | invested_any,
    )
