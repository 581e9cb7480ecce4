"""Request and response schemas of the IPO exit API (:mod:`fundops.exits.ipo_api`).

Amounts are exact decimal strings in yuan of the fund's currency (2 decimals); share
counts exact decimal strings of whole shares; prices per share up to 4 decimals; rates
fractions (0.2 = 20 %); dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fundops.api.fields import (
    Amount,
    Bool,
    Choice,
    Day,
    Id,
    Int,
    Lines,
    Object,
    Rate,
    Reply,
    Schema,
    Text,
    Timestamp,
)
from fundops.calc.lockup import CONVENTIONS, Band, HolderCategory, TradeChannel
from fundops.exits.enums import ExitKind
from fundops.exits.ipo import ListingTerms
from fundops.exits.models import IpoListing


class Shares(Amount):
    """A share count: whole shares as a decimal string without a fraction ("10000000")."""

    unit = "whole shares, exact decimal string"

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        number = Decimal(value)
        whole = number.quantize(Decimal(1)) if number == number.to_integral_value() else number
        return format(whole, "f")


# --- requests -------------------------------------------------------------------------------


class ListingIn(Schema):
    company_id = Id(required=True, doc="a company the fund invested in")
    listed_on = Day(required=True)
    exchange = Text(required=True, max_length=20, doc="e.g. SSE, SZSE, BSE, HKEX")
    ticker = Text(required=True, max_length=20)
    total_shares = Shares(required=True, doc="the company's total shares after the IPO")
    shares_held = Shares(required=True, doc="the fund's shares at listing")
    holder_category = Choice(HolderCategory, required=True,
                             doc="sets the lock-up: general 12, controlling 36, top_51 36 "
                                 "(12 below 5 %), qualifying_vc 12 months")
    qualifying_vc = Bool(doc="a qualifying VC fund: the reverse-linkage bands apply; "
                             "default false")
    investment_start_on = Day(doc="start of the investment period; default the fund's "
                                  "first investment in the company")
    liquidity_discount_rate = Rate(doc="taken off the market price while locked, 0 ≤ d < 1")


class SaleIn(Schema):
    value_on = Day(required=True, doc="the trade date")
    shares = Shares(required=True)
    price_per_share = Amount(required=True, doc="yuan per share, at most 4 decimals")
    channel = Choice(TradeChannel, required=True)
    counterparty = Text(max_length=200)
    memo = Text(max_length=500)


class InKindIn(Schema):
    value_on = Day(required=True)
    shares = Shares(required=True)
    price_per_share = Amount(required=True, doc="the value per share distributed")


class MarkIn(Schema):
    as_of = Day(required=True)


class PricesIn(Schema):
    csv = Text(required=True, max_length=2_000_000,
               doc="CSV text: header exchange,ticker,date,close[,currency]; one close per line")
    replace = Bool(doc="overwrite closes already loaded for a day; default false")


# --- responses ------------------------------------------------------------------------------


class ListingOut(Reply):
    id = Id()
    fund_id = Id()
    company_id = Id()
    company_name = Text()
    listed_on = Day()
    exchange = Text()
    ticker = Text()
    total_shares = Shares()
    shares_held = Shares(doc="at listing")
    shares_held_today = Shares()
    holder_category = Choice(HolderCategory)
    qualifying_vc = Bool()
    investment_start_on = Day()
    lockup_months = Int()
    lockup_ends_on = Day(doc="the unlock date: the first day the shares may be sold")
    liquidity_discount_rate = Rate(nullable=True)
    currency = Text(doc="ISO 4217")
    recorded_at = Timestamp()


class ListingsOut(Reply):
    listings = Lines(ListingOut)


class WindowOut(Reply):
    index = Int(doc="0 = the window starting on the unlock date")
    starts_on = Day()
    ends_on = Day(nullable=True, doc="null: open-ended (no ratio limit)")
    quota = Shares(doc="shares this window adds")
    cumulative = Shares(doc="sellable by the window's first day, capped by the position")


class ScheduleOut(Reply):
    channel = Choice(TradeChannel)
    windows = Lines(WindowOut)


class LimitOut(Reply):
    band = Choice(Band)
    investment_months = Int(doc="complete calendar months from the start to the listing")
    window_days = Int(nullable=True, doc="null: no ratio limit")
    bidding_rate = Rate(nullable=True, doc="of total shares per window; null: no limit")
    block_rate = Rate(nullable=True, doc="of total shares per window; null: no limit")


class RoomOut(Reply):
    channel = Choice(TradeChannel)
    on = Day()
    allowed = Shares(doc="shares that may still be sold through the channel on the day")
    window_room = Shares(nullable=True, doc="the rolling windows' room; null: no limit")
    remaining = Shares(doc="shares still held")
    next_frees_on = Day(nullable=True, doc="the first later day more frees up; null: never")


class IpoSaleOut(Reply):
    id = Id()
    kind = Choice(ExitKind)
    value_on = Day()
    shares = Shares(nullable=True)
    fraction_disposed = Rate()
    price_per_share = Amount(nullable=True)
    channel = Choice(TradeChannel, nullable=True)
    proceeds_amount = Amount(doc="the consideration (in kind: the value distributed)")
    cost_basis_amount = Amount(doc="average cost of the shares disposed of")
    realised_gain_amount = Amount(doc="consideration − cost basis; negative: a loss")
    remaining_value_amount = Amount()
    closes_holding = Bool()
    cash_flow_id = Id(nullable=True, doc="the PROCEEDS ledger entry")
    distribution_id = Id(nullable=True, doc="in kind: the DISTRIBUTION ledger entry")
    currency = Text()


class MarkOut(Reply):
    id = Id()
    as_of = Day()
    fair_value_amount = Amount()
    currency = Text()
    method = Text(doc="the price's date and close, the shares and the discount taken")


class ListingDetailOut(ListingOut):
    limit = Object(LimitOut)
    schedule = Lines(ScheduleOut, doc="per channel")
    sellable_today = Lines(RoomOut, doc="per channel; empty once sold out")
    sales = Lines(IpoSaleOut, doc="standing sales and in-kind distributions, by date")
    marks = Lines(MarkOut, doc="the holding's valuations since listing, newest first")
    conventions = Lines(Text(), doc="how the limits are counted")
    cost_method = Text(doc="how realised gain is measured")


class PricesOut(Reply):
    rows = Int(doc="closing prices written")


def listing_data(listing: IpoListing, held_today: Any) -> dict[str, Any]:
    """A listing's reply fields."""
    columns = {c.key: getattr(listing, c.key) for c in listing.__mapper__.column_attrs}
    return columns | {"company_name": listing.company.name, "shares_held_today": held_today}


def terms_data(terms: ListingTerms) -> dict[str, Any]:
    """The limit and the schedule per channel."""
    limit = terms.limit
    return {
        "limit": {"band": limit.band, "investment_months": terms.investment_months,
                  "window_days": limit.window_days, "bidding_rate": limit.bidding_rate,
                  "block_rate": limit.block_rate},
        "schedule": [{"channel": c, "windows": windows} for c, windows in terms.schedule.items()],
        "conventions": list(CONVENTIONS),
        "cost_method": "average cost per holding: the disposed part's share of the "
                       "remaining cost",
    }
