"""Sales of a listing's shares (二级市场减持) against its lock-up and reverse-linkage
windows, and in-kind distributions of the shares to the LPs (实物分配).

Both go through :func:`fundops.exits.postings.post_exit` (average-cost realised gain,
the holding's value after, the holding closed when the last share goes) inside one unit
of work that takes the fund's lock first, so two concurrent sales queue and the second
is checked against the first.

Units: whole shares; prices yuan per share (at most 4 decimals); the consideration is
``shares × price`` rounded half-up to the fen.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from fundops.calc.lockup import TradeChannel, sale_value
from fundops.errors import ConflictError, ValidationError
from fundops.exits.enums import ExitKind
from fundops.exits.ipo import get_listing, parse_shares, sale_check, shares_held_on
from fundops.exits.models import ExitEvent, IpoListing
from fundops.exits.positions import holding_position
from fundops.exits.postings import post_exit
from fundops.money import parse_amount
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import DistributionType
from fundops.portfolio.ledger_services import lock_fund, record_distribution
from fundops.uow import Actor, unit_of_work
from fundops.validation import parse_enum, require_date

__all__ = ["distribute_in_kind", "record_ipo_sale"]

RATE = Decimal("0.00000001")
ALMOST_ONE = Decimal(1) - RATE
FAR = date(9999, 12, 31)


def _price(value: object) -> Decimal:
    return parse_amount(value, "price_per_share", places=4, max_abs=Decimal("1e9"))


def _unlocked_and_held(listing: IpoListing, when: date, count: Decimal) -> Decimal:
    """The shares still held (all standing events count); refused before the unlock date
    or beyond them. Runs under the fund lock."""
    if when < listing.lockup_ends_on:
        raise ValidationError("value_on", "ipo_locked", unlock_on=listing.lockup_ends_on)
    remaining = shares_held_on(listing, FAR)
    if count > remaining:
        raise ValidationError("shares", "ipo_above_held", shares=count, held=remaining)
    return remaining


def _disposal(listing: IpoListing, when: date, count: Decimal,
              remaining: Decimal) -> dict[str, object]:
    """What post_exit is told is disposed of: the shares when the holding records share
    counts (the listing's count matched it at listing), else the fraction of the listing's
    remaining shares (8 decimals, never rounded to 0 or, short of the last share, to 1)."""
    position = holding_position(listing.fund_id, listing.company_id, when)
    if position.shares_held is not None:
        return {"shares": count}
    if count == remaining:
        return {"shares": count, "fraction": Decimal(1)}
    part = (count / remaining).quantize(RATE, rounding=ROUND_HALF_UP)
    return {"shares": count, "fraction": min(max(part, RATE), ALMOST_ONE)}


def record_ipo_sale(actor: Actor, listing_id: int, value_on: object, shares: object,
                    price_per_share: object, channel: object, counterparty: str = "",
                    memo: str = "") -> ExitEvent:
    """Sell ``shares`` of the listing on ``value_on`` through ``channel`` (bidding or
    block) at ``price_per_share``: an IPO_SALE exit event whose consideration is
    ``shares × price`` (fen, half-up), posted as proceeds.

    Refused, nothing written: before the unlock date (``ipo_locked``), beyond the shares
    still held (``ipo_above_held``), beyond what the channel's rolling window allows on
    the date (``ipo_window_exceeded``, 409, with the quantity still allowed and the day
    more frees up), and whatever :func:`post_exit` refuses. Selling the last share
    closes the holding.
    """
    listing = get_listing(actor, listing_id, write=True)
    fund, _ = get_fund(actor, listing.fund_id, write=True)
    when = require_date(value_on, "value_on")
    count = parse_shares(shares, "shares")
    price = _price(price_per_share)
    sale_channel = parse_enum(TradeChannel, channel, "channel")
    with unit_of_work():
        lock_fund(fund.id)  # a concurrent sale queues here and then sees this one
        remaining = _unlocked_and_held(listing, when, count)
        room = sale_check(listing, when, sale_channel)
        if count > room.allowed:
            if room.next_frees_on is None:
                raise ConflictError("ipo_window_exceeded_final", shares=count, on=when,
                                    allowed=room.allowed)
            raise ConflictError("ipo_window_exceeded", shares=count, on=when,
                                allowed=room.allowed, next_on=room.next_frees_on)
        return post_exit(
            actor, fund, listing.company, kind=ExitKind.IPO_SALE, value_on=when,
            consideration=sale_value(count, price), price_per_share=price,
            channel=sale_channel, listing_id=listing.id, counterparty=counterparty,
            memo=memo, **_disposal(listing, when, count, remaining))  # type: ignore[arg-type]


def distribute_in_kind(actor: Actor, listing_id: int, value_on: object, shares: object,
                       price_per_share: object, memo: str = "") -> ExitEvent:
    """Distribute ``shares`` of the listing to the LPs on ``value_on``, valued at
    ``price_per_share``: value = ``shares × price`` (fen, half-up).

    Posts a DISTRIBUTION entry of the value (type ``in_kind``, split among the LPs pro
    rata to their commitments like any distribution, largest remainder) and an IN_KIND
    exit event whose consideration is the value; the exit's proceeds entry and the
    distribution are both the value, so the fund's cash nets to zero. Refused before the
    unlock date and beyond the shares held; an in-kind transfer is not a market sale, so
    it uses no reverse-linkage window (it counts against the position only).
    """
    listing = get_listing(actor, listing_id, write=True)
    fund, _ = get_fund(actor, listing.fund_id, write=True)
    when = require_date(value_on, "value_on")
    count = parse_shares(shares, "shares")
    price = _price(price_per_share)
    value = sale_value(count, price)
    text = (memo.strip() or f"in kind: {count:f} {listing.exchange}:{listing.ticker} "
                            f"@ {price.normalize():f}")[:500]
    with unit_of_work():
        lock_fund(fund.id)
        remaining = _unlocked_and_held(listing, when, count)
        entry = record_distribution(actor, fund.id, value_on=when, amount=value,
                                    distribution_type=DistributionType.IN_KIND.value,
                                    counterparty=f"{listing.exchange}:{listing.ticker}",
                                    memo=text)
        return post_exit(
            actor, fund, listing.company, kind=ExitKind.IN_KIND, value_on=when,
            consideration=value, price_per_share=price, listing_id=listing.id,
            in_kind_distribution_id=entry.id, memo=text,
            **_disposal(listing, when, count, remaining))  # type: ignore[arg-type]
