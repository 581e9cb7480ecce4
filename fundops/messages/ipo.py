"""Messages of IPO exits (listings, prices, marks, sales, in-kind distributions): code →
English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "ipo_whole_shares": N_("%(value)s is not a whole number of shares"),
    "ipo_discount_range": N_("the liquidity discount must be at least 0 and below 1"),
    "ipo_listed_in_future": N_("the listing date %(on)s is after today"),
    "ipo_held_above_total": N_(
        "shares held (%(held)s) exceed the company's total shares (%(total)s)"),
    "ipo_total_too_small": N_("a listed company has at least 100 shares"),
    "ipo_category_needs_vc": N_(
        "the qualifying VC fund category needs the fund to be a qualifying VC fund"),
    "ipo_controlling_not_vc": N_(
        "a controlling shareholder is not sold down under the VC reverse-linkage rules"),
    "ipo_start_after_listing": N_(
        "the investment period starts on %(start)s, after the listing on %(listed_on)s"),
    "ipo_shares_differ": N_(
        "the holding's investments record %(recorded)s shares at the listing date, not "
        "%(held)s; give the same count"),
    "ipo_listing_exists": N_("the holding in %(company)s already has a listing"),
    "ipo_listing_not_found": N_("listing %(listing_id)s not found"),
    "ipo_before_listing": N_("the date is before the listing on %(listed_on)s"),
    "ipo_date_in_future": N_("the date %(on)s is after today"),
    "ipo_no_price": N_("no closing price of %(code)s on or before %(on)s"),
    "ipo_price_currency": N_(
        "the price is in %(currency)s, the fund's ledger in %(fund_currency)s"),
    "ipo_sold_out": N_("the fund holds no shares of the listing on %(on)s"),
    "ipo_locked": N_("the shares are locked until %(unlock_on)s"),
    "ipo_above_held": N_("%(shares)s shares exceed the %(held)s still held"),
    "ipo_window_exceeded": N_(
        "%(shares)s shares exceed what the sell-down window allows on %(on)s: "
        "%(allowed)s more may be sold now; more frees up on %(next_on)s"),
    "ipo_window_exceeded_final": N_(
        "%(shares)s shares exceed what the sell-down window allows on %(on)s: "
        "%(allowed)s more may be sold now"),
    "ipo_price_not_positive": N_("the price per share must be positive"),
    "price_header": N_("the first line must name the columns %(expected)s"),
    "price_code_shape": N_("line %(row)s: give the %(column)s (1 to 20 characters)"),
    "price_date": N_("line %(row)s: '%(value)s' is not a date (YYYY-MM-DD)"),
    "price_not_number": N_("line %(row)s: close '%(value)s' is not a number"),
    "price_range": N_(
        "line %(row)s: close %(value)s must be positive, below 1e9, at most 4 decimals"),
    "price_currency": N_("line %(row)s: '%(value)s' is not a currency code"),
    "price_row_shape": N_("line %(row)s has more cells than the header"),
    "price_duplicate": N_("line %(row)s repeats line %(other)s (the same code on %(on)s)"),
    "price_too_many_rows": N_("a file holds at most %(limit)s prices"),
    "price_exists": N_("line %(row)s: %(code)s already has a close on %(on)s"),
    "price_loaded_concurrently": N_("another upload loaded some of these prices; try again"),
}
