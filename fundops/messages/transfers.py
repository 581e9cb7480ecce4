"""Messages of LP-interest transfers and the guidance fund's exits by transfer: code →
English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "rate_out_of_range": N_("%(value)s is outside %(low)s to %(high)s"),
    "buyer_unknown": N_("no investor %(buyer_id)s of your organisation"),
    "seller_not_lp": N_("investor %(seller_id)s is not an LP of this fund"),
    "investor_not_lp_of_fund": N_("investor %(investor_id)s is not an LP of this fund"),
    "transfer_in_future": N_("%(on)s is after today"),
    "transfer_before_commitment": N_(
        "%(on)s is before the seller's first commitment (%(committed_on)s)"),
    "appraisal_required": N_(
        "%(seller)s holds a state-owned interest: the appraisal report's reference is "
        "required"),
    "platform_required": N_(
        "%(seller)s holds a state-owned interest: name the exchange or platform of the "
        "transfer"),
    "seller_has_no_interest": N_("%(seller)s holds no interest in the fund on that date"),
    "transfer_exceeds_interest": N_(
        "%(amount)s is more than %(seller)s's commitment on the transfer date (%(interest)s)"),
    "transfer_to_self": N_("the buyer is the seller (%(seller)s)"),
    "transfer_before_later_entries": N_(
        "A transfer dated %(on)s would change the LP register under an entry or transfer "
        "dated %(later)s; date it after that, or reverse that first."),
    "negative_price": N_("the price would be %(price)s: a transfer price is never negative"),
    "reference_after_transfer": N_(
        "the reference date %(on)s is after the transfer date %(transfer_on)s"),
    "transfer_not_found": N_("transfer %(transfer_id)s not found"),
    "transfer_reversal_of_reversal": N_(
        "this is a reversal: it cannot itself be reversed (record a new transfer)"),
    "transfer_already_reversed": N_("Transfer %(transfer_id)s has already been reversed."),
    "transfer_register_used": N_(
        "Transfer %(transfer_id)s cannot be reversed: an entry or transfer dated %(later)s "
        "used the register after it; reverse that first."),
    "reverse_the_transfer": N_(
        "this entry records an LP-interest transfer: reverse the transfer on its page"),
    "option_not_found": N_("buy-out option %(option_id)s not found"),
    "option_holder_not_government": N_(
        "%(holder)s is not government capital (fiscal or guidance fund)"),
    "option_window_order": N_("the window ends (%(end)s) before it starts (%(start)s)"),
    "option_gp_required": N_("name the GP's LP record, or let only social LPs buy"),
    "outside_option_window": N_(
        "%(on)s is outside the option's window (%(start)s to %(end)s)"),
    "buyer_one_of": N_("give either an existing buyer or a new buyer"),
    "buyer_not_eligible": N_("investor %(buyer_id)s may not buy this interest"),
    "early_exit_not_government": N_(
        "%(seller)s is not government capital (fiscal or guidance fund)"),
}
