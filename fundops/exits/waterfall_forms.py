"""Forms of the waterfall pages: a terms version (with one optional 让利 tier of up to two
beneficiaries by weight; the API takes any number), a run, a run's reversal. Rates are
typed in percent and converted to fractions exactly."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from fundops.calc.waterfall_terms import CapitalBasis, ConcessionPlacement, Hurdle, Structure
from fundops.exits.enums import ConcessionCondition
from fundops.i18n import register_enum_labels
from fundops.portfolio.enums import DistributionType
from fundops.portfolio.forms import AmountField, option
from fundops.portfolio.forms import choices as portfolio_choices
from fundops.web.formtokens import TokenForm

LABELS: dict[Any, dict[str, Any]] = {
    Structure: {"whole_fund": _l("Whole-fund"), "deal_by_deal": _l("Deal-by-deal")},
    CapitalBasis: {"with_fees": _l("Contributions including fees and expenses"),
                   "without_fees": _l("Contributions less fees and expenses")},
    Hurdle: {"none": _l("No preferred return"), "simple": _l("Simple"),
             "compound": _l("Compound"), "irr": _l("IRR test")},
    ConcessionPlacement: {"after_carry": _l("After the fund's carry"),
                          "before_carry": _l("Before the fund's carry")},
    ConcessionCondition: {"reinvestment": _l("Reinvestment (返投) target met"),
                          "early_small": _l("Early-stage and small (投早投小) target met")},
}
register_enum_labels(LABELS)


def choices(enum_cls: type) -> list[Any]:
    return [option(v, t) for v, t in LABELS[enum_cls].items()]


def _pct(text: Any, required: bool = True) -> AmountField:
    return AmountField(text, [InputRequired() if required else Optional()], places=6,
                       allow_zero=True)


class TermsForm(TokenForm):
    effective_on = DateField(_l("Effective from"), [DataRequired()])
    structure = SelectField(_l("Structure"), choices=choices(Structure))
    capital_basis = SelectField(_l("Tier 1 returns"), choices=choices(CapitalBasis))
    hurdle = SelectField(_l("Preferred return"), choices=choices(Hurdle), default="compound")
    hurdle_pct = _pct(_l("Hurdle rate (%)"))
    carry_pct = _pct(_l("Carry (%)"))
    catch_up_pct = _pct(_l("GP catch-up share (%; blank: no catch-up)"), required=False)
    holdback_pct = _pct(_l("Holdback of the carry into escrow (%)"))
    carry_recipient_id = SelectField(_l("Carry recipient"), coerce=int)
    gp_commitment_ids = SelectMultipleField(_l("GP commitment (no carry on it)"), coerce=int)
    concession_placement = SelectField(_l("Profit concession (让利): placement"),
                                       choices=choices(ConcessionPlacement))
    government_id = SelectField(_l("Profit concession: government LP"), coerce=int, default=0)
    threshold_pct = _pct(_l("Profit concession: threshold rate (%, simple)"), required=False)
    share_pct = _pct(_l("Profit concession: share of the excess ceded (%)"), required=False)
    beneficiary_1 = SelectField(_l("Profit concession: beneficiary"), coerce=int, default=0)
    weight_1 = AmountField(_l("Weight"), [Optional()], places=6)
    beneficiary_2 = SelectField(_l("Profit concession: second beneficiary"), coerce=int, default=0)
    weight_2 = AmountField(_l("Weight of the second"), [Optional()], places=6)
    condition = SelectField(_l("Profit concession: condition"), default="")
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.condition.choices = [option("", _l("None (always applies)")),
                                  *choices(ConcessionCondition)]


class RunForm(TokenForm):
    value_on = DateField(_l("Distribution date"), [DataRequired()])
    amount = AmountField(_l("Amount distributable (yuan)"), [InputRequired()])
    distribution_type = SelectField(_l("Distribution type"), default="gain",
                                    choices=portfolio_choices(DistributionType, frozenset(
                                        {"return_of_capital", "gain", "income"})))
    conditions_met = SelectMultipleField(_l("Profit concession conditions met"),
                                         choices=choices(ConcessionCondition))
    company_id = SelectField(_l("Deal (deal-by-deal only)"), coerce=int, default=0)
    source_ref = StringField(_l("Source reference"), [Optional(), Length(max=100)])
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])


class ReverseRunForm(TokenForm):
    reason = TextAreaField(_l("Reason"), [DataRequired(), Length(max=500)])
