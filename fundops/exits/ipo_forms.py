"""Forms of the IPO pages: a listing, a sale, an in-kind distribution, a mark and a price
upload; the translated labels of holder categories, channels and bands.

Forms check the shape of input only (required, a date, decimals); the services decide
(lock-up, windows, shares held) and their errors land on the field of the same name.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from fundops.calc.lockup import Band, HolderCategory, TradeChannel
from fundops.portfolio.forms import AmountField, option
from fundops.web.formtokens import TokenForm

CATEGORY_LABELS: dict[str, Any] = {
    HolderCategory.GENERAL: _l("Pre-IPO shareholder (12 months)"),
    HolderCategory.CONTROLLING: _l("Controlling shareholder or actual controller (36 months)"),
    HolderCategory.TOP_51: _l("Among the holders of the top 51 per cent, no actual controller "
                              "(36 months; under 5 per cent: 12)"),
    HolderCategory.QUALIFYING_VC: _l("Qualifying VC fund, not the largest holder (12 months)"),
}
CHANNEL_LABELS: dict[str, Any] = {
    TradeChannel.BIDDING: _l("Centralised bidding"),
    TradeChannel.BLOCK: _l("Block trade"),
}
BAND_LABELS: dict[str, Any] = {
    Band.UNDER_36: _l("Qualifying VC fund, invested under 36 months"),
    Band.FROM_36: _l("Qualifying VC fund, invested 36 to 48 months"),
    Band.FROM_48: _l("Qualifying VC fund, invested 48 to 60 months"),
    Band.FROM_60: _l("Qualifying VC fund, invested 60 months or more"),
    Band.GENERAL: _l("Not a qualifying VC fund: general limits"),
}


def _date(text: Any) -> DateField:
    return DateField(text, [DataRequired()])


def _shares(text: Any) -> AmountField:
    return AmountField(text, [InputRequired()], places=0)


class ListingForm(TokenForm):
    company_id = SelectField(_l("Company"), coerce=int)
    listed_on = _date(_l("Listing date"))
    exchange = StringField(_l("Exchange"), [DataRequired(), Length(max=20)])
    ticker = StringField(_l("Stock code"), [DataRequired(), Length(max=20)])
    total_shares = _shares(_l("Total shares after the IPO"))
    shares_held = _shares(_l("Shares held by the fund"))
    holder_category = SelectField(_l("Holder category"), choices=[
        option(str(k), v) for k, v in CATEGORY_LABELS.items()])
    qualifying_vc = BooleanField(_l("Qualifying VC fund (reverse linkage applies)"))
    investment_start_on = DateField(_l("Investment period starts (blank: first investment)"),
                                    [Optional()])
    liquidity_discount_pct = AmountField(_l("Liquidity discount while locked (%)"),
                                         [Optional(), NumberRange(max=99.999999)], places=6,
                                         allow_zero=True)

    def discount_fraction(self) -> Any:
        pct = self.liquidity_discount_pct.data
        return None if pct is None else pct.scaleb(-2)


class SaleForm(TokenForm):
    value_on = _date(_l("Trade date"))
    channel = SelectField(_l("Channel"), choices=[
        option(str(k), v) for k, v in CHANNEL_LABELS.items()])
    shares = _shares(_l("Shares sold"))
    price_per_share = AmountField(_l("Price per share (yuan)"), [InputRequired()], places=4)
    counterparty = StringField(_l("Counterparty"), [Optional(), Length(max=200)])
    memo = StringField(_l("Memo"), [Optional(), Length(max=500)])


class InKindForm(TokenForm):
    value_on = _date(_l("Distribution date"))
    shares = _shares(_l("Shares distributed"))
    price_per_share = AmountField(_l("Value per share (yuan)"), [InputRequired()], places=4)


class MarkForm(TokenForm):
    as_of = _date(_l("As of"))


class PriceUploadForm(TokenForm):
    prices = TextAreaField(_l("Closing prices (CSV)"), [DataRequired(), Length(max=2_000_000)])
    replace = BooleanField(_l("Overwrite prices already loaded for a day"))
