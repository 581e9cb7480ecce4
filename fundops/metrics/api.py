"""Metrics JSON on the token-authenticated ``api`` blueprint (/api/v1), and its serialisers.

Routes (``?as_of=YYYY-MM-DD``, default today in the business timezone; a bad date is a
422 naming ``as_of``; a fund, LP or deal the token's user may not see is a 404):

- ``GET /funds/<fund_id>/metrics[?perspective=fund_net,fund_gross,lp_net,deal]``
- ``GET /funds/<fund_id>/metrics/history``: fund net and gross at every quarter end
- ``GET /funds/<fund_id>/lps/<investor_id>/metrics``
- ``GET /funds/<fund_id>/deals/<company_id>/metrics``

Every position carries its definition (code, zh and en text). Amounts are exact decimal
strings in yuan; multiples are exact 10-place decimal strings, each with its numerator
and denominator; ``irr`` is the annual rate as a fraction rounded half-even to 10
places. ``null`` means "n/a" (nothing paid in, no rate solves the flows) — never 0.
The ``fundops metrics --format json`` command prints the same shapes.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from flask import jsonify, request

from fundops.api.legacy import _json, bp, fund_json
from fundops.auth.current import current_actor
from fundops.errors import ValidationError
from fundops.metrics import perspectives as P
from fundops.metrics.charts import quarter_label
from fundops.metrics.engine import Position
from fundops.metrics.views import STALE_AFTER_DAYS, business_today, parse_as_of
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.models import Fund

PERSPECTIVES = {"fund_net": "net", "fund_gross": "gross", "lp_net": "lps", "deal": "deals"}
ALIASES = {"net": "fund_net", "gross": "fund_gross", "lps": "lp_net", "lp": "lp_net",
           "deals": "deal"}
_TEN_PLACES = Decimal("1E-10")


def definition_json(code: str) -> dict[str, str]:
    zh, en = P.DEFINITIONS[code]
    return {"code": code, "zh": zh, "en": en}


def rate_text(value: float | None) -> str | None:
    """A float rate as a decimal string rounded half-even to 10 places; None stays None."""
    if value is None or not math.isfinite(value):
        return None
    return str(Decimal(value).quantize(_TEN_PLACES, rounding=ROUND_HALF_EVEN))


def _ratio(value: Decimal | None, num_name: str, num: Decimal | None, den_name: str,
           den: Decimal | None) -> dict[str, Any]:
    return {"value": value, "numerator": {"name": num_name, "amount": num},
            "denominator": {"name": den_name, "amount": den}}


def flow_names(perspective: str) -> tuple[str, str, str]:
    """Names of (money in, money out, terminal value) in a perspective's own words."""
    if perspective in ("deal", "fund_gross"):
        return "invested", "realised", "unrealised"
    return "paid_in", "distributed", "nav"


def value_basis(pos: Position) -> str:
    if pos.perspective == "fund_gross":
        return "holdings_and_sub_fund_nav"
    if pos.value_on is None:
        return "cost"
    return "fair_value" if pos.perspective == "deal" else "nav"


def position_json(pos: Position) -> dict[str, Any]:
    """One position: amounts, valuation basis and age, IRR and multiples with their terms."""
    paid, out, held = flow_names(pos.perspective)
    age = pos.value_age_days
    body: dict[str, Any] = {
        "perspective": pos.perspective,
        "definition": definition_json(pos.perspective),
        "as_of": pos.as_of,
        "committed": pos.committed,
        "paid_in": pos.paid_in,
        "distributed": pos.distributed,
        "value": pos.value,
        "value_on": pos.value_on,
        "value_age_days": age,
        "value_stale": None if age is None else age > STALE_AFTER_DAYS,
        "value_basis": value_basis(pos),
        "first_on": pos.first_on,
        "irr": rate_text(pos.irr),
        "short_track_record": pos.short_track_record,
        "irr_cumulative": rate_text(pos.irr_cumulative),
        "multiples": {
            "dpi": _ratio(pos.dpi, out, pos.distributed, paid, pos.paid_in),
            "rvpi": _ratio(pos.rvpi, held, pos.value, paid, pos.paid_in),
            "tvpi": _ratio(pos.tvpi, f"{out} + {held}", pos.distributed + pos.value, paid,
                           pos.paid_in),
        },
    }
    if pos.perspective in ("fund_net", "lp_net"):
        body["value_definition"] = definition_json("nav")
        body["multiples"]["pic"] = _ratio(pos.pic, "paid_in", pos.paid_in, "committed",
                                          pos.committed)
    if pos.perspective == "deal":
        body["multiples"]["moic"] = body["multiples"]["tvpi"]
    return body


def lp_json(line: P.LpLine) -> dict[str, Any]:
    return {"investor_id": line.investor_id, "investor_name": line.investor_name,
            "investor_type": line.investor_type} | position_json(line.position)


def deal_json(line: P.DealLine) -> dict[str, Any]:
    company = line.company
    return {"company_id": company.id, "company_name": company.name,
            "uscc": company.uscc} | position_json(line.position)


def _head(fund: Fund, access: Access, as_of: date) -> dict[str, Any]:
    return {"fund": fund_json(fund) | {"access": access.value}, "as_of": as_of,
            "currency": fund.currency, "stale_after_days": STALE_AFTER_DAYS}


def fund_metrics_json(report: P.FundMetrics,
                      perspectives: tuple[str, ...] = tuple(PERSPECTIVES)) -> dict[str, Any]:
    """A fund's metrics; only the ``perspectives`` asked for (all by default)."""
    body = _head(report.fund, report.access, report.as_of)
    if "fund_net" in perspectives:
        body["net"] = position_json(report.net)
    if "fund_gross" in perspectives:
        body["gross"] = None if report.gross is None else position_json(report.gross)
    if "lp_net" in perspectives:
        body["lps"] = [lp_json(line) for line in report.lps]
    if "deal" in perspectives:
        body["deals"] = [deal_json(line) for line in report.deals]
    return body


def lp_metrics_json(report: P.FundMetrics, line: P.LpLine) -> dict[str, Any]:
    return _head(report.fund, report.access, report.as_of) | {"lp": lp_json(line)}


def deal_metrics_json(report: P.FundMetrics, line: P.DealLine) -> dict[str, Any]:
    return _head(report.fund, report.access, report.as_of) | {"deal": deal_json(line)}


def _point(pos: Position | None) -> dict[str, Any] | None:
    if pos is None:
        return None
    return {"paid_in": pos.paid_in, "distributed": pos.distributed, "value": pos.value,
            "value_on": pos.value_on, "irr": rate_text(pos.irr),
            "short_track_record": pos.short_track_record,
            "irr_cumulative": rate_text(pos.irr_cumulative), "dpi": pos.dpi, "rvpi": pos.rvpi,
            "tvpi": pos.tvpi, "pic": pos.pic}


def history_json(fund: Fund, as_of: date, points: list[P.QuarterPoint]) -> dict[str, Any]:
    """Quarter-end points (the last one is ``as_of`` itself when it is not a quarter end)."""
    return {"fund": fund_json(fund), "as_of": as_of, "currency": fund.currency,
            "definitions": {code: definition_json(code) for code in ("fund_net", "fund_gross")},
            "points": [{"on": p.on, "quarter": quarter_label(p.on), "net": _point(p.net),
                        "gross": _point(p.gross)} for p in points]}


def parse_perspectives(text: str | None) -> tuple[str, ...]:
    """``fund_net,deal`` (or ``net``, ``gross``, ``lps``, ``deals``); blank means all four."""
    if text is None or not text.strip():
        return tuple(PERSPECTIVES)
    chosen: list[str] = []
    for part in text.split(","):
        name = ALIASES.get(part.strip().lower(), part.strip().lower())
        if name not in PERSPECTIVES:
            raise ValidationError("perspective", "not_one_of", value=part.strip(),
                                  allowed=", ".join(PERSPECTIVES))
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def _as_of() -> date:
    return parse_as_of(request.args.get("as_of"), business_today())


@bp.get("/funds/<int:fund_id>/metrics")
def metrics_fund(fund_id: int) -> Any:
    as_of = _as_of()
    chosen = parse_perspectives(request.args.get("perspective"))
    report = P.fund_metrics(current_actor(), fund_id, as_of)
    return jsonify(_json(fund_metrics_json(report, chosen)))


@bp.get("/funds/<int:fund_id>/metrics/history")
def metrics_history(fund_id: int) -> Any:
    as_of = _as_of()
    actor = current_actor()
    points = P.quarterly_history(actor, fund_id, as_of)
    return jsonify(_json(history_json(get_fund(actor, fund_id)[0], as_of, points)))


@bp.get("/funds/<int:fund_id>/lps/<int:investor_id>/metrics")
def metrics_lp(fund_id: int, investor_id: int) -> Any:
    as_of = _as_of()
    actor = current_actor()
    line = P.lp_position(actor, fund_id, investor_id, as_of)
    fund, access = get_fund(actor, fund_id)
    return jsonify(_json(_head(fund, access, as_of) | {"lp": lp_json(line)}))


@bp.get("/funds/<int:fund_id>/deals/<int:company_id>/metrics")
def metrics_deal(fund_id: int, company_id: int) -> Any:
    as_of = _as_of()
    actor = current_actor()
    line = P.deal_position(actor, fund_id, company_id, as_of)
    fund, access = get_fund(actor, fund_id)
    return jsonify(_json(_head(fund, access, as_of) | {"deal": deal_json(line)}))
