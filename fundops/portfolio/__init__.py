"""Portfolio ledger: funds, investors, commitments, cash flows, valuations, companies."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the ``portfolio`` blueprint with its pages' routes on it (the view modules
    add their routes to :data:`fundops.portfolio.web.bp` when imported)."""
    from fundops.portfolio import ledger_views, views  # noqa: F401
    from fundops.portfolio.web import bp

    app.register_blueprint(bp)
