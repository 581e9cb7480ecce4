"""Flask-WTF forms of the risk-pool pages and of the loan page's credit events and
warrants, with the translated labels of pool roles, claim limits and warrant states.

Same conventions as :mod:`fundops.syndication.fields`: forms check the shape of input,
the services own the rules; shares and coverage are typed in percent and handed over as
exact fractions, amounts in yuan.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Form, FormField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from fundops.calc.loss_sharing import ClaimLimit, PoolRole
from fundops.errors import ValidationError
from fundops.i18n import localise, register_enum_labels
from fundops.portfolio.forms import AmountField, MultiCheckboxField, option
from fundops.syndication.enums import WARRANT_OUTCOMES, WarrantStatus
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
from fundops.web.formtokens import TokenForm

ROLE_LABELS: dict[str, Any] = {
    PoolRole.POOL: _l("Risk pool"), PoolRole.BANK: _l("Bank"),
    PoolRole.GOVERNMENT: _l("Government"), PoolRole.GUARANTOR: _l("Guarantor"),
    PoolRole.RE_GUARANTOR: _l("Re-guarantor"),
    PoolRole.TECH_INVESTMENT: _l("Tech investment company"),
}
BINDING_LABELS: dict[str, Any] = {
    ClaimLimit.BALANCE: _l("Pool balance"), ClaimLimit.PER_LOAN: _l("Cap per loan"),
    ClaimLimit.PER_COMPANY: _l("Cap per company"), ClaimLimit.PER_YEAR: _l("Cap per year"),
    ClaimLimit.PARTY_CAP: _l("Party's cap"),
}
WARRANT_LABELS: dict[str, Any] = {
    WarrantStatus.OPEN: _l("Open"), WarrantStatus.EXERCISED: _l("Exercised"),
    WarrantStatus.EXPIRED: _l("Expired"),
}
register_enum_labels({PoolRole: ROLE_LABELS, ClaimLimit: BINDING_LABELS,
                      WarrantStatus: WARRANT_LABELS})
PARTY_LINES = 5
_LINE_FIELD = re.compile(r"(parties|member_bank_ids)(?:\[(\d+)\])?")


# --- pools ------------------------------------------------------------------------------


class PartyLine(Form):
    """One bearer of the pool's loss-sharing scheme."""

    name = text_field(_l("Party"), 100)
    role = SelectField(_l("Role"), choices=[option("", "—")] + [
        option(k, v) for k, v in ROLE_LABELS.items()], default="")
    share = percent_field(_l("Share of the loss (%)"))
    cap = optional_amount_field(_l("Cap per loan (yuan)"))


class PoolForm(TokenForm):
    name = text_field(_l("Pool name"), required=True)
    currency = StringField(_l("Currency"), [DataRequired(), Length(min=3, max=3)], default="CNY")
    parties = FixedLines(FormField(PartyLine), min_entries=PARTY_LINES, max_entries=PARTY_LINES)
    member_bank_ids = MultiCheckboxField(_l("Member banks"), coerce=int)
    leverage_k = AmountField(_l("Leverage k (enrolled loans ≤ k × balance)"),
                             [Optional(), NumberRange(max=1000)], places=8)
    cap_per_loan = optional_amount_field(_l("Pool's cap per loan (yuan)"))
    cap_per_company = optional_amount_field(_l("Pool's cap per company (yuan)"))
    cap_per_year = optional_amount_field(_l("Pool's cap per year (yuan)"))
    source = text_field(_l("Policy source"), 500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_errors: dict[str, list[str]] = {}  # "parties" or one line "parties-2"

    def service_kwargs(self) -> dict[str, Any]:
        """The fields as :func:`fundops.syndication.pools.services.create_pool` takes them; blank
        scheme lines are left out."""
        return {
            "name": self.name.data, "currency": (self.currency.data or "").upper(),
            "parties": [{"name": line.name.data or "", "role": line.role.data or "",
                         "share": fraction(line.share.data) if line.share.data is not None
                         else "", "cap": line.cap.data}
                        for _i, line in filled_lines(self.parties)],
            "member_bank_ids": list(self.member_bank_ids.data or []),
            "leverage_k": self.leverage_k.data, "cap_per_loan": self.cap_per_loan.data,
            "cap_per_company": self.cap_per_company.data, "cap_per_year": self.cap_per_year.data,
            "source": self.source.data or "",
        }

    def attach_line_error(self, exc: ValidationError) -> bool:
        """Show a ``parties[i]`` error (i counts the lines given) on its line, a scheme
        error above the lines and ``member_bank_ids[i]`` on the banks; False otherwise."""
        match = _LINE_FIELD.fullmatch(exc.field)
        if match is None:
            return False
        if match.group(1) == "member_bank_ids":
            self.member_bank_ids.errors = [*self.member_bank_ids.errors, localise(exc)]
            return True
        key = "parties"
        if match.group(2) is not None:
            key = f"parties-{filled_lines(self.parties)[int(match.group(2))][0]}"
        self.line_errors.setdefault(key, []).append(localise(exc))
        return True


class ContributionForm(TokenForm):
    funder = text_field(_l("Funder"), required=True)
    amount = amount_field(_l("Amount (yuan)"))
    contributed_on = date_field(_l("Paid in on"))


class EnrolForm(TokenForm):
    loan_id = SelectField(_l("Loan"), coerce=int)
    on = date_field(_l("Enrolled on"))


# --- loan: credit events, claim, warrants --------------------------------------------------


class OverdueForm(TokenForm):
    amount = amount_field(_l("Amount past due (yuan)"))
    value_on = date_field(_l("Due date"))
    memo = text_field(_l("Memo"), 500)


class DefaultForm(TokenForm):
    value_on = date_field(_l("Default date"))
    reason = text_field(_l("Reason"), 500, required=True)


class WriteOffForm(TokenForm):
    amount = amount_field(_l("Principal written off (yuan)"))
    value_on = date_field(_l("Value date"))
    reason = text_field(_l("Reason"), 500, required=True)


class RecoveryForm(TokenForm):
    amount = amount_field(_l("Amount recovered (yuan)"))
    value_on = date_field(_l("Value date"))
    memo = text_field(_l("Memo"), 500)


class ClaimForm(TokenForm):
    on = date_field(_l("Claim date"))


class WarrantForm(TokenForm):
    holder_name = text_field(_l("Holder"), required=True)
    coverage = percent_field(_l("Coverage (%, share of loan)"))
    exercise_price = optional_amount_field(_l("Exercise price per share (yuan)"), places=4)
    window_from = date_field(_l("Exercisable from"))
    window_to = date_field(_l("Exercisable until"))


class CloseWarrantForm(TokenForm):
    outcome = SelectField(_l("Outcome"), choices=[
        option(status, WARRANT_LABELS[status]) for status in WARRANT_OUTCOMES])
    on = date_field(_l("On"))
