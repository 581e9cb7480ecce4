"""Messages of the exchange feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "id_invalid": N_("is not a valid id: %(value)s"),
    "decimal_not_text": N_(
        'must be written as text (a decimal string such as "1234.50"), not '
        "%(kind)s %(value)s"),
    "date_with_time": N_("must be a date without a time, got %(value)s"),
    "date_not_text": N_("must be a date written as YYYY-MM-DD, not %(kind)s %(value)s"),
    "timestamp_not_text_cell": N_(
        "must be ISO 8601 text with a UTC offset, e.g. "
        "2024-03-31T08:00:00+00:00"),
    "timestamp_not_text": N_("must be ISO 8601 text, not %(kind)s"),
    "timestamp_invalid": N_("%(value)s is not an ISO 8601 timestamp"),
    "timestamp_no_offset": N_("%(value)s has no UTC offset (add +00:00)"),
    "bool_invalid": N_("must be true or false, got %(value)s"),
    "int_invalid": N_("must be an integer, got %(value)s"),
    "tags_not_text": N_("must be text such as 'srdi,high_tech', not %(kind)s"),
}
