"""Messages of the management-fee engine (fee terms, fee drafts, posting): code → English
template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "fee_period_invalid": N_("%(value)s is not a fee period: write it like 2025Q1 (a quarter) "
                             "or 2025H1 (a half-year)"),
    "fee_tiers_required": N_("give at least one fee tier"),
    "fee_rate_negative": N_("the annual rate of tier %(tier)s is negative (%(rate)s)"),
    "fee_rate_above_one": N_("the annual rate of tier %(tier)s is above 100 %% (%(rate)s)"),
    "fee_tier_dates_reversed": N_(
        "tier %(tier)s ends (%(end)s) before it starts (%(start)s)"),
    "fee_tiers_overlap": N_("tiers %(first)s and %(second)s overlap (both charge %(on)s)"),
    "fee_tier_before_inception": N_(
        "tier %(tier)s starts (%(start)s) before the fund's inception (%(inception)s)"),
    "fee_basis_unknown": N_("%(value)s is not a fee base: use commitment, paid-in, invested "
                            "cost or NAV"),
    "fee_offset_rate_range": N_("the share of fees received that offsets the management fee "
                                "must be between 0 and 100 %%"),
    "fee_period_before_inception": N_(
        "the period %(period)s ends before the fund's inception (%(inception)s)"),
    "fee_no_terms": N_("the fund has no management-fee terms for %(period)s: set the terms "
                       "first"),
    "fee_period_kind_mismatch": N_(
        "the fee terms for %(period)s set the fee period to %(frequency)s: %(period)s is not "
        "such a period"),
    "fee_period_not_charged": N_(
        "no management fee is charged in %(period)s (no tier covers it, or it falls in the "
        "extension period)"),
    "fee_period_not_due": N_("the management fee of %(period)s is not due yet (due on "
                             "%(due)s)"),
    "fee_no_lp_commitments": N_("the fund has no LP commitments to charge the fee to"),
    "fee_draft_exists": N_("a fee draft for %(period)s exists already (draft %(draft_id)s): "
                           "post or discard it first"),
    "fee_period_posted": N_("the management fee of %(period)s has been posted already "
                            "(draft %(draft_id)s)"),
    "fee_draft_not_found": N_("fee draft %(draft_id)s not found"),
    "fee_draft_not_live": N_("fee draft %(draft_id)s is no longer a draft (%(status)s): only a "
                             "draft can be posted or discarded"),
}
