"""Messages of the auth feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "login_throttled": N_("Too many failed log-in attempts; try again in %(minutes)s "
                          "minutes."),
}
