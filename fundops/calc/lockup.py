"""IPO lock-ups and the sell-down of a listed holding (domain-rules §5.2, §5.5.1).

The kinds are defined here so the stored values and the calculation share one list.

Units: share counts are ``Decimal`` whole shares (listed shares trade whole); ratios are
``Decimal`` fractions of the company's total shares (``0.01`` = 1 %); prices ``Decimal``
yuan per share; amounts yuan rounded half-up to the fen. Dates are business dates.

Conventions this module decides (printed beside every result: :data:`CONVENTIONS`):

- **Lock-up**: general pre-IPO holders 12 months; controlling shareholders / actual
  controllers 36; a company with no actual controller locks the holders of the top 51 %
  for 36 months, except holders of less than 5 % and qualifying VC funds that are not the
  largest holder (12). The lock-up runs from the listing date for N calendar months;
  :func:`lockup_end` is the **unlock date**, ``listed_on + N months`` with the day
  clamped to the month's end: the first day the shares may be sold (locked before it).
- **Investment period** (反向挂钩): from the fund's first investment in the company
  (the user may give another start) to the listing date, in **complete calendar
  months** (:func:`complete_months`).
- **Bands** (lower bound inclusive): < 36 months → 1 % per rolling 90 days by
  centralised bidding; 36 ≤ m < 48 → 1 % per 60 days; 48 ≤ m < 60 → 1 % per 30 days;
  ≥ 60 → no ratio limit. An exact 36 months is in the 36–48 band, 48 in 48–60, 60 in
  "no limit". Block trades: 2 % per window **of the band's length** (90 / 60 / 30 days),
  no limit at ≥ 60 months (the 2020 特别规定).
- **Holders that are not qualifying VC funds**: the general limits of the 2024 rules
  for holders of pre-IPO shares (上市公司股东减持股份管理暂行办法): 1 % per rolling
  90 days by bidding and 2 % per rolling 90 days by block trade, whatever the period
  (band ``general``).
- **Windows**: a rolling window of W days is any W consecutive calendar days; the
  bidding and block quotas are separate, the position caps both together. The schedule
  counts fixed windows from the unlock date: window k covers ``unlock + k·W`` to
  ``unlock + (k+1)·W − 1`` and by its first day ``(k+1) × quota`` may have been sold
  (capped by the position), which keeps every rolling window within its quota.
- **Quota**: ``ratio × total shares`` rounded **down** to whole shares.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from fundops.calc.schedules import add_months

__all__ = [
    "CONVENTIONS",
    "Band",
    "HolderCategory",
    "Sale",
    "SaleCheck",
    "ScheduleWindow",
    "SellDownLimit",
    "TradeChannel",
    "check_sale",
    "complete_months",
    "investment_band",
    "listed_mark",
    "lockup_end",
    "lockup_months",
    "sale_value",
    "sell_down_limit",
    "sellable_on",
    "sellable_schedule",
    "window_quota",
]

FEN = Decimal("0.01")
ONE_SHARE = Decimal(1)
SMALL_HOLDER = Decimal("0.05")  # below 5 % of the shares: the general 12 months


class HolderCategory(enum.StrEnum):
    """Who holds the pre-IPO shares, which sets the lock-up (§5.2)."""

    GENERAL = "general"  # shares issued before the IPO: 12 months
    CONTROLLING = "controlling"  # controlling shareholder / actual controller: 36 months
    TOP_51 = "top_51"  # no actual controller, among the holders of the top 51 %: 36 months
    QUALIFYING_VC = "qualifying_vc"  # qualifying VC fund, not the largest holder: 12 months


class TradeChannel(enum.StrEnum):
    """How listed shares are sold; the reverse-linkage limits differ by channel."""

    BIDDING = "bidding"  # centralised bidding (集中竞价)
    BLOCK = "block"  # block trade (大宗交易)


class Band(enum.StrEnum):
    """The sell-down band: the investment period at listing of a qualifying VC fund, or
    ``general`` for any other holder."""

    UNDER_36 = "under_36"  # < 36 months: 90-day windows
    FROM_36 = "from_36"  # 36 ≤ m < 48: 60-day windows
    FROM_48 = "from_48"  # 48 ≤ m < 60: 30-day windows
    FROM_60 = "from_60"  # ≥ 60 months: no ratio limit
    GENERAL = "general"  # not a qualifying VC fund: 90-day windows (2024 rules)


CONVENTIONS: tuple[str, ...] = (
    ("lock-up: listing date + N calendar months (month-end clamped) is the first day "
    "the shares may be sold"),
    ("investment period: first investment in the company (or the date given) to the "
    "listing date, in complete calendar months"),
    "bands are lower-bound inclusive: 36 months is in 36–48, 48 in 48–60, 60 has no limit",
    ("block trades: 2 % per window of the band's length; not a qualifying VC fund: "
    "1 % bidding and 2 % block per 90 days (2024 rules)"),
    ("windows are any consecutive calendar days; the schedule counts them from the "
    "unlock date; quotas are rounded down to whole shares"),
)


@dataclass(frozen=True, slots=True)
class SellDownLimit:
    """The reverse-linkage limit of a holding: ``window_days`` (None: no limit) and the
    fraction of total shares per window by bidding and by block trade."""

    band: Band
    window_days: int | None
    bidding_rate: Decimal | None
    block_rate: Decimal | None

    def rate(self, channel: TradeChannel) -> Decimal | None:
        """The fraction per window for ``channel``; None means no ratio limit."""
        return self.bidding_rate if channel is TradeChannel.BIDDING else self.block_rate


_BANDS: dict[Band, SellDownLimit] = {
    Band.UNDER_36: SellDownLimit(Band.UNDER_36, 90, Decimal("0.01"), Decimal("0.02")),
    Band.FROM_36: SellDownLimit(Band.FROM_36, 60, Decimal("0.01"), Decimal("0.02")),
    Band.FROM_48: SellDownLimit(Band.FROM_48, 30, Decimal("0.01"), Decimal("0.02")),
    Band.FROM_60: SellDownLimit(Band.FROM_60, None, None, None),
    Band.GENERAL: SellDownLimit(Band.GENERAL, 90, Decimal("0.01"), Decimal("0.02")),
}


def complete_months(start: date, end: date) -> int:
    """Complete calendar months from ``start`` to ``end``: the largest m with
    ``add_months(start, m) <= end`` (month-end clamped; 2020-01-31 → 2020-02-29 is one
    month). ``ValueError`` if ``end`` is before ``start``."""
    if end < start:
        raise ValueError("end is before start")
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def lockup_months(category: HolderCategory, held_fraction: Decimal) -> int:
    """Lock-up months of pre-IPO shares (§5.2) for ``category``; ``held_fraction`` is the
    holder's shares / total shares (a top-51 % holder below 5 % locks 12 months)."""
    if category is HolderCategory.CONTROLLING:
        return 36
    if category is HolderCategory.TOP_51:
        return 12 if held_fraction < SMALL_HOLDER else 36
    return 12


def lockup_end(listed_on: date, months: int) -> date:
    """The unlock date: ``listed_on`` + ``months`` calendar months, clamped to the
    month's end; the shares are locked on every day before it."""
    return add_months(listed_on, months)


def investment_band(months: int) -> Band:
    """The reverse-linkage band of a qualifying VC fund invested ``months`` complete
    months at listing (lower bounds inclusive)."""
    if months < 36:
        return Band.UNDER_36
    if months < 48:
        return Band.FROM_36
    if months < 60:
        return Band.FROM_48
    return Band.FROM_60


def sell_down_limit(qualifying_vc: bool, investment_months: int) -> SellDownLimit:
    """The limit that applies: the band by investment period for a qualifying VC fund,
    else the general 1 % (bidding) / 2 % (block) per 90 days."""
    if not qualifying_vc:
        return _BANDS[Band.GENERAL]
    return _BANDS[investment_band(investment_months)]


def window_quota(limit: SellDownLimit, channel: TradeChannel,
                 total_shares: Decimal) -> Decimal | None:
    """Shares sellable through ``channel`` per window: rate × total shares rounded down
    to whole shares; None when there is no ratio limit. ``ValueError`` if it is 0."""
    rate = limit.rate(channel)
    if rate is None:
        return None
    quota = (rate * total_shares).quantize(ONE_SHARE, rounding=ROUND_DOWN)
    if quota <= 0:
        raise ValueError("total shares too small for a whole-share quota")
    return quota


@dataclass(frozen=True, slots=True)
class ScheduleWindow:
    """Window ``index`` (0 = the one starting on the unlock date), its first and last
    day (``ends_on`` None: open-ended, no limit), what it adds and the cumulative
    quantity sellable by its first day (capped by the position)."""

    index: int
    starts_on: date
    ends_on: date | None
    quota: Decimal
    cumulative: Decimal


def sellable_schedule(unlock_on: date, position: Decimal, total_shares: Decimal,
                      limit: SellDownLimit, channel: TradeChannel) -> tuple[ScheduleWindow, ...]:
    """The fixed windows from ``unlock_on`` until ``position`` shares may all have been
    sold through ``channel`` alone; one open-ended window when there is no ratio limit.

    ``cumulative`` never exceeds ``position`` and never decreases.
    """
    quota = window_quota(limit, channel, total_shares)
    if quota is None or limit.window_days is None:
        return (ScheduleWindow(0, unlock_on, None, position, position),)
    days = limit.window_days
    windows: list[ScheduleWindow] = []
    cumulative = Decimal(0)
    while cumulative < position:
        index = len(windows)
        step = min(quota, position - cumulative)
        cumulative += step
        starts = unlock_on + timedelta(days=index * days)
        windows.append(ScheduleWindow(index, starts, starts + timedelta(days=days - 1),
                                      step, cumulative))
    return tuple(windows)


def sellable_on(on: date, unlock_on: date, position: Decimal, total_shares: Decimal,
                limit: SellDownLimit, channel: TradeChannel) -> Decimal:
    """The schedule's cumulative quantity on ``on``: 0 before the unlock date, else
    ``min(position, quota × windows started)`` (§5.2 ``sellable_qty(t)``)."""
    if on < unlock_on:
        return Decimal(0)
    quota = window_quota(limit, channel, total_shares)
    if quota is None or limit.window_days is None:
        return position
    started = (on - unlock_on).days // limit.window_days + 1
    return min(position, quota * started)


@dataclass(frozen=True, slots=True)
class Sale:
    """An earlier sale (or in-kind transfer counted against the position)."""

    on: date
    shares: Decimal
    channel: TradeChannel | None  # None: not a market sale (counts only against the position)


@dataclass(frozen=True, slots=True)
class SaleCheck:
    """What may still be sold through a channel on a date: ``allowed`` shares (the
    smaller of the window's room and the remaining position), ``window_room`` (None: no
    ratio limit), ``remaining`` position, and ``next_frees_on``: the first later day
    on which more becomes sellable (None: never, the position is sold out)."""

    on: date
    channel: TradeChannel
    allowed: Decimal
    window_room: Decimal | None
    remaining: Decimal
    next_frees_on: date | None


def _window_room(on: date, days: int, quota: Decimal, sales: Sequence[Sale],
                 channel: TradeChannel) -> Decimal:
    """quota − the largest total of ``channel`` sales in any ``days``-day window that
    contains ``on`` (so a sale of the room on ``on`` keeps every window within quota)."""
    dated = [(s.on, s.shares) for s in sales if s.channel is channel]
    worst = Decimal(0)
    for offset in range(days):
        first = on - timedelta(days=days - 1 - offset)
        last = first + timedelta(days=days - 1)
        total = sum((q for d, q in dated if first <= d <= last), Decimal(0))
        worst = max(worst, total)
    return max(Decimal(0), quota - worst)


def _allowed(on: date, unlock_on: date, position: Decimal, quota: Decimal | None,
             days: int | None, sales: Sequence[Sale],
             channel: TradeChannel) -> tuple[Decimal, Decimal | None, Decimal]:
    remaining = max(Decimal(0), position - sum((s.shares for s in sales), Decimal(0)))
    if on < unlock_on:
        return Decimal(0), None if quota is None else Decimal(0), remaining
    if quota is None or days is None:
        return remaining, None, remaining
    room = _window_room(on, days, quota, sales, channel)
    return min(room, remaining), room, remaining


def check_sale(on: date, channel: TradeChannel, *, unlock_on: date, position: Decimal,
               total_shares: Decimal, limit: SellDownLimit,
               sales: Iterable[Sale]) -> SaleCheck:
    """The quantity still sellable through ``channel`` on ``on`` given the ``sales``
    already made (any dates, both channels): 0 before ``unlock_on``; else the least of
    the room in every rolling window containing ``on`` and the position not yet sold.

    Selling at most ``allowed`` on ``on`` keeps every rolling window within its quota
    and the total within the position.
    """
    done = tuple(sales)
    quota = window_quota(limit, channel, total_shares)
    days = limit.window_days
    allowed, room, remaining = _allowed(on, unlock_on, position, quota, days, done, channel)
    if remaining <= 0:
        return SaleCheck(on, channel, Decimal(0), room, remaining, None)
    candidates = {unlock_on} if on < unlock_on else set()
    if days is not None:
        candidates |= {s.on + timedelta(days=days) for s in done if s.channel is channel}
    next_on = None
    for day in sorted(d for d in candidates if d > on):
        if _allowed(day, unlock_on, position, quota, days, done, channel)[0] > allowed:
            next_on = day
            break
    return SaleCheck(on, channel, allowed, room, remaining, next_on)


def sale_value(shares: Decimal, price_per_share: Decimal) -> Decimal:
    """``shares × price`` in yuan, rounded half-up to the fen."""
    return (shares * price_per_share).quantize(FEN, rounding=ROUND_HALF_UP)


def listed_mark(shares: Decimal, close_price: Decimal, discount_rate: Decimal | None,
                locked: bool) -> Decimal:
    """Fair value of listed shares in yuan: ``shares × close × (1 − discount)`` while
    ``locked`` (no discount when None or after the unlock date), rounded half-up to
    the fen (the discount is applied before rounding)."""
    factor = Decimal(1) - discount_rate if locked and discount_rate is not None else Decimal(1)
    return (shares * close_price * factor).quantize(FEN, rounding=ROUND_HALF_UP)
