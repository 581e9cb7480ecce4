"""Look-through of a parent fund: loads the fund-of-funds graph and holdings, then runs the calc.

The loader reads each table once with a handful of grouped SELECTs (amounts as raw
BIGINT fen, never through float) for every fund reachable from the root, so one date
and forty quarter-ends cost about the same. Access is checked on the root fund only
(manager or LP access): looking through is the point, so the result shows companies
held by sub-sub-funds that the actor could not open directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa

from fundops.calc.lookthrough import (
    HOLDING_VALUES,
    SHARE_BASES,
    CompanyInfo,
    LookThroughHistory,
    LookThroughInputs,
    LookThroughResult,
    compute_look_through,
    compute_look_through_history,
    fund_order,
)
from fundops.calc.rollforward import CASH_FLOW_SIGN
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.metrics.frames import KIND_CODES, from_day, nav_roll_after_latest
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import (
    CashFlow,
    CashFlowAllocation,
    FundValuation,
    HoldingValuation,
    Investment,
)
from fundops.portfolio.models import Commitment, Company, CompanyTagLink, Fund, Investor
from fundops.uow import Actor
from fundops.validation import require_date

__all__ = [
    "LOOK_THROUGH_DEFINITION",
    "SHARE_DEFINITIONS",
    "direct_sub_fund_ids",
    "fund_links",
    "load_company_infos",
    "load_look_through_inputs",
    "look_through",
    "look_through_history",
    "parse_share_basis",
    "raw_rows",
]


def _fen(column: Any) -> Any:
    """The column's stored integer (fen) instead of the Decimal the type would build."""
    return sa.type_coerce(column, sa.BigInteger)


def _fen_sum(column: Any) -> Any:
    # PostgreSQL's SUM(bigint) is NUMERIC (a Decimal in Python): cast back to an integer.
    return sa.cast(sa.func.sum(_fen(column)), sa.BigInteger)


# What the figures mean, in Chinese and English (the page, the API and reports show them).
LOOK_THROUGH_DEFINITION = (
    (
        "穿透敞口：母基金经各层子基金对每家企业的间接持有 = Σ 各路径上份额之积 × "
        "该基金对企业的持仓价值（估值日前最近一次公允价值，加其后的投资、减其后的退出回款，"
        "不低于零；无估值时按净成本）；"
        "母基金直投份额为1；多条路径到达的企业合并为一行。"
    ),
    (
        "Look-through exposure: for each company, Σ over every path parent → … → fund → company "
        "of the product of the shares along the path × that fund's holding value (latest fair "
        "value on or before the date plus later investments less later proceeds, never below "
        "zero; else net cost); the parent's own holdings count with share 1; "
        "a company reached by several paths appears once."
    ),
)
SHARE_DEFINITIONS = {
    "paid_in": ("实缴份额 = 母基金对子基金的实缴 / 子基金全部实缴（子基金尚无实缴时为0）。",
                ("Paid-in share = the parent's paid-in to the sub-fund / all of the sub-fund's "
                "paid-in (0 while the sub-fund has none).")),
    "commitment": ("认缴份额 = 母基金对子基金的认缴 / 子基金全部认缴。",
                   ("Commitment share = the parent's commitments to the sub-fund / all "
                   "commitments to the sub-fund.")),
}


def parse_share_basis(basis: object) -> str:
    """``"paid_in"`` or ``"commitment"`` (``"subscribed"`` is accepted for ``"commitment"``)."""
    text = str(basis or "").strip()
    text = "commitment" if text == "subscribed" else text
    if text not in SHARE_BASES:
        raise ValidationError("basis", "not_one_of", value=basis, allowed="paid_in, commitment")
    return text


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


def _holding_value(value: str) -> str:
    if value not in HOLDING_VALUES:
        raise ValidationError("holding_value", "not_one_of", value=value,
                              allowed="fair_value, cost")
    return value


def fund_links(up_to: date) -> list[tuple[int, int, date, int]]:
    """(parent fund, sub-fund, committed_on, fen) for every fund-held LP commitment."""
    rows = raw_rows(
        sa.select(Investor.fund_id, Commitment.fund_id, Commitment.committed_on,
                  _fen_sum(Commitment.amount))
        .join(Investor, Investor.id == Commitment.investor_id)
        .where(Investor.fund_id.is_not(None), Commitment.committed_on <= up_to)
        .group_by(Investor.fund_id, Commitment.fund_id, Commitment.committed_on)
    )
    return [(int(p), int(s), on, int(amt)) for p, s, on, amt in rows]


def direct_sub_fund_ids(fund_id: int, as_of: date) -> list[int]:
    """Funds in which ``fund_id`` holds a commitment dated on or before ``as_of``, by id."""
    return sorted(set(db.session.scalars(
        sa.select(Commitment.fund_id).join(Investor, Investor.id == Commitment.investor_id)
        .where(Investor.fund_id == fund_id, Commitment.committed_on <= as_of)
    )))


def load_look_through_inputs(root_fund_id: int, up_to: date, *, latest_only: bool = False,
                             net_assets: bool = True) -> LookThroughInputs:
    """Every fact the look-through of ``root_fund_id`` needs for dates up to ``up_to``.

    A dozen SELECTs at most, whatever the number of funds, companies or dates. With
    ``latest_only`` the holdings and the funds' books come pre-reduced to what the single
    date ``up_to`` needs (the latest valuations and the flows after them; the ledger cash
    of the root only: see :func:`_holdings` and :func:`_fund_books`).
    A company held under several organisations' records is labelled with the root
    fund's organisation's record when it has one (see :func:`load_company_infos`).
    Without ``net_assets`` the funds' NAVs and flows are not read (the history does not
    show the cash lines).
    """
    links = fund_links(up_to)
    funds = fund_order(root_fund_id, {(p, s) for p, s, _, _ in links})
    reachable = set(funds)
    parent_commitments = [row for row in links if row[0] in reachable]
    kind = CashFlow.kind
    paid = raw_rows(
        sa.select(Investor.fund_id, CashFlow.fund_id, CashFlow.value_on,
                  _fen_sum(CashFlowAllocation.amount))
        .select_from(CashFlowAllocation)
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .join(Investor, Investor.id == CashFlowAllocation.investor_id)
        .where(Investor.fund_id.in_(funds), CashFlow.fund_id.in_(funds),
               # paid-in moved by LP-interest transfers counts where it moved to
               kind.in_((CashFlowKind.CAPITAL_CALL, CashFlowKind.LP_TRANSFER)),
               CashFlow.value_on <= up_to)
        .group_by(Investor.fund_id, CashFlow.fund_id, CashFlow.value_on)
    )
    committed = raw_rows(
        sa.select(Commitment.fund_id, Commitment.committed_on, _fen_sum(Commitment.amount))
        .where(Commitment.fund_id.in_(funds), Commitment.committed_on <= up_to)
        .group_by(Commitment.fund_id, Commitment.committed_on)
    )
    called = raw_rows(
        sa.select(CashFlow.fund_id, CashFlow.value_on, _fen_sum(CashFlow.amount))
        .where(CashFlow.fund_id.in_(funds), kind == CashFlowKind.CAPITAL_CALL,
               CashFlow.value_on <= up_to)
        .group_by(CashFlow.fund_id, CashFlow.value_on)
    )
    invested, proceeds, valued = _holdings(funds, up_to, latest_only)
    navs, flows = (_fund_books(root_fund_id, funds, up_to, latest_only) if net_assets
                   else ([], []))
    return LookThroughInputs(
        root_fund_id=root_fund_id,
        parent_commitments=parent_commitments,
        # Core rows index like tuples; ids and BIGINT fen already arrive as ints
        parent_paid_in=paid, fund_commitments=committed, fund_paid_in=called,
        investments=invested, valuations=valued, proceeds=proceeds,
        companies=load_company_infos(funds, _organisation_of(root_fund_id)),
        fund_navs=navs, fund_flows=flows,
    )


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
            sa.select(cf.fund_id, cf.company_id, cf.value_on, _fen_sum(cf.amount), cf.kind)
            .where(cf.fund_id.in_(funds), cf.kind.in_(kinds), cf.value_on <= up_to)
            .group_by(cf.fund_id, cf.company_id, cf.value_on, cf.kind)
        )
        valued = raw_rows(
            sa.select(hv.fund_id, hv.company_id, hv.as_of, hv.id, _fen(hv.fair_value_amount))
            .where(hv.fund_id.in_(funds), hv.as_of <= up_to)
        )
    else:
        last = (sa.select(hv.fund_id, hv.company_id, sa.func.max(hv.as_of).label("on"))
                .where(hv.fund_id.in_(funds), hv.as_of <= up_to)
                .group_by(hv.fund_id, hv.company_id).subquery())
        valued = raw_rows(
            sa.select(hv.fund_id, hv.company_id, hv.as_of, hv.id, _fen(hv.fair_value_amount))
            .join(last, sa.and_(last.c.fund_id == hv.fund_id,
                                last.c.company_id == hv.company_id, last.c.on == hv.as_of)))
        inside = sa.and_(last.c.on.is_not(None), cf.value_on <= last.c.on)
        flows = raw_rows(
            sa.select(cf.fund_id, cf.company_id, sa.func.max(cf.value_on), _fen_sum(cf.amount),
                      cf.kind)
            .outerjoin(last, sa.and_(last.c.fund_id == cf.fund_id,
                                     last.c.company_id == cf.company_id))
            .where(cf.fund_id.in_(funds), cf.kind.in_(kinds), cf.value_on <= up_to,
                   sa.not_(sa.and_(cf.kind == CashFlowKind.PROCEEDS, inside)))
            .group_by(cf.fund_id, cf.company_id, cf.kind, _after(cf.value_on, last.c.on))
        )
    invested = [row[:4] for row in flows if _kind(row[4]) == CashFlowKind.INVESTMENT.value]
    proceeds = [row[:4] for row in flows if _kind(row[4]) == CashFlowKind.PROCEEDS.value]
    return invested, proceeds, valued


def _kind(value: Any) -> str:
    """A kind column as its text (raw rows hold the stored value)."""
    return str(getattr(value, "value", value))


def _fund_books(root: int, funds: list[int], up_to: date,
                latest_only: bool) -> tuple[list[Any], list[Any]]:
    """(fund NAVs, fund flows) rows of :class:`LookThroughInputs`.

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
        navs = raw_rows(sa.select(fv.fund_id, fv.as_of, fv.id, _fen(fv.nav_amount))
                        .where(fv.fund_id.in_(funds), fv.as_of <= up_to))
        flows = raw_rows(
            sa.select(cf.fund_id, cf.kind, cf.value_on, _fen_sum(cf.amount))
            .where(cf.fund_id.in_(funds), cf.kind.in_(kinds), cf.value_on <= up_to)
            .group_by(cf.fund_id, cf.kind, cf.value_on)
        )
        return navs, [(f, _kind(k), on, fen) for f, k, on, fen in flows]
    last = (sa.select(fv.fund_id, sa.func.max(fv.as_of).label("on"))
            .where(fv.fund_id.in_(funds), fv.as_of <= up_to).group_by(fv.fund_id).subquery())
    navs = raw_rows(sa.select(fv.fund_id, fv.as_of, fv.id, _fen(fv.nav_amount))
                    .join(last, sa.and_(last.c.fund_id == fv.fund_id, last.c.on == fv.as_of)))
    root_last = next((on if isinstance(on, date) else date.fromisoformat(on)
                      for f, on, _, _ in navs if f == root), None)
    after = (sa.literal(1) if root_last is None
             else sa.case((cf.value_on <= root_last, 0), else_=1))
    flows = [(f, _kind(k), on, fen) for f, k, on, fen in raw_rows(
        sa.select(cf.fund_id, cf.kind, sa.func.max(cf.value_on), _fen_sum(cf.amount))
        .where(cf.fund_id == root, cf.kind.in_(kinds), cf.value_on <= up_to)
        .group_by(cf.fund_id, cf.kind, after))]
    names = list(KIND_CODES)
    rolled = nav_roll_after_latest(up_to, [f for f in funds if f != root])
    flows += [(int(f), names[int(k)], from_day(int(day)), int(fen))
              for f, k, day, fen, _, _ in rolled.tolist()]
    return navs, flows


def _organisation_of(fund_id: int) -> int | None:
    fund = db.session.get(Fund, fund_id)
    return None if fund is None else fund.organisation_id


def load_company_infos(fund_ids: Iterable[int],
                       organisation_id: int | None = None) -> dict[int, CompanyInfo]:
    """Attributes (and sorted tags) of every company record the funds invested in, by record id.

    Records of one company identity (credit code) held by different organisations map to
    one shared :class:`CompanyInfo`, so the look-through shows the company once. Its
    ``company_id`` and private facts (sector, stage, flags, tags) are those of one held
    record: ``organisation_id``'s (the root fund's manager: its own facts label its own
    view) when one of the funds holds it, else the earliest registered (smallest id, so
    the label is the same at every date). Only held records are read: a label never shows
    a fact the look-through did not show before identities were shared.
    """
    held = sa.select(Investment.company_id).where(Investment.fund_id.in_(list(fund_ids)))
    tags: dict[int, list[str]] = {}
    for company_id, tag in raw_rows(  # DB-API rows: the stored values, no enum objects
        sa.select(CompanyTagLink.company_id, CompanyTagLink.tag)
        .where(CompanyTagLink.company_id.in_(held))
    ):
        tags.setdefault(company_id, []).append(_kind(tag))
    rows = raw_rows(
        sa.select(Company.id, Company.identity_id, Company.created_by_organisation_id,
                  Company.name, Company.sector, Company.stage, Company.region_code,
                  Company.is_hard_tech).where(Company.id.in_(held)).order_by(Company.id)
    )
    label: dict[int, Any] = {}
    for row in rows:  # ascending id: an identity's first record, unless the root's own
        if row[1] not in label or (row[2] == organisation_id != label[row[1]][2]):
            label[row[1]] = row
    infos = {
        identity: CompanyInfo(cid, name, sector, _kind(stage), region, bool(hard),
                              tuple(sorted(tags.get(cid, ()))))
        for identity, (cid, _, _, name, sector, stage, region, hard) in label.items()
    }
    return {row[0]: infos[row[1]] for row in rows}


def look_through(actor: Actor, fund_id: int, as_of: object, basis: str = "paid_in", *,
                 holding_value: str = "fair_value") -> LookThroughResult:
    """The fund's exposure to every company through its sub-funds, at any depth, at ``as_of``.

    ``basis`` selects the share of each sub-fund: ``"paid_in"`` (paid-in share, 0 while
    the sub-fund has no paid-in) or ``"commitment"`` (commitment share). Holdings are at
    the latest fair value on or before ``as_of`` or else at cost (``holding_value="cost"``:
    always cost). Amounts are yuan; exact Fractions plus 0.01-yuan half-even roundings
    (see :mod:`fundops.calc.lookthrough`). Raises NotFound when the actor cannot see the
    fund and ValidationError for a bad date or basis.
    """
    fund, _ = get_fund(actor, fund_id)
    when = require_date(as_of, "as_of")
    share_basis = parse_share_basis(basis)
    inputs = load_look_through_inputs(fund.id, when, latest_only=True)
    return compute_look_through(inputs, when, share_basis, _holding_value(holding_value))


def look_through_history(actor: Actor, fund_id: int, quarter_ends: Iterable[object],
                         basis: str = "paid_in", *,
                         holding_value: str = "fair_value") -> LookThroughHistory:
    """Total (exact) and per-sector (float, yuan) exposure at each date in ``quarter_ends``.

    The data are loaded once up to the last date and bucketed onto the dates in memory;
    dates are deduplicated and returned ascending. Same rules as :func:`look_through`.
    """
    fund, _ = get_fund(actor, fund_id)
    dates = sorted({require_date(d, "quarter_ends") for d in quarter_ends})
    share_basis = parse_share_basis(basis)
    if not dates:
        raise ValidationError("quarter_ends", "no_dates")
    inputs = load_look_through_inputs(fund.id, dates[-1], net_assets=False)
    return compute_look_through_history(inputs, dates, share_basis, _holding_value(holding_value))
