"""The parent-fund overview: look-through, leverage (incl. loan leverage) and policy
indicators from one load.

:func:`parent_overview` reads each fact once for the three reports (the look-through
inputs, the LP amounts of the guidance fund and its direct sub-funds, their per-kind
sums, their deals, labels and rules), then builds :func:`compute_look_through`,
:func:`build_leverage` and :func:`build_policy` from them, so the numbers are the same
as the three separate services give.

Results are cached per application process, keyed by (fund, date, share basis,
government investor types, :func:`fundops.audit.data_version`). The write counter is
read *before* the facts, and every audited write transaction bumps it, so a cached
result is never older than the database it is served against; a write anywhere
simply makes the next request recompute. Access is checked on every call, before the
cache is consulted.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import current_app

from fundops.audit import data_version
from fundops.calc.leverage import LeverageReport
from fundops.calc.lookthrough import LookThroughResult, compute_look_through
from fundops.calc.policy import PolicyReport
from fundops.metrics.leverage import (
    build_leverage,
    government_investor_types,
    load_fund_labels,
    load_lp_amounts,
)
from fundops.metrics.loan_leverage import LoanLeverage, load_loan_leverage
from fundops.metrics.lookthrough import load_look_through_inputs, parse_share_basis
from fundops.metrics.policy import build_policy, load_deals, load_flows, load_specs
from fundops.portfolio.access import get_fund
from fundops.uow import Actor
from fundops.validation import require_date

__all__ = ["ParentOverview", "parent_overview"]

CACHE_SIZE = 16
"""Overviews kept per process (least recently used dropped first)."""


@dataclass(frozen=True)
class ParentOverview:
    """The three reports of one parent fund at one date (see the module docstring).

    ``labels`` maps every fund the reports mention to (code, Chinese name);
    ``data_version`` is the write counter the facts were read at; ``computed_s`` is how
    long the computation took (seconds) and ``cached`` whether this call reused it.
    """

    look_through: LookThroughResult
    leverage: LeverageReport
    policy: PolicyReport
    labels: dict[int, tuple[str, str]]
    loan_leverage: LoanLeverage
    data_version: int
    computed_s: float
    cached: bool = False


class _Cache:
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self._size, self._items = size, OrderedDict[tuple[Any, ...], ParentOverview]()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> ParentOverview | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[Any, ...], item: ParentOverview) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def _cache() -> _Cache:
    return current_app.extensions.setdefault("fundops.parent_overview", _Cache(CACHE_SIZE))


def parent_overview(actor: Actor, fund_id: int, as_of: object,
                    basis: str = "paid_in") -> ParentOverview:
    """Look-through (on ``basis``, fair values), leverage and policy indicators at ``as_of``.

    Same rules, units and errors as :func:`fundops.metrics.lookthrough.look_through`,
    :func:`fundops.metrics.leverage.leverage` and
    :func:`fundops.metrics.policy.policy_indicators`; LP access to the fund is enough.
    """
    fund, _ = get_fund(actor, fund_id)
    when = require_date(as_of, "as_of")
    share_basis = parse_share_basis(basis)
    gov = government_investor_types()
    version = data_version()  # before any fact: see the module docstring
    key = (fund.id, when, share_basis, gov, version)
    cache = _cache()
    hit = cache.get(key)
    if hit is not None:
        return replace(hit, cached=True)
    started = time.perf_counter()
    result = _compute(fund.id, when, share_basis, gov, version, started)
    cache.put(key, result)
    return result


def _compute(root: int, when: date, basis: str, gov: tuple[str, ...], version: int,
             started: float) -> ParentOverview:
    inputs = load_look_through_inputs(root, when, latest_only=True)
    subs = sorted({s for p, s, _on, _fen in inputs.parent_commitments if p == root})
    ids = [root, *subs]
    lps = load_lp_amounts(ids, root, when)
    flows = load_flows(ids, when)
    reachable = {s for _p, s, _on, _fen in inputs.parent_commitments}
    labels = load_fund_labels(reachable | set(ids))
    lt = compute_look_through(inputs, when, basis, "fair_value")
    invested = {f: kinds["investment"] for f, kinds in flows.items() if "investment" in kinds}
    lev = build_leverage(root, when, subs, lps, invested, labels, inputs, gov)
    pol = build_policy(root, when, subs, lps, flows, load_deals(ids, when), labels,
                       load_specs(ids), gov)
    loans = load_loan_leverage(root, when)
    return ParentOverview(lt, lev, pol, labels, loans, version, time.perf_counter() - started)
