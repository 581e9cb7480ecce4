"""Messages of the exits feature: code → English template (see :mod:`fundops.messages`).

The ``wf_conv_*`` codes are not refusals: they are the conventions a waterfall result
states (:class:`fundops.calc.waterfall_terms.Convention`), printed beside every result.
"""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    # waterfall terms and runs (fundops.calc.waterfall*)
    "waterfall_carry_range": N_("the carry share must be at least 0 %% and below 100 %%"),
    "waterfall_catch_up_range": N_("the catch-up share must be above 0 %% and at most 100 %%"),
    "waterfall_catch_up_below_carry": N_(
        "the GP's catch-up share %(catch_up)s%% is below the carry share %(carry)s%%"),
    "waterfall_rate_negative": N_("the rate must not be negative"),
    "waterfall_rate_without_hurdle": N_("a hurdle rate needs a hurdle type"),
    "waterfall_share_range": N_("the share must be between 0 %% and 100 %%"),
    "waterfall_no_beneficiary": N_("the concession names no beneficiary"),
    "waterfall_concession_to_itself": N_("the government LP cannot be its own beneficiary"),
    "waterfall_beneficiary_twice": N_("a beneficiary is listed twice"),
    "waterfall_weight_not_positive": N_("each beneficiary's weight must be above 0"),
    "waterfall_concession_over_all": N_(
        "the concession tiers of one government LP cede more than 100 %% of its excess"),
    "waterfall_fees_exceed": N_("the fees and expenses %(fees)s exceed the contribution "
                                "%(amount)s"),
    "waterfall_flow_after_date": N_("a flow on %(flow_on)s is after the distribution date "
                                    "%(on)s"),
    "waterfall_gp_carry_on_itself": N_(
        "the carry recipient is also an LP: mark its commitment as a GP commitment"),
    "waterfall_nothing_paid_in": N_("no LP has paid in capital on or before %(on)s"),
    "waterfall_not_deal_by_deal": N_("a clawback applies only to a deal-by-deal waterfall"),
    # conventions stated beside every waterfall result
    "wf_conv_structure_whole_fund": N_(
        "Whole-fund waterfall: carry only after the LPs have their contributed capital and "
        "preferred return back across the fund."),
    "wf_conv_structure_deal_by_deal": N_(
        "Deal-by-deal waterfall: carry on each realised deal's own flows; a clawback trues "
        "it up at the end of the fund."),
    "wf_conv_pro_rata": N_(
        "Each distribution is first split among the partners pro rata to the capital each "
        "has paid in to date (fees included); each share then runs through the tiers on "
        "that partner's own history."),
    "wf_conv_basis_with_fees": N_(
        "Tier 1 returns all contributed capital including fees and expenses; the same base "
        "earns the preferred return."),
    "wf_conv_basis_without_fees": N_(
        "Tier 1 returns contributed capital excluding fees and expenses; the same base earns "
        "the preferred return. Fees always count in the LPs' IRR and DPI."),
    "wf_conv_hurdle_none": N_("No preferred return."),
    "wf_conv_hurdle_simple": N_(
        "Preferred return %(rate)s%% simple a year (Actual/365) on unreturned capital from "
        "each contribution date until the day it is returned; unpaid preferred return does "
        "not earn interest."),
    "wf_conv_hurdle_compound": N_(
        "Preferred return %(rate)s%% compounded annually (Actual/365) on unreturned capital "
        "and unpaid preferred return, which stop accruing on the day they are paid back."),
    "wf_conv_hurdle_irr": N_(
        "IRR hurdle %(rate)s%%: the preferred return is the amount that brings the LPs' "
        "XIRR, over every waterfall receipt and all contributions, to the rate."),
    "wf_conv_no_catch_up": N_("No GP catch-up; the GP's carry is %(carry)s%% of the "
                              "remainder."),
    "wf_conv_catch_up": N_(
        "GP catch-up at %(share)s%% until the GP holds %(carry)s%% of all profit distributed "
        "(a cumulative target over the fund's life); then %(carry)s%% of the remainder."),
    "wf_conv_cumulative": N_(
        "Every tier is cumulative over the fund's life: each distribution pays the "
        "cumulative amounts less what earlier distributions paid."),
    "wf_conv_rounding": N_(
        "Exact until the split; then every line is rounded to the fen by largest remainder "
        "so the lines add up to the distribution; ties go to the larger line, LPs before "
        "the GP's carry."),
    "wf_conv_gp_commitment": N_(
        "The GP's own commitment takes its pro-rata share with no carry on itself."),
    "wf_conv_holdback": N_(
        "%(share)s%% of the GP's carry is held in escrow against a clawback."),
    "wf_conv_concession_before_carry": N_(
        "Concession: the government LP keeps its principal plus %(rate)s%% simple a year "
        "and cedes %(share)s%% of its excess, measured before the fund's carry."),
    "wf_conv_concession_after_carry": N_(
        "Concession: the government LP keeps its principal plus %(rate)s%% simple a year "
        "and cedes %(share)s%% of its excess, measured after the fund's carry."),
    "wf_conv_concession_rules": N_(
        "Concession interest runs on the original principal from each contribution date; "
        "receipts count at face value and cumulatively; the excess is floored at zero; a "
        "distribution cedes at most what the government LP receives in it, rounded down to "
        "the fen, carry-free to the beneficiaries by weight."),
    "wf_conv_clawback": N_(
        "Clawback: deal-by-deal carry received minus the carry of a whole-fund rerun on the "
        "same flows, floored at zero, before the GP's taxes; paid first from escrow."),
    "wf_conv_as_if_liquidated": N_(
        "As if liquidated: the NAV on the date is run through the waterfall as one "
        "distribution; nothing is paid."),
}
