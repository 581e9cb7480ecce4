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
    "not_one_of": N_("'%(value)s' is not one of: %(allowed)s"),
    "not_text": N_("must be text, not %(kind)s"),
    "not_a_number": N_("'%(value)s' is not a number"),
    "not_finite": N_("'%(value)s' is not a finite number"),
    "decimal_as_text": N_("give a decimal number as text, not %(value)s"),
    "not_positive": N_("must be greater than 0"),
    "not_fraction": N_("is a fraction between 0 and 1 (0.25 = 25 %%)"),
    "date_in_future": N_("%(on)s is in the future (today is %(today)s)"),
    "date_too_early": N_("%(on)s is before %(earliest)s"),
    "no_dates": N_("give at least one date"),
    "email_invalid": N_("'%(email)s' is not an email address"),
    "region_code_invalid": N_("'%(value)s' is not a six-digit administrative division code"),
    "currency_not_code": N_("is not a currency code: %(value)s"),
    "currency_unsupported": N_("is not a supported ISO 4217 currency code: %(value)s"),
    "amount_binary_float": N_("must be given as text or Decimal, not a binary float: %(value)s"),
    "amount_invalid": N_("is not a valid amount: %(value)s"),
    "amount_too_many_places": N_("must have at most %(places)s decimal places, got %(value)s"),
    "amount_zero": N_("must not be zero"),
    "amount_negative": N_("must not be negative, got %(value)s"),
    "amount_too_large": N_("must not exceed %(limit)s in absolute value"),
    "uscc_length": N_("must be %(length)s characters long, got %(got)s"),
    "uscc_bad_char": N_(
        "contains invalid character %(char)s at position %(position)s (allowed: "
        "digits and letters other than I, O, S, V, Z)"),
    "uscc_check_char": N_("has the wrong check character: expected %(expected)s, got %(got)s"),
    "split_total_places": N_("total %(total)s has more than %(places)s decimal places"),
    "split_part_places": N_("part for %(key)s (%(value)s) has more than %(places)s decimal places"),
    "split_part_total_zero": N_("part for %(key)s is %(value)s but the total is zero"),
    "split_part_sign": N_("part for %(key)s is %(value)s, opposite in sign to the total %(total)s"),
    "split_sum_mismatch": N_(
        "parts sum to %(parts_sum)s but the total is %(total)s (difference "
        "%(difference)s)"),
    "concurrent_change": N_(
        "this conflicts with a change made at the same moment; read the current "
        "state and retry"),
}
