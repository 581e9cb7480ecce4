"""The quarterly report of a fund (基金季度报告): its content (:mod:`.content`, pandas
frames from the ledger and the metrics), its document (:mod:`.build`,
:mod:`.parent_sections`), the files (:mod:`.packs`: :func:`fund_pack`,
:func:`consolidated_pack`), the pages (:mod:`.views`) and the API (:mod:`.api`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from fundops.api.blueprint import Blueprint


def register(app: Flask) -> None:
    """Register the report pages and the renderers' template helper."""
    from fundops.reports import render
    from fundops.reports.quarterly.views import bp

    render.install(app)
    app.register_blueprint(bp)


def api_blueprint() -> Blueprint:
    from fundops.reports.quarterly.api import bp

    return bp
