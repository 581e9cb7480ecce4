"""fundops: fund-of-funds and venture portfolio management (Flask application factory)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, commands."""
    app = Flask(__name__, instance_relative_config=True)
    from fundops.config import load_config

    load_config(app, config)
    app.url_map.converters["int"] = RowIdConverter
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a row id that fits the databases' 32-bit INTEGER keys,
    so a larger number is a plain 404 instead of a database overflow."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_extensions(app: Flask) -> None:
    from fundops import formtokens, i18n
    from fundops.auth.session import init_login
    from fundops.extensions import csrf, db, migrate

    import fundops.models  # noqa: F401  (registers every table on the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True)
    csrf.init_app(app)
    formtokens.init_app(app)  # after CSRF: its hooks run on requests that passed CSRF
    init_login(app)
    i18n.init_app(app)


def _migrations_dir() -> str:
    import os

    # The Alembic environment lives in the repository's top-level ``migrations/``.
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def register_blueprints(app: Flask) -> None:
    from fundops.api import bp as api_bp
    from fundops.auth.views import bp as auth_bp
    from fundops.extensions import csrf
    from fundops.metrics.views import bp as metrics_bp
    from fundops.portfolio.views import bp as portfolio_bp
    from fundops.syndication.views import bp as syndication_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(portfolio_bp)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(syndication_bp)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def register_errorhandlers(app: Flask) -> None:
    from fundops.web_errors import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from fundops.cli import init_app

    init_app(app)
