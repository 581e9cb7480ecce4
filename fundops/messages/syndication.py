"""Messages of the syndication feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    # --- request bodies of /api/v1 (fundops.api.fields, the syndication schemas) ---
    "syn_body_not_object": N_("must be a JSON object sent as application/json"),
    "syn_not_an_object": N_("must be a JSON object"),
    "syn_unknown_field": N_("is not a field of this request"),
    "syn_not_an_integer": N_("must be a JSON integer from %(low)s to %(high)s"),
    "syn_not_a_string": N_("must be a string"),
    "syn_not_in_values": N_("'%(value)s' is not one of: %(values)s"),
    "syn_amount_not_text": N_('must be a decimal string such as "1234.56" (not a float)'),
    "syn_not_a_list": N_("must be a list"),
    "syn_not_your_fund": N_("is not a fund you manage"),
    "syn_company_not_visible": N_("is not a company you can see"),
    "syn_not_your_product": N_("is not one of your products"),
    "syn_code_unknown": N_("is unknown or revoked"),
    "syn_not_your_loan": N_("is not a loan your bank leads"),
    "syn_funding_either": N_("give either cash_flow_id, or amount, arrived_on and evidence_ref; "
                             "not both"),
    "syn_funding_evidence_required": N_("is required (or give cash_flow_id)"),
    # --- term sheets ---
    "syn_fraction_too_high": N_("%(value)s is a fraction and cannot exceed %(upper)s"),
    "term_sheet_company_not_own": N_("is not a company you registered or your funds invested in"),
    "term_sheet_post_money_mismatch": N_("%(post_money)s is not pre-money %(pre_money)s + round "
                                         "size %(round_size)s"),
    "term_sheet_no_fund_with_filing_no": N_("no fund with filing number %(registration_no)s"),
    "term_sheet_lead_fund_twice": N_("the lead fund is already in the syndicate"),
    "term_sheet_allocations_exceed_round": N_("allocations %(allocated)s exceed the round "
                                              "%(round_size)s"),
    "term_sheet_tranches_not_round": N_("tranches sum to %(total)s, not the round size "
                                        "%(round_size)s"),
    "term_sheet_long_stop_before_signing": N_("%(long_stop_on)s is before the signing date "
                                              "%(signed_on)s"),
    "term_sheet_funded_is_automatic": N_("funded is set by the system when the equity has "
                                         "arrived"),
    "term_sheet_bad_transition": N_("a %(from_status)s term sheet cannot become %(to_status)s"),
    "term_sheet_signing_date_required": N_("give the signing date"),
    "term_sheet_lapse_reason_required": N_("say why the round lapsed or was cancelled"),
    "funding_outside_needs_evidence": N_("an outside investor's payment is recorded with "
                                         "evidence, not a ledger entry"),
    "funding_entry_not_in_ledger": N_("entry %(entry_id)s is not in %(fund)s's ledger"),
    "funding_entry_not_investment": N_("is not an investment in the round's company"),
    "funding_entry_is_reversal": N_("is a reversal: link the original entry (its reversal is "
                                    "counted automatically)"),
    "funding_entry_currency": N_("is in %(currency)s, the round in %(round_currency)s"),
    "funding_entry_already_linked": N_("entry %(entry_id)s is already linked to a round"),
    "funding_fund_uses_ledger": N_("a fund's payment is linked from its ledger"),
    "funding_allocation_not_in_round": N_("allocation %(allocation_id)s is not in this round"),
    "funding_round_not_open": N_("equity cannot arrive on a %(status)s round"),
    "funding_beyond_allocation": N_("%(investor)s would have paid %(total)s, more than its "
                                    "allocation %(allocation)s"),
    "verification_code_revoked": N_("is already revoked"),
    # --- products ---
    "product_fixed_rate_required": N_("is required for a fixed-rate product"),
    "product_spread_required": N_("is required for an LPR + spread product"),
    "product_status_not_live": N_("must be a live status"),
    # --- loans ---
    "loan_product_inactive": N_("the product is no longer offered"),
    "loan_product_currency": N_("the product lends %(product_currency)s, the round is in "
                                "%(currency)s"),
    "loan_not_another_bank": N_("is not another bank"),
    "loan_bank_listed_twice": N_("bank listed twice"),
    "loan_partners_leave_nothing": N_("the partners' shares leave nothing of %(amount)s for the "
                                      "lead bank"),
    "loan_not_awaiting_decision": N_("loan %(loan_id)s is %(status)s, not awaiting a decision"),
    "loan_term_sheet_dead": N_("the term sheet is %(status)s"),
    "loan_term_sheet_short": N_("the term sheet is %(status)s; the product requires at least "
                                "%(required)s"),
    "loan_approve_term_sheet_dead": N_("cannot approve: the term sheet is %(status)s"),
    "loan_approve_term_sheet_short": N_("cannot approve: the term sheet is %(status)s; the "
                                        "product requires at least %(required)s"),
    "loan_approve_beyond_headroom": N_("cannot approve %(amount)s: the round's limit for this "
                                       "product is %(limit)s and banks have reserved "
                                       "%(reserved)s, leaving %(left)s"),
    "loan_decided_meanwhile": N_("loan %(loan_id)s was decided by someone else meanwhile"),
    "loan_decline_reason_required": N_("say why the application is declined"),
    "loan_no_longer_awaiting_decision": N_("loan %(loan_id)s is no longer awaiting a decision"),
    "loan_disburse_term_sheet_dead": N_("disbursement blocked: the term sheet is %(status)s"),
    "loan_disburse_not_approved": N_("loan %(loan_id)s is %(status)s; only approved loans "
                                     "disburse"),
    "loan_disburse_beyond_reservation": N_("disbursement of %(amount)s would bring the loan to "
                                           "%(total)s, beyond its reservation %(reserved)s"),
    "loan_equity_short": N_("equity arrived %(arrived)s is %(share)s of the round "
                            "%(round_size)s; %(required_share)s (%(required)s) is required; no "
                            "disbursement before then"),
    "loan_equity_short_pro_rata": N_("equity arrived %(arrived)s is %(share)s of the round "
                                     "%(round_size)s; %(required_share)s (%(required)s) is "
                                     "required; %(complete)s of %(tranches)s tranches complete "
                                     "(%(counted)s), so %(allowed)s of the reservation "
                                     "%(reservation)s may be disbursed pro rata"),
    "loan_disburse_equity_short": N_("equity condition not met: equity arrived %(arrived)s is "
                                     "%(share)s of the round %(round_size)s; %(required_share)s "
                                     "(%(required)s) is required; no disbursement before then; "
                                     "already disbursed %(drawn)s, so at most %(room)s now"),
    "loan_disburse_equity_short_pro_rata": N_(
        "equity condition not met: equity arrived %(arrived)s is %(share)s of the round "
        "%(round_size)s; %(required_share)s (%(required)s) is required; %(complete)s of "
        "%(tranches)s tranches complete (%(counted)s), so %(allowed)s of the reservation "
        "%(reservation)s may be disbursed pro rata; already disbursed %(drawn)s, so at most "
        "%(room)s now"),
    "loan_repayment_empty": N_("give a principal, interest or subsidy amount"),
    "loan_repay_not_active": N_("loan %(loan_id)s is %(status)s; repayments go on active loans "
                                "(record a recovery after a default)"),
    "loan_principal_beyond_outstanding": N_("%(amount)s exceeds the outstanding "
                                            "%(outstanding)s"),
    # --- credit events and warrants ---
    "loan_overdue_not_active": N_("loan %(loan_id)s is %(status)s; only active loans fall due"),
    "loan_default_not_active": N_("loan %(loan_id)s is %(status)s; only active loans default"),
    "loan_nothing_outstanding": N_("loan %(loan_id)s has no principal outstanding"),
    "loan_write_off_not_defaulted": N_("loan %(loan_id)s is %(status)s; write off defaulted "
                                       "loans"),
    "loan_write_off_beyond_outstanding": N_("%(amount)s exceeds the outstanding principal "
                                            "%(outstanding)s"),
    "loan_recovery_not_defaulted": N_("loan %(loan_id)s is %(status)s; recoveries follow a "
                                      "default"),
    "warrant_loan_not_live": N_("loan %(loan_id)s is %(status)s; warrants go on approved loans"),
    "warrant_coverage_range": N_("give a fraction of the loan above 0 and at most 1"),
    "warrant_window_not_open": N_("%(on)s is before the window opens on %(start)s"),
    "warrant_bad_outcome": N_("is exercised or expired"),
    "warrant_already_exercised": N_("warrant %(warrant_id)s is already exercised"),
    "warrant_already_expired": N_("warrant %(warrant_id)s is already expired"),
    "warrant_outside_window": N_("%(on)s is outside the exercise window %(start)s..%(end)s"),
    # --- risk pools ---
    "scheme_unknown_role": N_("party %(party)s: unknown role %(role)s"),
    "scheme_share_range": N_("party %(party)s: share must be a Decimal in 0..1"),
    "scheme_bank_has_no_cap": N_("the bank bears whatever others' caps leave; it has no cap"),
    "scheme_cap_invalid": N_("cap of %(party)s must be >= 0 with at most 2 decimals"),
    "scheme_names_unique": N_("scheme %(scheme)s: party names must be unique"),
    "scheme_one_bank": N_("scheme %(scheme)s: exactly one party must be the bank"),
    "scheme_shares_sum": N_("scheme %(scheme)s: shares must sum exactly to 1"),
    "pool_not_a_bank": N_("is not a bank"),
    "pool_name_taken": N_("you already run a pool named %(name)s"),
    "pool_enrol_not_approved": N_("loan %(loan_id)s is %(status)s; enrol approved loans"),
    "pool_enrol_currency": N_("the loan is in %(currency)s, the pool in %(pool_currency)s"),
    "pool_already_enrolled": N_("loan %(loan_id)s is already enrolled in a pool"),
    "pool_leverage_no_room": N_("the pool's leverage cap %(k)s × balance %(balance)s leaves no "
                                "room for %(amount)s"),
    "pool_claim_not_enrolled": N_("loan %(loan_id)s is not enrolled in a pool"),
    "pool_claim_not_defaulted": N_("loan %(loan_id)s is %(status)s; claims follow a default"),
    "pool_claim_before_default": N_("%(on)s is before the default on %(default_on)s"),
    "pool_claim_exists": N_("loan %(loan_id)s already has a claim"),
}
