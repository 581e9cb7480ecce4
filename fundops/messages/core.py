"""Generic messages: shapes of input, request hygiene, concurrency."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "invalid": N_("is invalid"),
    "rule_violated": N_("The operation violates a business rule."),
    "not_found": N_("The requested record was not found."),
    "forbidden": N_("You are not allowed to perform this operation."),
    "conflict": N_("The operation conflicts with the current state of the record."),
    "confirmation_required": N_("Please confirm: the entry looks implausible."),
    "required": N_("is required"),
    "too_long": N_("is longer than %(max_len)s characters"),
    "not_a_date": N_("'%(value)s' is not a date (YYYY-MM-DD)"),
    "not_whole_number": N_("must be a whole number"),
    "out_of_range": N_("must be between %(low)s and %(high)s"),
    "not_a_choice": N_("'%(value)s' is not one of the allowed values"),
    "not_boolean": N_("'%(value)s' is not true or false"),
    "busy_retry": N_("The system is busy with another change to the same record; please retry."),
    "duplicate": N_("A record with the same identity already exists."),
}
