"""The management-fee engine (issue 11 item 1, domain rules §3.8): fee terms per fund,
each period's fee call prepared as a draft (by a person or the daily job) with its
calculation lines and per-LP split, posted or discarded by a person.

Modules: :mod:`.models` (tables), :mod:`.bases` (the fee bases read from the ledger),
:mod:`.plan` (a draft computed without writing), :mod:`.services` (the writes and the
job's finder and action), :mod:`.queries`, pages (:mod:`.forms`, :mod:`.views` on the
blueprint of :mod:`.web`) and API (:mod:`.schemas`, :mod:`.api`). The arithmetic is in
:mod:`fundops.calc.fees`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from fundops.api.blueprint import Blueprint


def register(app: Flask) -> None:
    """Register the fee pages' blueprint (its routes are added when the view module is
    imported, here)."""
    from fundops.reports.fees import views  # noqa: F401
    from fundops.reports.fees.web import bp

    app.register_blueprint(bp)


def api_blueprint() -> Blueprint:
    from fundops.reports.fees.api import bp

    return bp
