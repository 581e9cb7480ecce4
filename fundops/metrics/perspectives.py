"""Return metrics as users ask for them: a fund, an LP position, a deal, a quarterly history.

Every function checks what the actor may see (``portfolio.access``) and loads the ledger
once; the numbers come from :mod:`fundops.metrics.engine`, whose docstring defines each
perspective. An LP-access viewer sees the fund's metrics and its own LP positions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.errors import NotFound
from fundops.exits.queries import NO_REALISATION, Realisation, realisations
from fundops.exits.waterfall_queries import LiquidationView, liquidation_at
from fundops.extensions import db
from fundops.metrics.engine import Metrics, Perspective, Position, compute
from fundops.metrics.frames import load_ledger
from fundops.metrics.snapshots import (
    QuarterPoint,
    empty_net,
    focus_metrics,
    history,
)
from fundops.portfolio.access import Access, get_fund, list_funds
from fundops.portfolio.models import Commitment, Company, Fund, Investor
from fundops.uow import Actor

DEFINITIONS: dict[str, tuple[str, str]] = {
    Perspective.FUND_NET: (
        "基金净收益（全体LP）：LP出资为负、分配为正，估值日净值为期末正现金流，XIRR（实际/365）。",
        (
            "Fund net (all LPs): LP contributions negative, distributions positive, NAV at the "
            "as-of date as a terminal inflow; XIRR, Actual/365."
        ),
    ),
    Perspective.LP_NET: (
        ("LP净收益：该LP的出资与分配，加上按实缴比例分摊的基金净值；份额转让时买方支付的"
         "转让价款计为其出资、卖方收到的价款计为其分配，实缴随份额转给买方。"),
        (
            "LP net: this LP's contributions and distributions plus its share of fund NAV, "
            "split pro rata to paid-in capital; in an LP-interest transfer the price counts "
            "as the buyer's contribution and the seller's distribution, and the paid-in "
            "moves to the buyer."
        ),
    ),
    Perspective.FUND_GROSS: (
        "基金毛收益（投资层面）：对企业投资与子基金出资为负、退出回款与子基金返还为正，期末为持仓公允价值与子基金净值份额。",
        (
            "Fund gross (investment level): investments and sub-fund contributions negative, "
            "proceeds and sub-fund returns positive; holdings' fair value plus the share of "
            "sub-fund NAV as terminal value."
        ),
    ),
    Perspective.DEAL: (
        "单项目：投资为负、回款为正，期末为持仓公允价值；MOIC =（已实现 + 未实现）/ 投资成本。",
        (
            "Deal: investments negative, proceeds positive, the holding's fair value as terminal "
            "value; MOIC = (realised + unrealised) / cost."
        ),
    ),
    "nav": (  # not a perspective: the terminal value of the net perspectives
        (
            "期末净值 = 估值日前最近一次净值 + 其后的出资 − 分配 − 管理费 − 费用"
            "（无估值时以成本滚动）。"
        ),
        (
            "NAV at the as-of date = latest reported NAV on or before it, plus later calls, less "
            "later distributions, fees and expenses (from cost when no NAV was reported yet)."
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class LpLine:
    investor_id: int
    investor_name: str
    investor_type: str
    position: Position


@dataclass(frozen=True, slots=True)
class DealLine:
    """A deal's position with what its exit events realised (average cost per holding).

    Realised value is ``position.distributed`` (the proceeds received in cash); the escrow
    still outstanding is shown beside it, not in it. Unrealised value is
    ``position.value`` (the holding's fair value; 0 once fully exited).
    ``remaining_cost`` = invested − cost basis of the parts disposed of;
    ``unrealised_gain`` = unrealised value − remaining cost. Yuan, exact.
    """

    company: Company
    position: Position
    realisation: Realisation = NO_REALISATION

    @property
    def remaining_cost(self) -> Decimal:
        return self.position.paid_in - self.realisation.cost_basis

    @property
    def unrealised_gain(self) -> Decimal:
        return self.position.value - self.remaining_cost


@dataclass(frozen=True, slots=True)
class FundMetrics:
    """A fund's metrics at ``as_of`` from every perspective the viewer may see."""

    fund: Fund
    access: Access
    as_of: date
    net: Position
    gross: Position | None
    lps: list[LpLine]
    deals: list[DealLine]


def _own_fund_ids(organisation_id: int) -> set[int]:
    return set(
        db.session.scalars(sa.select(Fund.id).where(Fund.organisation_id == organisation_id))
    )


def fund_metrics(actor: Actor, fund_id: int, as_of: date) -> FundMetrics:
    """Net, gross, LP and deal metrics of one fund at ``as_of``."""
    fund, access = get_fund(actor, fund_id)
    return _fund_view(fund, access, actor, focus_metrics(fund.id, as_of))


def _fund_view(fund: Fund, access: Access, actor: Actor, metrics: Metrics) -> FundMetrics:
    net = metrics.fund_net.get(fund.id) or empty_net(metrics.as_of, fund.id)
    investors = {i.id: i for i in db.session.scalars(
        sa.select(Investor).join(Commitment, Commitment.investor_id == Investor.id)
        .where(Commitment.fund_id == fund.id))}
    own = _own_fund_ids(actor.organisation_id) if access is Access.LP else set()
    lps = [
        LpLine(inv_id, investors[inv_id].name, investors[inv_id].investor_type.value, pos)
        for (fid, inv_id), pos in sorted(metrics.lp_net.items())
        if fid == fund.id and inv_id in investors
        and (access is Access.MANAGER or investors[inv_id].fund_id in own)
    ]
    deal_keys = [k for k in metrics.deals if k[0] == fund.id]
    companies = {c.id: c for c in db.session.scalars(
        sa.select(Company).where(Company.id.in_([k[1] for k in deal_keys])))}
    realised = realisations([fund.id], metrics.as_of) if deal_keys else {}
    deals = sorted((DealLine(companies[k[1]], metrics.deals[k],
                             realised.get(k, NO_REALISATION)) for k in deal_keys),
                   key=lambda d: d.company.name)
    return FundMetrics(fund, access, metrics.as_of, net, metrics.gross.get(fund.id), lps, deals)


def lp_position(actor: Actor, fund_id: int, investor_id: int, as_of: date) -> LpLine:
    """One LP position; 404 unless the viewer manages the fund or the LP is its own fund."""
    report = fund_metrics(actor, fund_id, as_of)
    for line in report.lps:
        if line.investor_id == investor_id:
            return line
    raise NotFound("lp_position_not_found", investor_id=investor_id, fund_id=fund_id)


def lp_positions(actor: Actor, fund_id: int, as_of: date) -> dict[int, Position]:
    """The LP positions of one fund the viewer may see, by investor id."""
    return {line.investor_id: line.position
            for line in fund_metrics(actor, fund_id, as_of).lps}


def fund_nav(actor: Actor, fund_id: int, as_of: date) -> Decimal:
    """The fund's NAV on ``as_of`` (the net perspective's terminal value, yuan)."""
    return fund_metrics(actor, fund_id, as_of).net.value


def net_of_carry(report: FundMetrics) -> LiquidationView | None:
    """The fund's NAV net of accrued carry ("as if liquidated" through its waterfall terms
    in force on the report's date, on the report's NAV); None when the fund has no terms
    or the viewer does not manage it (the waterfall is the manager's business)."""
    if report.access is not Access.MANAGER:
        return None
    return liquidation_at(report.fund.id, report.as_of, report.net.value)


def deal_position(actor: Actor, fund_id: int, company_id: int, as_of: date) -> DealLine:
    report = fund_metrics(actor, fund_id, as_of)
    for line in report.deals:
        if line.company.id == company_id:
            return line
    raise NotFound("deal_not_found", company_id=company_id, fund_id=fund_id)


def portfolio_metrics(actor: Actor, as_of: date, deals: bool = True) -> Metrics:
    """Every visible fund's, LP position's (and deal's) metrics from a single ledger load."""
    ids = [f.id for f in list_funds(actor)]
    return compute(load_ledger(as_of, ids), deals=deals)


def quarterly_history(actor: Actor, fund_id: int, as_of: date) -> list[QuarterPoint]:
    """Fund net and gross metrics at every quarter end since inception, up to ``as_of``."""
    fund, _ = get_fund(actor, fund_id)
    return history(fund.id, fund.inception_on, as_of, focus_metrics(fund.id, as_of))


def fund_report(actor: Actor, fund_id: int,
                as_of: date) -> tuple[FundMetrics, list[QuarterPoint]]:
    """:func:`fund_metrics` and :func:`quarterly_history` (the performance page): the
    quarter ends before ``as_of`` from the stored snapshots, ``as_of`` itself live (or
    from the shared cache)."""
    fund, access = get_fund(actor, fund_id)
    metrics = focus_metrics(fund.id, as_of)
    report = _fund_view(fund, access, actor, metrics)
    return report, history(fund.id, fund.inception_on, as_of, metrics)
