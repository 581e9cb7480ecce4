"""The jobs' log lines: ``event=… key=value …`` (logfmt) on the ``fundops.jobs`` logger."""

from __future__ import annotations

import logging
import sys
from datetime import datetime

log = logging.getLogger("fundops.jobs")


def _value(value: object) -> str:
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    if not text or any(c in text for c in ' "=\n'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def log_event(level: int, event: str, **fields: object) -> None:
    """Log one ``event=… key=value …`` line (logfmt) on the ``fundops.jobs`` logger."""
    text = " ".join([f"event={event}"] + [f"{k}={_value(v)}" for k, v in fields.items()])
    log.log(level, text, exc_info=level >= logging.ERROR and sys.exc_info()[0] is not None)


def ensure_logging() -> None:
    """Give ``fundops.jobs`` a stderr handler at INFO unless logging is configured already."""
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    if not log.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(
            "time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"))
        log.addHandler(handler)
