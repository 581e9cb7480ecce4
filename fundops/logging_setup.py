"""Structured logging to stderr (one JSON object per line) for the web app and jobs.

:func:`configure_logging` is called by :func:`fundops.create_app`, so the web workers,
``fundops jobs run`` and every CLI command log alike. It is idempotent (one handler, on
the ``fundops`` logger, however many apps are built) and leaves the root logger alone,
so pytest's ``caplog`` and gunicorn's own loggers keep working: records still
propagate to the root. Extra fields given as ``log.info("...", extra={"email": ...})``
appear as keys of the line.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from flask import Flask

_HANDLER_NAME = "fundops-stderr"
# Attributes every LogRecord has; anything else came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message", "asctime", "taskName"}


class JsonLinesFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", ...extra, "exc"?}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (test capture swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging must never break the request
            self.handleError(record)


def configure_logging(app: Flask | None = None, level: str | int | None = None) -> None:
    """Attach the JSON-lines stderr handler to the ``fundops`` logger (once) and set its
    level from ``level``, else ``app.config["LOG_LEVEL"]``, else INFO."""
    chosen = level or (app.config.get("LOG_LEVEL") if app is not None else None) or "INFO"
    logger = logging.getLogger("fundops")
    logger.setLevel(chosen if isinstance(chosen, int) else str(chosen).upper())
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler = StderrHandler()
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonLinesFormatter())
        logger.addHandler(handler)
