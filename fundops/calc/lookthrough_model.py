"""The look-through's dense model: the funds reachable from the root in topological order,
and numpy matrices over their links and (fund, company) holdings × the dates asked for.

Definitions, units and rounding are those of :mod:`fundops.calc.lookthrough`, which
computes shares and exposures from this model: amounts are **integer fen** (int64)
running totals on or before each date; no rounding happens here. Holding values and fund
NAVs are rolled forward by :func:`fundops.calc.rollforward.roll_forward` (the one
definition the deal view of :mod:`fundops.metrics.engine` also uses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from fundops.calc.lookthrough_records import LookThroughInputs
from fundops.calc.rollforward import CASH_FLOW_SIGN, NAV_FLOW_SIGN, roll_forward

__all__ = ["HOLDING_VALUES", "SHARE_BASES", "Model", "build_model", "fund_order"]

SHARE_BASES = ("paid_in", "commitment")
HOLDING_VALUES = ("fair_value", "cost")


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
    nav: np.ndarray  # [F, Q] fen: each fund's NAV rolled forward, floored at 0
    nav_on: np.ndarray  # [F, Q] ordinal of the reported NAV rolled from, or -1
    cash: np.ndarray  # [F, Q] fen: each fund's ledger cash (not floored)


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


def build_model(inputs: LookThroughInputs, grid: np.ndarray, basis: str,
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
    nl, nf, nq = len(link_list), len(funds), len(grid)

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
    pro_f, pro_c, pro_on, pro_amt = _columns(inputs.proceeds, 4)
    val_f, val_c, val_on, val_id, val_amt = _columns(inputs.valuations, 5)
    fund_ids = np.array(funds, dtype=np.int64)
    by_id = np.argsort(fund_ids)

    def pair_key(funds_: list[int], companies: list[int]) -> np.ndarray:
        """(fund index << 32 | company id), or -1 for a fund outside the graph."""
        ids = np.array(funds_, dtype=np.int64)
        at = by_id[np.minimum(np.searchsorted(fund_ids[by_id], ids), nf - 1)]
        return np.where(fund_ids[at] == ids, (at << 32) | np.array(companies, dtype=np.int64), -1)

    inv_pk, pro_pk, val_pk = pair_key(inv_f, inv_c), pair_key(pro_f, pro_c), pair_key(val_f, val_c)
    all_pk = np.concatenate([inv_pk, val_pk])
    uniq = np.unique(all_pk[all_pk >= 0])
    inv_on_o = _ordinals(inv_on)
    invested_any = _cumulate(_index(uniq, inv_pk), inv_on_o, np.ones(len(inv_pk), dtype=np.int64),
                             len(uniq), grid) > 0
    at_cost = holding_value == "cost"
    empty = np.zeros(0, dtype=np.int64)
    rolled = roll_forward(
        uniq, grid, val_keys=empty if at_cost else val_pk,
        val_days=empty if at_cost else _ordinals(val_on),
        val_fen=empty if at_cost else np.array(val_amt, dtype=np.int64),
        val_ids=empty if at_cost else np.array(val_id, dtype=np.int64),
        flow_keys=inv_pk if at_cost else np.concatenate([inv_pk, pro_pk]),
        flow_days=inv_on_o if at_cost else np.concatenate([inv_on_o, _ordinals(pro_on)]),
        flow_fen=np.array(inv_amt, dtype=np.int64) if at_cost else np.concatenate(
            [np.array(inv_amt, dtype=np.int64), -np.array(pro_amt, dtype=np.int64)]))
    nav, nav_on, cash = _fund_values(inputs, funds, grid)
    return Model(
        funds=funds,
        link_parent=np.array([fidx[p] for p, _ in link_list], dtype=np.int64),
        link_sub=link_sub, link_num=num,
        link_den=totals[link_sub] if nl else np.zeros((0, nq), dtype=np.int64),
        link_active=committed > 0,
        pair_fund=uniq >> 32, pair_company=uniq & 0xFFFFFFFF,
        value=rolled.value, at_fair_value=rolled.valued,
        value_on=np.where(rolled.valued, rolled.valued_on, -1),
        held=rolled.valued | invested_any, nav=nav, nav_on=nav_on, cash=cash,
    )


def _index(keys: np.ndarray, of: np.ndarray) -> np.ndarray:
    """Position of each of ``of`` in the sorted unique ``keys``, or -1."""
    if len(keys) == 0:
        return np.full(len(of), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, of), len(keys) - 1)
    return np.where((of >= 0) & (keys[at] == of), at, -1)


def _fund_values(inputs: LookThroughInputs, funds: list[int],
                 grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """([F, Q] NAV fen floored at 0, [F, Q] NAV valuation ordinal or -1, [F, Q] ledger cash
    fen) of every fund at every grid date (:mod:`fundops.calc.rollforward`)."""
    keys = np.array(sorted(funds), dtype=np.int64)
    back = np.searchsorted(keys, np.array(funds, dtype=np.int64))  # topological order
    nav_f, nav_on, nav_id, nav_amt = _columns(inputs.fund_navs, 4)
    fl_f, fl_kind, fl_on, fl_amt = _columns(inputs.fund_flows, 4)
    fl_days = _ordinals(fl_on)
    amounts = np.array(fl_amt, dtype=np.int64)

    def signed(table: dict[str, int]) -> np.ndarray:
        return amounts * np.array([table.get(k, 0) for k in fl_kind], dtype=np.int64)

    nav = roll_forward(keys, grid, val_keys=np.array(nav_f, dtype=np.int64),
                       val_days=_ordinals(nav_on), val_fen=np.array(nav_amt, dtype=np.int64),
                       val_ids=np.array(nav_id, dtype=np.int64),
                       flow_keys=np.array(fl_f, dtype=np.int64), flow_days=fl_days,
                       flow_fen=signed(NAV_FLOW_SIGN))
    empty = np.zeros(0, dtype=np.int64)
    cash = roll_forward(keys, grid, val_keys=empty, val_days=empty, val_fen=empty,
                        flow_keys=np.array(fl_f, dtype=np.int64), flow_days=fl_days,
                        flow_fen=signed(CASH_FLOW_SIGN))
    return (nav.value[back], np.where(nav.valued, nav.valued_on, -1)[back],
            cash.unfloored[back])
