"""Forms of the management-fee pages and the translated labels of the fee kinds.

The terms form has a fixed number of tier rows (:data:`TIER_ROWS`; the API takes any
number); rates are typed in percent and converted to fractions exactly. A row whose base
is left blank is not a tier.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from fundops.calc.fees import Basis, Frequency, PaymentSource, Timing
from fundops.i18n import register_enum_labels
from fundops.money import decimal_places
from fundops.portfolio.forms import AmountField, option
from fundops.reports.fees.enums import DraftStatus, LineKind
from fundops.web.formtokens import TokenForm

TIER_ROWS = 3

LABELS: dict[Any, dict[str, Any]] = {
    Basis: {"commitment": _l("Commitments"), "paid_in": _l("Paid-in capital"),
            "invested_cost": _l("Cost of investments still held"), "nav": _l("Fund NAV")},
    Frequency: {"quarterly": _l("Quarterly"), "semi_annual": _l("Half-yearly")},
    Timing: {"advance": _l("In advance"), "arrears": _l("In arrears")},
    PaymentSource: {"principal": _l("Called from the LPs (principal)"),
                    "income": _l("Paid from the fund's income")},
    DraftStatus: {"draft": _l("Draft"), "posted": _l("Posted"), "discarded": _l("Discarded")},
    LineKind: {"regular": _l("Period fee"), "catch_up": _l("Late closer's catch-up")},
}
register_enum_labels(LABELS)


def label(value: Any) -> str:
    """The translated label of a fee enum member."""
    return str(LABELS.get(type(value), {}).get(value.value, value.value))


def choices(enum_cls: type, blank: bool = False) -> list[Any]:
    rows = [option(v, t) for v, t in LABELS[enum_cls].items()]
    return [option("", _l("— none —")), *rows] if blank else rows


class RateField(AmountField):
    """A percentage: at most 6 decimal places; negative values pass through to the
    service, which names the refusal (``fee_rate_negative``)."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and decimal_places(self.data) > (self.places or 0):
            raise StopValidation(_l("Use at most %(n)d decimal places.", n=self.places))


def _rate(text: Any) -> RateField:
    return RateField(text, [Optional()], places=6, allow_zero=True)


class TermsForm(TokenForm):
    effective_on = DateField(_l("Effective from"), [DataRequired()])
    frequency = SelectField(_l("Fee period"), choices=choices(Frequency))
    timing = SelectField(_l("Charged"), choices=choices(Timing))
    source = SelectField(_l("Paid from"), choices=choices(PaymentSource))
    offset_pct = RateField(_l("Offset: share of transaction and monitoring fees received (%)"),
                           [InputRequired()], places=6, allow_zero=True)
    charge_in_extension = BooleanField(_l("Charge a fee in the extension period"))
    basis_1 = SelectField(_l("Tier 1: base"), choices=choices(Basis, blank=True))
    rate_1 = _rate(_l("Tier 1: annual rate (%)"))
    from_1 = DateField(_l("Tier 1: from"), [Optional()])
    to_1 = DateField(_l("Tier 1: to (blank: open-ended)"), [Optional()])
    basis_2 = SelectField(_l("Tier 2: base"), choices=choices(Basis, blank=True))
    rate_2 = _rate(_l("Tier 2: annual rate (%)"))
    from_2 = DateField(_l("Tier 2: from"), [Optional()])
    to_2 = DateField(_l("Tier 2: to (blank: open-ended)"), [Optional()])
    basis_3 = SelectField(_l("Tier 3: base"), choices=choices(Basis, blank=True))
    rate_3 = _rate(_l("Tier 3: annual rate (%)"))
    from_3 = DateField(_l("Tier 3: from"), [Optional()])
    to_3 = DateField(_l("Tier 3: to (blank: open-ended)"), [Optional()])
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])


class PrepareForm(TokenForm):
    period = StringField(_l("Period (e.g. 2025Q1 or 2025H1)"), [DataRequired(), Length(max=20)])
    fee_income = AmountField(_l("Transaction and monitoring fees received (yuan)"),
                             [Optional()], allow_zero=True)


class PostForm(TokenForm):
    value_on = DateField(_l("Posting date (blank: the draft's due date)"), [Optional()])


class DiscardForm(TokenForm):
    reason = TextAreaField(_l("Reason"), [DataRequired(), Length(max=500)])
