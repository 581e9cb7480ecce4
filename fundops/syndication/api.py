"""TEMPORARY shim: the linked-lending routes moved to :mod:`.term_sheets.api` and
:mod:`.loans.api` (flask-smorest). What is left here only serves the risk-pool routes
(:mod:`.pools.api`, still on the legacy blueprint) until they move too; delete it then."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from fundops.api.blueprint import ID
from fundops.jsonvalues import to_json
from fundops.syndication.api_support import usable as _usable

__all__ = ["ID", "_reply", "_usable"]


def _reply(body: Any, status: int = 200, location: str | None = None) -> Response:
    response = jsonify(to_json(body))
    response.status_code = status
    if location is not None:
        response.headers["Location"] = location
    return response
