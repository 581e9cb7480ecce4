"""TEMPORARY during the move to flask-smorest: the old hand-written /api/v1 blueprint that
the not-yet-moved routes still join. Deleted when the last route has moved."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from fundops.api.auth import authenticate
from fundops.errors import NotFound

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _authenticate() -> Any:
    return authenticate()


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Any:
    return jsonify({"error": "not_found", "message": "Not found"}), 404


from fundops.syndication import api as _syndication_api  # noqa: F401
