"""IPO exits: a holding's listing with its lock-up and sell-down terms (domain-rules §5.2),
sales of the listed shares against the reverse-linkage windows, and in-kind
distributions of listed shares to the LPs.

The formulas and their conventions are in :mod:`fundops.calc.lockup` (printed on the
listing's page and in the API). Share counts are whole shares; amounts yuan of the
fund's currency, rounded half-up to the fen; rates fractions (0.15 = 15 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.calc import lockup
from fundops.calc.lockup import HolderCategory, Sale, SellDownLimit, TradeChannel
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.exits.models import ExitEvent, IpoListing
from fundops.exits.positions import business_today, holding_position, live_exit
from fundops.extensions import db
from fundops.money import parse_amount
from fundops.portfolio.access import get_company, get_fund
from fundops.portfolio.ledger import CashFlow, HoldingValuation, Investment
from fundops.portfolio.ledger_services import lock_fund
from fundops.portfolio.services import check_in_life
from fundops.uow import Actor, unit_of_work
from fundops.validation import parse_bool, parse_enum, require_date, require_text

__all__ = [
    "MAX_SHARES", "ListingTerms", "business_today", "first_investment_on", "get_listing",
    "list_listings", "listing_marks", "listing_sales", "listing_terms", "market_sales",
    "parse_shares", "record_listing", "sale_check", "shares_held_on",
]

MAX_SHARES = Decimal("1e14")
"""The most shares a count may hold (the 4-decimal BIGINT column holds about 9.2e14)."""


def parse_shares(value: object, field: str) -> Decimal:
    """A positive whole number of shares (listed shares trade whole), at most 1e14."""
    shares = parse_amount(value, field, places=4, max_abs=MAX_SHARES)
    if shares != shares.to_integral_value():
        raise ValidationError(field, "ipo_whole_shares", value=shares.normalize())
    return shares.quantize(Decimal(1))


def parse_discount(value: object) -> Decimal | None:
    """The optional liquidity discount: a fraction from 0 (inclusive) to 1 (exclusive)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    rate = parse_amount(value, "liquidity_discount_rate", places=8, allow_zero=True)
    if rate >= 1:
        raise ValidationError("liquidity_discount_rate", "ipo_discount_range")
    return rate


def first_investment_on(fund_id: int, company_id: int) -> date | None:
    """The date of the fund's first investment in the company whose ledger entry was not
    reversed (None: never invested)."""
    reversed_ids = sa.select(CashFlow.reverses_id).where(CashFlow.reverses_id.is_not(None))
    return db.session.scalar(sa.select(sa.func.min(Investment.invested_on)).where(
        Investment.fund_id == fund_id, Investment.company_id == company_id,
        Investment.cash_flow_id.not_in(reversed_ids)))


@dataclass(frozen=True, slots=True)
class _ListingInput:
    listed_on: date
    exchange: str
    ticker: str
    total_shares: Decimal
    shares_held: Decimal
    category: HolderCategory
    qualifying_vc: bool
    discount: Decimal | None


def _listing_input(listed_on: object, exchange: object, ticker: object, total_shares: object,
                   shares_held: object, holder_category: object, qualifying_vc: object,
                   liquidity_discount_rate: object) -> _ListingInput:
    when = require_date(listed_on, "listed_on")
    if when > business_today():
        raise ValidationError("listed_on", "ipo_listed_in_future", on=when)
    total = parse_shares(total_shares, "total_shares")
    held = parse_shares(shares_held, "shares_held")
    if held > total:
        raise ValidationError("shares_held", "ipo_held_above_total", held=held, total=total)
    if total < 100:  # 1 % of the company must be at least one share
        raise ValidationError("total_shares", "ipo_total_too_small")
    category = parse_enum(HolderCategory, holder_category, "holder_category")
    vc = parse_bool(qualifying_vc if qualifying_vc is not None else False, "qualifying_vc")
    if category is HolderCategory.QUALIFYING_VC and not vc:
        raise ValidationError("qualifying_vc", "ipo_category_needs_vc")
    if category is HolderCategory.CONTROLLING and vc:
        raise ValidationError("qualifying_vc", "ipo_controlling_not_vc")
    return _ListingInput(
        when, require_text(exchange, "exchange", 20).upper(),
        require_text(ticker, "ticker", 20).upper(), total, held, category, vc,
        parse_discount(liquidity_discount_rate))


def record_listing(
    actor: Actor, fund_id: int, company_id: int, listed_on: object, exchange: object,
    ticker: object, total_shares: object, shares_held: object, holder_category: object,
    qualifying_vc: object = False, investment_start_on: object = None,
    liquidity_discount_rate: object = None,
) -> IpoListing:
    """Record that the fund's holding in ``company_id`` listed on ``listed_on``, with the
    lock-up computed from the holder category (and the holding's share of the company)
    and stored; one listing per holding (``ipo_listing_exists``, 409).

    ``investment_start_on`` starts the investment period the reverse-linkage band is
    read from; by default the fund's first (unreversed) investment in the company.
    Refused: no investment in the company, a listing in the future or outside the
    fund's life, more shares held than the company has, a start after the listing.
    """
    fund, _ = get_fund(actor, fund_id, write=True)
    company = get_company(actor, int(company_id))
    data = _listing_input(listed_on, exchange, ticker, total_shares, shares_held,
                          holder_category, qualifying_vc, liquidity_discount_rate)
    check_in_life(fund, data.listed_on, "listed_on")
    first = first_investment_on(fund.id, company.id)
    if first is None:
        raise ValidationError("company_id", "no_investment_in_company", company=company.name)
    start = first if investment_start_on in (None, "") else require_date(
        investment_start_on, "investment_start_on")
    if start > data.listed_on:
        raise ValidationError("investment_start_on", "ipo_start_after_listing", start=start,
                              listed_on=data.listed_on)
    months = lockup.lockup_months(data.category, data.shares_held / data.total_shares)
    with unit_of_work():
        lock_fund(fund.id)  # a second listing of the holding queues here, then conflicts
        if db.session.scalar(sa.select(IpoListing.id).where(
                IpoListing.fund_id == fund.id, IpoListing.company_id == company.id)):
            raise ConflictError("ipo_listing_exists", company=company.name)
        _check_position(fund.id, company.id, company.name, data)
        listing = IpoListing(
            fund_id=fund.id, company_id=company.id, listed_on=data.listed_on,
            exchange=data.exchange, ticker=data.ticker, total_shares=data.total_shares,
            shares_held=data.shares_held, holder_category=data.category,
            qualifying_vc=data.qualifying_vc, investment_start_on=start, lockup_months=months,
            lockup_ends_on=lockup.lockup_end(data.listed_on, months),
            liquidity_discount_rate=data.discount, currency=fund.currency,
            recorded_by_id=actor.user_id)
        db.session.add(listing)
        db.session.flush()
        record_by(actor, "ipo_listing.create", "ipo_listing", listing.id, {
            "fund_id": fund.id, "company_id": company.id, "listed_on": data.listed_on,
            "ticker": f"{data.exchange}:{data.ticker}", "shares_held": data.shares_held,
            "lockup_months": months, "investment_start_on": start})
    return listing


def _check_position(fund_id: int, company_id: int, name: str, data: _ListingInput) -> None:
    """The holding is open at the listing date and, when its investments recorded share
    counts, holds exactly the shares the listing gives (one share count per holding)."""
    position = holding_position(fund_id, company_id, data.listed_on)
    if position.closed:
        raise ConflictError("holding_closed", company=name, on=position.closed_on)
    if position.shares_held is not None and position.shares_held != data.shares_held:
        raise ValidationError("shares_held", "ipo_shares_differ", held=data.shares_held,
                              recorded=position.shares_held.normalize())


def get_listing(actor: Actor, listing_id: int, *, write: bool = False) -> IpoListing:
    """A listing of a fund the actor may see (``write``: manage); else 404."""
    listing = db.session.get(IpoListing, listing_id)
    if listing is None:
        raise NotFound("ipo_listing_not_found", listing_id=listing_id)
    try:
        get_fund(actor, listing.fund_id, write=write)
    except NotFound:
        raise NotFound("ipo_listing_not_found", listing_id=listing_id) from None
    return listing


def listing_sales(listing_id: int, *, until: date | None = None) -> list[ExitEvent]:
    """The listing's standing exit events (sales and in-kind transfers, reversed ones
    and the reversals left out), by date, up to ``until`` inclusive."""
    query = sa.select(ExitEvent).where(ExitEvent.listing_id == listing_id, live_exit())
    if until is not None:
        query = query.where(ExitEvent.value_on <= until)
    return list(db.session.scalars(query.order_by(ExitEvent.value_on, ExitEvent.id)))


def shares_held_on(listing: IpoListing, on: date) -> Decimal:
    """Shares the fund still holds at the end of ``on``: held at listing less every
    standing sale and in-kind transfer dated on or before ``on``."""
    gone = sum((e.shares or Decimal(0) for e in listing_sales(listing.id, until=on)),
               Decimal(0))
    return listing.shares_held - gone


@dataclass(frozen=True, slots=True)
class ListingTerms:
    """What the listing's terms come to: the investment period at listing in complete
    months, the band and its limit, and the fixed-window schedule per channel."""

    investment_months: int
    limit: SellDownLimit
    schedule: dict[TradeChannel, tuple[lockup.ScheduleWindow, ...]]


def listing_terms(listing: IpoListing) -> ListingTerms:
    """The sell-down terms of ``listing`` (pure: from its stored columns)."""
    months = lockup.complete_months(listing.investment_start_on, listing.listed_on)
    limit = lockup.sell_down_limit(listing.qualifying_vc, months)
    schedule = {c: lockup.sellable_schedule(listing.lockup_ends_on, listing.shares_held,
                                            listing.total_shares, limit, c)
                for c in TradeChannel}
    return ListingTerms(months, limit, schedule)


def market_sales(listing: IpoListing) -> list[Sale]:
    """The listing's standing events as :class:`~fundops.calc.lockup.Sale` (in-kind
    transfers count against the position only: channel None)."""
    return [Sale(e.value_on, e.shares or Decimal(0), e.channel)
            for e in listing_sales(listing.id)]


def sale_check(listing: IpoListing, on: date, channel: TradeChannel) -> lockup.SaleCheck:
    """What may still be sold through ``channel`` on ``on`` (see :func:`lockup.check_sale`)."""
    terms = listing_terms(listing)
    return lockup.check_sale(on, channel, unlock_on=listing.lockup_ends_on,
                             position=listing.shares_held, total_shares=listing.total_shares,
                             limit=terms.limit, sales=market_sales(listing))


def list_listings(fund_id: int) -> list[IpoListing]:
    """The fund's listings, newest listing first."""
    return list(db.session.scalars(sa.select(IpoListing).where(IpoListing.fund_id == fund_id)
                                   .order_by(IpoListing.listed_on.desc(), IpoListing.id)))


def listing_marks(listing: IpoListing) -> list[HoldingValuation]:
    """The holding's valuations from the listing date on (marks and the values exits
    set), newest first."""
    return list(db.session.scalars(sa.select(HoldingValuation).where(
        HoldingValuation.fund_id == listing.fund_id,
        HoldingValuation.company_id == listing.company_id,
        HoldingValuation.as_of >= listing.listed_on,
    ).order_by(HoldingValuation.as_of.desc(), HoldingValuation.id.desc())))
