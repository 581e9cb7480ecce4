"""Exits (退): exit events on holdings, IPO lock-ups and sell-downs, buy-back claims,
escrow releases; later the distribution waterfall and LP-interest transfers.

Exits post their cash through :mod:`fundops.portfolio.ledger_services` and close a
holding by a zero holding valuation at the exit date, so every view (deal metrics,
look-through, policy indicators) reads a closed holding as 0 from that date.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the ``exits`` blueprint with the exit pages' routes on it (the view module
    adds its routes when imported; imported here, so no module imports its importer), and
    the fund page's panel of exit reminders, and the waterfall's claim on its ledger
    entries (reversed only through the run)."""
    from fundops.exits import ipo_views, views, waterfall_views  # noqa: F401
    from fundops.exits.reminder_panel import register_panel
    from fundops.exits.transfer_views import bp as transfers_bp
    from fundops.exits.waterfall_queries import run_of_entry
    from fundops.exits.web import bp
    from fundops.portfolio.ledger_services import register_reversal_owner

    register_panel()
    register_reversal_owner("waterfall", run_of_entry)
    app.register_blueprint(bp)
    app.register_blueprint(transfers_bp)
