"""Flask-Login wiring: user loading with session versions, and the login page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext

from fundops.auth.models import User
from fundops.extensions import db, login_manager
from fundops.messages.marker import N_


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    # Flashed in the page's language (translated when shown, so the session stores text).
    login_manager.login_message = N_("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = gettext

    @login_manager.user_loader
    def _load(user_key: str) -> User | None:
        # The key is "id:session_version"; a bumped version invalidates old cookies.
        try:
            user_id_str, version_str = user_key.split(":", 1)
            user_id, version = int(user_id_str), int(version_str)
        except ValueError:
            return None
        user = db.session.scalar(sa.select(User).where(User.id == user_id))
        if user is None or user.session_version != version or not user.is_active:
            return None
        return user
