"""Messages of call and distribution notices and the fund's receiving account:
code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "notice_no_account": N_(
        "the fund has no receiving account in force on %(on)s: set the account first"),
    "notice_entry_kind": N_("only a capital call or a distribution has notices"),
    "notice_entry_reversal": N_("a reversal has no notices"),
    "notice_entry_reversed": N_("the entry was reversed: it has no notices"),
    "notice_no_lines": N_("the entry has no LP lines to give notice of"),
    "notices_already_issued": N_(
        "the notices of this entry were already issued (%(first)s … %(last)s)"),
    "notice_issued_in_future": N_("the notice date %(on)s is after today"),
    "notice_before_inception": N_(
        "the notice date %(on)s is before the fund's inception on %(inception)s"),
    "notice_due_differs": N_(
        "the call is already due on %(due_on)s: leave the due date blank or give that date"),
    "account_number_invalid": N_(
        "an account number is 6 to 40 letters or digits (spaces or hyphens inside allowed)"),
    "notice_not_found": N_("notice %(notice_id)s was not found"),
}
