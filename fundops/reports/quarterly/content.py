"""The quarterly report's content for (fund, quarter): the figures of every section,
assembled as pandas DataFrames from the ledger and the metrics.

Dates: the quarter runs from its first day to its last (``end``); performance, positions
and valuations are as of ``end``; subsequent events are ledger entries dated after
``end`` up to ``report_on`` (the report date, default today in the business timezone).
Amounts are exact Decimal yuan of the fund's currency; multiples exact Decimals; IRRs
annual fractions (floats, from the metrics engine). What a viewer sees follows the
metrics pages: the manager sees every LP; an LP-access viewer sees the fund's figures and
its own LP lines only (and no carry, which is the manager's business).

A quarter before the fund's inception quarter is ``report_before_inception``; a quarter
whose last day is today or later is ``report_quarter_open`` — named errors on the field
``quarter``; nothing is ever written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from fundops.auth.models import Organisation
from fundops.calc import multiples
from fundops.calc.capital_account import Line
from fundops.calc.periods import Period, Quarter
from fundops.clock import business_today
from fundops.errors import ValidationError
from fundops.exits.waterfall_queries import LiquidationView
from fundops.extensions import db
from fundops.metrics.benchmark import PmeResult, fund_pme, index_codes
from fundops.metrics.engine import Position
from fundops.metrics.parent import ParentOverview, parent_overview
from fundops.metrics.perspectives import (
    FundMetrics,
    QuarterPoint,
    fund_report,
    net_of_carry,
)
from fundops.metrics.snapshots import sub_fund_ids
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.models import Fund
from fundops.reports.quarterly import frames
from fundops.reports.quarterly.subfunds import (
    SubFundBook,
    deal_frame,
    sub_fund_books,
    valuation_index,
)
from fundops.reports.statements import capital_accounts
from fundops.uow import Actor

MAX_INDEXES = 5
"""PMEs computed against at most this many loaded indexes (in code order)."""
ZERO = frames.ZERO


@dataclass(frozen=True, slots=True)
class Pme:
    index_code: str
    result: PmeResult | None
    error: ValidationError | None


@dataclass(frozen=True)
class QuarterlyReport:
    """Everything a quarterly report shows (see the module docstring for units)."""

    fund: Fund
    access: Access
    manager_name: str
    quarter: Quarter
    report_on: date
    metrics: FundMetrics
    history: list[QuarterPoint]
    carry: LiquidationView | None
    pmes: list[Pme]
    lps: pd.DataFrame
    capital: pd.DataFrame
    schedule: pd.DataFrame
    flows: pd.DataFrame
    flow_summary: pd.DataFrame
    fees: pd.DataFrame
    subsequent: pd.DataFrame
    parent: ParentOverview | None
    sub_funds: list[SubFundBook]

    @property
    def start(self) -> date:
        return self.quarter.start

    @property
    def end(self) -> date:
        return self.quarter.end

    @property
    def net(self) -> Position:
        return self.metrics.net

    @property
    def is_parent(self) -> bool:
        return self.parent is not None


def check_quarter(fund: Fund, quarter: Quarter, today: date) -> None:
    """Refuse a quarter before the fund's inception quarter or not yet ended."""
    if quarter < Quarter.of(fund.inception_on):
        raise ValidationError("quarter", "report_before_inception", quarter=str(quarter),
                              inception=fund.inception_on)
    if quarter.end >= today:
        raise ValidationError("quarter", "report_quarter_open", quarter=str(quarter),
                              end=quarter.end, today=today)


def latest_quarter(fund: Fund, today: date) -> Quarter:
    """The last quarter that has ended by ``today`` (never before the inception quarter:
    for a fund whose first quarter is still open, that quarter, which is then refused)."""
    return max(Quarter.of(today).previous(), Quarter.of(fund.inception_on))


def quarterly_report(actor: Actor, fund_id: int, quarter: Quarter | str,
                     report_on: date | None = None,
                     consolidated: bool = False) -> QuarterlyReport:
    """The content of the fund's report for ``quarter`` (a Quarter or text like 2025Q2);
    404 for a fund the actor may not see; the quarter checks of :func:`check_quarter`
    against today in the business timezone; ``report_on`` (default today) bounds the
    subsequent events and must not be before the quarter's end. ``consolidated``: a
    parent fund's sub-funds come with their schedules of investments (the consolidated
    pack's)."""
    fund, access = get_fund(actor, fund_id)
    which = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    today = business_today()
    check_quarter(fund, which, today)
    on = report_on or today
    if on < which.end:
        raise ValidationError("report_on", "report_date_before_quarter_end", on=on,
                              end=which.end)
    end = which.end
    metrics, history = fund_report(actor, fund.id, end)
    flows = frames.load_flows(fund.id, on)
    subs = sub_fund_ids(fund.id)
    parent = parent_overview(actor, fund.id, end) if subs else None
    return QuarterlyReport(
        fund=fund, access=access, manager_name=_manager_name(fund), quarter=which,
        report_on=on, metrics=metrics, history=history, carry=net_of_carry(metrics),
        pmes=_pmes(actor, fund.id, end), lps=_lp_frame(metrics),
        capital=capital_account_frame(actor, fund, which),
        schedule=schedule_frame(metrics, end), flows=frames.between(flows, which.start, end),
        flow_summary=frames.kind_counts(frames.between(flows, which.start, end)),
        fees=fee_frame(flows, which),
        subsequent=frames.between(flows, date.fromordinal(end.toordinal() + 1), on),
        parent=parent,
        sub_funds=sub_fund_books(actor, fund.id, subs, end, consolidated) if subs else [],
    )


def _manager_name(fund: Fund) -> str:
    return db.session.scalar(
        sa.select(Organisation.name).where(Organisation.id == fund.organisation_id)) or ""


def _pmes(actor: Actor, fund_id: int, end: date) -> list[Pme]:
    out = []
    for code in index_codes()[:MAX_INDEXES]:
        try:
            out.append(Pme(code, fund_pme(actor, fund_id, end, code), None))
        except ValidationError as exc:
            out.append(Pme(code, None, exc))
    return out


def _lp_frame(metrics: FundMetrics) -> pd.DataFrame:
    """Per LP the viewer may see: commitment, paid-in, unfunded, distributed, NAV share,
    paid-in / commitment (exact; None without a commitment)."""
    rows = []
    for line in metrics.lps:
        p = line.position
        committed = p.committed if p.committed is not None else ZERO
        rows.append({
            "investor_id": line.investor_id, "investor": line.investor_name,
            "investor_type": line.investor_type, "committed": committed,
            "paid_in": p.paid_in, "unfunded": committed - p.paid_in,
            "distributed": p.distributed, "nav_share": p.value,
            "paid_in_ratio": multiples.pic(p.paid_in, committed) if committed else None,
            "tvpi": p.tvpi, "irr": p.irr,
        })
    return pd.DataFrame(rows, columns=[
        "investor_id", "investor", "investor_type", "committed", "paid_in", "unfunded",
        "distributed", "nav_share", "paid_in_ratio", "tvpi", "irr"], dtype=object)


CAPITAL_LINES = [line.value for line in Line]


def capital_account_frame(actor: Actor, fund: Fund, quarter: Quarter) -> pd.DataFrame:
    """合伙人资本账户: every visible LP's ILPA capital account for the quarter
    (:func:`fundops.reports.statements.capital_accounts`): ``opening`` NAV share at the
    previous quarter end, each movement line signed as its effect on the account (see
    :mod:`fundops.calc.capital_account`), ``closing`` NAV share at the quarter end, and
    the register below it (committed, paid-in, unfunded, recallable). Exact Decimal yuan."""
    statement = capital_accounts(actor, fund.id, Period(max(quarter.start, fund.inception_on),
                                                        quarter.end))
    rows = []
    for lp in statement.lps:
        rows.append({"investor_id": lp.investor.id, "investor": lp.investor.name,
                     "opening": lp.opening,
                     **{line.value: lp.amount(line) for line in Line},
                     "closing": lp.closing, "committed": lp.register.committed,
                     "paid_in": lp.register.paid_in, "unfunded": lp.register.unfunded,
                     "recallable": lp.register.recallable})
    return pd.DataFrame(rows, columns=[
        "investor_id", "investor", "opening", *CAPITAL_LINES, "closing", "committed",
        "paid_in", "unfunded", "recallable"], dtype=object)


def schedule_frame(metrics: FundMetrics, end: date) -> pd.DataFrame:
    """The fund's schedule of investments at ``end`` (:func:`deal_frame`)."""
    valuations = frames.latest_valuations([metrics.fund.id], end)
    return deal_frame(metrics.fund.id, metrics.deals, valuation_index(valuations))


FEE_KINDS = ["management_fee", "expense"]


def fee_frame(flows: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Management fees and fund expenses: the quarter, the year to its end, and since
    inception to its end (exact Decimal yuan; reversals net)."""
    fees = flows[flows["kind"].isin(FEE_KINDS)] if not flows.empty else flows
    end = quarter.end
    return frames.kind_totals(fees, {
        "quarter": frames.between(fees, quarter.start, end),
        "ytd": frames.between(fees, date(end.year, 1, 1), end),
        "itd": frames.between(fees, date.min, end),
    }, FEE_KINDS)
