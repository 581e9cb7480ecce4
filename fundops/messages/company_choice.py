"""Messages of the company chooser (a company typed by credit code, name or number): code →
English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "company_choice_unknown": N_(
        "%(label)s: no company you may use matches “%(text)s”; enter its unified social "
        "credit code (18 characters) or its exact registered name, or look it up in the "
        "company list"),
    "company_choice_ambiguous": N_(
        "%(label)s: “%(text)s” matches %(count)s company records; pick one of them from the "
        "suggestions (each with its record number)"),
}
