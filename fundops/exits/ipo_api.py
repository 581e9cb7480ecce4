"""IPO exit routes of the JSON API (/api/v1); schemas in :mod:`fundops.exits.ipo_schemas`.

- ``GET  /funds/<fund_id>/ipo-listings``; ``POST`` records a listing (201; 409 when the
  holding has one)
- ``GET  /ipo-listings/<listing_id>``: terms, band, schedule per channel, what may be
  sold today, sales and marks, with the conventions
- ``POST /ipo-listings/<listing_id>/sales``: a sale (409 beyond the rolling window,
  naming what may still be sold and when more frees up)
- ``POST /ipo-listings/<listing_id>/in-kind``: an in-kind distribution to the LPs
- ``POST /ipo-listings/<listing_id>/marks``: mark to the last close
- ``POST /listed-prices``: closing prices from CSV text (all rows or none)

A fund or listing the caller may not see (or, for a write, manage) is 404 before the
body is read; the money-moving POSTs take an Idempotency-Key.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.calc.lockup import TradeChannel
from fundops.exits import ipo, ipo_prices, ipo_sales
from fundops.exits import ipo_schemas as S
from fundops.exits.models import IpoListing
from fundops.portfolio.access import get_fund, require_writer
from fundops.uow import Actor

bp = Blueprint("exits_ipo_api", __name__,
               description="IPO exits: listings, lock-ups, sell-down windows, sales, marks")


def _detail(listing: IpoListing) -> dict[str, Any]:
    today = ipo.business_today()
    held = ipo.shares_held_on(listing, today)
    room = [ipo.sale_check(listing, today, c) for c in TradeChannel] if held > 0 else []
    return (S.listing_data(listing, held) | S.terms_data(ipo.listing_terms(listing))
            | {"sellable_today": room, "sales": ipo.listing_sales(listing.id),
               "marks": ipo.listing_marks(listing)})


def _fund_writer(who: Actor, fund_id: int) -> None:
    get_fund(who, fund_id, write=True)


def _listing_writer(who: Actor, listing_id: int) -> None:
    ipo.get_listing(who, listing_id, write=True)


@bp.route(f"/funds/<{ID}:fund_id>/ipo-listings")
@bp.response(200, S.ListingsOut)
def ipo_listing_list(fund_id: int) -> Any:
    """The fund's listed holdings."""
    fund, _access = get_fund(actor(), fund_id)
    today = ipo.business_today()
    return {"listings": [S.listing_data(x, ipo.shares_held_on(x, today))
                         for x in ipo.list_listings(fund.id)]}


@bp.route(f"/funds/<{ID}:fund_id>/ipo-listings", methods=["POST"])
@guard(_fund_writer)
@bp.arguments(S.ListingIn)
@bp.response(201, S.ListingDetailOut)
def ipo_listing_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record the listing of a holding: the lock-up is computed from the holder category
    and stored."""
    company_id = data.pop("company_id")
    listing = ipo.record_listing(actor(), fund_id, company_id, **data)
    return (_detail(listing), 201,
            {"Location": url_for("exits_ipo_api.ipo_listing_detail", listing_id=listing.id)})


@bp.route(f"/ipo-listings/<{ID}:listing_id>")
@bp.response(200, S.ListingDetailOut)
def ipo_listing_detail(listing_id: int) -> Any:
    """The listing with its terms, schedule, sellable quantity today, sales and marks."""
    return _detail(ipo.get_listing(actor(), listing_id))


@bp.route(f"/ipo-listings/<{ID}:listing_id>/sales", methods=["POST"])
@guard(_listing_writer)
@idempotent
@bp.arguments(S.SaleIn)
@bp.response(201, S.IpoSaleOut)
def ipo_listing_sale(data: dict[str, Any], listing_id: int) -> Any:
    """Sell shares through a channel after the lock-up, within the rolling window."""
    return ipo_sales.record_ipo_sale(actor(), listing_id, **data)


@bp.route(f"/ipo-listings/<{ID}:listing_id>/in-kind", methods=["POST"])
@guard(_listing_writer)
@idempotent
@bp.arguments(S.InKindIn)
@bp.response(201, S.IpoSaleOut)
def ipo_listing_in_kind(data: dict[str, Any], listing_id: int) -> Any:
    """Distribute shares to the LPs in kind: proceeds and a distribution of their value."""
    return ipo_sales.distribute_in_kind(actor(), listing_id, **data)


@bp.route(f"/ipo-listings/<{ID}:listing_id>/marks", methods=["POST"])
@guard(_listing_writer)
@idempotent
@bp.arguments(S.MarkIn)
@bp.response(201, S.MarkOut)
def ipo_listing_mark(data: dict[str, Any], listing_id: int) -> Any:
    """Mark the holding to the last close on or before ``as_of``."""
    return ipo_prices.mark_listing(actor(), listing_id, data["as_of"])


@bp.route("/listed-prices", methods=["POST"])
@guard(require_writer)
@idempotent
@bp.arguments(S.PricesIn)
@bp.response(201, S.PricesOut)
def listed_prices_load(data: dict[str, Any]) -> Any:
    """Load closing prices (public data shared by every organisation)."""
    return {"rows": ipo_prices.load_prices(actor(), data["csv"],
                                           replace=bool(data.get("replace")))}
