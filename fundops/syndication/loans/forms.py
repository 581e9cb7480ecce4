"""Flask-WTF forms of the bank's pages: verify a code, apply for a loan, loan products,
and the lead bank's decisions, disbursements and repayments.

Conventions as in :mod:`fundops.syndication.fields`: the shape of input only, rates in
percent handed over as exact fractions, amounts in yuan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from fundops.syndication.enums import (
    Collateral,
    EquityRule,
    RateType,
    RepaymentType,
    TermSheetStatus,
)
from fundops.syndication.fields import (
    amount_field,
    choices,
    date_field,
    fraction,
    optional_amount_field,
    percent_field,
    text_field,
)
from fundops.web.formtokens import TokenForm, data_fields


class VerifyForm(FlaskForm):
    code = StringField(_l("Verification code"), [DataRequired(), Length(max=64)])


class ApplyForm(TokenForm):
    code = HiddenField()
    product_id = SelectField(_l("Loan product"), coerce=int)
    amount = amount_field(_l("Loan amount (yuan)"))
    first_due_on = date_field(_l("First repayment date"), required=False)


class ProductForm(TokenForm):
    name = text_field(_l("Product name"), required=True)
    currency = StringField(_l("Currency"), [DataRequired(), Length(min=3, max=3)], default="CNY")
    alpha = percent_field(_l("α: share of equity arrived (%)"), required=True)
    beta = percent_field(_l("β: share of post-money (%)"), required=True)
    cap_amount = amount_field(_l("Cap per company (yuan)"))
    required_status = SelectField(_l("Term sheet at least"), choices=choices(
        TermSheetStatus, frozenset({"draft", "signed", "ic_approved", "closing", "funded"})),
        default="ic_approved")
    equity_rule = SelectField(_l("Release rule"), choices=choices(EquityRule), default="share")
    required_share = percent_field(_l("γ: share of the round arrived before release (%)"),
                                   required=True)
    tenor_months = IntegerField(_l("Tenor (months)"), [InputRequired(), NumberRange(1, 360)],
                                default=24)
    rate_type = SelectField(_l("Rate type"), choices=choices(RateType), default="lpr_spread")
    fixed_rate = percent_field(_l("Fixed rate (% a year)"))
    spread = percent_field(_l("Spread over LPR (% a year)"))
    repayment_type = SelectField(_l("Repayment"), choices=choices(RepaymentType))
    collateral = SelectField(_l("Collateral"), choices=choices(Collateral))
    subsidy_share = percent_field(_l("Interest subsidy (%, share of interest)"))
    subsidy_max_rate = percent_field(_l("Subsidy rate cap (% a year)"))
    subsidy_annual_cap = optional_amount_field(_l("Subsidy cap per year (yuan)"))
    warrant_coverage = percent_field(_l("Warrant coverage (%, share of loan)"))
    risk_scheme = text_field(_l("Risk-sharing scheme"), 100)

    PERCENT_FIELDS = ("alpha", "beta", "required_share", "fixed_rate", "spread",
                      "subsidy_share", "subsidy_max_rate", "warrant_coverage")

    def service_kwargs(self) -> dict[str, Any]:
        """The fields as :func:`fundops.syndication.loans.products.create_product` takes them."""
        data = data_fields(self)
        for name in self.PERCENT_FIELDS:
            data[name] = fraction(data[name])
        for name in ("subsidy_share", "warrant_coverage"):
            data[name] = data[name] if data[name] is not None else Decimal(0)
        data["risk_scheme"] = data["risk_scheme"] or ""
        return data


class ApproveForm(TokenForm):
    note = text_field(_l("Decision note"), 500)


class DeclineForm(TokenForm):
    note = text_field(_l("Reason for declining"), 500)


class DisburseForm(TokenForm):
    amount = amount_field(_l("Amount (yuan)"))
    value_on = date_field(_l("Value date"))
    memo = text_field(_l("Memo"), 500)


class RepaymentForm(TokenForm):
    principal = optional_amount_field(_l("Principal (yuan)"), allow_zero=True)
    interest = optional_amount_field(_l("Interest (yuan)"), allow_zero=True)
    subsidy = optional_amount_field(_l("Subsidy received (yuan)"))
    value_on = date_field(_l("Value date"))
