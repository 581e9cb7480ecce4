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
    from fundops.logging_setup import configure_logging
    from fundops.web import request_guard, security, tables

    configure_logging(app)
    register_extensions(app)
    request_guard.init_app(app)  # before every other before_request (CSRF parses the form)
    security.init_app(app)
    tables.init_app(app)  # after security: hooks run in reverse, the download gets the headers
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a row id from 1 to 2**31 − 1 (the databases' 32-bit
    INTEGER keys), written without leading zeros.

    The range is in the converter's regex, not only in ``to_python``: Werkzeug checks the
    method before converting, so a range check there made ``POST /x/2147483648`` a 405
    wherever a GET rule shared the path. Now 0, a larger number or ``007`` never match,
    so they are a plain 404 on every route, whatever the method.
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
        if self.min == 1 and not self.fixed_digits and not self.signed and self.max:
            self.regex = positive_up_to(int(self.max))


def positive_up_to(limit: int) -> str:
    """A regex (no groups) matching exactly the decimal numbers 1..``limit`` without
    leading zeros."""
    digits = str(limit)
    options = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, d in enumerate(digits):
        rest = len(digits) - i - 1
        low = "1" if i == 0 else "0"
        top = int(d) - 1
        if top >= int(low):
            options.append(digits[:i] + f"[{low}-{top}]" + (rf"\d{{{rest}}}" if rest else ""))
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


def register_extensions(app: Flask) -> None:
    import fundops.models  # noqa: F401  (registers every table on the metadata)
    from fundops import i18n
    from fundops.auth.session import init_login
    from fundops.extensions import csrf, db, migrate
    from fundops.web import formtokens

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
    from fundops import api, exits, metrics, portfolio, reports, syndication
    from fundops.approvals.api import bp as approvals_api
    from fundops.approvals.views import bp as approvals_bp
    from fundops.auth.views import bp as auth_bp
    from fundops.exits.api import bp as exits_api
    from fundops.exits.ipo_api import bp as exits_ipo_api
    from fundops.exits.transfer_api import bp as exits_transfers_api
    from fundops.exits.transfer_views import use_lp_metrics
    from fundops.exits.waterfall_api import bp as exits_waterfall_api
    from fundops.exits.waterfall_queries import use_fund_nav
    from fundops.extensions import csrf
    from fundops.metrics.api import bp as metrics_api
    from fundops.metrics.parent_api import bp as parent_api
    from fundops.metrics.perspectives import fund_nav, lp_positions
    from fundops.portfolio.api import bp as portfolio_api
    from fundops.portfolio.api_ledger import bp as portfolio_ledger_api
    from fundops.syndication.loans.api import bp as loans_api
    from fundops.syndication.pools.api import bp as pools_api
    from fundops.syndication.term_sheets.api import bp as term_sheets_api

    app.register_blueprint(auth_bp)
    portfolio.register(app)
    metrics.register(app)
    syndication.register(app)
    exits.register(app)
    reports.register(app)
    app.register_blueprint(approvals_bp)
    use_lp_metrics(lp_positions)
    use_fund_nav(fund_nav)
    api_blueprints = [portfolio_api, portfolio_ledger_api, term_sheets_api, loans_api,
                      pools_api, approvals_api, metrics_api, parent_api, exits_api,
                      exits_ipo_api, exits_transfers_api, exits_waterfall_api,
                      *reports.api_blueprints()]
    for blueprint in api_blueprints:
        csrf.exempt(blueprint)
    api.init_app(app, api_blueprints)


def register_errorhandlers(app: Flask) -> None:
    from fundops.web.errors import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from fundops.commands import init_app

    init_app(app)
