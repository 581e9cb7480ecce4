"""Bearer-token authentication of every /api/v1 request (the document included); the
API never reads the session and is exempt from CSRF."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request

from fundops.auth.accounts import token_digest
from fundops.auth.models import ApiToken
from fundops.db import utcnow
from fundops.extensions import db
from fundops.uow import Actor


def _unauthorized(message: str) -> Any:
    return jsonify({"error": "unauthorized", "message": message}), 401


def authenticate() -> Any:
    """Sets ``g.api_actor`` from a live token of an active user, else answers 401."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _unauthorized("Bearer token required")
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_sha256 == token_digest(header[7:].strip())))
    now = utcnow()
    if (token is None or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at < now)
            or not token.user.is_active):
        return _unauthorized("invalid or expired token")
    user = token.user
    g.api_actor = Actor(user_id=user.id, organisation_id=user.organisation_id,
                        role=user.role, auth_method="token")
    return None
