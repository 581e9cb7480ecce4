"""The acting user of the current request as a service-layer :class:`Actor`."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from fundops.uow import Actor


def current_actor() -> Actor:
    """Actor for the logged-in browser user, or the API token's user (set on ``g``)."""
    api_actor: Actor | None = g.get("api_actor")
    if api_actor is not None:
        return api_actor
    user = current_user
    return Actor(
        user_id=user.id,
        organisation_id=user.organisation_id,
        role=user.role,
        auth_method="session",
    )
