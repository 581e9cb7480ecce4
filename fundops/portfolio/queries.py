"""Read-side queries for fund, LP and company pages and the API (no writes here).

All amounts are exact Decimals in the fund's currency; sums include reversal entries,
so a reversed entry contributes zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from fundops.extensions import db
from fundops.portfolio.access import Access
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import (
    CashFlow,
    CashFlowAllocation,
    FundValuation,
    HoldingValuation,
    Investment,
)
from fundops.portfolio.models import Commitment, Company, Fund, Investor

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class LpPosition:
    """One LP's position in a fund: committed, called (paid-in), distributed, uncalled."""

    investor_id: int | None
    investor_name: str
    investor_type: str
    committed_amount: Decimal
    paid_in_amount: Decimal
    distributed_amount: Decimal
    recallable_amount: Decimal

    @property
    def uncalled_amount(self) -> Decimal:
        """commitment − called + recallable distributions."""
        return self.committed_amount - self.paid_in_amount + self.recallable_amount


@dataclass(frozen=True, slots=True)
class FundTotals:
    committed_amount: Decimal
    paid_in_amount: Decimal
    distributed_amount: Decimal
    invested_amount: Decimal
    latest_nav: FundValuation | None

    @property
    def uncalled_amount(self) -> Decimal:
        return self.committed_amount - self.paid_in_amount


@dataclass(frozen=True, slots=True)
class Holding:
    company: Company
    invested_amount: Decimal
    proceeds_amount: Decimal
    fair_value_amount: Decimal | None
    fair_value_on: date | None


def _sum_kind(fund_id: int, kind: CashFlowKind, on: date | None = None) -> Decimal:
    query = sa.select(sa.func.sum(CashFlow.amount)).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == kind
    )
    if on is not None:
        query = query.where(CashFlow.value_on <= on)
    return db.session.scalar(query) or ZERO


def get_fund_totals(fund: Fund) -> FundTotals:
    committed = db.session.scalar(
        sa.select(sa.func.sum(Commitment.amount)).where(Commitment.fund_id == fund.id)
    ) or ZERO
    return FundTotals(
        committed_amount=committed,
        paid_in_amount=_sum_kind(fund.id, CashFlowKind.CAPITAL_CALL),
        distributed_amount=_sum_kind(fund.id, CashFlowKind.DISTRIBUTION),
        invested_amount=_sum_kind(fund.id, CashFlowKind.INVESTMENT),
        latest_nav=get_latest_nav(fund.id),
    )


def get_latest_nav(fund_id: int, on: date | None = None) -> FundValuation | None:
    """Latest NAV on or before ``on``; for one date the last recorded row wins."""
    query = sa.select(FundValuation).where(FundValuation.fund_id == fund_id)
    if on is not None:
        query = query.where(FundValuation.as_of <= on)
    return db.session.scalar(
        query.order_by(FundValuation.as_of.desc(), FundValuation.id.desc()).limit(1)
    )


def latest_navs(fund_ids: list[int]) -> dict[int, FundValuation]:
    """Each fund's latest NAV (as :func:`get_latest_nav` without a date), in one query: a
    correlated LIMIT 1 per fund on its index, not a window over every NAV of the funds."""
    inner = aliased(FundValuation)
    latest = (sa.select(inner.id).where(inner.fund_id == Fund.id)
              .order_by(inner.as_of.desc(), inner.id.desc()).limit(1)
              .correlate(Fund).scalar_subquery())
    rows = db.session.scalars(sa.select(FundValuation).where(
        FundValuation.id.in_(sa.select(latest).where(Fund.id.in_(fund_ids)))))
    return {v.fund_id: v for v in rows}


def list_lp_positions(fund: Fund, access: Access, viewer_org_id: int) -> list[LpPosition]:
    """Every LP's position; an LP-access viewer sees its own rows and one 'other LPs' row."""
    return visible_positions(lp_rows(fund.id), access, viewer_org_id)


def lp_rows(fund_id: int) -> list[tuple[LpPosition, int | None]]:
    """Every LP's position in the fund (by investor id), each with the fund whose LP
    record it is (None: an outside investor)."""
    committed = dict(db.session.execute(
        sa.select(Commitment.investor_id, sa.func.sum(Commitment.amount))
        .where(Commitment.fund_id == fund_id).group_by(Commitment.investor_id)
    ).all())
    flows = db.session.execute(
        sa.select(CashFlowAllocation.investor_id, CashFlow.kind, CashFlow.recallable,
                  sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id)
        .group_by(CashFlowAllocation.investor_id, CashFlow.kind, CashFlow.recallable)
    ).all()
    paid: dict[int, Decimal] = {}
    dist: dict[int, Decimal] = {}
    recall: dict[int, Decimal] = {}
    for inv_id, kind, recallable, total in flows:
        if kind in (CashFlowKind.CAPITAL_CALL, CashFlowKind.LP_TRANSFER):  # paid-in moved
            paid[inv_id] = paid.get(inv_id, ZERO) + total
        elif kind == CashFlowKind.DISTRIBUTION:
            dist[inv_id] = dist.get(inv_id, ZERO) + total
            if recallable:
                recall[inv_id] = recall.get(inv_id, ZERO) + total
    investors = db.session.scalars(
        sa.select(Investor).where(Investor.id.in_(list(committed))).order_by(Investor.id)
    ).all()
    return [
        (LpPosition(inv.id, inv.name, inv.investor_type.value, committed[inv.id],
                    paid.get(inv.id, ZERO), dist.get(inv.id, ZERO), recall.get(inv.id, ZERO)),
         inv.fund_id)
        for inv in investors
    ]


def visible_positions(rows: list[tuple[LpPosition, int | None]], access: Access,
                      viewer_org_id: int) -> list[LpPosition]:
    """The rows of :func:`lp_rows` a viewer may see: all for the manager; for an LP-access
    viewer, the LP records of its own funds and one 'other LPs' row summing the rest."""
    if access is Access.MANAGER:
        return [row for row, _fund in rows]
    own_funds = set(
        db.session.scalars(sa.select(Fund.id).where(Fund.organisation_id == viewer_org_id))
    )
    mine = [row for row, lp_fund in rows if lp_fund in own_funds]
    others = [row for row, lp_fund in rows if lp_fund not in own_funds]
    if others:
        mine.append(
            LpPosition(
                None,
                "other LPs",
                "",
                sum((r.committed_amount for r in others), ZERO),
                sum((r.paid_in_amount for r in others), ZERO),
                sum((r.distributed_amount for r in others), ZERO),
                sum((r.recallable_amount for r in others), ZERO),
            )
        )
    return mine


def ledger_query(fund_id: int) -> sa.Select[CashFlow]:
    """The fund's ledger entries, latest value date first (the newest entry first within a
    date), each with its company loaded (for a page of them)."""
    return (
        sa.select(CashFlow).where(CashFlow.fund_id == fund_id)
        .options(selectinload(CashFlow.company))
        .order_by(CashFlow.value_on.desc(), CashFlow.id.desc())
    )


def list_ledger(fund_id: int, limit: int | None = None) -> list[CashFlow]:
    query = (
        sa.select(CashFlow).where(CashFlow.fund_id == fund_id)
        .order_by(CashFlow.value_on.desc(), CashFlow.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def reversed_entry_ids(fund_id: int, among: list[int] | None = None) -> set[int]:
    """The ids of the fund's entries that a later entry reverses (of ``among`` only, when
    given: one step per entry on the unique ``reverses_id`` index, for a page of them).

    With ``among`` the fund is not in the WHERE clause: a reversal is posted in the fund
    of the entry it reverses, and naming the fund lets SQLite's planner walk the fund's
    index instead, reading every entry of the fund (5,500: 2 ms instead of 0.05 ms)."""
    if among is not None:
        query = sa.select(CashFlow.reverses_id).where(CashFlow.reverses_id.in_(among))
    else:
        query = sa.select(CashFlow.reverses_id).where(CashFlow.fund_id == fund_id,
                                                      CashFlow.reverses_id.is_not(None))
    return {i for i in db.session.scalars(query) if i is not None}


def list_nav_history(fund_id: int) -> list[FundValuation]:
    """One row per date (the latest recorded for that date), newest first."""
    rows = db.session.scalars(
        sa.select(FundValuation).where(FundValuation.fund_id == fund_id)
        .order_by(FundValuation.as_of.desc(), FundValuation.id.desc())
    )
    seen: set[date] = set()
    out = []
    for row in rows:
        if row.as_of not in seen:
            seen.add(row.as_of)
            out.append(row)
    return out


def list_holdings(fund_id: int) -> list[Holding]:
    """Companies the fund invested in, with net cost, proceeds and latest fair value."""
    flows = db.session.execute(
        sa.select(CashFlow.company_id, CashFlow.kind, sa.func.sum(CashFlow.amount))
        .where(CashFlow.fund_id == fund_id, CashFlow.company_id.is_not(None),
               CashFlow.kind.in_([CashFlowKind.INVESTMENT, CashFlowKind.PROCEEDS]))
        .group_by(CashFlow.company_id, CashFlow.kind)
    ).all()
    invested: dict[int, Decimal] = {}
    proceeds: dict[int, Decimal] = {}
    for company_id, kind, total in flows:
        assert company_id is not None  # WHERE company_id IS NOT NULL
        (invested if kind == CashFlowKind.INVESTMENT else proceeds)[company_id] = total
    company_ids = set(
        db.session.scalars(sa.select(Investment.company_id).where(Investment.fund_id == fund_id))
    )
    # each company's latest valuation (the last by date, then by id), one index step each
    last = aliased(HoldingValuation)
    latest_id = (sa.select(last.id).where(last.fund_id == HoldingValuation.fund_id,
                                          last.company_id == HoldingValuation.company_id)
                 .order_by(last.as_of.desc(), last.id.desc()).limit(1)
                 .correlate(HoldingValuation).scalar_subquery())
    latest: dict[int, tuple[Decimal, date]] = {
        company_id: (amount, as_of) for company_id, amount, as_of in db.session.execute(
            sa.select(HoldingValuation.company_id, HoldingValuation.fair_value_amount,
                      HoldingValuation.as_of)
            .where(HoldingValuation.fund_id == fund_id, HoldingValuation.id == latest_id))
    }
    companies = db.session.scalars(
        sa.select(Company).where(Company.id.in_(company_ids)).order_by(Company.name)
    )
    return [
        Holding(c, invested.get(c.id, ZERO), proceeds.get(c.id, ZERO),
                *(latest.get(c.id) or (None, None)))
        for c in companies
    ]


def list_company_investments(company_id: int, visible_fund_ids: sa.Select[int]) -> list[Investment]:
    return list(db.session.scalars(
        sa.select(Investment).where(Investment.company_id == company_id,
                                    Investment.fund_id.in_(visible_fund_ids))
        .order_by(Investment.invested_on)
    ))


@dataclass(frozen=True, slots=True)
class SubFundHolding:
    """A parent fund's position in one sub-fund, from the parent's own books.

    ``commitment_share`` is the parent's commitment over the sub-fund's total
    commitments (a fraction, exact Decimal, 10 decimal places, ROUND_HALF_EVEN).
    """

    fund: Fund
    committed_amount: Decimal
    contributed_amount: Decimal
    returned_amount: Decimal
    latest_nav: FundValuation | None
    commitment_share: Decimal | None


def list_sub_fund_holdings(parent_fund_id: int) -> list[SubFundHolding]:
    """Every sub-fund the parent has committed to, with what its books paid and received."""
    committed = dict(db.session.execute(
        sa.select(Commitment.fund_id, sa.func.sum(Commitment.amount))
        .join(Investor, Investor.id == Commitment.investor_id)
        .where(Investor.fund_id == parent_fund_id).group_by(Commitment.fund_id)
    ).all())
    if not committed:
        return []
    totals = dict(db.session.execute(
        sa.select(Commitment.fund_id, sa.func.sum(Commitment.amount))
        .where(Commitment.fund_id.in_(list(committed))).group_by(Commitment.fund_id)
    ).all())
    flows: dict[tuple[int, CashFlowKind], Decimal] = {
        (target, kind): total for target, kind, total in db.session.execute(
            sa.select(CashFlow.target_fund_id, CashFlow.kind, sa.func.sum(CashFlow.amount))
            .where(CashFlow.fund_id == parent_fund_id, CashFlow.target_fund_id.is_not(None))
            .group_by(CashFlow.target_fund_id, CashFlow.kind))
        if target is not None  # always: WHERE target_fund_id IS NOT NULL
    }
    funds = db.session.scalars(
        sa.select(Fund).where(Fund.id.in_(list(committed))).order_by(Fund.code)
    )
    navs = latest_navs(list(committed))
    return [
        SubFundHolding(
            f,
            committed[f.id],
            flows.get((f.id, CashFlowKind.FUND_CONTRIBUTION), ZERO),
            flows.get((f.id, CashFlowKind.FUND_RETURN), ZERO),
            navs.get(f.id),
            (committed[f.id] / totals[f.id]).quantize(Decimal("1e-10"))
            if totals.get(f.id)
            else None,
        )
        for f in funds
    ]


def list_investor_rows(organisation_id: int) -> list[tuple[Investor, Decimal | None, int]]:
    """The organisation's investors by name, each with its total commitment (yuan of the
    funds' currencies summed; ``None`` without any) and the number of funds it is in."""
    return [(inv, total, count) for inv, total, count in db.session.execute(
        sa.select(Investor, sa.func.sum(Commitment.amount),
                  sa.func.count(sa.distinct(Commitment.fund_id)))
        .outerjoin(Commitment, Commitment.investor_id == Investor.id)
        .where(Investor.organisation_id == organisation_id)
        .group_by(Investor.id).order_by(Investor.name)
    ).all()]


def list_commitments(investor_id: int) -> list[Commitment]:
    """An investor's commitments, oldest first."""
    return list(db.session.scalars(
        sa.select(Commitment).where(Commitment.investor_id == investor_id)
        .order_by(Commitment.committed_on, Commitment.id)))


def visible_allocations(entry: CashFlow, access: Access,
                        viewer_org_id: int) -> list[CashFlowAllocation]:
    """An entry's LP allocations as a viewer may see them: all for the manager; for an
    LP-access viewer only those of its own funds' investor records."""
    if access is Access.MANAGER:
        return list(entry.allocations)
    own = set(db.session.scalars(sa.select(Fund.id).where(Fund.organisation_id == viewer_org_id)))
    return [a for a in entry.allocations if a.investor.fund_id in own]
