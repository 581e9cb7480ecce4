"""Flask-WTF forms of the exit pages and the translated labels of the exit kinds.

Forms only check the shape of input (required, a date, decimals, not negative); the
services check meaning and their ``ValidationError`` lands on the field of the same name.
Percentages typed on the pages (fraction sold, yearly rate) are converted to the
fractions the services take, exactly.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from fundops.calc.exit_pricing import InterestMethod
from fundops.exits.enums import BuybackTrigger, ClaimStatus, EscrowOutcome, ExitKind, ObligorKind
from fundops.i18n import register_enum_labels
from fundops.portfolio.forms import AmountField, option
from fundops.web.formtokens import TokenForm

LABELS: dict[type[enum.Enum], dict[str, Any]] = {
    ExitKind: {
        "ipo_sale": _l("IPO sell-down"), "trade_sale": _l("Trade sale (M&A)"),
        "equity_transfer": _l("Equity transfer (old shares)"), "buyback": _l("Buy-back"),
        "liquidation": _l("Liquidation"), "write_off": _l("Write-off"),
        "in_kind": _l("In-kind distribution"),
    },
    ObligorKind: {"company": _l("The company"), "founders": _l("Founders / controlling holders")},
    BuybackTrigger: {
        "no_ipo_by_date": _l("No IPO by the agreed date"),
        "missed_performance": _l("Performance target missed"),
        "material_breach": _l("Material breach"), "other": _l("Other"),
    },
    ClaimStatus: {"open": _l("Open, accruing"), "settled": _l("Settled"),
                  "withdrawn": _l("Withdrawn")},
    EscrowOutcome: {"released": _l("Released (paid)"), "forfeited": _l("Forfeited (not paid)")},
    InterestMethod: {"simple": _l("Simple interest"), "compound": _l("Compound interest")},
}
register_enum_labels(LABELS)


def label(value: object) -> str:
    """The translated label of an exit enum member."""
    if not isinstance(value, enum.Enum):
        return "" if value is None else str(value)
    return str(LABELS.get(type(value), {}).get(value.value, value.value))


def choices(enum_cls: type[enum.Enum], only: tuple[str, ...] | None = None) -> list[Any]:
    return [option(v, text) for v, text in LABELS[enum_cls].items()
            if only is None or v in only]


def percent_to_fraction(value: Decimal | None) -> Decimal | None:
    """A percentage typed on a page (8 = 8 %) as the exact fraction (0.08)."""
    return None if value is None else value.scaleb(-2)


def _amount(text: Any, required: bool = True, **kw: Any) -> AmountField:
    return AmountField(text, [InputRequired() if required else Optional()], **kw)


def _text(text: Any, max_len: int = 200, required: bool = False) -> StringField:
    return StringField(text, [DataRequired() if required else Optional(), Length(max=max_len)])


class TradeSaleForm(TokenForm):
    company_id = SelectField(_l("Company"), coerce=int)
    kind = SelectField(_l("Exit route"), choices=choices(
        ExitKind, ("trade_sale", "equity_transfer")), default="trade_sale")
    value_on = DateField(_l("Exit date"), [DataRequired()])
    consideration = _amount(_l("Consideration incl. escrow (yuan)"), allow_zero=True)
    shares = _amount(_l("Shares sold (blank: see fraction)"), required=False, places=4)
    fraction_pct = AmountField(_l("Fraction sold (%) (blank with no shares: all)"),
                               [Optional(), NumberRange(max=100)], places=6)
    escrow = _amount(_l("Escrow / holdback (yuan)"), required=False, allow_zero=True)
    escrow_due_on = DateField(_l("Escrow due"), [Optional()])
    counterparty = _text(_l("Buyer"))
    remaining_value = _amount(_l("Value of the rest after the sale (yuan, optional)"),
                              required=False, allow_zero=True)
    source_ref = _text(_l("Reference"), 100)
    memo = _text(_l("Memo"), 500)


class LiquidationForm(TokenForm):
    company_id = SelectField(_l("Company"), coerce=int)
    kind = SelectField(_l("Exit route"), choices=choices(ExitKind, ("liquidation", "write_off")),
                       default="write_off")
    value_on = DateField(_l("Exit date"), [DataRequired()])
    proceeds = _amount(_l("Liquidation proceeds (yuan; a write-off has none)"),
                       required=False, allow_zero=True)
    reason = TextAreaField(_l("Reason"), [DataRequired(), Length(max=500)])
    approval_doc = _text(_l("Approval document reference"))
    tolerated = BooleanField(_l("Loss tolerated (loss-tolerance rules)"))
    memo = _text(_l("Memo"), 500)


class EscrowForm(TokenForm):
    value_on = DateField(_l("Date"), [DataRequired()])
    amount = _amount(_l("Amount (yuan)"))
    outcome = SelectField(_l("Outcome"), choices=choices(EscrowOutcome), default="released")
    memo = _text(_l("Memo"), 500)


class ClaimForm(TokenForm):
    company_id = SelectField(_l("Company"), coerce=int)
    obligor_kind = SelectField(_l("Obligor"), choices=choices(ObligorKind), default="founders")
    obligor_name = _text(_l("Obligor name"), required=True)
    trigger = SelectField(_l("Trigger"), choices=choices(BuybackTrigger))
    triggered_on = DateField(_l("Triggered on"), [DataRequired()])
    principal = _amount(_l("Principal (yuan; blank: net investment)"), required=False)
    accrues_from = DateField(_l("Accrues from (blank: first investment)"), [Optional()])
    rate_pct = AmountField(_l("Yearly rate (%)"), [InputRequired(), NumberRange(max=100)],
                           places=6, allow_zero=True, default=Decimal(8))
    method = SelectField(_l("Interest"), choices=choices(InterestMethod), default="simple")
    dividends = _amount(_l("Dividends received (yuan)"), required=False, allow_zero=True)
    memo = _text(_l("Memo"), 500)


class SettleForm(TokenForm):
    value_on = DateField(_l("Paid on"), [DataRequired()])
    amount = _amount(_l("Amount paid (yuan; blank: the accrued price)"), required=False,
                     allow_zero=True)
    source_ref = _text(_l("Reference"), 100)
    memo = _text(_l("Memo"), 500)


class ReasonForm(TokenForm):
    reason = TextAreaField(_l("Reason"), [DataRequired(), Length(max=500)])
