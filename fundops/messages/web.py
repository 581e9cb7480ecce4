"""Messages of the web feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_  # noqa: F401

MESSAGES: dict[str, str] = {
    # form tokens
    "form_token_missing": N_("This form lacks its one-time token, or the token belongs to "
                             "another user: reload the page and submit the form again."),
    "form_already_submitted": N_("This form was already submitted; showing its result."),
}
