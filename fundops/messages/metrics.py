"""Messages of the metrics feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "params_not_object": N_("must be an object of parameters"),
    "params_json_object": N_("Give a JSON object, e.g. %(example)s"),
    "policy_unknown_param": N_("is not a parameter of %(rule_type)s (expected: %(expected)s)"),
    "region_prefix": N_("use the 2 to 6 leading digits of a region code (e.g. 4403)"),
    "unknown_stages": N_("unknown stage(s) %(stages)s"),
    "level_row_shape": N_("must be a (date, level) pair"),
    "level_binary_float": N_("level %(level)s is a binary float; give text or Decimal"),
    "level_not_number": N_("level %(level)s is not a number"),
    "level_not_positive": N_("level %(level)s on %(on)s must be positive"),
    "level_precision": N_("level %(level)s has more than 6 decimal places or is too large"),
    "index_code_shape": N_("give an index code of 1 to 40 characters"),
    "level_duplicate_date": N_("duplicate date %(on)s (also %(other)s)"),
    "no_rows": N_("no rows to load"),
    "level_exists": N_("%(index)s already has a level on %(on)s"),
    "limit_range": N_("'%(value)s' is not a whole number from 0 to %(high)s"),
    "lp_position_not_found": N_("LP position %(investor_id)s in fund %(fund_id)s not found"),
    "deal_not_found": N_("deal %(company_id)s in fund %(fund_id)s not found"),
    "index_no_levels": N_("no levels of index '%(index)s' on or before %(on)s"),
    "index_starts_late": N_("index '%(index)s' starts after the fund's first flow"),
}
