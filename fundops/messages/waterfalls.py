"""Messages of the stored waterfall (terms versions, runs, reversals, as-if-liquidated):
code → English template (see :mod:`fundops.messages`). The calculation's own codes
(``waterfall_*``, ``wf_conv_*``) are in :mod:`fundops.messages.exits`."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "waterfall_no_terms": N_("the fund has no waterfall terms in force on %(on)s: set the "
                             "terms first"),
    "waterfall_party_not_lp": N_("investor %(investor_id)s is not an LP of this fund"),
    "waterfall_run_before_last": N_(
        "a waterfall distribution dated %(last)s exists: a new run cannot be dated before it"),
    "waterfall_run_not_found": N_("waterfall run %(run_id)s not found"),
    "waterfall_not_latest_run": N_(
        "only the fund's latest waterfall run can be reversed (run %(latest_id)s is later)"),
    "waterfall_run_reversed": N_("waterfall run %(run_id)s has already been reversed"),
    "waterfall_reverse_the_run": N_(
        "this entry is a waterfall distribution: reverse the run on the waterfall page"),
    "waterfall_deal_required": N_("a deal-by-deal waterfall runs one deal: choose the company"),
    "waterfall_deal_not_allowed": N_(
        "a whole-fund waterfall runs over the whole fund: leave the company blank"),
    "waterfall_deal_not_held": N_("the fund made no investment in this company by %(on)s"),
    "waterfall_nav_unavailable": N_("the fund's NAV is not available"),
    "waterfall_bad_condition": N_("unknown policy condition %(value)s"),
    "wf_conv_escrow_in_fund": N_(
        "The holdback of the carry stays in the fund as escrow: the ledger entry pays the "
        "LPs and the carry recipient the run's amount less the escrow."),
    "wf_conv_recipient": N_(
        "The carry is paid to the carry recipient's investor record (%(recipient)s); its own "
        "paid-in is a GP commitment and takes no carry."),
    "wf_conv_history": N_(
        "Each LP's contributions are its call allocations (calls for management fees or fund "
        "expenses are fees and expenses); distributions posted outside the waterfall count as "
        "return of capital on their date; an LP-interest transfer moves that fraction of the "
        "seller's history to the buyer."),
    "wf_conv_deal_flows": N_(
        "Deal by deal: a deal's contributions are the fund's investments in the company, "
        "split among the LPs pro rata to their paid-in on each investment date (largest "
        "remainder); its proceeds are the exit events' consideration."),
    "wf_conv_nav": N_(
        "NAV: the fund's net asset value on the date as the fund's metrics compute it."),
}
