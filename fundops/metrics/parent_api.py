"""Parent-fund JSON on the token-authenticated ``api`` blueprint (/api/v1).

Routes (``?as_of=YYYY-MM-DD``, default today in the business timezone; a bad parameter is
a 422 naming it; a fund the token's user may not see is a 404):

- ``GET /funds/<fund_id>/look-through[?basis=paid_in|commitment&limit=100]``
- ``GET /funds/<fund_id>/leverage``
- ``GET /funds/<fund_id>/loan-leverage``: bank credit on the portfolio's rounds (totals only)
- ``GET /funds/<fund_id>/policy``

Every figure carries its definition, numerator, denominator and basis. Amounts are exact
decimal strings in yuan (0.01, as the services round them); shares are 10-place decimal
strings; leverage and indicator values are 4-place decimal strings; ``null`` means n/a
(zero denominator), never 0. Dates are ISO 8601.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from fundops.api.legacy import _json, bp, fund_json
from fundops.auth.current import current_actor
from fundops.calc.leverage import LeverageRatio, SubFundLeverage
from fundops.calc.lookthrough import Breakdown, ExposureRow, LookThroughResult, quantize_fraction
from fundops.calc.policy import FundIndicators, Indicator
from fundops.errors import ValidationError
from fundops.metrics.leverage import leverage, load_fund_labels
from fundops.metrics.loan_leverage import loan_leverage
from fundops.metrics.lookthrough import look_through
from fundops.metrics.parent_views import LOOK_THROUGH_DEFINITION, SHARE_DEFINITIONS
from fundops.metrics.policy import policy_indicators
from fundops.metrics.views import business_today, parse_as_of
from fundops.portfolio.access import get_fund

DEFAULT_LIMIT = 100
MAX_LIMIT = 100_000
SHARE_TERMS = {
    "paid_in": ("parent's paid-in to the sub-fund", "sub-fund's total paid-in"),
    "commitment": ("parent's commitments to the sub-fund", "sub-fund's total commitments"),
}


def _as_of() -> Any:
    return parse_as_of(request.args.get("as_of"), business_today())


def parse_limit(text: str | None) -> int:
    """Rows to return: a whole number from 0 to 100,000; blank means 100."""
    if text is None or not text.strip():
        return DEFAULT_LIMIT
    if not text.strip().isdigit() or int(text) > MAX_LIMIT:
        raise ValidationError("limit", "limit_range", value=text, high=MAX_LIMIT)
    return int(text)


def _head(fund_id: int) -> dict[str, Any]:
    fund, access = get_fund(current_actor(), fund_id)
    return {"fund": fund_json(fund) | {"access": access.value}, "currency": fund.currency,
            "amount_unit": "yuan"}


def terms(formula: str) -> tuple[str | None, str | None]:
    """The numerator and denominator named by a ``numerator / denominator`` formula."""
    if formula.count(" / ") != 1:
        return None, None
    num, den = formula.split(" / ")
    return num.strip(), den.strip()


def _ratio(value: Any, formula: str, numerator: Any, denominator: Any) -> dict[str, Any]:
    num_name, den_name = terms(formula)
    return {"value": value, "numerator": {"name": num_name, "amount": numerator},
            "denominator": {"name": den_name, "amount": denominator}}


def breakdown_json(b: Breakdown, total: Any) -> dict[str, Any]:
    return {"key": b.key, "companies": b.companies, "exposure_amount": b.exposure_amount,
            "share_of_total": {"value": b.share_of_total,
                               "numerator": {"name": "exposure", "amount": b.exposure_amount},
                               "denominator": {"name": "total exposure", "amount": total}}}


def row_json(r: ExposureRow) -> dict[str, Any]:
    return {
        "company_id": r.company_id, "company_name": r.company_name, "sector": r.sector,
        "stage": r.stage, "region_code": r.region_code, "tags": list(r.tags),
        "is_hard_tech": r.is_hard_tech, "exposure_amount": r.exposure_amount, "paths": r.paths,
        "value_basis": r.value_basis,
        "via": [{"fund_id": p.fund_id, "weight": quantize_fraction(p.weight, 10),
                 "paths": p.paths, "holding_value": p.holding_value,
                 "value_basis": p.value_basis, "value_on": p.value_on} for p in r.via],
    }


def look_through_json(lt: LookThroughResult, limit: int,
                      labels: dict[int, tuple[str, str]]) -> dict[str, Any]:
    """The look-through at one date; ``rows`` are the ``limit`` largest exposures."""
    zh, en = LOOK_THROUGH_DEFINITION
    share_zh, share_en = SHARE_DEFINITIONS[lt.basis]
    num_name, den_name = SHARE_TERMS[lt.basis]
    through = quantize_fraction(lt.total_exact - lt.direct_total_exact)
    return {
        "as_of": lt.as_of, "basis": lt.basis, "holding_value": lt.holding_value,
        "definition": {"code": "look_through", "zh": zh, "en": en},
        "share_definition": {"code": lt.basis, "zh": share_zh, "en": share_en},
        "total_amount": lt.total_amount,
        "direct_amount": quantize_fraction(lt.direct_total_exact),
        "through_sub_funds_amount": through,
        "consistent": lt.consistent,
        "consistency": "total = direct holdings + Σ share × sub-fund look-through total "
                       "(checked exactly, before rounding)",
        "sub_funds": [{
            "fund_id": s.sub_fund_id, "fund_code": labels.get(s.sub_fund_id, ("", ""))[0],
            "fund_name": labels.get(s.sub_fund_id, ("", ""))[1],
            "share": {"value": s.share_rate, "basis": lt.basis,
                      "numerator": {"name": num_name, "amount": s.share_numerator},
                      "denominator": {"name": den_name, "amount": s.share_denominator}},
            "own_total_amount": quantize_fraction(s.own_total_exact),
            "attributed_amount": s.attributed_amount,
        } for s in lt.sub_funds],
        "rows_total": len(lt.rows), "limit": limit,
        "rows": [row_json(r) for r in lt.rows[:limit]],
        "breakdowns": {
            name: [breakdown_json(b, lt.total_amount) for b in items]
            for name, items in (("sector", lt.by_sector), ("stage", lt.by_stage),
                                ("region", lt.by_region), ("tag", lt.by_tag))
        },
    }


def leverage_ratio_json(r: LeverageRatio) -> dict[str, Any]:
    return {"definition": r.definition, "label_zh": r.label_zh, "label_en": r.label_en,
            "formula": r.formula, "basis": r.basis} | _ratio(r.value, r.formula, r.numerator,
                                                            r.denominator)


def leverage_sub_json(s: SubFundLeverage) -> dict[str, Any]:
    return {
        "fund_id": s.fund_id, "fund_code": s.fund_code, "fund_name": s.fund_name,
        "committed_total": s.committed_total, "paid_in_total": s.paid_in_total,
        "guidance_committed": s.guidance_committed, "guidance_paid_in": s.guidance_paid_in,
        "government_committed": s.government_committed,
        "government_paid_in": s.government_paid_in, "invested": s.invested,
        "co_invested": s.co_invested, "attributable_subscribed": s.attributable_subscribed,
        "attributable_paid_in": s.attributable_paid_in,
        "ratios": [leverage_ratio_json(r) for r in s.ratios],
    }


def indicator_json(i: Indicator) -> dict[str, Any]:
    rule = None if i.rule is None else {
        "rule_id": i.rule.rule_id, "fund_id": i.rule.fund_id, "rule_type": i.rule.rule_type,
        "comparison": i.rule.comparison, "threshold": i.rule.threshold, "basis": i.rule.basis,
        "effective_from": i.rule.effective_from, "source_citation": i.rule.source_citation,
    }
    return {"code": i.code, "label_zh": i.label_zh, "label_en": i.label_en,
            "formula": i.formula, "basis": i.basis} | _ratio(
        i.value, i.formula, i.numerator, i.denominator) | {
        "rule": rule, "breach": i.breach, "note": i.note}


def fund_indicators_json(f: FundIndicators) -> dict[str, Any]:
    return {"fund_id": f.fund_id, "fund_code": f.fund_code, "fund_name": f.fund_name,
            "role": f.role, "breach_count": len(f.breaches),
            "indicators": [indicator_json(i) for i in f.indicators]}


@bp.get("/funds/<int:fund_id>/look-through")
def parent_look_through(fund_id: int) -> Any:
    head = _head(fund_id)
    as_of, limit = _as_of(), parse_limit(request.args.get("limit"))
    lt = look_through(current_actor(), fund_id, as_of, request.args.get("basis") or "paid_in")
    labels = load_fund_labels([s.sub_fund_id for s in lt.sub_funds])
    return jsonify(_json(head | look_through_json(lt, limit, labels)))


@bp.get("/funds/<int:fund_id>/leverage")
def parent_leverage(fund_id: int) -> Any:
    head = _head(fund_id)
    rep = leverage(current_actor(), fund_id, _as_of())
    return jsonify(_json(head | {
        "as_of": rep.as_of, "government_investor_types": list(rep.government_types),
        "bases": {"subscribed": "认缴: commitments", "paid_in": "实缴: capital-call allocations"},
        "ratios": [leverage_ratio_json(r) for r in rep.ratios],
        "sub_funds": [leverage_sub_json(s) for s in rep.sub_funds],
    }))


@bp.get("/funds/<int:fund_id>/loan-leverage")
def parent_loan_leverage(fund_id: int) -> Any:
    """Bank credit linked to the portfolio's rounds per yuan of guidance capital (totals only)."""
    head = _head(fund_id)
    rep = loan_leverage(current_actor(), fund_id, _as_of())
    return jsonify(_json(head | {
        "as_of": rep.as_of, "rounds": rep.rounds, "loans": rep.loans,
        "credit_approved": rep.approved, "credit_disbursed": rep.disbursed,
        "ratios": [leverage_ratio_json(r) for r in rep.ratios],
    }))


@bp.get("/funds/<int:fund_id>/policy")
def parent_policy(fund_id: int) -> Any:
    head = _head(fund_id)
    rep = policy_indicators(current_actor(), fund_id, _as_of())
    return jsonify(_json(head | {
        "as_of": rep.as_of, "government_investor_types": list(rep.government_types),
        "guidance": fund_indicators_json(rep.guidance),
        "sub_funds": [fund_indicators_json(f) for f in rep.sub_funds],
        "breaches": [{"fund_id": f.fund_id, "fund_code": f.fund_code, "fund_name": f.fund_name,
                      "indicators": [indicator_json(i) for i in f.breaches]}
                     for f in rep.breaches],
    }))
