"""LP payments (the reporting issue, item 2): payment terms per fund, capital calls issued
with due dates, receipts against call lines, arrears with default interest (逾期出资) and the
equalisation of later closers. Other reporting code imports :func:`queries.due_on` and
:func:`queries.line_status`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from fundops.api.blueprint import Blueprint


def register(app: Flask) -> None:
    """Register the payments pages' blueprint (the view module adds its routes when
    imported), the fund page's panel, and the equalisation's claim on the ledger entries
    it posts (reversed only together)."""
    from fundops.portfolio.ledger_services import register_reversal_owner
    from fundops.reports.payments import views  # noqa: F401
    from fundops.reports.payments.equalisation import equalisation_owner
    from fundops.reports.payments.web import bp, register_panel

    register_panel()
    register_reversal_owner("equalisation", equalisation_owner)
    app.register_blueprint(bp)


def api_blueprint() -> Blueprint:
    from fundops.reports.payments.api import bp

    return bp
