"""Messages of the portfolio feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_  # noqa: F401

MESSAGES: dict[str, str] = {
    # ledger concurrency
    "source_ref_exists": N_("An entry with reference '%(source_ref)s' already exists in this "
                            "fund."),
    "entry_already_reversed": N_("Entry %(entry_id)s has already been reversed."),
    "recallable_already_called": N_(
        "Entry %(entry_id)s cannot be reversed: %(amount)s of this recallable distribution to "
        "%(investor)s has been called again; reverse that capital call first."),
    "commitment_cycle": N_(
        "%(investor)s is a fund in which %(fund)s already invests, directly or through other "
        "funds: this commitment would make the fund-of-funds graph a cycle."),
    "commitment_to_own_fund": N_("Fund %(fund)s cannot be an LP of itself."),
    "fund_exists": N_("A fund with code '%(code)s' or the same registration number already "
                      "exists."),
    "investor_exists": N_("An investor named '%(name)s' already exists."),
    "fund_stage_changed": N_("The stage of fund %(fund)s was changed meanwhile; reload the page "
                             "and retry."),
}
