"""Token-authenticated JSON API under /api/v1 (CSRF-exempt; never reads the session).

Amounts are exact decimal strings with their currency; dates are ISO 8601.
Another organisation's object is a 404, exactly as in the pages.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, request

from fundops.auth.accounts import token_digest
from fundops.auth.current import current_actor
from fundops.auth.models import ApiToken
from fundops.db import utcnow
from fundops.errors import NotFound
from fundops.extensions import db
from fundops.jsonvalues import to_json
from fundops.portfolio import queries
from fundops.portfolio.access import get_company, get_fund, list_funds, visible_fund_ids
from fundops.portfolio.models import Fund
from fundops.uow import Actor

bp = Blueprint("api", __name__, url_prefix="/api/v1")

_json = to_json


@bp.before_request
def _authenticate() -> Any:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return jsonify({"error": "unauthorized", "message": "Bearer token required"}), 401
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_sha256 == token_digest(header[7:].strip()))
    )
    now = utcnow()
    if (token is None or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at < now)
            or not token.user.is_active):
        return jsonify({"error": "unauthorized", "message": "invalid or expired token"}), 401
    user = token.user
    g.api_actor = Actor(user_id=user.id, organisation_id=user.organisation_id,
                        role=user.role.value, auth_method="token")
    return None


def fund_json(fund: Fund) -> dict[str, Any]:
    return {
        "id": fund.id, "code": fund.code, "name_zh": fund.name_zh, "name_en": fund.name_en,
        "kind": fund.kind.value, "currency": fund.currency, "vintage": fund.vintage,
        "stage": fund.stage.value, "region_code": fund.region_code,
        "is_guidance_fund": fund.is_guidance_fund, "inception_on": fund.inception_on,
        "term_end_on": fund.term_end_on, "target_size_amount": fund.target_size_amount,
    }


@bp.get("/funds")
def funds() -> Any:
    return jsonify(_json({"funds": [fund_json(f) for f in list_funds(current_actor())]}))


@bp.get("/funds/<int:fund_id>")
def fund_detail(fund_id: int) -> Any:
    actor = current_actor()
    fund, access = get_fund(actor, fund_id)
    totals = queries.get_fund_totals(fund)
    lps = queries.list_lp_positions(fund, access, actor.organisation_id)
    nav = totals.latest_nav
    body = fund_json(fund) | {
        "access": access.value,
        "committed_amount": totals.committed_amount,
        "paid_in_amount": totals.paid_in_amount,
        "distributed_amount": totals.distributed_amount,
        "latest_nav": None if nav is None else {"as_of": nav.as_of, "nav_amount": nav.nav_amount},
        "lps": [{
            "investor_id": p.investor_id, "name": p.investor_name, "type": p.investor_type,
            "committed_amount": p.committed_amount, "paid_in_amount": p.paid_in_amount,
            "distributed_amount": p.distributed_amount, "uncalled_amount": p.uncalled_amount,
        } for p in lps],
    }
    return jsonify(_json(body))


@bp.get("/funds/<int:fund_id>/ledger")
def fund_ledger(fund_id: int) -> Any:
    fund, access = get_fund(current_actor(), fund_id)
    entries = queries.list_ledger(fund.id)
    return jsonify(_json({"entries": [{
        "id": e.id, "kind": e.kind.value, "value_on": e.value_on, "amount": e.amount,
        "currency": e.currency, "recorded_at": e.recorded_at, "reverses_id": e.reverses_id,
        "company_id": e.company_id, "source_ref": e.source_ref,
    } for e in entries]}))


@bp.get("/companies/<int:company_id>")
def company_detail(company_id: int) -> Any:
    actor = current_actor()
    company = get_company(actor, company_id)
    investments = queries.list_company_investments(company.id, visible_fund_ids(actor.organisation_id))
    return jsonify(_json({
        "id": company.id, "name": company.name, "uscc": company.uscc, "sector": company.sector,
        "stage": company.stage.value, "region_code": company.region_code,
        "is_hard_tech": company.is_hard_tech, "tags": [t.value for t in company.tag_values],
        "investments": [{"fund_id": i.fund_id, "round": i.round_name, "amount": i.amount,
                         "currency": i.currency, "invested_on": i.invested_on} for i in investments],
    }))


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Any:
    return jsonify({"error": "not_found", "message": "Not found"}), 404


from fundops.approvals import api as _approvals_api  # noqa: E402,F401
from fundops.metrics import api as _metrics_api  # noqa: E402,F401
from fundops.metrics import parent_api as _parent_api  # noqa: F401
from fundops.syndication import api as _syndication_api  # noqa: F401
