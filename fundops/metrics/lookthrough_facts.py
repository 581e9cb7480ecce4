"""The rows the look-through reads, by the funds whose books hold them.

:func:`load_facts` reads the rows of :class:`~fundops.calc.lookthrough.LookThroughInputs`
that belong to a *part* of the funds reachable from the root: the rows of the funds'
own ledgers, valuations and commitments (a capital call allocated to a fund LP belongs
to the fund that called it). The parts add up (:meth:`Facts.__add__`), so the look-through
of a parent can reuse its sub-funds' rows from the shared cache
(:func:`fundops.metrics.lookthrough.load_look_through_inputs` with ``shared=True``) and
read only its own book live: a write in the parent's own fund leaves the sub-funds' part
warm. Amounts are raw BIGINT fen, never through float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from fundops.calc.rollforward import CASH_FLOW_SIGN
from fundops.extensions import db
from fundops.metrics.frames import KIND_CODES, from_day, nav_roll_after_latest
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation, FundValuation, HoldingValuation
from fundops.portfolio.models import Commitment, Investor

__all__ = ["Facts", "fen_column", "fen_sum", "fund_links", "kind_text", "load_facts", "raw_rows"]


def fen_column(column: Any) -> Any:
    """The column's stored integer (fen) instead of the Decimal the type would build."""
    return sa.type_coerce(column, sa.BigInteger)


def fen_sum(column: Any) -> Any:
    # PostgreSQL's SUM(bigint) is NUMERIC (a Decimal in Python): cast back to an integer.
    return sa.cast(sa.func.sum(fen_column(column)), sa.BigInteger)


def raw_rows(statement: Any) -> list[Any]:
    """Run a bulk SELECT on the DBAPI cursor of the session's connection: plain tuples,
    no per-row SQLAlchemy processing (about half the fetch time on 10⁵ rows).

    Only for statements whose bound values are our own typed values (ids, dates, enum
    members), which are rendered as literals; dates come back as ``date`` (PostgreSQL)
    or ISO text (SQLite), which :mod:`fundops.calc.lookthrough` accepts.
    """
    conn = db.session.connection()
    sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def fund_links(up_to: date) -> list[tuple[int, int, date, int]]:
    """(parent fund, sub-fund, committed_on, fen) for every fund-held LP commitment."""
    rows = raw_rows(
        sa.select(Investor.fund_id, Commitment.fund_id, Commitment.committed_on,
                  fen_sum(Commitment.amount))
        .join(Investor, Investor.id == Commitment.investor_id)
        .where(Investor.fund_id.is_not(None), Commitment.committed_on <= up_to)
        .group_by(Investor.fund_id, Commitment.fund_id, Commitment.committed_on)
    )
    return [(int(p), int(s), on, int(amt)) for p, s, on, amt in rows]


@dataclass(frozen=True)
class Facts:
    """The rows of :class:`~fundops.calc.lookthrough.LookThroughInputs` held by a part of
    the funds (same layouts; see there). Parts of disjoint fund sets add up."""

    parent_paid_in: list[Any]
    fund_commitments: list[Any]
    fund_paid_in: list[Any]
    investments: list[Any]
    valuations: list[Any]
    proceeds: list[Any]
    fund_navs: list[Any]
    fund_flows: list[Any]

    def __add__(self, other: Facts) -> Facts:
        return Facts(*(list(getattr(self, name)) + list(getattr(other, name))
                       for name in self.__dataclass_fields__))


def load_facts(root: int, funds: list[int], part: list[int], up_to: date, *,
               latest_only: bool, net_assets: bool) -> Facts:
    """The rows dated on or before ``up_to`` of the funds in ``part`` (a subset of
    ``funds``, the funds reachable from ``root``): see :class:`Facts`.

    With ``latest_only`` the holdings and the funds' books come pre-reduced to what the
    single date ``up_to`` needs (see :func:`_holdings` and :func:`_fund_books`); without
    ``net_assets`` the NAVs and flows are not read.
    """
    kind = CashFlow.kind
    paid = raw_rows(
        sa.select(Investor.fund_id, CashFlow.fund_id, CashFlow.value_on,
                  fen_sum(CashFlowAllocation.amount))
        .select_from(CashFlowAllocation)
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .join(Investor, Investor.id == CashFlowAllocation.investor_id)
        .where(Investor.fund_id.in_(funds), CashFlow.fund_id.in_(part),
               # paid-in moved by LP-interest transfers counts where it moved to
               kind.in_((CashFlowKind.CAPITAL_CALL, CashFlowKind.LP_TRANSFER)),
               CashFlow.value_on <= up_to)
        .group_by(Investor.fund_id, CashFlow.fund_id, CashFlow.value_on)
    )
    committed = raw_rows(
        sa.select(Commitment.fund_id, Commitment.committed_on, fen_sum(Commitment.amount))
        .where(Commitment.fund_id.in_(part), Commitment.committed_on <= up_to)
        .group_by(Commitment.fund_id, Commitment.committed_on)
    )
    called = raw_rows(
        sa.select(CashFlow.fund_id, CashFlow.value_on, fen_sum(CashFlow.amount))
        .where(CashFlow.fund_id.in_(part), kind == CashFlowKind.CAPITAL_CALL,
               CashFlow.value_on <= up_to)
        .group_by(CashFlow.fund_id, CashFlow.value_on)
    )
    invested, proceeds, valued = _holdings(part, up_to, latest_only)
    navs, flows = (_fund_books(root, part, up_to, latest_only) if net_assets else ([], []))
    return Facts(paid, committed, called, invested, valued, proceeds, navs, flows)


def _after(flow_on: Any, valued_on: Any) -> Any:
    """0 for a flow inside the valuation (dated on or before it), 1 after it or unvalued."""
    return sa.case((sa.and_(valued_on.is_not(None), flow_on <= valued_on), 0), else_=1)


def _holdings(funds: list[int], up_to: date,
              latest_only: bool) -> tuple[list[Any], list[Any], list[Any]]:
    """(investments, proceeds, valuations) rows of :class:`LookThroughInputs`.

    With ``latest_only`` (one date, ``up_to``): the latest valuation per holding (the
    rows of its date: the highest id wins), its investments summed in two rows, inside
    the valuation (dated on or before it) and after it, each dated by the latest of them,
    and its proceeds after it summed in one row (all of them, for a holding without a
    valuation). That is all :func:`fundops.calc.rollforward.roll_forward` needs at
    ``up_to``: the value is the valuation plus the flows after it, the proceeds inside it
    cancel out, and an investment on or before ``up_to`` marks the holding as held.
    """
    hv, cf = HoldingValuation, CashFlow
    kinds = (CashFlowKind.INVESTMENT, CashFlowKind.PROCEEDS)
    if not latest_only:
        flows = raw_rows(
            sa.select(cf.fund_id, cf.company_id, cf.value_on, fen_sum(cf.amount), cf.kind)
            .where(cf.fund_id.in_(funds), cf.kind.in_(kinds), cf.value_on <= up_to)
            .group_by(cf.fund_id, cf.company_id, cf.value_on, cf.kind)
        )
        valued = raw_rows(
            sa.select(hv.fund_id, hv.company_id, hv.as_of, hv.id, fen_column(hv.fair_value_amount))
            .where(hv.fund_id.in_(funds), hv.as_of <= up_to)
        )
    else:
        last = (sa.select(hv.fund_id, hv.company_id, sa.func.max(hv.as_of).label("on"))
                .where(hv.fund_id.in_(funds), hv.as_of <= up_to)
                .group_by(hv.fund_id, hv.company_id).subquery())
        valued = raw_rows(
            sa.select(hv.fund_id, hv.company_id, hv.as_of, hv.id, fen_column(hv.fair_value_amount))
            .join(last, sa.and_(last.c.fund_id == hv.fund_id,
                                last.c.company_id == hv.company_id, last.c.on == hv.as_of)))
        inside = sa.and_(last.c.on.is_not(None), cf.value_on <= last.c.on)
        flows = raw_rows(
            sa.select(cf.fund_id, cf.company_id, sa.func.max(cf.value_on), fen_sum(cf.amount),
                      cf.kind)
            .outerjoin(last, sa.and_(last.c.fund_id == cf.fund_id,
                                     last.c.company_id == cf.company_id))
            .where(cf.fund_id.in_(funds), cf.kind.in_(kinds), cf.value_on <= up_to,
                   sa.not_(sa.and_(cf.kind == CashFlowKind.PROCEEDS, inside)))
            .group_by(cf.fund_id, cf.company_id, cf.kind, _after(cf.value_on, last.c.on))
        )
    # one pass, the kind's text read once (a national parent: 600,000 rows; comparing
    # with CashFlowKind.X.value per row spent 1.2 s in enum attribute lookups)
    investment = CashFlowKind.INVESTMENT.value
    invested: list[Any] = []
    proceeds: list[Any] = []
    for row in flows:  # only the two kinds are selected
        kind = row[4]
        if kind.__class__ is not str:
            kind = kind_text(kind)
        (invested if kind == investment else proceeds).append(row[:4])
    return invested, proceeds, valued


def kind_text(value: Any) -> str:
    """A kind column as its text (raw rows hold the stored value)."""
    return str(getattr(value, "value", value))


def _fund_books(root: int, funds: list[int], up_to: date,
                latest_only: bool) -> tuple[list[Any], list[Any]]:
    """(fund NAVs, fund flows) rows of :class:`LookThroughInputs` for ``funds`` (a part).

    With ``latest_only``: the latest NAV of each fund (the rows of its date), the root's
    flows of every kind summed inside / after it (its NAV and its ledger cash), and of
    the other funds only the NAV roll-forward after it
    (:func:`fundops.metrics.frames.nav_roll_after_latest`): the look-through shows their
    NAVs, and no ledger cash but the root's (so the model's ``cash`` of the other funds
    is not their ledger cash then).
    """
    fv, cf = FundValuation, CashFlow
    kinds = [CashFlowKind(k) for k in CASH_FLOW_SIGN]
    if not latest_only:
        navs = raw_rows(sa.select(fv.fund_id, fv.as_of, fv.id, fen_column(fv.nav_amount))
                        .where(fv.fund_id.in_(funds), fv.as_of <= up_to))
        flows = raw_rows(
            sa.select(cf.fund_id, cf.kind, cf.value_on, fen_sum(cf.amount))
            .where(cf.fund_id.in_(funds), cf.kind.in_(kinds), cf.value_on <= up_to)
            .group_by(cf.fund_id, cf.kind, cf.value_on)
        )
        return navs, [(f, kind_text(k), on, fen) for f, k, on, fen in flows]
    last = (sa.select(fv.fund_id, sa.func.max(fv.as_of).label("on"))
            .where(fv.fund_id.in_(funds), fv.as_of <= up_to).group_by(fv.fund_id).subquery())
    navs = raw_rows(sa.select(fv.fund_id, fv.as_of, fv.id, fen_column(fv.nav_amount))
                    .join(last, sa.and_(last.c.fund_id == fv.fund_id, last.c.on == fv.as_of)))
    root_last = next((on if isinstance(on, date) else date.fromisoformat(on)
                      for f, on, _, _ in navs if f == root), None)
    after = (sa.literal(1) if root_last is None
             else sa.case((cf.value_on <= root_last, 0), else_=1))
    flows = [] if root not in funds else [(f, kind_text(k), on, fen) for f, k, on, fen in raw_rows(
        sa.select(cf.fund_id, cf.kind, sa.func.max(cf.value_on), fen_sum(cf.amount))
        .where(cf.fund_id == root, cf.kind.in_(kinds), cf.value_on <= up_to)
        .group_by(cf.fund_id, cf.kind, after))]
    names = list(KIND_CODES)
    rolled = nav_roll_after_latest(up_to, [f for f in funds if f != root])
    flows += [(int(f), names[int(k)], from_day(int(day)), int(fen))
              for f, k, day, fen, _, _ in rolled.tolist()]
    return navs, flows
