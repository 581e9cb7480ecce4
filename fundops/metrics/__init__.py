"""Metrics: returns, multiples, look-through, leverage and policy indicators."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the ``metrics`` blueprint with both pages' routes on it (the view modules
    add their routes to :data:`fundops.metrics.web.bp` when imported)."""
    from fundops.metrics import parent_views, views  # noqa: F401
    from fundops.metrics.web import bp

    app.register_blueprint(bp)
