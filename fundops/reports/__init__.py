"""Reporting (the reporting issue): management fees, LP payments, capital account
statements, notices and the quarterly LP report in web, xlsx and PDF, with report runs kept
as records.

``reports`` reads every feature and ``metrics`` (figures, NAV shares); no feature and not
metrics imports it (pyproject ``[tool.importlinter]``). Its subpackages register their page
blueprints, API blueprints and scheduler tasks through :func:`register` and
:func:`api_blueprints`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from fundops.api.blueprint import Blueprint


def register(app: Flask) -> None:
    """Register the reporting pages' blueprints (each module adds its routes when
    imported; imported here, so no module imports its importer) and the report packs
    that runs keep as records (:mod:`fundops.reports.runs.registry`)."""
    from fundops.reports import bank, fees, notices, payments, quarterly, runs
    from fundops.reports.bank import views as bank_views  # noqa: F401
    from fundops.reports.quarterly.packs import archived_fund_pack
    from fundops.reports.runs.inputs import fund_tree_inputs
    from fundops.reports.runs.registry import register_pack
    from fundops.reports.statement_views import bp as statements_bp

    quarterly.register(app)
    app.register_blueprint(statements_bp)
    payments.register(app)
    fees.register(app)
    notices.register(app)
    register_pack("fund_quarterly", archived_fund_pack, inputs=fund_tree_inputs)
    bank.register()  # the bank's loan book pack
    runs.register(app)


def api_blueprints() -> list[Blueprint]:
    """The reporting API blueprints, for the app factory's list."""
    from fundops.reports import fees, notices, payments, quarterly
    from fundops.reports.runs.api import bp as runs_api
    from fundops.reports.statement_api import bp as statements_api

    return [quarterly.api_blueprint(), statements_api, payments.api_blueprint(),
            fees.api_blueprint(), notices.api_blueprint(), runs_api]
