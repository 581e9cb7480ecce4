"""Messages of the portfolio feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

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
    "fund_not_found": N_("fund %(fund_id)s not found"),
    "investor_not_found": N_("investor %(investor_id)s not found"),
    "company_not_found": N_("company %(company_id)s not found"),
    "entry_not_found": N_("ledger entry %(entry_id)s not found"),
    "role_read_only": N_("your role may not record changes"),
    "fund_code_shape": N_("use 1-40 letters, digits, '.', '_' or '-'"),
    "before_inception": N_("is before the inception date"),
    "before_investment_period_end": N_("is before the end of the investment period"),
    "before_term_end": N_("is before the end of the term"),
    "not_a_year": N_("'%(value)s' is not a year"),
    "vintage_implausible": N_("%(value)s is not a plausible vintage year"),
    "fund_code_taken": N_("a fund with code '%(code)s' already exists"),
    "registration_no_taken": N_("'%(value)s' is registered already"),
    "before_last_stage_change": N_("is before the last stage change (%(on)s)"),
    "stage_unchanged": N_("the fund is already at stage '%(stage)s'"),
    "fund_not_visible": N_("fund %(fund_id)s is not one you can see"),
    "registration_no_unknown": N_("no fund is registered as '%(value)s'"),
    "investor_name_taken": N_("an investor named '%(name)s' already exists"),
    "closing_below_one": N_("must be 1 or more"),
    "not_fund_currency": N_("the fund's ledger currency is %(fund_currency)s, not %(currency)s"),
    "outside_fund_life": N_("%(on)s is outside the fund's life (%(start)s to %(end)s)"),
    "company_uscc_taken": N_("a company with credit code %(uscc)s is already registered"),
    "no_lp_commitments": N_("the fund has no LP commitments on or before %(on)s"),
    "investor_not_committed": N_("investor %(investor_id)s has no commitment in this fund"),
    "share_exceeds_uncalled": N_(
        "%(investor)s's share %(share)s exceeds its uncalled capital "
        "%(uncalled)s"),
    "call_exceeds_uncalled": N_("%(amount)s exceeds the LPs' total uncalled capital %(available)s"),
    "source_ref_taken": N_("an entry with reference '%(source_ref)s' exists"),
    "use_dedicated_form": N_("use the dedicated form for '%(kind)s'"),
    "company_required_for_proceeds": N_("is required for proceeds"),
    "ownership_above_one": N_("is a fraction and cannot exceed 1"),
    "no_investment_in_company": N_("the fund holds no investment in %(company)s"),
    "reversal_of_reversal": N_("a reversal cannot be reversed; post a new entry"),
    "already_reversed": N_("entry %(entry_id)s has already been reversed"),
    "fof_kind": N_("use fund_contribution or fund_return"),
    "no_commitment_in_fund": N_("%(fund)s holds no commitment in %(target)s"),
    "allocation_investor_twice": N_("investor %(investor_id)s is listed twice"),
}
