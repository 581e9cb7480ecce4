"""What the linked-loan forms share: the translated labels of the syndication enums, the
field builders and the fixed-size line tables.

The forms themselves are in ``term_sheets/forms.py``, ``loans/forms.py`` and
``pools/forms.py``. Forms check the shape of input only (required, a date, decimal
places, a percent in range); the services own the rules and their ``ValidationError``
lands on the field of the same name. Rates and shares are typed in percent and handed to
the services as exact fractions (``percent.scaleb(-2)``); amounts are typed in yuan.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, FieldList, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from fundops.i18n import register_enum_labels
from fundops.portfolio.forms import AmountField, option
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


def amount_field(text: Any, **kw: Any) -> AmountField:
    return AmountField(text, [InputRequired()], **kw)


def optional_amount_field(text: Any, **kw: Any) -> AmountField:
    return AmountField(text, [Optional()], **kw)


def percent_field(text: Any, required: bool = False, upper: int | None = 100) -> AmountField:
    checks: list[Any] = [InputRequired() if required else Optional()]
    if upper is not None:
        checks.append(NumberRange(max=upper))
    return AmountField(text, checks, places=6, allow_zero=True)


def text_field(text: Any, max_len: int = 200, required: bool = False) -> StringField:
    return StringField(text, [DataRequired() if required else Optional(), Length(max=max_len)])


def date_field(text: Any, required: bool = True) -> DateField:
    return DateField(text, [DataRequired() if required else Optional()])


class FixedLines(FieldList):  # type: ignore[type-arg]  # generic in the stubs only
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
            # WTForms' own entry builder (private, not in its stubs)
            self._add_entry(formdata, index=index)  # type: ignore[attr-defined]


def filled_lines(entries: Any) -> list[tuple[int, Any]]:
    """The non-blank lines of a FieldList as (line index, subform)."""
    return [(i, e.form) for i, e in enumerate(entries)
            if any(f.data not in (None, "", False) for f in e.form)]
