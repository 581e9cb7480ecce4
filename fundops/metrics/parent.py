"""The parent-fund overview: look-through, leverage (incl. loan leverage) and policy
indicators from one load.

:func:`parent_overview` reads each fact once for the three reports (the look-through
inputs, the LP amounts of the guidance fund and its direct sub-funds, their per-kind
sums, their deals, labels and rules), then builds :func:`compute_look_through`,
:func:`build_leverage` and :func:`build_policy` from them, so the numbers are the same
as the three separate services give.

Results are shared by every process through :mod:`fundops.metrics.cache`, keyed by
(fund, date, share basis, government investor types) and valid while nothing in the
fund's subtree changed: a write in a sub-fund recomputes its parents' overviews, a write
in an unrelated fund (another tenant's) leaves them warm. The facts are cached in two
parts: the rows of the funds below the root (look-through rows, the sub-funds' LP
amounts, sums and deals; valid while nothing below the root changed) and the root's
own rows, read live. So after a write in the parent's own book the overview reads only
the parent's rows and computes again; the 10⁶ rows below are not read. The loan
leverage (other tenants' loans) is read live on every call. Access is checked on every
call, before the cache is consulted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from fundops.calc.leverage import LeverageReport, LpAmount
from fundops.calc.lookthrough import LookThroughResult, compute_look_through
from fundops.calc.lookthrough_rows import BelowRows, below_rows
from fundops.calc.policy import Deal, FundIndicators, PolicyReport
from fundops.metrics.cache import Cached, cached
from fundops.metrics.leverage import (
    build_leverage,
    government_investor_types,
    load_fund_labels,
    load_lp_amounts,
)
from fundops.metrics.loan_leverage import LoanLeverage, guidance_amounts, load_loan_leverage
from fundops.metrics.lookthrough import load_look_through_inputs, parse_share_basis
from fundops.metrics.policy import (
    build_policy,
    load_deals,
    load_flows,
    load_specs,
    sub_fund_indicators,
)
from fundops.portfolio.access import get_fund
from fundops.uow import Actor
from fundops.validation import require_date

__all__ = ["ParentOverview", "parent_overview", "stored_overview"]


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
    found = stored_overview(fund.id, when, share_basis)
    lt, lev, pol, labels, guidance = found.value
    return ParentOverview(lt, lev, pol, labels, load_loan_leverage(fund.id, when, guidance),
                          found.version, found.computed_ms / 1000, found.hit)


def stored_overview(fund_id: int, when: date, share_basis: str) -> Cached:
    """The overview's three reports, labels and the guidance fund's (commitments, paid-in)
    in its direct sub-funds from the shared cache (computed on a miss);
    no access check: :func:`parent_overview` and the jobs process call it."""
    gov = government_investor_types()
    params = f"{when.isoformat()}|{share_basis}|{','.join(gov)}"
    return cached("parent_overview", fund_id, params,
                  lambda: _compute(fund_id, when, share_basis, gov), on=when)


def _compute(root: int, when: date, basis: str, gov: tuple[str, ...]) -> tuple[Any, ...]:
    inputs = load_look_through_inputs(root, when, latest_only=True, shared=True)
    subs = sorted({s for p, s, _on, _fen in inputs.parent_commitments if p == root})
    ids = [root, *subs]
    lps, flows, deals = _books(root, when, subs)
    reachable = {s for _p, s, _on, _fen in inputs.parent_commitments}
    labels = load_fund_labels(reachable | set(ids))
    specs = load_specs(ids)

    def below_root() -> Below:
        """What depends on the funds below the root only (and on the root's rules)."""
        def keep(rows: Sequence[Any]) -> list[Any]:
            return [r for r in rows if r[0] != root]

        theirs = replace(
            inputs, investments=keep(inputs.investments), valuations=keep(inputs.valuations),
            proceeds=keep(inputs.proceeds), fund_navs=keep(inputs.fund_navs),
            fund_flows=keep(inputs.fund_flows), fund_commitments=keep(inputs.fund_commitments),
            fund_paid_in=keep(inputs.fund_paid_in))
        invested = {f: kinds["investment"] for f, kinds in flows.items() if "investment" in kinds}
        return (below_rows(theirs, when, basis, "fair_value"),
                build_leverage(root, when, subs, lps, invested, labels, theirs, gov),
                sub_fund_indicators(root, when, subs, lps, flows, deals, labels, specs, gov))

    below = sorted(reachable - {root})
    rules = hashlib.sha256(repr(specs[root]).encode()).hexdigest()[:16]
    rows, lev, sub_rows = below_root() if not below else cached(
        "overview_below", root, f"{when.isoformat()}|{basis}|{','.join(gov)}|{rules}",
        below_root, scope=below, on=when).value
    lt = compute_look_through(inputs, when, basis, "fair_value", below=rows)
    pol = build_policy(root, when, subs, lps, flows, deals, labels, specs, gov, sub_rows)
    return lt, lev, pol, labels, guidance_amounts({s: lps.get(s, ()) for s in subs})


Below = tuple[BelowRows, LeverageReport, tuple[FundIndicators, ...]]
"""The parts of the overview that the funds below the root (and the root's policy rules)
determine: the look-through rows of the companies held below, the leverage report and
the sub-funds' policy indicators. Cached with the funds below as scope, so a write in
the root's own book recomputes only the root's rows and its own indicators."""


Books = tuple[dict[int, tuple[LpAmount, ...]], dict[int, dict[str, Decimal]],
              dict[int, list[Deal]]]


def _books(root: int, when: date, subs: list[int]) -> Books:
    """The LP amounts, per-kind sums and deals of the root and its direct sub-funds: the
    sub-funds' from the shared cache (valid while nothing below them changed), the
    root's own read live, so a write in the root's own book reads only the root again."""
    def read(ids: list[int]) -> Books:
        return load_lp_amounts(ids, root, when), load_flows(ids, when), load_deals(ids, when)

    own = read([root])
    if not subs:
        return own
    below: Books = cached("sub_fund_books", root, when.isoformat(), lambda: read(subs),
                          scope=subs, on=when).value
    return ({**below[0], **own[0]}, {**below[1], **own[1]}, {**below[2], **own[2]})
