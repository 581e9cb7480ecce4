"""Messages of the companies feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_  # noqa: F401

MESSAGES: dict[str, str] = {
}
