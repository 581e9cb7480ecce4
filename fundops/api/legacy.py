"""TEMPORARY during the move to flask-smorest: the old hand-written /api/v1 blueprint that
the not-yet-moved routes still join. Deleted when the last route has moved."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from fundops.api.auth import authenticate
from fundops.errors import NotFound
from fundops.jsonvalues import to_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")

_json = to_json


@bp.before_request
def _authenticate() -> Any:
    return authenticate()


def fund_json(fund: Any) -> dict[str, Any]:
    return {
        "id": fund.id, "code": fund.code, "name_zh": fund.name_zh, "name_en": fund.name_en,
        "kind": fund.kind.value, "currency": fund.currency, "vintage": fund.vintage,
        "stage": fund.stage.value, "region_code": fund.region_code,
        "is_guidance_fund": fund.is_guidance_fund, "inception_on": fund.inception_on,
        "term_end_on": fund.term_end_on, "target_size_amount": fund.target_size_amount,
    }


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Any:
    return jsonify({"error": "not_found", "message": "Not found"}), 404


from fundops.approvals import api as _approvals_api  # noqa: E402,F401
from fundops.metrics import api as _metrics_api  # noqa: E402,F401
from fundops.metrics import parent_api as _parent_api  # noqa: E402,F401
from fundops.syndication.pools import api as _pools_api  # noqa: E402,F401
