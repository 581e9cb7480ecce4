"""Metrics routes of the JSON API (/api/v1); replies in :mod:`fundops.metrics.schemas`.

Routes (``?as_of=YYYY-MM-DD``, default today in the business timezone; a bad date is a
422 naming ``as_of``; a fund, LP or deal the token's user may not see is a 404):

- ``GET /funds/<fund_id>/metrics[?perspective=fund_net,fund_gross,lp_net,deal]``
- ``GET /funds/<fund_id>/metrics/history``: fund net and gross at every quarter end
- ``GET /funds/<fund_id>/lps/<investor_id>/metrics``
- ``GET /funds/<fund_id>/deals/<company_id>/metrics``

The ``fundops metrics --format json`` command prints the same replies.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fundops.api.blueprint import ID, Blueprint, actor
from fundops.errors import ValidationError
from fundops.metrics import perspectives as P
from fundops.metrics import schemas as S
from fundops.metrics.asof import business_today, parse_as_of
from fundops.portfolio.access import get_fund

bp = Blueprint("metrics_api", __name__, description="Fund, LP and deal return metrics")

ALIASES = {"net": "fund_net", "gross": "fund_gross", "lps": "lp_net", "lp": "lp_net",
           "deals": "deal"}


def as_of(query: dict[str, Any]) -> date:
    """The query's ``as_of`` (blank: today in the business timezone)."""
    return parse_as_of(query.get("as_of"), business_today())


def parse_perspectives(text: str | None) -> tuple[str, ...]:
    """``fund_net,deal`` (or ``net``, ``gross``, ``lps``, ``deals``); blank means all four."""
    if text is None or not text.strip():
        return S.PERSPECTIVES
    chosen: list[str] = []
    for part in text.split(","):
        name = ALIASES.get(part.strip().lower(), part.strip().lower())
        if name not in S.PERSPECTIVES:
            raise ValidationError("perspective", "not_one_of", value=part.strip(),
                                  allowed=", ".join(S.PERSPECTIVES))
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


@bp.route(f"/funds/<{ID}:fund_id>/metrics")
@bp.arguments(S.MetricsQuery, location="query")
@bp.response(200, S.FundMetricsOut)
def metrics_fund(query: dict[str, Any], fund_id: int) -> Any:
    """The fund's net, gross, LP and deal metrics (or the perspectives asked for)."""
    on = as_of(query)
    chosen = parse_perspectives(query.get("perspective"))
    return S.fund_metrics_data(P.fund_metrics(actor(), fund_id, on), chosen)


@bp.route(f"/funds/<{ID}:fund_id>/metrics/history")
@bp.arguments(S.AsOfQuery, location="query")
@bp.response(200, S.HistoryOut)
def metrics_history(query: dict[str, Any], fund_id: int) -> Any:
    """Fund net and gross at every quarter end up to ``as_of``."""
    on = as_of(query)
    who = actor()
    points = P.quarterly_history(who, fund_id, on)
    return S.history_data(get_fund(who, fund_id)[0], on, points)


@bp.route(f"/funds/<{ID}:fund_id>/lps/<{ID}:investor_id>/metrics")
@bp.arguments(S.AsOfQuery, location="query")
@bp.response(200, S.LpMetricsOut)
def metrics_lp(query: dict[str, Any], fund_id: int, investor_id: int) -> Any:
    """One LP's position in the fund."""
    on = as_of(query)
    who = actor()
    line = P.lp_position(who, fund_id, investor_id, on)
    fund, access = get_fund(who, fund_id)
    return S.head(fund, access, on) | {"lp": line}


@bp.route(f"/funds/<{ID}:fund_id>/deals/<{ID}:company_id>/metrics")
@bp.arguments(S.AsOfQuery, location="query")
@bp.response(200, S.DealMetricsOut)
def metrics_deal(query: dict[str, Any], fund_id: int, company_id: int) -> Any:
    """The fund's position in one company."""
    on = as_of(query)
    who = actor()
    line = P.deal_position(who, fund_id, company_id, on)
    fund, access = get_fund(who, fund_id)
    return S.head(fund, access, on) | {"deal": line}
