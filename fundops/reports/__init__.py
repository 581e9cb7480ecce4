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
    imported; imported here, so no module imports its importer) and the report packs."""
    from fundops.reports import bank, runs
    from fundops.reports.bank import views as bank_views  # noqa: F401

    bank.register()  # the bank's loan book pack
    runs.register(app)


def api_blueprints() -> list[Blueprint]:
    """The reporting API blueprints, for the app factory's list."""
    from fundops.reports.runs.api import bp as runs_api

    return [runs_api]
