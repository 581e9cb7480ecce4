"""Flask-WTF forms of the linked-loan pages, and the translated labels of their enums.

Forms check the shape of input only (required, a date, decimal places, a percent in
range); the services own the rules and their ``ValidationError`` lands on the field of
the same name. Rates and shares are typed in percent and handed to the services as
exact fractions (``percent.scaleb(-2)``); amounts are typed in yuan.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from fundops.errors import ValidationError
from fundops.web.formtokens import TokenForm, data_fields
from fundops.i18n import localise, register_enum_labels
from fundops.portfolio.enums import Instrument
from fundops.portfolio.forms import AmountField, option
from fundops.portfolio.forms import choices as portfolio_choices
from fundops.syndication.enums import (
    Collateral,
    EquityRule,
    FundingSource,
    LoanEntryKind,
    LoanStatus,
    RateType,
    RepaymentType,
    TermSheetStatus,
)
from fundops.syndication.term_sheets.services import AllocationInput

LABELS: dict[type[enum.Enum], dict[str, Any]] = {
    TermSheetStatus: {
        "draft": _l("Draft"), "signed": _l("Signed"), "ic_approved": _l("IC approved"),
        "closing": _l("In closing"), "funded": _l("Funded"), "lapsed": _l("Lapsed"),
        "cancelled": _l("Cancelled"),
    },
    LoanStatus: {
        "applied": _l("Applied"), "approved": _l("Approved"), "active": _l("Disbursed"),
        "repaid": _l("Repaid"), "defaulted": _l("Defaulted"), "written_off": _l("Written off"),
        "declined": _l("Declined"), "cancelled": _l("Cancelled"),
    },
    RateType: {"fixed": _l("Fixed rate"), "lpr_spread": _l("LPR + spread")},
    RepaymentType: {
        "equal_instalment": _l("Equal instalments"), "equal_principal": _l("Equal principal"),
        "interest_only": _l("Interest only, principal at maturity"),
    },
    Collateral: {
        "credit": _l("Unsecured (credit)"), "equity_pledge": _l("Equity pledge"),
        "ip_pledge": _l("IP pledge"), "data_asset_pledge": _l("Data-asset pledge"),
    },
    EquityRule: {
        "share": _l("Required share of the round first"),
        "pro_rata": _l("Pro rata to complete tranches"),
    },
    FundingSource: {"ledger": _l("Fund ledger entry"), "evidence": _l("Payment evidence")},
    LoanEntryKind: {
        "disbursement": _l("Disbursement"), "principal_repayment": _l("Principal repaid"),
        "interest_payment": _l("Interest paid"), "subsidy_received": _l("Subsidy received"),
        "overdue": _l("Overdue"), "default": _l("Loan default"), "write_off": _l("Write-off"),
        "recovery": _l("Recovery"),
    },
}
BINDING_LABELS = {
    "product_cap": _l("Product cap"), "equity_arrived": _l("α × equity arrived"),
    "post_money": _l("β × post-money"),
}
_BY_NAME = {cls.__name__: cls for cls in LABELS}
register_enum_labels(LABELS)
_LINE_FIELD = re.compile(r"(co_investors|tranches)(?:\[(\d+)\])?")
CO_INVESTOR_LINES = 5
TRANCHE_LINES = 3


def label(value: object, enum_name: str | None = None) -> str:
    """The translated label of a syndication enum member or stored value."""
    if value is None or value == "":
        return ""
    cls = _BY_NAME.get(enum_name or "") or type(value)
    key = value.value if isinstance(value, enum.Enum) else str(value)
    return str(LABELS.get(cls, {}).get(key, key))  # type: ignore[arg-type]


def choices(enum_cls: type[enum.Enum], only: frozenset[str] | None = None) -> list[Any]:
    return [option(v, text) for v, text in LABELS[enum_cls].items() if only is None or v in only]


def fraction(percent: Decimal | None) -> Decimal | None:
    """A percent typed in a form as the exact fraction the services take."""
    return None if percent is None else percent.scaleb(-2)


def _amount(text: Any, **kw: Any) -> AmountField:
    return AmountField(text, [InputRequired()], **kw)


def _optional_amount(text: Any, **kw: Any) -> AmountField:
    return AmountField(text, [Optional()], **kw)


def _percent(text: Any, required: bool = False, upper: int | None = 100) -> AmountField:
    checks: list[Any] = [InputRequired() if required else Optional()]
    if upper is not None:
        checks.append(NumberRange(max=upper))
    return AmountField(text, checks, places=6, allow_zero=True)


def _text(text: Any, max_len: int = 200, required: bool = False) -> StringField:
    return StringField(text, [DataRequired() if required else Optional(), Length(max=max_len)])


def _date(text: Any, required: bool = True) -> DateField:
    return DateField(text, [DataRequired() if required else Optional()])


# --- term sheets --------------------------------------------------------------------------


class FixedLines(FieldList):
    """Exactly ``min_entries`` lines, line ``i`` always read from ``<name>-i-*``.

    WTForms' FieldList renumbers sparse input (lines 1 and 3 become 0 and 1) and then
    pads from the same formdata, so a line could be read twice; a fixed-size table of
    lines must keep each line where the user typed it.
    """

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.last_index = -1
        self.entries: list[Any] = []
        self.object_data = ()
        for index in range(self.min_entries):
            self._add_entry(formdata, index=index)


class CoInvestorLine(Form):
    """A syndicate line: a fund by its filing number, or an outside investor by name."""

    fund_registration_no = _text(_l("Fund filing no."), 40)
    investor_name = _text(_l("Investor name"))
    amount = _optional_amount(_l("Amount (yuan)"))


class TrancheLine(Form):
    amount = _optional_amount(_l("Amount (yuan)"))
    expected_on = _date(_l("Expected on"), required=False)
    condition = _text(_l("Release condition"), 300)


class TermSheetForm(TokenForm):
    company_id = SelectField(_l("Company"), coerce=int)
    lead_fund_id = SelectField(_l("Lead fund"), coerce=int)
    round_name = _text(_l("Round"), 50, required=True)
    instrument = SelectField(_l("Instrument"), choices=portfolio_choices(Instrument),
                             default="preferred_equity")
    round_size = _amount(_l("Round size (yuan)"))
    pre_money = _amount(_l("Pre-money valuation (yuan)"))
    post_money = _amount(_l("Post-money valuation (yuan)"))
    price_per_share = _optional_amount(_l("Price per share (yuan)"), places=4)
    ownership_rate = _percent(_l("Ownership of the round (%)"))
    liquidation_preference = AmountField(_l("Liquidation preference (multiple)"),
                                         [Optional(), NumberRange(max=100)], places=4,
                                         allow_zero=True)
    redemption_rate = _percent(_l("Redemption rate (% a year)"))
    use_of_proceeds = _text(_l("Use of proceeds"), 500)
    is_binding = BooleanField(_l("Binding"))
    signed_on = _date(_l("Signing date"), required=False)
    long_stop_on = _date(_l("Long-stop date"))
    expected_funding_on = _date(_l("Expected funding date"), required=False)
    lead_amount = _amount(_l("Lead fund's amount (yuan)"))
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
            investor_name=line.investor_name.data or "") for _i, line in _lines(self.co_investors)]
        data["tranches"] = [{"amount": line.amount.data, "expected_on": line.expected_on.data,
                             "condition": line.condition.data or ""}
                            for _i, line in _lines(self.tranches)]
        return data

    def attach_line_error(self, exc: ValidationError) -> bool:
        """Show a ``co_investors[i]`` / ``tranches[i]`` error (i counts the lines given,
        blank ones skipped) on its line; False for any other field."""
        match = _LINE_FIELD.fullmatch(exc.field)
        if match is None:
            return False
        key = match.group(1)
        if match.group(2) is not None:
            key = f"{key}-{_lines(self[key])[int(match.group(2))][0]}"
        self.line_errors.setdefault(key, []).append(localise(exc))
        return True


def _lines(entries: Any) -> list[tuple[int, Any]]:
    """The non-blank lines of a FieldList as (line index, subform)."""
    return [(i, e.form) for i, e in enumerate(entries)
            if any(f.data not in (None, "", False) for f in e.form)]


class TransitionForm(TokenForm):
    status = SelectField(_l("New status"))
    signed_on = _date(_l("Signing date"), required=False)
    reason = _text(_l("Reason"), 500)


class IssueCodeForm(TokenForm):
    """Issue a verification code (only the CSRF and one-time tokens)."""


class RevokeCodeForm(TokenForm):
    reason = _text(_l("Reason"), 500)


class LinkInvestmentForm(TokenForm):
    allocation_id = SelectField(_l("Allocation"), coerce=int)
    cash_flow_id = SelectField(_l("Investment entry"), coerce=int)


class OutsideFundingForm(TokenForm):
    allocation_id = SelectField(_l("Outside investor"), coerce=int)
    amount = _amount(_l("Amount arrived (yuan)"))
    arrived_on = _date(_l("Arrived on"))
    evidence_ref = _text(_l("Evidence reference"), 200, required=True)


# --- bank: verification, products, loans --------------------------------------------------


class VerifyForm(FlaskForm):
    code = StringField(_l("Verification code"), [DataRequired(), Length(max=64)])


class ApplyForm(TokenForm):
    code = HiddenField()
    product_id = SelectField(_l("Loan product"), coerce=int)
    amount = _amount(_l("Loan amount (yuan)"))
    first_due_on = _date(_l("First repayment date"), required=False)


class ProductForm(TokenForm):
    name = _text(_l("Product name"), required=True)
    currency = StringField(_l("Currency"), [DataRequired(), Length(min=3, max=3)], default="CNY")
    alpha = _percent(_l("α: share of equity arrived (%)"), required=True)
    beta = _percent(_l("β: share of post-money (%)"), required=True)
    cap_amount = _amount(_l("Cap per company (yuan)"))
    required_status = SelectField(_l("Term sheet at least"), choices=choices(
        TermSheetStatus, frozenset({"draft", "signed", "ic_approved", "closing", "funded"})),
        default="ic_approved")
    equity_rule = SelectField(_l("Release rule"), choices=choices(EquityRule), default="share")
    required_share = _percent(_l("γ: share of the round arrived before release (%)"), required=True)
    tenor_months = IntegerField(_l("Tenor (months)"), [InputRequired(), NumberRange(1, 360)],
                                default=24)
    rate_type = SelectField(_l("Rate type"), choices=choices(RateType), default="lpr_spread")
    fixed_rate = _percent(_l("Fixed rate (% a year)"))
    spread = _percent(_l("Spread over LPR (% a year)"))
    repayment_type = SelectField(_l("Repayment"), choices=choices(RepaymentType))
    collateral = SelectField(_l("Collateral"), choices=choices(Collateral))
    subsidy_share = _percent(_l("Interest subsidy (%, share of interest)"))
    subsidy_max_rate = _percent(_l("Subsidy rate cap (% a year)"))
    subsidy_annual_cap = _optional_amount(_l("Subsidy cap per year (yuan)"))
    warrant_coverage = _percent(_l("Warrant coverage (%, share of loan)"))
    risk_scheme = _text(_l("Risk-sharing scheme"), 100)

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
    note = _text(_l("Decision note"), 500)


class DeclineForm(TokenForm):
    note = _text(_l("Reason for declining"), 500)


class DisburseForm(TokenForm):
    amount = _amount(_l("Amount (yuan)"))
    value_on = _date(_l("Value date"))
    memo = _text(_l("Memo"), 500)


class RepaymentForm(TokenForm):
    principal = _optional_amount(_l("Principal (yuan)"), allow_zero=True)
    interest = _optional_amount(_l("Interest (yuan)"), allow_zero=True)
    subsidy = _optional_amount(_l("Subsidy received (yuan)"))
    value_on = _date(_l("Value date"))
