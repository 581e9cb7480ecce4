"""Messages of the exit events (trade sales, escrow, buy-back claims, liquidations,
write-offs, reversals): code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    # --- the writer (fundops.exits.postings) ---
    "exit_before_investment": N_("%(on)s is before the fund's first investment in %(company)s "
                                 "(%(first)s)"),
    "exit_in_future": N_("%(on)s is after today (%(today)s)"),
    "exit_before_last_exit": N_("%(on)s is before the holding's latest exit (%(last)s); record "
                                "exits in date order"),
    "holding_closed": N_("The holding in %(company)s was fully exited on %(on)s; no further "
                         "exit can be recorded on it."),
    "shares_above_held": N_("%(shares)s shares is more than the %(held)s shares held"),
    "no_shares_held": N_("the holding has no shares left (%(held)s)"),
    "fraction_out_of_range": N_("%(value)s is not a fraction above 0 and at most 1"),
    "shares_or_fraction": N_("give the shares or the fraction, not both"),
    "exit_kind_disposes_all": N_("this kind of exit disposes of the whole holding"),
    "escrow_above_consideration": N_("the escrow %(escrow)s is more than the consideration "
                                     "%(consideration)s"),
    "escrow_due_before_exit": N_("%(due)s is before the exit date %(on)s"),
    "in_kind_needs_distribution": N_("an in-kind distribution needs its distribution entry of "
                                     "this fund, and only it"),
    "in_kind_no_escrow": N_("an in-kind distribution has no escrow"),
    "closing_exit_leaves_no_value": N_("a full exit leaves a value of 0"),
    # --- reversal ---
    "exit_event_not_found": N_("exit event %(exit_event_id)s not found"),
    "exit_reversal_of_reversal": N_("a reversal cannot be reversed; record a new exit instead"),
    "exit_already_reversed": N_("Exit event %(exit_event_id)s has already been reversed."),
    "exit_later_exit_first": N_("Exit event %(exit_event_id)s cannot be reversed: a later exit "
                                "on the same holding exists; reverse that one first."),
    "exit_has_escrow_releases": N_("Exit event %(exit_event_id)s cannot be reversed while its "
                                   "escrow releases stand; reverse them first."),
}
