"""Report runs kept as records (issue 11 item 7): a registry of pack builders
(:mod:`.registry`), each run's inputs and their hash (:mod:`.inputs`), the service that
runs a pack once per inputs and makes a new version with its reason when they change
(:mod:`.services`), the scheduled runs (:mod:`.schedule`), the ``fundops reports run``
command (:mod:`.cli`), the pages (:mod:`.views`) and the API (:mod:`.api`)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the ``report_runs`` blueprint with the run pages on it (the view module
    adds its routes when imported; other reporting modules' pages on this blueprint, such
    as the bank's loan book, are imported before this by :func:`fundops.reports.register`)."""
    from fundops.reports.runs import views  # noqa: F401
    from fundops.reports.runs.web import bp

    app.register_blueprint(bp)
