"""Messages of reporting (capital account statements, notices, quarterly reports):
code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "quarter_invalid": N_("%(value)s is not a quarter: write it like 2025Q2"),
    "statement_end_in_future": N_("a statement cannot end after today (%(end)s)"),
    "statement_before_inception": N_(
        "the statement ends on %(end)s, before the fund's inception on %(inception)s"),
    "statement_period_kind": N_(
        "unknown statement period %(value)s: choose quarter to date, year to date or since "
        "inception"),
    "statement_period_reversed": N_(
        "the statement period ends (%(end)s) before it starts (%(start)s)"),
}
