"""Closing prices of listed shares (public data, loaded like index levels) and the marks
of a listed holding read from them.

A price file is CSV text with the header ``exchange,ticker,date,close`` and an optional
``currency`` column (default CNY): one trading day's close per row, at most 4 decimal
places. Every row is checked before anything is written; the first bad row is named by
its line number in the file (the header is line 1) and nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.calc.lockup import listed_mark
from fundops.errors import ConflictError, ValidationError
from fundops.exits.ipo import business_today, get_listing, shares_held_on
from fundops.exits.models import IpoListing, ListedPrice
from fundops.extensions import db
from fundops.money import DEFAULT_CURRENCY, D, decimal_places, validate_currency
from fundops.portfolio.ledger import HoldingValuation
from fundops.portfolio.ledger_services import record_holding_valuation
from fundops.uow import Actor, unit_of_work
from fundops.validation import require_date

__all__ = ["MAX_ROWS", "PriceRow", "latest_price", "load_prices", "mark_listing",
           "parse_price_csv"]

MAX_ROWS = 50_000
HEADER = ("exchange", "ticker", "date", "close")
_MAX_CLOSE = Decimal("1e9")


@dataclass(frozen=True, slots=True)
class PriceRow:
    line: int
    exchange: str
    ticker: str
    traded_on: date
    close: Decimal
    currency: str


def _code(raw: str | None, what: str, line: int) -> str:
    text = (raw or "").strip().upper()
    if not text or len(text) > 20:
        raise ValidationError("prices", "price_code_shape", row=line, column=what)
    return text


def _row(line: int, raw: dict[str, str | None]) -> PriceRow:
    try:
        when = date.fromisoformat((raw.get("date") or "").strip())
    except ValueError:
        raise ValidationError("prices", "price_date", row=line, value=raw.get("date")) from None
    text = (raw.get("close") or "").strip()
    try:
        close = D(text)
    except (TypeError, ValueError):
        raise ValidationError("prices", "price_not_number", row=line, value=text) from None
    if close <= 0 or close >= _MAX_CLOSE or decimal_places(close) > 4:
        raise ValidationError("prices", "price_range", row=line, value=text)
    try:
        currency = validate_currency((raw.get("currency") or "").strip() or DEFAULT_CURRENCY)
    except ValidationError:
        raise ValidationError("prices", "price_currency", row=line,
                              value=raw.get("currency")) from None
    return PriceRow(line, _code(raw.get("exchange"), "exchange", line),
                    _code(raw.get("ticker"), "ticker", line), when,
                    close.quantize(Decimal("0.0001")), currency)


def parse_price_csv(text: str) -> list[PriceRow]:
    """Parse and check every row of a price file (see the module docstring); a date
    repeated for one code within the file is refused (``price_duplicate``)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if any(c not in columns for c in HEADER):
        raise ValidationError("prices", "price_header", expected=",".join(HEADER))
    reader.fieldnames = columns
    rows: list[PriceRow] = []
    seen: dict[tuple[str, str, date], int] = {}
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise ValidationError("prices", "price_too_many_rows", limit=MAX_ROWS)
        if None in raw:  # more cells than columns
            raise ValidationError("prices", "price_row_shape", row=line)
        row = _row(line, raw)
        key = (row.exchange, row.ticker, row.traded_on)
        if key in seen:
            raise ValidationError("prices", "price_duplicate", row=line, other=seen[key],
                                  on=row.traded_on)
        seen[key] = line
        rows.append(row)
    if not rows:
        raise ValidationError("prices", "no_rows")
    return rows


def load_prices(actor: Actor, text: str, *, replace: bool = False) -> int:
    """Load closing prices from CSV ``text``: all rows or none; returns the rows written.

    A close already loaded for a code and day is refused (``price_exists``, naming the
    row) unless ``replace``, which overwrites it. Public data: any writer may load.
    """
    from fundops.portfolio.access import require_writer

    require_writer(actor)
    rows = parse_price_csv(text)
    with unit_of_work():
        existing: dict[tuple[str, str, date], ListedPrice] = {}
        for code in {(r.exchange, r.ticker) for r in rows}:
            days = [r.traded_on for r in rows if (r.exchange, r.ticker) == code]
            existing |= {(p.exchange, p.ticker, p.traded_on): p for p in db.session.scalars(
                sa.select(ListedPrice).where(
                    ListedPrice.exchange == code[0], ListedPrice.ticker == code[1],
                    ListedPrice.traded_on.in_(days)))}
        for row in rows:
            old = existing.get((row.exchange, row.ticker, row.traded_on))
            if old is not None and not replace:
                raise ValidationError("prices", "price_exists", row=row.line,
                                      code=f"{row.exchange}:{row.ticker}", on=row.traded_on)
            if old is not None:
                old.close_price, old.currency = row.close, row.currency
            else:
                db.session.add(ListedPrice(exchange=row.exchange, ticker=row.ticker,
                                           traded_on=row.traded_on, close_price=row.close,
                                           currency=row.currency))
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # a concurrent load took a day since the check
            raise ConflictError("price_loaded_concurrently") from None
        record_by(actor, "listed_price.load", "listed_price",
                  ",".join(sorted({f"{r.exchange}:{r.ticker}" for r in rows}))[:100],
                  {"rows": len(rows), "first": min(r.traded_on for r in rows),
                   "last": max(r.traded_on for r in rows), "replaced": len(existing)})
    return len(rows)


def latest_price(exchange: str, ticker: str, on: date) -> ListedPrice | None:
    """The last close of the code on or before ``on``."""
    return db.session.scalars(
        sa.select(ListedPrice).where(ListedPrice.exchange == exchange,
                                     ListedPrice.ticker == ticker, ListedPrice.traded_on <= on)
        .order_by(ListedPrice.traded_on.desc()).limit(1)).first()


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def mark_method(listing: IpoListing, price: ListedPrice, shares: Decimal, locked: bool) -> str:
    """The valuation's method text: the code, the price's date and close, the shares and
    the discount taken (while locked)."""
    text = (f"{listing.exchange}:{listing.ticker} close {price.traded_on.isoformat()} "
            f"{price.close_price.normalize():f} x {shares.normalize():f}")
    if locked and listing.liquidity_discount_rate:
        text += f" less {_percent(listing.liquidity_discount_rate)} (lock-up)"
    return text[:100]


def mark_listing(actor: Actor, listing_id: int, as_of: object) -> HoldingValuation:
    """Record the holding's fair value on ``as_of``: the shares still held × the last
    close on or before ``as_of`` (× (1 − the liquidity discount) while locked, i.e. before
    the unlock date), rounded half-up to the fen, as a holding valuation whose method
    names the price's date and the discount.

    Refused: a date before the listing or after today, no price on or before it, a
    price in another currency than the fund's, no shares left.
    """
    listing = get_listing(actor, listing_id, write=True)
    when = require_date(as_of, "as_of")
    if when < listing.listed_on:
        raise ValidationError("as_of", "ipo_before_listing", listed_on=listing.listed_on)
    if when > business_today():
        raise ValidationError("as_of", "ipo_date_in_future", on=when)
    price = latest_price(listing.exchange, listing.ticker, when)
    if price is None or price.traded_on < listing.listed_on:
        raise ValidationError("as_of", "ipo_no_price", code=f"{listing.exchange}:{listing.ticker}",
                              on=when)
    if price.currency != listing.currency:
        raise ValidationError("as_of", "ipo_price_currency", currency=price.currency,
                              fund_currency=listing.currency)
    shares = shares_held_on(listing, when)
    if shares <= 0:
        raise ValidationError("as_of", "ipo_sold_out", on=when)
    locked = when < listing.lockup_ends_on
    value = listed_mark(shares, price.close_price, listing.liquidity_discount_rate, locked)
    return record_holding_valuation(
        actor, listing.fund_id, company_id=listing.company_id, as_of=when,
        fair_value_amount=value, currency=listing.currency,
        method=mark_method(listing, price, shares, locked))
