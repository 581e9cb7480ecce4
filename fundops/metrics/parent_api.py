"""Parent-fund routes of the JSON API (/api/v1); replies in
:mod:`fundops.metrics.parent_schemas`.

Routes (``?as_of=YYYY-MM-DD``, default today in the business timezone; a bad parameter is
a 422 naming it; a fund the token's user may not see is a 404, checked first):

- ``GET /funds/<fund_id>/look-through[?basis=paid_in|commitment&limit=100]``
- ``GET /funds/<fund_id>/leverage``
- ``GET /funds/<fund_id>/loan-leverage``: bank credit on the portfolio's rounds (totals only)
- ``GET /funds/<fund_id>/policy``
"""

from __future__ import annotations

from typing import Any

from fundops.api.blueprint import ID, Blueprint, actor
from fundops.errors import ValidationError
from fundops.metrics import parent_schemas as S
from fundops.metrics.api import as_of
from fundops.metrics.leverage import leverage, load_fund_labels
from fundops.metrics.loan_leverage import loan_leverage
from fundops.metrics.lookthrough import look_through
from fundops.metrics.policy import policy_indicators
from fundops.metrics.schemas import AsOfQuery
from fundops.portfolio.access import get_fund

bp = Blueprint("parent_api", __name__,
               description="A parent fund: look-through, leverage, policy indicators")

DEFAULT_LIMIT = 100
MAX_LIMIT = 100_000


def parse_limit(text: str | None) -> int:
    """Rows to return: a whole number from 0 to 100,000; blank means 100."""
    if text is None or not text.strip():
        return DEFAULT_LIMIT
    if not text.strip().isdigit() or int(text) > MAX_LIMIT:
        raise ValidationError("limit", "limit_range", value=text, high=MAX_LIMIT)
    return int(text)


def _head(fund_id: int) -> dict[str, Any]:
    return S.parent_head(*get_fund(actor(), fund_id))


@bp.route(f"/funds/<{ID}:fund_id>/look-through")
@bp.arguments(S.LookThroughQuery, location="query")
@bp.response(200, S.LookThroughOut)
def parent_look_through(query: dict[str, Any], fund_id: int) -> Any:
    """Every company the fund holds directly or through its sub-funds, at any depth."""
    head = _head(fund_id)
    on, limit = as_of(query), parse_limit(query.get("limit"))
    lt = look_through(actor(), fund_id, on, query.get("basis") or "paid_in")
    cash_funds = [] if lt.net_assets is None else [x.fund_id for x in lt.net_assets.cash_lines]
    labels = load_fund_labels([s.sub_fund_id for s in lt.sub_funds] + cash_funds)
    return head | S.look_through_data(lt, limit, labels)


@bp.route(f"/funds/<{ID}:fund_id>/leverage")
@bp.arguments(AsOfQuery, location="query")
@bp.response(200, S.LeverageOut)
def parent_leverage(query: dict[str, Any], fund_id: int) -> Any:
    """The guidance fund's leverage ratios, in total and per sub-fund."""
    head = _head(fund_id)
    rep = leverage(actor(), fund_id, as_of(query))
    return head | {"as_of": rep.as_of, "government_investor_types": rep.government_types,
                   "bases": S.BASES, "ratios": rep.ratios, "sub_funds": rep.sub_funds}


@bp.route(f"/funds/<{ID}:fund_id>/loan-leverage")
@bp.arguments(AsOfQuery, location="query")
@bp.response(200, S.LoanLeverageOut)
def parent_loan_leverage(query: dict[str, Any], fund_id: int) -> Any:
    """Bank credit linked to the portfolio's rounds per yuan of guidance capital (totals only)."""
    head = _head(fund_id)
    rep = loan_leverage(actor(), fund_id, as_of(query))
    return head | {"as_of": rep.as_of, "rounds": rep.rounds, "loans": rep.loans,
                   "credit_approved": rep.approved, "credit_disbursed": rep.disbursed,
                   "ratios": rep.ratios}


@bp.route(f"/funds/<{ID}:fund_id>/policy")
@bp.arguments(AsOfQuery, location="query")
@bp.response(200, S.PolicyOut)
def parent_policy(query: dict[str, Any], fund_id: int) -> Any:
    """Policy indicators of the guidance fund and its sub-funds, against the rules in force."""
    head = _head(fund_id)
    rep = policy_indicators(actor(), fund_id, as_of(query))
    return head | {"as_of": rep.as_of, "government_investor_types": rep.government_types,
                   "guidance": rep.guidance, "sub_funds": rep.sub_funds,
                   "breaches": rep.breaches}
