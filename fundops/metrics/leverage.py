"""Leverage of social capital of a guidance (parent) fund over its direct sub-funds, as of a date.

Which investor types count as government money is configuration:
``app.config["GOVERNMENT_INVESTOR_TYPES"]`` (default ``["fiscal", "guidance_fund"]``;
some regions add ``"state_owned"``). The guidance fund's own LP records always count as
government. Definitions, units and rounding: :mod:`fundops.calc.leverage`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask import current_app

from fundops.calc.leverage import LeverageReport, LpAmount, SubFundLeverageInput, leverage_report
from fundops.calc.lookthrough import LookThroughInputs, compute_sub_fund_shares
from fundops.config import ConfigError
from fundops.extensions import db
from fundops.metrics.lookthrough import direct_sub_fund_ids, load_look_through_inputs
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import CashFlowKind, InvestorType
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.models import Commitment, Fund, Investor
from fundops.uow import Actor
from fundops.validation import require_date

__all__ = [
    "DEFAULT_GOVERNMENT_INVESTOR_TYPES",
    "attributable_at_cost",
    "build_leverage",
    "government_investor_types",
    "leverage",
    "load_fund_labels",
    "load_lp_amounts",
]

DEFAULT_GOVERNMENT_INVESTOR_TYPES = ("fiscal", "guidance_fund")
ZERO = Decimal("0.00")


def government_investor_types() -> tuple[str, ...]:
    """The configured government investor types (validated against :class:`InvestorType`)."""
    raw = current_app.config.get("GOVERNMENT_INVESTOR_TYPES", DEFAULT_GOVERNMENT_INVESTOR_TYPES)
    values = [raw] if isinstance(raw, str) else list(raw)
    known = {t.value for t in InvestorType}
    bad = [v for v in values if v not in known]
    if bad:
        raise ConfigError(f"GOVERNMENT_INVESTOR_TYPES has unknown investor types {bad}; "
                          f"use some of: {', '.join(sorted(known))}")
    return tuple(sorted(set(values)))


def load_lp_amounts(fund_ids: Iterable[int], guidance_fund_id: int,
                    as_of: date) -> dict[int, tuple[LpAmount, ...]]:
    """Per fund, each LP record's commitments and paid-in (call allocations and paid-in
    moved by LP-interest transfers, reversals netted) on or before ``as_of``, yuan;
    ``is_guidance`` marks the guidance fund's records."""
    ids = list(fund_ids)
    committed = db.session.execute(
        sa.select(Commitment.fund_id, Commitment.investor_id, sa.func.sum(Commitment.amount))
        .where(Commitment.fund_id.in_(ids), Commitment.committed_on <= as_of)
        .group_by(Commitment.fund_id, Commitment.investor_id)
    ).all()
    paid = db.session.execute(
        sa.select(CashFlow.fund_id, CashFlowAllocation.investor_id,
                  sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id.in_(ids), CashFlow.value_on <= as_of,
               CashFlow.kind.in_((CashFlowKind.CAPITAL_CALL, CashFlowKind.LP_TRANSFER)))
        .group_by(CashFlow.fund_id, CashFlowAllocation.investor_id)
    ).all()
    amounts: dict[tuple[int, int], list[Decimal]] = {}
    for fund_id, investor_id, total in committed:
        amounts.setdefault((fund_id, investor_id), [ZERO, ZERO])[0] += total
    for fund_id, investor_id, total in paid:
        amounts.setdefault((fund_id, investor_id), [ZERO, ZERO])[1] += total
    investors = {
        inv_id: (itype.value, lp_fund) for inv_id, itype, lp_fund in db.session.execute(
            sa.select(Investor.id, Investor.investor_type, Investor.fund_id)
            .where(Investor.id.in_({inv for _, inv in amounts}))
        )
    }
    out: dict[int, list[LpAmount]] = {f: [] for f in ids}
    for (fund_id, investor_id), (c, p) in sorted(amounts.items()):
        itype, lp_fund = investors[investor_id]
        out[fund_id].append(LpAmount(itype, lp_fund == guidance_fund_id, c, p))
    return {f: tuple(rows) for f, rows in out.items()}


def load_fund_labels(fund_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """fund id → (code, Chinese name)."""
    return {fid: (code, name) for fid, code, name in db.session.execute(
        sa.select(Fund.id, Fund.code, Fund.name_zh).where(Fund.id.in_(list(fund_ids))))}


def _invested(fund_ids: list[int], as_of: date) -> dict[int, Decimal]:
    return dict(db.session.execute(
        sa.select(CashFlow.fund_id, sa.func.sum(CashFlow.amount))
        .where(CashFlow.fund_id.in_(fund_ids), CashFlow.kind == CashFlowKind.INVESTMENT,
               CashFlow.value_on <= as_of)
        .group_by(CashFlow.fund_id)).all())


def build_leverage(root_fund_id: int, when: date, subs: list[int],
                   lps: dict[int, tuple[LpAmount, ...]], invested: dict[int, Decimal],
                   labels: dict[int, tuple[str, str]], inputs: LookThroughInputs,
                   government_types: tuple[str, ...],
                   attributable: Attributable | None = None) -> LeverageReport:
    """The report from loaded facts (shared with the parent-fund overview); no queries.

    ``inputs`` must be the look-through inputs of ``root_fund_id`` up to ``when``;
    ``invested`` is each sub-fund's company investments at cost (yuan, reversals netted);
    ``attributable`` is :func:`attributable_at_cost` of the inputs when the caller has it.
    """
    attributable = attributable or attributable_at_cost(inputs, when)
    rows = [
        SubFundLeverageInput(
            fund_id=s, fund_code=labels[s][0], fund_name=labels[s][1], lps=lps[s],
            invested=invested.get(s, ZERO),
            attributable_subscribed=attributable["commitment"][s],
            attributable_paid_in=attributable["paid_in"][s],
        )
        for s in subs
    ]
    return leverage_report(root_fund_id, when, rows, government_types)


Attributable = dict[str, dict[int, Fraction]]
"""Share basis ("commitment", "paid_in") → direct sub-fund → attributable cost, yuan."""


def attributable_at_cost(inputs: LookThroughInputs, when: date) -> Attributable:
    """The root's share of each direct sub-fund's look-through at cost, on both bases
    (exact yuan). Reads only the rows of the funds below the root: the root's own
    holdings and books do not enter it."""
    return {basis: {s.sub_fund_id: s.attributed_exact
                    for s in compute_sub_fund_shares(inputs, when, basis, "cost")}
            for basis in ("commitment", "paid_in")}


def leverage(actor: Actor, fund_id: int, as_of: object) -> LeverageReport:
    """Every §3.5 leverage definition of ``fund_id`` over its direct sub-funds, both bases.

    Sub-funds are the funds the guidance fund has a commitment in on or before ``as_of``.
    Subscribed basis uses commitments, paid-in basis call allocations, both on or before
    ``as_of``; the project-level numerator is each sub-fund's own company investments at
    cost (net of reversals, exits not deducted; co-investment 0 until recorded); the
    look-through numerator is the guidance fund's share (commitment share on the
    subscribed basis, paid-in share on the paid-in basis) of every company investment at
    cost below each sub-fund, at any depth. LP access to the fund is enough. Raises
    NotFound / ValidationError; ConfigError for an unknown configured investor type.
    """
    fund, _ = get_fund(actor, fund_id)
    when = require_date(as_of, "as_of")
    gov = government_investor_types()
    subs = direct_sub_fund_ids(fund.id, when)
    return build_leverage(fund.id, when, subs, load_lp_amounts(subs, fund.id, when),
                          _invested(subs, when), load_fund_labels(subs),
                          load_look_through_inputs(fund.id, when, latest_only=True), gov)
