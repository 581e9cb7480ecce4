"""Flask-WTF forms of the portfolio pages, and the translated labels of enum values.

Forms only check the shape of input (required, a date, at most 2 decimal places, not
negative); business rules stay in the services, whose ``ValidationError`` the views
attach to the field of the same name.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

try:  # WTForms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice  # type: ignore[attr-defined]  # new in 3.3; stubs: 3.2
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None

from fundops.i18n import register_enum_labels
from fundops.money import D, decimal_places
from fundops.portfolio.enums import (
    CallPurpose,
    CashFlowKind,
    CompanyStage,
    CompanyTag,
    DistributionType,
    FundKind,
    FundStage,
    Instrument,
    InvestorType,
)
from fundops.portfolio.fields import company_field
from fundops.web.formtokens import TokenForm

LABELS: dict[type[enum.Enum], dict[str, Any]] = {
    FundKind: {
        "parent_fund": _l("Parent fund (FoF)"), "sub_fund": _l("Sub-fund"),
        "direct_vehicle": _l("Direct-investment vehicle"), "ma_fund": _l("M&A fund"),
        "s_fund": _l("S fund (secondaries)"),
    },
    FundStage: {
        "raising": _l("Raising"), "investing": _l("Investing"), "managing": _l("Managing"),
        "exiting": _l("Exiting"), "extended": _l("Extended"), "liquidated": _l("Liquidated"),
    },
    InvestorType: {
        "fiscal": _l("Fiscal / government"), "guidance_fund": _l("Government guidance fund"),
        "state_owned": _l("State-owned enterprise"), "private": _l("Private / social capital"),
        "insurance": _l("Insurance"), "bank_aic": _l("Bank AIC"),
        "social_security": _l("Social security fund"), "corporate": _l("Corporate"),
        "individual": _l("Individual"),
    },
    CashFlowKind: {
        "capital_call": _l("Capital call"), "distribution": _l("Distribution"),
        "investment": _l("Investment"), "proceeds": _l("Proceeds"),
        "management_fee": _l("Management fee"), "expense": _l("Fund expense"),
        "fund_contribution": _l("Paid into sub-fund"), "fund_return": _l("Received from sub-fund"),
        "lp_transfer": _l("LP interest transfer"),
    },
    CallPurpose: {
        "investment": _l("For investments"), "management_fee": _l("For management fee"),
        "fund_expenses": _l("For fund expenses"), "other": _l("Other"),
    },
    DistributionType: {
        "return_of_capital": _l("Return of capital"), "gain": _l("Capital gain"),
        "income": _l("Income"), "in_kind": _l("In kind (listed shares)"),
    },
    CompanyStage: {
        "seed": _l("Seed"), "start_up": _l("Start-up"), "growth": _l("Growth"),
        "mature": _l("Mature"),
    },
    CompanyTag: {
        "srdi": _l("SRDI (specialised & innovative)"), "little_giant": _l("Little giant"),
        "high_tech": _l("High-tech enterprise"),
    },
    Instrument: {
        "ordinary_equity": _l("Ordinary equity"), "preferred_equity": _l("Preferred equity"),
        "convertible": _l("Convertible"), "debt": _l("Debt"), "other": _l("Other"),
    },
}
_BY_NAME = {cls.__name__: cls for cls in LABELS}
register_enum_labels(LABELS)


def label(value: object, enum_name: str | None = None) -> str:
    """The translated label of an enum member (or of a stored value of ``enum_name``)."""
    if value is None or value == "":
        return ""
    cls = _BY_NAME.get(enum_name or "") or type(value)
    key = value.value if isinstance(value, enum.Enum) else str(value)
    return str(LABELS.get(cls, {}).get(key, key))  # type: ignore[arg-type]


def option(value: Any, text: Any) -> Any:
    """One select option, in the shape the installed WTForms prefers."""
    return (value, text) if SelectChoice is None else SelectChoice(value, text)


def choices(enum_cls: type[enum.Enum], only: frozenset[str] | None = None) -> list[Any]:
    return [option(v, text) for v, text in LABELS[enum_cls].items() if only is None or v in only]


class AmountField(DecimalField):
    """An exact amount: thousands separators allowed, never rounded.

    ``DecimalField(places=...)`` only affects rendering, so extra decimal places are
    rejected here instead of being silently kept (or rounded) in ``data``.
    """

    widget = TextInput()  # type="number" would refuse "1,000,000.00"

    def __init__(self, label: Any = None, validators: Any = None, *, places: int = 2,
                 allow_zero: bool = False, **kwargs: Any) -> None:
        super().__init__(label, validators, places=places, **kwargs)
        self.allow_zero = allow_zero

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = D(str(valuelist[0]))
        except (TypeError, ValueError):
            self.data = None
            raise ValueError(_l("Not a valid amount.")) from None

    def pre_validate(self, form: Any) -> None:
        value = self.data
        if value is None:
            return
        if decimal_places(value) > (self.places or 0):
            raise StopValidation(_l("Use at most %(n)d decimal places.", n=self.places))
        if value < 0:
            raise StopValidation(_l("Must not be negative."))
        if value == 0 and not self.allow_zero:
            raise StopValidation(_l("Must be greater than zero."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _amount(text: Any, **kw: Any) -> AmountField:
    return AmountField(text, [InputRequired()], **kw)


def _optional_amount(text: Any, **kw: Any) -> AmountField:
    return AmountField(text, [Optional()], **kw)


def _date(text: Any) -> DateField:
    return DateField(text, [DataRequired()])


def _text(text: Any, max_len: int = 200, required: bool = False) -> StringField:
    return StringField(text, [DataRequired() if required else Optional(), Length(max=max_len)])


_REGION = Regexp(r"^\d{6}$", message=_l(
    "Use the six-digit administrative division code, e.g. 440300."))


class FundForm(TokenForm):
    code = StringField(_l("Fund code"), [DataRequired(), Regexp(
        r"^[A-Za-z0-9_.-]{1,40}$", message=_l("Use 1-40 letters, digits, '.', '_' or '-'."))])
    name_zh = _text(_l("Name (Chinese)"), required=True)
    name_en = _text(_l("Name (English)"))
    kind = SelectField(_l("Fund kind"), choices=choices(FundKind), default="sub_fund")
    currency = StringField(_l("Currency"), [DataRequired(), Length(min=3, max=3)], default="CNY")
    vintage = IntegerField(_l("Vintage"), [InputRequired(), NumberRange(1980, 2100)])
    target_size_amount = _amount(_l("Target size (yuan)"))
    inception_on = _date(_l("Inception date"))
    investment_period_end_on = _date(_l("Investment period ends"))
    term_end_on = _date(_l("Term ends"))
    extension_end_on = DateField(_l("Extension ends"), [Optional()])
    stage = SelectField(_l("Stage"), choices=choices(FundStage), default="raising")
    region_code = StringField(_l("Region code"), [DataRequired(), _REGION])
    registration_no = _text(_l("Registration no. (AMAC)"), 40)
    is_guidance_fund = BooleanField(_l("Government guidance fund"))


class StageForm(TokenForm):
    stage = SelectField(_l("New stage"), choices=choices(FundStage))
    effective_on = _date(_l("Effective date"))
    reason = _text(_l("Reason"), 500)


class InvestorForm(TokenForm):
    name = _text(_l("Name"), required=True)
    investor_type = SelectField(_l("Investor type"), choices=choices(InvestorType))
    fund_id = SelectField(_l("Invests through our fund"), coerce=int, default=0)
    fund_registration_no = _text(_l("…or LP fund's registration no."), 40)
    uscc = _text(_l("Unified social credit code"), 18)


class CommitmentForm(TokenForm):
    investor_id = SelectField(_l("Investor"), coerce=int)
    amount = _amount(_l("Commitment (yuan)"))
    committed_on = _date(_l("Commitment date"))
    closing = IntegerField(_l("Closing"), [InputRequired(), NumberRange(min=1)], default=1)


class _EntryForm(TokenForm):
    value_on = _date(_l("Value date"))
    amount = _amount(_l("Amount (yuan)"))
    counterparty = _text(_l("Counterparty"))
    source_ref = _text(_l("Reference"), 100)
    memo = _text(_l("Memo"), 500)


class CapitalCallForm(_EntryForm):
    purpose = SelectField(_l("Purpose"), choices=choices(CallPurpose), default="investment")


class DistributionForm(_EntryForm):
    # in kind: through the listing's in-kind form, which also records the shares' exit
    distribution_type = SelectField(_l("Distribution type"), choices=choices(
        DistributionType, frozenset({"return_of_capital", "gain", "income"})))
    recallable = BooleanField(_l("Recallable"))


class FundFlowForm(_EntryForm):
    kind = SelectField(_l("Kind"), choices=choices(
        CashFlowKind, frozenset({"proceeds", "management_fee", "expense"})))
    company_id = company_field(_l("Company (for proceeds)"))


class InvestmentForm(TokenForm):
    company_id = company_field(_l("Company"), required=True)
    round_name = _text(_l("Round"), 50, required=True)
    instrument = SelectField(_l("Instrument"), choices=choices(Instrument),
                             default="preferred_equity")
    invested_on = _date(_l("Investment date"))
    amount = _amount(_l("Amount (yuan)"))
    shares = _optional_amount(_l("Shares"), places=4)
    ownership_rate = AmountField(_l("Ownership (%)"), [Optional(), NumberRange(max=100)],
                                 places=6, allow_zero=True)
    source_ref = _text(_l("Reference"), 100)

    def ownership_fraction(self) -> Decimal | None:
        """The percent typed converted to the fraction the service stores (exact)."""
        pct = self.ownership_rate.data
        return None if pct is None else pct.scaleb(-2)


class ValuationForm(TokenForm):
    as_of = _date(_l("As of"))
    nav_amount = _amount(_l("NAV (yuan)"), allow_zero=True)


class HoldingValuationForm(TokenForm):
    company_id = SelectField(_l("Company"), coerce=int)
    as_of = _date(_l("As of"))
    fair_value_amount = _amount(_l("Fair value (yuan)"), allow_zero=True)
    method = _text(_l("Method"), 100)


class ReverseForm(TokenForm):
    reason = TextAreaField(_l("Reason"), [DataRequired(), Length(max=500)])


class CompanyForm(TokenForm):
    name = _text(_l("Company name"), required=True)
    uscc = StringField(_l("Unified social credit code"), [DataRequired(), Length(min=18, max=18)])
    sector = _text(_l("Sector"), 100, required=True)
    stage = SelectField(_l("Stage"), choices=choices(CompanyStage), default="start_up")
    region_code = StringField(_l("Region code"), [DataRequired(), _REGION])
    is_hard_tech = BooleanField(_l("Hard tech"))
    is_sme = BooleanField(_l("SME"))
    tags = MultiCheckboxField(_l("Tags"), choices=choices(CompanyTag))
