"""Reply schemas of the parent-fund API (:mod:`fundops.metrics.parent_api`): look-through,
leverage, bank-credit leverage and policy indicators.

Every figure carries its definition, numerator, denominator and basis. Amounts are exact
decimal strings in yuan (0.01, as the services round them); shares are 10-place decimal
strings; leverage and indicator values are 10-place decimal strings (numerator /
denominator half-even, as the multiples; pages show them rounded); ``null`` means n/a
(zero denominator), never 0. Dates are ISO 8601.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from fundops.api.fields import Amount, Bool, Day, Id, Int, Lines, Object, Rate, Reply, Text
from fundops.calc.leverage import LeverageRatio
from fundops.calc.lookthrough import (
    Breakdown,
    ExposurePart,
    LookThroughResult,
    NetAssets,
    quantize_fraction,
)
from fundops.calc.policy import FundIndicators, Indicator
from fundops.metrics.lookthrough import LOOK_THROUGH_DEFINITION, SHARE_DEFINITIONS
from fundops.metrics.schemas import (
    AsOfQuery,
    DefinitionOut,
    FundAccessOut,
    Multiple,
    TermOut,
    ratio,
)
from fundops.portfolio.access import Access
from fundops.portfolio.models import Fund
from fundops.portfolio.schemas import fund_data

RATIO_DOC = ("numerator / denominator to 10 places, half-even (as the multiples), so it can be "
             "recomputed from the amounts; pages round it for display")

SHARE_TERMS = {
    "paid_in": ("parent's paid-in to the sub-fund", "sub-fund's total paid-in"),
    "commitment": ("parent's commitments to the sub-fund", "sub-fund's total commitments"),
}


class LookThroughQuery(AsOfQuery):
    basis = Text(doc="paid_in (default) or commitment: how a sub-fund's share is measured")
    limit = Text(doc="rows to return, a whole number 0 … 100000; default 100")


class ParentHeadOut(Reply):
    fund = Object(FundAccessOut)
    currency = Text(doc="ISO 4217")
    amount_unit = Text(doc="yuan")
    as_of = Day()


def parent_head(fund: Fund, access: Access) -> dict[str, Any]:
    return {"fund": fund_data(fund, access), "currency": fund.currency, "amount_unit": "yuan"}


def terms(formula: str) -> tuple[str | None, str | None]:
    """The numerator and denominator named by a ``numerator / denominator`` formula."""
    if formula.count(" / ") != 1:
        return None, None
    num, den = formula.split(" / ")
    return num.strip(), den.strip()


# --- look-through ---------------------------------------------------------------------------

class ShareOut(Reply):
    value = Rate(doc="10 places")
    basis = Text()
    numerator = Object(TermOut)
    denominator = Object(TermOut)


class SubFundShareOut(Reply):
    fund_id = Id()
    fund_code = Text()
    fund_name = Text()
    share = Object(ShareOut)
    own_total_amount = Amount(doc="the sub-fund's own look-through total")
    attributed_amount = Amount(doc="share × own total")


class ViaOut(Reply):
    fund_id = Id()
    weight = Rate(doc="Σ over paths of the product of shares, 10 places")
    paths = Int()
    holding_value = Amount()
    value_basis = Text(doc="fair_value or cost")
    value_on = Day(nullable=True)

    @ma.pre_dump
    def _of(self, part: ExposurePart, **kwargs: Any) -> dict[str, Any]:
        return {name: getattr(part, name) for name in self.fields} | {
            "weight": quantize_fraction(part.weight, 10)}


class ExposureRowOut(Reply):
    company_id = Id()
    company_name = Text()
    sector = Text()
    stage = Text()
    region_code = Text()
    tags = Lines(Text())
    is_hard_tech = Bool()
    exposure_amount = Amount()
    paths = Int()
    value_basis = Text(doc="fair_value, cost or mixed")
    via = Lines(ViaOut)


class ShareOfTotalOut(Reply):
    value = Rate(nullable=True, doc="4 places; null when the total is 0")
    numerator = Object(TermOut)
    denominator = Object(TermOut)


class BreakdownOut(Reply):
    key = Text()
    companies = Int()
    exposure_amount = Amount()
    share_of_total = Object(ShareOfTotalOut)


class BreakdownsOut(Reply):
    sector = Lines(BreakdownOut)
    stage = Lines(BreakdownOut)
    region = Lines(BreakdownOut)
    tag = Lines(BreakdownOut, doc="tags overlap: these do not add up to the total")


class CashLineOut(Reply):
    fund_id = Id()
    fund_code = Text()
    fund_name = Text()
    weight = Rate(doc="the parent's weight in the sub-fund: Σ over paths of the product of "
                      "shares, 10 places")
    nav_amount = Amount(doc="the sub-fund's NAV (latest reported, rolled forward)")
    holdings_amount = Amount(doc="its holdings' values")
    sub_funds_amount = Amount(doc="Σ its share × each of its own sub-funds' NAV")
    own_amount = Amount(doc="its cash and other net assets: NAV − holdings − sub-funds")
    attributed_amount = Amount(doc="weight × own_amount")


class NetAssetsOut(Reply):
    """The parent's NAV as companies + cash lines; every amount rounded once to 0.01 yuan
    from the exact value."""

    nav_amount = Amount(doc="the parent's NAV: latest reported rolled forward by later calls "
                            "(+), distributions, fees and expenses (−), never below 0")
    nav_on = Day(nullable=True, doc="the reported NAV rolled from; null: from inception")
    companies_amount = Amount(doc="Σ company exposures (the look-through total)")
    sub_fund_cash_amount = Amount(doc="Σ cash_lines attributed")
    cash_lines = Lines(CashLineOut, doc="every sub-fund below the parent, by fund id")
    own_cash_amount = Amount(doc="the parent's ledger cash: every flow in − every flow out")
    difference_amount = Amount(doc="the rest of the parent's NAV: its other net assets and any "
                                   "disagreement between its books and the look-through")
    consistent = Bool()
    identity = Text()


class LookThroughOut(ParentHeadOut):
    basis = Text()
    holding_value = Text()
    definition = Object(DefinitionOut)
    share_definition = Object(DefinitionOut)
    total_amount = Amount()
    direct_amount = Amount(doc="the parent's own holdings")
    through_sub_funds_amount = Amount()
    consistent = Bool()
    consistency = Text()
    sub_funds = Lines(SubFundShareOut)
    rows_total = Int()
    limit = Int()
    rows = Lines(ExposureRowOut, doc="the largest exposures first, at most limit")
    breakdowns = Object(BreakdownsOut)
    net_assets = Object(NetAssetsOut, nullable=True)


def _breakdown(b: Breakdown, total: Any) -> dict[str, Any]:
    return {"key": b.key, "companies": b.companies, "exposure_amount": b.exposure_amount,
            "share_of_total": ratio(b.share_of_total, "exposure", b.exposure_amount,
                                    "total exposure", total)}


def look_through_data(lt: LookThroughResult, limit: int,
                      labels: dict[int, tuple[str, str]]) -> dict[str, Any]:
    """What :class:`LookThroughOut` shows (less the head); ``rows`` are the ``limit``
    largest exposures."""
    zh, en = LOOK_THROUGH_DEFINITION
    share_zh, share_en = SHARE_DEFINITIONS[lt.basis]
    num_name, den_name = SHARE_TERMS[lt.basis]
    return {
        "as_of": lt.as_of, "basis": lt.basis, "holding_value": lt.holding_value,
        "definition": {"code": "look_through", "zh": zh, "en": en},
        "share_definition": {"code": lt.basis, "zh": share_zh, "en": share_en},
        "total_amount": lt.total_amount,
        "direct_amount": quantize_fraction(lt.direct_total_exact),
        "through_sub_funds_amount": quantize_fraction(lt.total_exact - lt.direct_total_exact),
        "consistent": lt.consistent,
        "consistency": "total = direct holdings + Σ share × sub-fund look-through total "
                       "(checked exactly, before rounding)",
        "sub_funds": [{
            "fund_id": s.sub_fund_id, "fund_code": labels.get(s.sub_fund_id, ("", ""))[0],
            "fund_name": labels.get(s.sub_fund_id, ("", ""))[1],
            "share": ratio(s.share_rate, num_name, s.share_numerator, den_name,
                           s.share_denominator) | {"basis": lt.basis},
            "own_total_amount": quantize_fraction(s.own_total_exact),
            "attributed_amount": s.attributed_amount,
        } for s in lt.sub_funds],
        "rows_total": len(lt.rows), "limit": limit, "rows": lt.rows[:limit],
        "breakdowns": {
            name: [_breakdown(b, lt.total_amount) for b in items]
            for name, items in (("sector", lt.by_sector), ("stage", lt.by_stage),
                                ("region", lt.by_region), ("tag", lt.by_tag))
        },
        "net_assets": None if lt.net_assets is None else net_assets_data(lt.net_assets, labels),
    }


def net_assets_data(na: NetAssets, labels: dict[int, tuple[str, str]]) -> dict[str, Any]:
    """What :class:`NetAssetsOut` shows: each amount the exact value rounded once."""
    q = quantize_fraction
    return {
        "nav_amount": q(na.nav_exact), "nav_on": na.nav_on,
        "companies_amount": q(na.companies_exact),
        "sub_fund_cash_amount": q(na.sub_fund_cash_exact),
        "cash_lines": [{
            "fund_id": x.fund_id, "fund_code": labels.get(x.fund_id, ("", ""))[0],
            "fund_name": labels.get(x.fund_id, ("", ""))[1],
            "weight": q(x.weight, 10), "nav_amount": q(x.nav_exact),
            "holdings_amount": q(x.holdings_exact), "sub_funds_amount": q(x.sub_funds_exact),
            "own_amount": q(x.own_exact), "attributed_amount": x.attributed_amount,
        } for x in na.cash_lines],
        "own_cash_amount": q(na.own_cash_exact), "difference_amount": q(na.difference_exact),
        "consistent": na.consistent,
        "identity": "nav = companies + Σ sub-fund cash lines + own cash + difference "
                    "(checked exactly, before rounding)",
    }


# --- leverage -------------------------------------------------------------------------------

class LeverageRatioOut(Reply):
    definition = Text()
    label_zh = Text()
    label_en = Text()
    formula = Text()
    basis = Text()
    value = Multiple(nullable=True, doc=RATIO_DOC)
    numerator = Object(TermOut)
    denominator = Object(TermOut)

    @ma.pre_dump
    def _of(self, r: LeverageRatio, **kwargs: Any) -> dict[str, Any]:
        return {"definition": r.definition, "label_zh": r.label_zh, "label_en": r.label_en,
                "formula": r.formula, "basis": r.basis} | ratio(
            r.value, *_named(r.formula, r.numerator, r.denominator))


def _named(formula: str, numerator: Any, denominator: Any) -> tuple[Any, ...]:
    num_name, den_name = terms(formula)
    return num_name, numerator, den_name, denominator


class SubFundLeverageOut(Reply):
    fund_id = Id()
    fund_code = Text()
    fund_name = Text()
    committed_total = Amount()
    paid_in_total = Amount()
    guidance_committed = Amount()
    guidance_paid_in = Amount()
    government_committed = Amount()
    government_paid_in = Amount()
    invested = Amount()
    co_invested = Amount()
    attributable_subscribed = Amount()
    attributable_paid_in = Amount()
    ratios = Lines(LeverageRatioOut)


class BasesOut(Reply):
    subscribed = Text()
    paid_in = Text()


BASES = {"subscribed": "认缴: commitments", "paid_in": "实缴: capital-call allocations"}


class LeverageOut(ParentHeadOut):
    government_investor_types = Lines(Text())
    bases = Object(BasesOut)
    ratios = Lines(LeverageRatioOut)
    sub_funds = Lines(SubFundLeverageOut)


class LoanLeverageOut(ParentHeadOut):
    rounds = Int(doc="rounds of the portfolio's companies with linked bank credit")
    loans = Int()
    credit_approved = Amount()
    credit_disbursed = Amount()
    ratios = Lines(LeverageRatioOut)


# --- policy ---------------------------------------------------------------------------------

class RuleOut(Reply):
    rule_id = Id(nullable=True)
    fund_id = Id()
    rule_type = Text()
    comparison = Text()
    threshold = Multiple()
    basis = Text()
    effective_from = Day()
    source_citation = Text()


class IndicatorOut(Reply):
    code = Text()
    label_zh = Text()
    label_en = Text()
    formula = Text()
    basis = Text(nullable=True)
    value = Multiple(nullable=True, doc=RATIO_DOC)
    numerator = Object(TermOut)
    denominator = Object(TermOut)
    rule = Object(RuleOut, nullable=True, metadata={"description": "the rule in force; null: none"})
    breach = Bool()
    note = Text()

    @ma.pre_dump
    def _of(self, i: Indicator, **kwargs: Any) -> dict[str, Any]:
        return {"code": i.code, "label_zh": i.label_zh, "label_en": i.label_en,
                "formula": i.formula, "basis": i.basis, "rule": i.rule, "breach": i.breach,
                "note": i.note} | ratio(i.value, *_named(i.formula, i.numerator,
                                                          i.denominator))


class FundIndicatorsOut(Reply):
    fund_id = Id()
    fund_code = Text()
    fund_name = Text()
    role = Text(doc="guidance or sub_fund")
    breach_count = Int()
    indicators = Lines(IndicatorOut)

    @ma.pre_dump
    def _of(self, f: FundIndicators, **kwargs: Any) -> dict[str, Any]:
        return {"fund_id": f.fund_id, "fund_code": f.fund_code, "fund_name": f.fund_name,
                "role": f.role, "breach_count": len(f.breaches), "indicators": f.indicators}


class BreachesOut(Reply):
    fund_id = Id()
    fund_code = Text()
    fund_name = Text()
    indicators = Lines(IndicatorOut, doc="the indicators in breach")

    @ma.pre_dump
    def _of(self, f: FundIndicators, **kwargs: Any) -> dict[str, Any]:
        return {"fund_id": f.fund_id, "fund_code": f.fund_code, "fund_name": f.fund_name,
                "indicators": f.breaches}


class PolicyOut(ParentHeadOut):
    government_investor_types = Lines(Text())
    guidance = Object(FundIndicatorsOut)
    sub_funds = Lines(FundIndicatorsOut)
    breaches = Lines(BreachesOut)
