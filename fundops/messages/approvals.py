"""Messages of the approvals feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    # plausibility warnings (ConfirmationRequired)
    "plausible_future_date": N_("The date %(value_on)s is after today (%(today)s)."),
    "plausible_above_fund_size": N_(
        "The amount %(amount)s is above the fund's target size %(target)s."),
    "plausible_distribution_above_gains": N_(
        "Cumulative distributions would reach %(cumulative)s, above paid-in capital plus "
        "gains (%(ceiling)s; paid in %(paid_in)s)."),
    "plausible_nav_move": N_(
        "The NAV moves by %(change)s%% from %(previous)s on %(previous_on)s to %(nav)s."),
    "plausible_fair_value_far_from_cost": N_(
        "The fair value %(fair_value)s is %(ratio)s times the holding's cost %(cost)s "
        "(the check is %(factor)s times either way)."),
    "plausible_vintage_future": N_(
        "The vintage %(vintage)s is more than a year after the current year %(year)s."),
    "plausible_exponent_amount": N_(
        "The amount '%(value)s' was typed in exponent form; check the number of digits."),
    # maker-checker refusals
    "approval_confirm_reason": N_("give the reason for posting despite the warnings"),
    "approval_reject_reason": N_("say why the item is rejected"),
    "approval_role": N_("Only an administrator or a checker may approve or reject items."),
    "approval_policy_role": N_("Only an administrator may change approval policies."),
    "approval_self": N_("You submitted this item; a different person must approve it."),
    "approval_not_pending": N_("This item is no longer pending: it was %(status)s."),
    "approval_tampered": N_("The item's content no longer matches what was submitted."),
    "approval_maker_gone": N_("The user who submitted this item can no longer post; reject it."),
    "approval_duplicate": N_("The same item is already waiting for approval (no. %(request_id)s)."),
    "approval_unknown_action": N_("'%(value)s' is not an action that can be approved"),
    "approval_entry_reversed": N_(
        "Entry %(entry_id)s is a reversal or has already been reversed."),
    "approval_loan_decided": N_("Loan %(loan_id)s is no longer awaiting a decision."),
    "approval_no_holding": N_("the fund holds no investment in %(company)s"),
}
