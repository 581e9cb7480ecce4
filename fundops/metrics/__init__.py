"""Metrics: returns, multiples, look-through, leverage and policy indicators."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from flask import Flask

if TYPE_CHECKING:
    from fundops.portfolio.book import FundBook


def register(app: Flask) -> None:
    """Register the ``metrics`` blueprint with both pages' routes on it (the view modules
    add their routes to :data:`fundops.metrics.web.bp` when imported)."""
    from fundops.metrics import parent_views, views  # noqa: F401
    from fundops.metrics.web import bp
    from fundops.portfolio.book import set_book_store

    app.register_blueprint(bp)
    set_book_store(_keep_book)


def _keep_book(fund_id: int, read: Callable[[], FundBook]) -> FundBook:
    """A fund page's book (:mod:`fundops.portfolio.book`) kept in the shared figure cache,
    valid while nothing in the fund's subtree changed (a parent's book shows its
    sub-funds' NAVs and commitments)."""
    from fundops.metrics.cache import cached
    from fundops.portfolio.book import BOOK_KIND, BOOK_VERSION

    return cast("FundBook", cached(BOOK_KIND, fund_id, BOOK_VERSION, read).value)
