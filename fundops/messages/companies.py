"""Messages of the companies feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "company_already_recorded": N_(
        "your organisation has already recorded the company with credit code %(uscc)s"),
}
