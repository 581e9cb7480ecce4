"""Quarterly report route of the JSON API (/api/v1); reply in :mod:`.schemas`.

``GET /funds/<fund_id>/reports/quarterly?quarter=2025Q2`` (default: the last ended
quarter): the report's sections as data. A fund the token's user may not see is a 404; a
quarter that is not one, before the fund's inception or not yet ended is a 422 naming
``quarter``.
"""

from __future__ import annotations

from typing import Any

from fundops.api.blueprint import ID, Blueprint, actor
from fundops.calc.periods import Quarter
from fundops.clock import business_today
from fundops.portfolio.access import get_fund
from fundops.reports.quarterly import schemas as S
from fundops.reports.quarterly.content import latest_quarter, quarterly_report

bp = Blueprint("reports_quarterly_api", __name__, description="Quarterly fund reports")


@bp.route(f"/funds/<{ID}:fund_id>/reports/quarterly")
@bp.arguments(S.QrQuarterQuery, location="query")
@bp.response(200, S.QuarterlyReportOut)
def quarterly(query: dict[str, Any], fund_id: int) -> Any:
    """The fund's quarterly report: overview, commitments, performance, investments, cash
    flows, fees, capital accounts, subsequent events (and the parent fund's parts)."""
    who = actor()
    fund, _ = get_fund(who, fund_id)
    raw = query.get("quarter")
    quarter = Quarter.parse(raw) if raw else latest_quarter(fund, business_today())
    return S.report_data(quarterly_report(who, fund.id, quarter))
