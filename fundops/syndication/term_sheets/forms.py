"""Flask-WTF forms of the term sheet pages: a new term sheet with its syndicate and
tranche lines, status changes, verification codes and the equity's arrival.

Conventions as in :mod:`fundops.syndication.fields`: the shape of input only, rates in
percent handed over as exact fractions, amounts in yuan.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, FormField, SelectField
from wtforms.validators import NumberRange, Optional

from fundops.errors import ValidationError
from fundops.i18n import localise
from fundops.portfolio.enums import Instrument
from fundops.portfolio.fields import company_field
from fundops.portfolio.forms import AmountField
from fundops.portfolio.forms import choices as portfolio_choices
from fundops.syndication.fields import (
    FixedLines,
    amount_field,
    date_field,
    filled_lines,
    fraction,
    optional_amount_field,
    percent_field,
    text_field,
)
from fundops.syndication.term_sheets.services import AllocationInput
from fundops.web.formtokens import TokenForm

_LINE_FIELD = re.compile(r"(co_investors|tranches)(?:\[(\d+)\])?")
CO_INVESTOR_LINES = 5
TRANCHE_LINES = 3


class CoInvestorLine(Form):
    """A syndicate line: a fund by its filing number, or an outside investor by name."""

    fund_registration_no = text_field(_l("Fund filing no."), 40)
    investor_name = text_field(_l("Investor name"))
    amount = optional_amount_field(_l("Amount (yuan)"))


class TrancheLine(Form):
    amount = optional_amount_field(_l("Amount (yuan)"))
    expected_on = date_field(_l("Expected on"), required=False)
    condition = text_field(_l("Release condition"), 300)


class TermSheetForm(TokenForm):
    company_id = company_field(_l("Company"), required=True)
    lead_fund_id = SelectField(_l("Lead fund"), coerce=int)
    round_name = text_field(_l("Round"), 50, required=True)
    instrument = SelectField(_l("Instrument"), choices=portfolio_choices(Instrument),
                             default="preferred_equity")
    round_size = amount_field(_l("Round size (yuan)"))
    pre_money = amount_field(_l("Pre-money valuation (yuan)"))
    post_money = amount_field(_l("Post-money valuation (yuan)"))
    price_per_share = optional_amount_field(_l("Price per share (yuan)"), places=4)
    ownership_rate = percent_field(_l("Ownership of the round (%)"))
    liquidation_preference = AmountField(_l("Liquidation preference (multiple)"),
                                         [Optional(), NumberRange(max=100)], places=4,
                                         allow_zero=True)
    redemption_rate = percent_field(_l("Redemption rate (% a year)"))
    use_of_proceeds = text_field(_l("Use of proceeds"), 500)
    is_binding = BooleanField(_l("Binding"))
    signed_on = date_field(_l("Signing date"), required=False)
    long_stop_on = date_field(_l("Long-stop date"))
    expected_funding_on = date_field(_l("Expected funding date"), required=False)
    lead_amount = amount_field(_l("Lead fund's amount (yuan)"))
    co_investors = FixedLines(FormField(CoInvestorLine), min_entries=CO_INVESTOR_LINES,
                              max_entries=CO_INVESTOR_LINES)
    tranches = FixedLines(FormField(TrancheLine), min_entries=TRANCHE_LINES,
                          max_entries=TRANCHE_LINES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # service errors on a whole section ("tranches") or one line ("co_investors-1")
        self.line_errors: dict[str, list[str]] = {}

    SCALAR_FIELDS = ("company_id", "lead_fund_id", "round_name", "instrument", "round_size",
                     "pre_money", "post_money", "price_per_share", "liquidation_preference",
                     "is_binding", "signed_on", "long_stop_on", "expected_funding_on",
                     "lead_amount")

    def service_kwargs(self) -> dict[str, Any]:
        """The fields as :func:`fundops.syndication.term_sheets.services.create_term_sheet` takes
        them; blank syndicate and tranche lines are left out."""
        data = {name: self[name].data for name in self.SCALAR_FIELDS}
        data["ownership_rate"] = fraction(self.ownership_rate.data)
        data["redemption_rate"] = fraction(self.redemption_rate.data)
        data["use_of_proceeds"] = self.use_of_proceeds.data or ""
        data["co_investors"] = [AllocationInput(
            amount=line.amount.data if line.amount.data is not None else "",
            fund_registration_no=line.fund_registration_no.data or "",
            investor_name=line.investor_name.data or "")
            for _i, line in filled_lines(self.co_investors)]
        data["tranches"] = [{"amount": line.amount.data, "expected_on": line.expected_on.data,
                             "condition": line.condition.data or ""}
                            for _i, line in filled_lines(self.tranches)]
        return data

    def attach_line_error(self, exc: ValidationError) -> bool:
        """Show a ``co_investors[i]`` / ``tranches[i]`` error (i counts the lines given,
        blank ones skipped) on its line; False for any other field."""
        match = _LINE_FIELD.fullmatch(exc.field)
        if match is None:
            return False
        key = match.group(1)
        if match.group(2) is not None:
            key = f"{key}-{filled_lines(self[key])[int(match.group(2))][0]}"
        self.line_errors.setdefault(key, []).append(localise(exc))
        return True


class TransitionForm(TokenForm):
    status = SelectField(_l("New status"))
    signed_on = date_field(_l("Signing date"), required=False)
    reason = text_field(_l("Reason"), 500)


class IssueCodeForm(TokenForm):
    """Issue a verification code (only the CSRF and one-time tokens)."""


class RevokeCodeForm(TokenForm):
    reason = text_field(_l("Reason"), 500)


class LinkInvestmentForm(TokenForm):
    allocation_id = SelectField(_l("Allocation"), coerce=int)
    cash_flow_id = SelectField(_l("Investment entry"), coerce=int)


class OutsideFundingForm(TokenForm):
    allocation_id = SelectField(_l("Outside investor"), coerce=int)
    amount = amount_field(_l("Amount arrived (yuan)"))
    arrived_on = date_field(_l("Arrived on"))
    evidence_ref = text_field(_l("Evidence reference"), 200, required=True)
