"""The quarterly report's ledger reads as pandas DataFrames, and its pivots.

Amounts stay exact: every amount column holds Decimal yuan (object dtype) and is summed
as Decimals (never floats); dates are ``datetime.date`` objects. Signs are those of the
ledger (an entry's amount is positive in the direction its kind names; a reversal has the
negated amount), so a reversed entry and its reversal net to zero in every sum.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation, HoldingValuation
from fundops.portfolio.models import Company, Fund

ZERO = Decimal("0.00")
FLOW_COLUMNS = ["id", "value_on", "kind", "call_purpose", "distribution_type", "amount",
                "counterparty", "company", "sub_fund", "memo", "reverses_id"]


def dsum(values: pd.Series | list[Decimal]) -> Decimal:
    """Exact sum of Decimal amounts (0.00 for none)."""
    return sum((Decimal(v) for v in values), ZERO)


def load_flows(fund_id: int, up_to: date) -> pd.DataFrame:
    """Every ledger entry of the fund with a value date on or before ``up_to``, in value
    date then id order; ``company`` / ``sub_fund`` are the names of the company or
    sub-fund an entry concerns (else None)."""
    target = aliased(Fund)
    rows = db.session.execute(
        sa.select(CashFlow.id, CashFlow.value_on, CashFlow.kind, CashFlow.call_purpose,
                  CashFlow.distribution_type, CashFlow.amount, CashFlow.counterparty,
                  Company.name, target.name_zh, CashFlow.memo, CashFlow.reverses_id)
        .outerjoin(Company, Company.id == CashFlow.company_id)
        .outerjoin(target, target.id == CashFlow.target_fund_id)
        .where(CashFlow.fund_id == fund_id, CashFlow.value_on <= up_to)
        .order_by(CashFlow.value_on, CashFlow.id)).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=FLOW_COLUMNS, dtype=object)
    if not frame.empty:
        frame["kind"] = frame["kind"].map(lambda k: CashFlowKind(k).value)
    return frame


def between(frame: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """Rows with ``first`` ≤ value date ≤ ``last``."""
    if frame.empty:
        return frame
    mask = frame["value_on"].map(lambda d: first <= d <= last).astype(bool)
    return frame.loc[mask]


def kind_totals(frame: pd.DataFrame, periods: dict[str, pd.DataFrame],
                kinds: list[str]) -> pd.DataFrame:
    """A pivot: one row per kind in ``kinds``, one column per period (its label → its
    rows), the exact Decimal sum of the amounts (0.00 where there are none)."""
    parts = []
    for label, rows in periods.items():
        if not rows.empty:
            parts.append(rows.assign(period=label)[["kind", "period", "amount"]])
    if parts:
        long = pd.concat(parts, ignore_index=True)
        pivot = long.pivot_table(index="kind", columns="period", values="amount",
                                 aggfunc=dsum, fill_value=ZERO)
    else:
        pivot = pd.DataFrame(dtype=object)
    out = pd.DataFrame(index=pd.Index(kinds, name="kind"), columns=list(periods), dtype=object)
    for label in periods:
        for kind in kinds:
            has = label in pivot.columns and kind in pivot.index
            out.loc[kind, label] = Decimal(pivot.loc[kind, label]) if has else ZERO
    return out


def kind_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per kind: number of entries and their exact total (``count``, ``amount``)."""
    if frame.empty:
        return pd.DataFrame({"count": pd.Series(dtype=int), "amount": pd.Series(dtype=object)})
    grouped = frame.groupby("kind", sort=False)["amount"]
    return pd.DataFrame({"count": grouped.size(), "amount": grouped.agg(dsum)})


def lp_movements(fund_id: int, first: date, last: date) -> pd.DataFrame:
    """Per investor: the call (``contributions``) and distribution (``distributions``)
    allocations dated ``first`` … ``last`` (exact Decimal yuan, positive as posted)."""
    rows = db.session.execute(
        sa.select(CashFlowAllocation.investor_id, CashFlow.kind, CashFlowAllocation.amount)
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlow.value_on >= first,
               CashFlow.value_on <= last,
               CashFlow.kind.in_([CashFlowKind.CAPITAL_CALL, CashFlowKind.DISTRIBUTION]))
    ).all()
    frame = pd.DataFrame([(r[0], CashFlowKind(r[1]).value, r[2]) for r in rows],
                         columns=["investor_id", "kind", "amount"], dtype=object)
    out = pd.DataFrame(columns=["contributions", "distributions"], dtype=object)
    if frame.empty:
        return out
    pivot = frame.pivot_table(index="investor_id", columns="kind", values="amount",
                              aggfunc=dsum, fill_value=ZERO)
    for column, kind in (("contributions", CashFlowKind.CAPITAL_CALL.value),
                         ("distributions", CashFlowKind.DISTRIBUTION.value)):
        out[column] = pivot[kind] if kind in pivot.columns else ZERO
    return out.reindex(pivot.index).fillna(ZERO)


def latest_valuations(fund_ids: list[int], on: date) -> pd.DataFrame:
    """Per (fund, company): the latest holding valuation on or before ``on`` (a later
    record on the same date wins): ``valued_on``, ``method``; indexed by
    ``(fund_id, company_id)``."""
    rows = db.session.execute(
        sa.select(HoldingValuation.fund_id, HoldingValuation.company_id, HoldingValuation.as_of,
                  HoldingValuation.id, HoldingValuation.method)
        .where(HoldingValuation.fund_id.in_(fund_ids), HoldingValuation.as_of <= on)).all()
    frame = pd.DataFrame([tuple(r) for r in rows],
                         columns=["fund_id", "company_id", "valued_on", "id", "method"],
                         dtype=object)
    frame = frame.sort_values(["fund_id", "company_id", "valued_on", "id"])
    frame = frame.drop_duplicates(["fund_id", "company_id"], keep="last")
    return frame.set_index(["fund_id", "company_id"])
