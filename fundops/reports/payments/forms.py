"""Forms of the LP payments pages: payment terms (rates typed in percent and converted to
fractions exactly), issuing a call, a receipt, charging default interest, a receipt's
reversal, and a later closer's equalisation."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from fundops.calc.lp_payments import DefaultConvention, PremiumCompounding
from fundops.i18n import register_enum_labels
from fundops.portfolio.forms import AmountField, option
from fundops.reports.payments.queries import LineState
from fundops.web.formtokens import TokenForm

LABELS: dict[Any, dict[str, Any]] = {
    DefaultConvention: {"daily": _l("Rate per day, simple (万分之五 = 0.05 percent a day)"),
                        "annual_act365": _l("Rate per year, simple, Actual/365")},
    PremiumCompounding: {"simple": _l("Simple, Actual/365"),
                         "annual": _l("Compounded annually, Actual/365")},
    LineState: {"no_due_date": _l("No due date"), "not_due": _l("Not yet due"),
                "paid": _l("Paid"), "overdue": _l("Overdue"), "overpaid": _l("Overpaid"),
                "reversed": _l("Call reversed: nothing due")},
}
register_enum_labels(LABELS)


def choices(enum_cls: type) -> list[Any]:
    return [option(v, t) for v, t in LABELS[enum_cls].items()]


class TermsForm(TokenForm):
    effective_on = DateField(_l("Effective from"), [DataRequired()])
    days_to_pay = IntegerField(_l("Days to pay after the notice (calendar days)"),
                               [InputRequired(), NumberRange(min=1, max=365)], default=10)
    default_convention = SelectField(_l("Default interest: how the rate is read"),
                                     choices=choices(DefaultConvention))
    default_pct = AmountField(_l("Default interest rate (%)"), [InputRequired()], places=6,
                              allow_zero=True)
    grace_days = IntegerField(_l("Grace days after the due date"),
                              [InputRequired(), NumberRange(min=0, max=365)], default=0)
    equalisation_pct = AmountField(_l("Equalisation premium rate per year (%)"),
                                   [InputRequired()], places=6, allow_zero=True)
    equalisation_compounding = SelectField(_l("Equalisation premium accrues"),
                                           choices=choices(PremiumCompounding))
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])


class IssueForm(TokenForm):
    issued_on = DateField(_l("Notice date (blank: the call date)"), [Optional()])
    due_on = DateField(_l("Due date (blank: from the payment terms)"), [Optional()])


class ReceiptForm(TokenForm):
    investor_id = SelectField(_l("LP"), coerce=int)
    against = SelectField(_l("Against"), choices=[
        option("line", _l("The call line")), option("interest", _l("Default interest charged"))])
    received_on = DateField(_l("Received on"), [DataRequired()])
    amount = AmountField(_l("Amount received (yuan)"), [InputRequired()])
    currency = StringField(_l("Currency (blank: the call's)"), [Optional(), Length(max=3)])
    bank_reference = StringField(_l("Bank reference"), [Optional(), Length(max=100)])
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])


class ChargeForm(TokenForm):
    investor_id = SelectField(_l("LP"), coerce=int)
    as_of = DateField(_l("Interest accrued to"), [DataRequired()])


class ReverseReceiptForm(TokenForm):
    reason = TextAreaField(_l("Reason"), [DataRequired(), Length(max=500)])


class EqualisationForm(TokenForm):
    commitment_id = SelectField(_l("Later closer's commitment"), coerce=int)
    equalised_on = DateField(_l("Equalisation date"), [DataRequired()])
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])
