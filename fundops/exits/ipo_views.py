"""IPO exit pages (on the ``exits`` blueprint): a fund's listings, the listing form, a
listing's lock-up, band, sellable schedule per channel, sales and marks with the sale,
in-kind and mark forms, and the closing-price upload.

Reading a listing needs access to its fund (an LP reads it too); every post needs to
manage the fund and a writer's role. Rules are in :mod:`fundops.exits.web`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from fundops.auth.current import current_actor
from fundops.calc.lockup import TradeChannel
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.exits import ipo, ipo_sales
from fundops.exits import ipo_forms as forms
from fundops.exits import ipo_prices as prices
from fundops.exits.models import IpoListing
from fundops.exits.web import bp
from fundops.i18n import localise
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.forms import option
from fundops.portfolio.models import Fund
from fundops.portfolio.queries import list_holdings
from fundops.portfolio.web import attach_error
from fundops.web.figures import figure


@bp.app_template_filter("shares")
def _shares(value: Decimal | None) -> str:
    """A share count with thousands separators ('—' for None)."""
    return "—" if value is None else figure(f"{value.normalize():,f}", value, "n")


@bp.app_template_filter("holder_category")
def _category(value: object) -> str:
    return str(forms.CATEGORY_LABELS.get(str(value), value))


@bp.app_template_filter("trade_channel")
def _channel(value: object) -> str:
    return str(forms.CHANNEL_LABELS.get(str(value), value)) if value else ""


@bp.app_template_filter("sell_down_band")
def _band(value: object) -> str:
    return str(forms.BAND_LABELS.get(str(value), value))


def _listing(fund_id: int, listing_id: int, *, write: bool = False) -> tuple[Fund, IpoListing]:
    """The fund (read or managed) and its listing; another fund's listing is 404."""
    fund, _access = get_fund(current_actor(), fund_id, write=write)
    listing = ipo.get_listing(current_actor(), listing_id, write=write)
    if listing.fund_id != fund.id:
        raise NotFound("ipo_listing_not_found", listing_id=listing_id)
    return fund, listing


def _can_write(fund: Fund) -> bool:
    _fund, access = get_fund(current_actor(), fund.id)
    return access is Access.MANAGER and bool(current_user.can_write)


@bp.route("/funds/<int:fund_id>/exits/ipo")
@login_required
def ipo_list(fund_id: int) -> Any:
    """The fund's listed holdings with their unlock dates and shares still held."""
    fund, _access = get_fund(current_actor(), fund_id)
    today = ipo.business_today()
    rows = [(x, ipo.shares_held_on(x, today)) for x in ipo.list_listings(fund.id)]
    return render_template("exits/ipo_list.html", fund=fund, rows=rows, today=today,
                           can_write=_can_write(fund))


@bp.route("/funds/<int:fund_id>/exits/ipo/new", methods=["GET", "POST"])
@login_required
def ipo_listing_new(fund_id: int) -> Any:
    actor = current_actor()
    fund, _access = get_fund(actor, fund_id, write=True)
    form = forms.ListingForm()
    form.company_id.choices = [option(h.company.id, h.company.name)
                               for h in list_holdings(fund.id)]
    if form.validate_on_submit():
        try:
            listing = ipo.record_listing(
                actor, fund.id, form.company_id.data, form.listed_on.data, form.exchange.data,
                form.ticker.data, form.total_shares.data, form.shares_held.data,
                form.holder_category.data, form.qualifying_vc.data,
                investment_start_on=form.investment_start_on.data,
                liquidity_discount_rate=form.discount_fraction())
        except ValidationError as exc:
            attach_error(form, exc, {"liquidity_discount_rate": "liquidity_discount_pct"})
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            return render_template("exits/ipo_listing_new.html", form=form, fund=fund), 409
        else:
            flash(_("Listing recorded; the lock-up ends on %(on)s.",
                    on=listing.lockup_ends_on.isoformat()), "success")
            return redirect(url_for("exits.ipo_listing", fund_id=fund.id, listing_id=listing.id))
    status = 422 if request.method == "POST" else 200
    return render_template("exits/ipo_listing_new.html", form=form, fund=fund), status


def _listing_page(fund: Fund, listing: IpoListing, posted: dict[str, FlaskForm] | None = None,
                  status: int = 200) -> Any:
    today = ipo.business_today()
    can_write = _can_write(fund)
    page_forms: dict[str, FlaskForm] = {}
    if can_write:
        page_forms = {"sale": forms.SaleForm(formdata=None, prefix="sale"),
                      "in_kind": forms.InKindForm(formdata=None, prefix="in_kind"),
                      "mark": forms.MarkForm(formdata=None, prefix="mark")}
        page_forms.update(posted or {})
    held_now = ipo.shares_held_on(listing, today)
    room = ({c: ipo.sale_check(listing, today, c) for c in TradeChannel}
            if held_now > 0 else {})
    return render_template(
        "exits/ipo_listing.html", fund=fund, listing=listing, terms=ipo.listing_terms(listing),
        sales=ipo.listing_sales(listing.id), marks=ipo.listing_marks(listing), room=room,
        held_now=held_now, today=today, locked=today < listing.lockup_ends_on,
        forms=page_forms, channels=list(TradeChannel)), status


@bp.route("/funds/<int:fund_id>/exits/ipo/<int:listing_id>")
@login_required
def ipo_listing(fund_id: int, listing_id: int) -> Any:
    fund, listing = _listing(fund_id, listing_id)
    return _listing_page(fund, listing)


def _post(fund_id: int, listing_id: int, name: str, form_cls: type[FlaskForm],
          call: Any, message: str) -> Any:
    """Validate the page's ``name`` form, run the service, redirect to the listing."""
    fund, listing = _listing(fund_id, listing_id, write=True)
    form = form_cls(prefix=name)
    if form.validate_on_submit():
        try:
            call(listing, form)
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(_("Refused: %(reason)s", reason=localise(exc)))
            return _listing_page(fund, listing, {name: form}, 409)
        else:
            flash(message, "success")
            return redirect(url_for("exits.ipo_listing", fund_id=fund.id,
                                    listing_id=listing.id) + f"#{name}-form")
    return _listing_page(fund, listing, {name: form}, 422)


@bp.route("/funds/<int:fund_id>/exits/ipo/<int:listing_id>/sales", methods=["POST"])
@login_required
def ipo_sale(fund_id: int, listing_id: int) -> Any:
    """Sell shares through a channel; refused before the unlock date, beyond the shares
    held or beyond the rolling window (409, with what may still be sold and when)."""
    def call(listing: IpoListing, form: Any) -> None:
        ipo_sales.record_ipo_sale(current_actor(), listing.id, form.value_on.data,
                                  form.shares.data, form.price_per_share.data,
                                  form.channel.data, form.counterparty.data or "",
                                  form.memo.data or "")

    return _post(fund_id, listing_id, "sale", forms.SaleForm, call, _("Sale recorded."))


@bp.route("/funds/<int:fund_id>/exits/ipo/<int:listing_id>/in-kind", methods=["POST"])
@login_required
def ipo_in_kind(fund_id: int, listing_id: int) -> Any:
    """Distribute shares to the LPs in kind (a distribution of their value)."""
    def call(listing: IpoListing, form: Any) -> None:
        ipo_sales.distribute_in_kind(current_actor(), listing.id, form.value_on.data,
                                     form.shares.data, form.price_per_share.data)

    return _post(fund_id, listing_id, "in_kind", forms.InKindForm, call,
                 _("In-kind distribution recorded."))


@bp.route("/funds/<int:fund_id>/exits/ipo/<int:listing_id>/marks", methods=["POST"])
@login_required
def ipo_mark(fund_id: int, listing_id: int) -> Any:
    """Mark the holding to the last close on or before the date."""
    def call(listing: IpoListing, form: Any) -> None:
        prices.mark_listing(current_actor(), listing.id, form.as_of.data)

    return _post(fund_id, listing_id, "mark", forms.MarkForm, call, _("Fair value recorded."))


@bp.route("/funds/<int:fund_id>/exits/ipo/prices", methods=["GET", "POST"])
@login_required
def ipo_prices(fund_id: int) -> Any:
    """Upload closing prices (CSV text): all rows or none, the bad line named."""
    actor = current_actor()
    fund, _access = get_fund(actor, fund_id, write=True)
    form = forms.PriceUploadForm()
    if form.validate_on_submit():
        try:
            written = prices.load_prices(actor, form.prices.data or "",
                                         replace=bool(form.replace.data))
        except ValidationError as exc:
            attach_error(form, exc)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            return render_template("exits/ipo_prices.html", form=form, fund=fund), 409
        else:
            flash(_("%(n)s closing prices loaded.", n=written), "success")
            return redirect(url_for("exits.ipo_list", fund_id=fund.id))
    status = 422 if request.method == "POST" else 200
    return render_template("exits/ipo_prices.html", form=form, fund=fund), status
