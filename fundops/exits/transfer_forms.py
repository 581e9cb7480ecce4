"""Forms of the transfer pages: an S-fund transfer, an early exit of the guidance capital,
buy-out option terms and their exercise, a reversal. Amounts are typed in yuan; the
discount and rates in percent (converted to fractions exactly)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from fundops.calc.transfer_pricing import InterestBase
from fundops.exits.transfer_enums import (
    EarlyExitTrigger,
    EligibleBuyers,
    PriceBasis,
    TransferKind,
    TransferPlatform,
)
from fundops.i18n import register_enum_labels
from fundops.portfolio.enums import InvestorType
from fundops.portfolio.forms import LABELS as PORTFOLIO_LABELS
from fundops.portfolio.forms import AmountField, option
from fundops.web.formtokens import TokenForm

LABELS: dict[Any, dict[str, Any]] = {
    TransferKind: {"s_fund": _l("S-fund transfer"), "buyout_option": _l("Buy-out option"),
                   "early_exit": _l("Early exit of government capital")},
    PriceBasis: {"formula": _l("Formula"), "negotiated": _l("Negotiated"),
                 "cost_plus_interest": _l("Cost plus interest"),
                 "appraisal": _l("Appraisal")},
    TransferPlatform: {
        "beijing": _l("Beijing Equity Exchange Center"),
        "shanghai": _l("Shanghai Equity Custody and Exchange Center"),
        "zhejiang": _l("Zhejiang Equity Exchange Center"),
        "ningbo": _l("Ningbo Equity Exchange Center"),
        "guangdong": _l("Guangdong Equity Exchange Center"),
        "jiangsu": _l("Jiangsu Equity Exchange Center"),
        "anhui": _l("Anhui Equity Custody and Exchange Center"),
        "other": _l("Other exchange or platform")},
    EarlyExitTrigger: {
        "not_set_up": _l("Fund not set up within one year of plan confirmation"),
        "idle_over_year": _l("Government money idle in the account for over a year"),
        "off_policy": _l("Investment direction not in line with policy goals"),
        "not_per_charter": _l("Not investing as the charter requires"),
        "other_breach": _l("Other breach of the charter")},
    EligibleBuyers: {"social_lps": _l("Social LPs"), "gp": _l("The GP"),
                     "social_lps_and_gp": _l("Social LPs and the GP")},
    InterestBase: {"original": _l("On original principal"),
                   "unreturned": _l("On unreturned principal")},
}
register_enum_labels(LABELS)


def choices(enum_cls: type, blank: bool = False, only: tuple[str, ...] = ()) -> list[Any]:
    items = [option(v, t) for v, t in LABELS[enum_cls].items() if not only or v in only]
    return [option("", "—"), *items] if blank else items


def investor_type_choices() -> list[Any]:
    return [option(v, t) for v, t in PORTFOLIO_LABELS[InvestorType].items()]


def percent(value: Decimal | None) -> Decimal | None:
    """A percent typed on a page as the exact fraction the services take."""
    return None if value is None else value.scaleb(-2)


def _pct(text: Any, required: bool = True) -> AmountField:
    checks = [InputRequired() if required else Optional(), NumberRange(-100, 100)]
    return AmountField(text, checks, places=6, allow_zero=True)


class _BuyerFields(TokenForm):
    buyer_id = SelectField(_l("Buyer"), coerce=int, default=0)
    new_buyer_name = StringField(_l("…or a new buyer's name"), [Optional(), Length(max=200)])
    new_buyer_type = SelectField(_l("New buyer's investor type"), default="private")
    transfer_on = DateField(_l("Transfer date"), [DataRequired()])
    commitment_amount = AmountField(_l("Commitment transferred (yuan; blank: all)"),
                                    [Optional()])
    appraisal_ref = StringField(_l("Appraisal report no."), [Optional(), Length(max=200)])
    platform = SelectField(_l("Exchange or platform"), default="")
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new_buyer_type.choices = investor_type_choices()
        self.platform.choices = choices(TransferPlatform, blank=True)


class TransferForm(_BuyerFields):
    seller_id = SelectField(_l("Seller"), coerce=int)
    reference_on = DateField(_l("Reference date"), [DataRequired()])
    reference_nav = AmountField(_l("Reference NAV of the interest (yuan)"), [InputRequired()],
                                allow_zero=True)
    discount_pct = _pct(_l("Discount (%, negative: premium)"))
    price = AmountField(_l("Negotiated price (yuan; blank: formula)"), [Optional()],
                        allow_zero=True)


class EarlyExitForm(_BuyerFields):
    seller_id = SelectField(_l("Government LP"), coerce=int)
    trigger = SelectField(_l("Trigger (Art. 20)"), choices=choices(EarlyExitTrigger))
    pricing = SelectField(_l("Pricing"), choices=choices(
        PriceBasis, only=("cost_plus_interest", "appraisal")))
    rate_pct = _pct(_l("Charter reference rate (%)"), required=False)
    interest_base = SelectField(_l("Interest on"), choices=choices(InterestBase))
    appraised_value = AmountField(_l("Appraised value (yuan)"), [Optional()], allow_zero=True)


class OptionForm(TokenForm):
    holder_id = SelectField(_l("Government LP"), coerce=int)
    window_from = DateField(_l("Window opens"), [DataRequired()])
    window_to = DateField(_l("Window closes"), [DataRequired()])
    eligible = SelectField(_l("Who may buy"), choices=choices(EligibleBuyers))
    gp_investor_id = SelectField(_l("The GP's LP record"), coerce=int, default=0)
    rate_pct = _pct(_l("Reference rate (%, simple)"))
    interest_base = SelectField(_l("Interest on"), choices=choices(InterestBase))
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])


class ExerciseForm(TokenForm):
    buyer_id = SelectField(_l("Buyer"), coerce=int)
    transfer_on = DateField(_l("Transfer date"), [DataRequired()])
    commitment_amount = AmountField(_l("Commitment transferred (yuan; blank: all)"),
                                    [Optional()])
    appraisal_ref = StringField(_l("Appraisal report no."), [Optional(), Length(max=200)])
    platform = SelectField(_l("Exchange or platform"), default="")
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform.choices = choices(TransferPlatform, blank=True)


class ReverseTransferForm(TokenForm):
    reason = TextAreaField(_l("Reason"), [DataRequired(), Length(max=500)])
