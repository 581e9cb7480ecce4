"""Reply schemas of the metrics API (:mod:`fundops.metrics.api`) and of
``fundops metrics --format json`` (:mod:`fundops.metrics.cli`): one serialisation for both.

Amounts are exact decimal strings in yuan of the fund's currency; multiples (DPI, RVPI,
TVPI, PIC, MOIC) exact decimal strings as the engine computes them (10 places, half-even),
each with its numerator and denominator; ``irr`` is the annual rate as a fraction rounded
half-even to 10 places. ``null`` means "n/a" (nothing paid in, no rate solves the
flows) — never 0. Dates ISO 8601. Every position carries its definition (code, zh, en).
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar

import marshmallow as ma
from marshmallow import fields

from fundops.api.fields import (
    Amount,
    Bool,
    Choice,
    Day,
    Id,
    Int,
    Lines,
    Object,
    Rate,
    Reply,
    Schema,
    Text,
)
from fundops.metrics import perspectives as P
from fundops.metrics.asof import STALE_AFTER_DAYS
from fundops.metrics.charts import quarter_label
from fundops.metrics.engine import Perspective, Position
from fundops.portfolio.access import Access
from fundops.portfolio.models import Fund
from fundops.portfolio.schemas import FundOut, fund_data

PERSPECTIVES = ("fund_net", "fund_gross", "lp_net", "deal")
_TEN_PLACES = Decimal("1E-10")


class Multiple(Amount):
    """A ratio of two amounts as an exact decimal string (1.25 = 1.25x)."""

    unit = "ratio, exact decimal string (1.25 = 1.25x); null when the denominator is 0"


class PartialReply(Reply):
    """A reply some of whose keys appear only in some answers (``OPTIONAL``)."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        super().on_bind_field(field_name, field_obj)
        field_obj.required = field_name not in self.OPTIONAL


class AsOfQuery(Schema):
    as_of = Day(doc="the date of the figures, 1990-01-01 … today; default today "
                    "(Asia/Shanghai)")


class MetricsQuery(AsOfQuery):
    perspective = Text(doc="comma-separated: fund_net, fund_gross, lp_net, deal (or net, "
                           "gross, lps, deals); default all four")


def rate_text(value: float | None) -> str | None:
    """A float rate as a decimal string rounded half-even to 10 places, never in exponent
    form (0 is ``"0.0000000000"``); None (and a non-finite float) stays None."""
    if value is None or not math.isfinite(value):
        return None
    return format(Decimal(value).quantize(_TEN_PLACES, rounding=ROUND_HALF_EVEN), "f")


def flow_names(perspective: str) -> tuple[str, str, str]:
    """Names of (money in, money out, terminal value) in a perspective's own words."""
    if perspective in (Perspective.DEAL, Perspective.FUND_GROSS):
        return "invested", "realised", "unrealised"
    return "paid_in", "distributed", "nav"


def value_basis(pos: Position) -> str:
    if pos.perspective == Perspective.FUND_GROSS:
        return "holdings_and_sub_fund_nav"
    if pos.value_on is None:
        return "cost"
    return "fair_value" if pos.perspective == Perspective.DEAL else "nav"


class DefinitionOut(Reply):
    """A definition, in Chinese and English (dumped from a code of
    :data:`fundops.metrics.perspectives.DEFINITIONS`, or from a dict)."""

    code = Text()
    zh = Text()
    en = Text()

    @ma.pre_dump
    def _of(self, code: Any, **kwargs: Any) -> Any:
        if not isinstance(code, str):
            return code
        zh, en = P.DEFINITIONS[code]
        return {"code": code, "zh": zh, "en": en}


class TermOut(Reply):
    name = Text(nullable=True, doc="what the amount is; null when the formula has no terms")
    amount = Amount(nullable=True)


class RatioOut(Reply):
    """A ratio with the amounts it divides."""

    value = Multiple(nullable=True)
    numerator = Object(TermOut)
    denominator = Object(TermOut)


def ratio(value: Any, num_name: str | None, num: Any, den_name: str | None,
          den: Any) -> dict[str, Any]:
    return {"value": value, "numerator": {"name": num_name, "amount": num},
            "denominator": {"name": den_name, "amount": den}}


class MultiplesOut(PartialReply):
    OPTIONAL = frozenset({"pic", "moic"})

    dpi = Object(RatioOut)
    rvpi = Object(RatioOut)
    tvpi = Object(RatioOut)
    pic = Object(RatioOut, metadata={"description": "fund net and LP net only"})
    moic = Object(RatioOut, metadata={"description": "deals only: the same as tvpi"})


class PositionOut(PartialReply):
    """One position: amounts, valuation basis and age, IRR and multiples with their terms."""

    OPTIONAL = frozenset({"value_definition"})

    perspective = Choice(PERSPECTIVES)
    definition = Object(DefinitionOut)
    as_of = Day()
    committed = Amount(nullable=True, doc="null for a deal and the gross perspective")
    paid_in = Amount()
    distributed = Amount()
    value = Amount(doc="the terminal value: NAV, its share, or fair value")
    value_on = Day(nullable=True, doc="the valuation rolled forward; null: cost basis")
    value_age_days = Int(nullable=True)
    value_stale = Bool(nullable=True, doc=f"older than {STALE_AFTER_DAYS} days")
    value_basis = Choice(("holdings_and_sub_fund_nav", "cost", "fair_value", "nav"))
    realised = Amount(doc="realised value: distributions (fund net, LP net) or proceeds "
                          "received (fund gross, deal); equals distributed")
    unrealised = Amount(doc="unrealised value: NAV, the LP's NAV share, or fair value; "
                            "equals value (0 for a fully exited deal)")
    first_on = Day(nullable=True, doc="the first cash flow")
    irr = Rate(nullable=True, doc="annual; rounded half-even to 10 places")
    short_track_record = Bool(doc="under a year of flows: irr_cumulative is the one to show")
    irr_cumulative = Rate(nullable=True, doc="not annualised")
    multiples = Object(MultiplesOut)
    value_definition = Object(DefinitionOut, metadata={"description": "fund net and LP net only"})

    @ma.pre_dump
    def _of(self, pos: Any, **kwargs: Any) -> Any:
        return position_data(pos) if isinstance(pos, Position) else pos


def position_data(pos: Position) -> dict[str, Any]:
    """What :class:`PositionOut` shows of a position."""
    paid, out, held = flow_names(pos.perspective)
    age = pos.value_age_days
    body: dict[str, Any] = {
        "perspective": pos.perspective, "definition": pos.perspective, "as_of": pos.as_of,
        "committed": pos.committed, "paid_in": pos.paid_in, "distributed": pos.distributed,
        "value": pos.value, "value_on": pos.value_on, "value_age_days": age,
        "value_stale": None if age is None else age > STALE_AFTER_DAYS,
        "value_basis": value_basis(pos), "realised": pos.realised,
        "unrealised": pos.unrealised, "first_on": pos.first_on, "irr": rate_text(pos.irr),
        "short_track_record": pos.short_track_record,
        "irr_cumulative": rate_text(pos.irr_cumulative),
        "multiples": {
            "dpi": ratio(pos.dpi, out, pos.distributed, paid, pos.paid_in),
            "rvpi": ratio(pos.rvpi, held, pos.value, paid, pos.paid_in),
            "tvpi": ratio(pos.tvpi, f"{out} + {held}", pos.distributed + pos.value, paid,
                          pos.paid_in),
        },
    }
    if pos.perspective in ("fund_net", "lp_net"):
        body["value_definition"] = "nav"
        body["multiples"]["pic"] = ratio(pos.pic, "paid_in", pos.paid_in, "committed",
                                         pos.committed)
    if pos.perspective == Perspective.DEAL:
        body["multiples"]["moic"] = body["multiples"]["tvpi"]
    return body


class LpLineOut(PositionOut):
    investor_id = Id()
    investor_name = Text()
    investor_type = Text()

    @ma.pre_dump
    def _of_line(self, line: Any, **kwargs: Any) -> Any:
        if not isinstance(line, P.LpLine):
            return line
        return {"investor_id": line.investor_id, "investor_name": line.investor_name,
                "investor_type": line.investor_type} | position_data(line.position)


class DealLineOut(PositionOut):
    """A deal; the realised gain or loss is measured against the average cost per holding
    (each exit's cost basis = remaining cost × the fraction disposed)."""

    company_id = Id()
    company_name = Text()
    uscc = Text(doc="the company's unified social credit code")
    exit_proceeds = Amount(doc="Σ consideration of the exit events, escrow included")
    realised_cost = Amount(doc="Σ average-cost basis of the parts disposed of")
    realised_gain = Amount(doc="exit_proceeds − realised_cost − forfeited escrow "
                               "(negative: a loss)")
    escrow_outstanding = Amount(doc="escrow held back, neither released nor forfeited "
                                    "(not in realised)")
    remaining_cost = Amount(doc="paid_in − realised_cost: the cost still held")
    unrealised_gain = Amount(doc="unrealised − remaining_cost (negative: a loss)")

    @ma.pre_dump
    def _of_line(self, line: Any, **kwargs: Any) -> Any:
        if not isinstance(line, P.DealLine):
            return line
        company, done = line.company, line.realisation
        return {"company_id": company.id, "company_name": company.name,
                "uscc": company.uscc, "exit_proceeds": done.proceeds,
                "realised_cost": done.cost_basis, "realised_gain": done.realised_gain,
                "escrow_outstanding": done.escrow_outstanding,
                "remaining_cost": line.remaining_cost,
                "unrealised_gain": line.unrealised_gain} | position_data(line.position)


class FundAccessOut(FundOut):
    access = Choice(Access, doc="what the caller may see and do")


class HeadOut(Reply):
    fund = Object(FundAccessOut)
    as_of = Day()
    currency = Text(doc="ISO 4217; every amount is in yuan of it")
    stale_after_days = Int(doc="a valuation older than this is flagged value_stale")


def head(fund: Fund, access: Access, as_of: date) -> dict[str, Any]:
    return {"fund": fund_data(fund, access), "as_of": as_of, "currency": fund.currency,
            "stale_after_days": STALE_AFTER_DAYS}


class LpNetOfCarryOut(Reply):
    investor_id = Id()
    value = Amount(doc="its NAV net of accrued carry")


class NetOfCarryOut(Reply):
    """The fund's NAV gross and net of accrued carry (its waterfall "as if liquidated")."""

    nav = Amount(doc="gross: the fund's NAV (fund_net value)")
    accrued_carry = Amount()
    net_nav = Amount(doc="nav − accrued_carry")
    lps = Lines(LpNetOfCarryOut, doc="each party's NAV net of accrued carry")
    conventions = Lines(Text())


class FundMetricsOut(HeadOut, PartialReply):
    """A fund's metrics; only the perspectives asked for (all by default)."""

    OPTIONAL = frozenset({"net", "gross", "lps", "deals", "net_of_carry"})

    net = Object(PositionOut, metadata={"description": "fund_net"})
    gross = Object(PositionOut, nullable=True,
                   metadata={"description": "fund_gross; null when not computed"})
    lps = Lines(LpLineOut, doc="lp_net: the LP positions the caller may see")
    deals = Lines(DealLineOut, doc="deal: every company the fund invested in")
    net_of_carry = Object(NetOfCarryOut, nullable=True, metadata={
        "description": "with fund_net: the NAV net of accrued carry under the fund's "
                       "waterfall terms; null without terms or for an LP viewer"})


def net_of_carry_data(report: P.FundMetrics) -> dict[str, Any] | None:
    view = P.net_of_carry(report)
    if view is None:
        return None
    result = view.result
    return {"nav": result.nav, "accrued_carry": result.accrued_carry,
            "net_nav": result.nav - result.accrued_carry,
            "lps": [{"investor_id": p, "value": v} for p, v in result.net_nav.items()],
            "conventions": [c.code for c in view.conventions]}


def fund_metrics_data(report: P.FundMetrics,
                      perspectives: tuple[str, ...] = PERSPECTIVES) -> dict[str, Any]:
    """What :class:`FundMetricsOut` shows of a report, for the ``perspectives`` asked
    (with ``fund_net``, also ``net_of_carry``)."""
    parts = {"fund_net": ("net", report.net), "fund_gross": ("gross", report.gross),
             "lp_net": ("lps", report.lps), "deal": ("deals", report.deals)}
    extra = {"net_of_carry": net_of_carry_data(report)} if "fund_net" in perspectives else {}
    return head(report.fund, report.access, report.as_of) | dict(
        parts[name] for name in PERSPECTIVES if name in perspectives) | extra


class LpMetricsOut(HeadOut):
    lp = Object(LpLineOut)


class DealMetricsOut(HeadOut):
    deal = Object(DealLineOut)


class PointOut(Reply):
    """A position at one quarter end, without its terms."""

    paid_in = Amount()
    distributed = Amount()
    value = Amount()
    realised = Amount(doc="distributions (net) or proceeds (gross)")
    unrealised = Amount(doc="NAV (net) or holdings' value with sub-fund NAV shares (gross)")
    value_on = Day(nullable=True)
    irr = Rate(nullable=True)
    short_track_record = Bool()
    irr_cumulative = Rate(nullable=True)
    dpi = Multiple(nullable=True)
    rvpi = Multiple(nullable=True)
    tvpi = Multiple(nullable=True)
    pic = Multiple(nullable=True)

    @ma.pre_dump
    def _of(self, pos: Position, **kwargs: Any) -> dict[str, Any]:
        return {name: getattr(pos, name) for name in self.fields} | {
            "irr": rate_text(pos.irr), "irr_cumulative": rate_text(pos.irr_cumulative)}


class QuarterOut(Reply):
    on = Day()
    quarter = Text(doc="2021Q3 at a quarter end, else the date")
    net = Object(PointOut, nullable=True)
    gross = Object(PointOut, nullable=True)

    @ma.pre_dump
    def _of(self, point: P.QuarterPoint, **kwargs: Any) -> dict[str, Any]:
        return {"on": point.on, "quarter": quarter_label(point.on), "net": point.net,
                "gross": point.gross}


class HistoryDefinitionsOut(Reply):
    fund_net = Object(DefinitionOut)
    fund_gross = Object(DefinitionOut)


class HistoryOut(Reply):
    """Quarter-end points (the last one is ``as_of`` itself when it is not a quarter end)."""

    fund = Object(FundOut)
    as_of = Day()
    currency = Text()
    definitions = Object(HistoryDefinitionsOut)
    points = Lines(QuarterOut)


def history_data(fund: Fund, as_of: date, points: list[P.QuarterPoint]) -> dict[str, Any]:
    return {"fund": fund, "as_of": as_of, "currency": fund.currency,
            "definitions": {"fund_net": "fund_net", "fund_gross": "fund_gross"},
            "points": points}
