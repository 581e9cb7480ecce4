"""Messages of LP payments (payment terms, due dates, receipts, default interest,
equalisation of later closers): code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "payment_rate_negative": N_("a rate must not be negative (%(value)s)"),
    "payment_rate_too_high": N_("%(value)s is too high for this rate"),
    "call_not_in_fund": N_("entry %(entry_id)s is not a capital call of this fund"),
    "call_reversed": N_("the call was reversed: nothing is due on it"),
    "call_already_issued": N_(
        "the call was already issued on %(issued_on)s, due on %(due_on)s"),
    "due_before_call": N_("the due date %(due_on)s is before the call date %(value_on)s"),
    "due_before_issue": N_("the due date %(due_on)s is before the notice date %(issued_on)s"),
    "line_not_in_call": N_("this LP has no line in the call"),
    "receipt_exceeds_due": N_("%(amount)s is more than the %(due)s still due"),
    "receipt_before_call": N_(
        "the receipt date %(received_on)s is before the call date %(value_on)s"),
    "receipt_currency_mismatch": N_("the receipt is in %(currency)s; the call is in "
                                    "%(expected)s"),
    "receipt_not_found": N_("receipt %(receipt_id)s was not found"),
    "receipt_already_reversed": N_("receipt %(receipt_id)s was already reversed"),
    "receipt_reversal_of_reversal": N_("a reversal cannot be reversed: record a new receipt"),
    "charge_not_on_line": N_("charge %(charge_id)s is not on this line"),
    "charge_no_due_date": N_("the call has no due date: no default interest accrues on it"),
    "nothing_to_charge": N_(
        "no default interest to %(on)s beyond the %(charged)s already charged"),
    "charge_after_today": N_("%(on)s is after today: interest is charged only as accrued"),
    "charge_before_due": N_("%(on)s is not after the due date %(due_on)s"),
    "commitment_not_in_fund": N_("commitment %(commitment_id)s is not a commitment of this "
                                 "fund"),
    "equalisation_first_closing": N_(
        "the commitment is of the first closing: it has nothing to equalise"),
    "equalisation_nothing_earlier": N_(
        "no capital call before %(on)s: there is nothing to equalise"),
    "equalisation_no_terms": N_(
        "the fund has no payment terms in force on %(on)s: set its equalisation rate first"),
    "equalisation_already_posted": N_("the commitment was already equalised on %(on)s"),
    "equalisation_before_admission": N_(
        "the equalisation date %(on)s is before the commitment date %(committed_on)s"),
    "equalisation_earlier_first": N_(
        "equalise the earlier later closer %(investor)s (committed on %(committed_on)s) first"),
    "equalisation_entry": N_(
        "entry %(entry_id)s was posted by an equalisation and cannot be reversed alone"),
}
