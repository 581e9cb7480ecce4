"""Call and distribution notices (the reporting issue, item 4): a numbered notice per LP
of a capital call (缴款通知书) or a distribution (分配通知书), with the fund's receiving
account (收款账户), as a page, xlsx and PDF, and through the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from fundops.api.blueprint import Blueprint


def register(app: Flask) -> None:
    """Register the notices pages' blueprint."""
    from fundops.reports.notices.views import bp

    app.register_blueprint(bp)


def api_blueprint() -> Blueprint:
    from fundops.reports.notices.api import bp

    return bp
