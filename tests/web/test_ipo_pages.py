"""IPO exit pages through the test client: the fund page links the listings, a listing is
recorded by its form, its page shows the lock-up end, the band and the schedule per
channel; a sale within the window is recorded and one beyond it refused (409, nothing
written, what is allowed named); in kind, prices and a mark; another GP gets 404."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.exits.models import ExitEvent, IpoListing, ListedPrice
from fundops.extensions import db
from tests.factories import make_world
from tests.integration.test_ipo_exits import HELD, TOTAL, invest
from tests.web.test_pages import compile_catalog, field_error, text
from tests.web.test_pool_pages import browser_for
from tests.web.test_syndication_pages import section, send


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def exits() -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(ExitEvent)) or 0)


def test_ipo_pages_story(app: Flask) -> None:
    world = make_world()
    invest(world)
    gp = browser_for(app, world.gp, "zh_CN")
    fund_page = text(gp.client.get(f"/funds/{world.fund.id}"))
    base = f"/funds/{world.fund.id}/exits/ipo"
    assert f'href="{base}"' in fund_page
    assert gp.client.get(base).status_code == 200

    bad = send(gp, base + "/new", None, {
        "company_id": world.company.id, "listed_on": "2022-06-15", "exchange": "SSE",
        "ticker": "688001", "total_shares": TOTAL, "shares_held": "500000000",
        "holder_category": "general"})
    assert bad.status_code == 422
    assert field_error(text(bad), "shares_held")
    created = send(gp, base + "/new", None, {
        "company_id": world.company.id, "listed_on": "2022-06-15", "exchange": "SSE",
        "ticker": "688001", "total_shares": TOTAL, "shares_held": HELD,
        "holder_category": "qualifying_vc", "qualifying_vc": "y",
        "investment_start_on": "2018-06-15", "liquidity_discount_pct": "20"})
    assert created.status_code == 302, text(created)
    listing = db.session.scalars(sa.select(IpoListing)).one()
    assert listing.liquidity_discount_rate == Decimal("0.2")
    page_url = f"{base}/{listing.id}"
    assert created.headers["Location"].endswith(page_url)
    page = text(gp.client.get(page_url))
    assert "2023-06-15" in page and "48" in section(page, 'id="investment-months"', "</dd>")
    bidding = section(page, 'id="schedule-bidding"')
    assert re.findall(r"<td class=\"num\">([0-9,]+)</td></tr>", bidding) == [
        "4,000,000", "8,000,000", "10,000,000"]
    assert "2023-07-15" in bidding  # 30-day windows (48 months)

    sold = send(gp, page_url + "/sales", "sale", {
        "value_on": "2023-06-20", "channel": "bidding", "shares": "4000000",
        "price_per_share": "20"})
    assert sold.status_code == 302, text(sold)
    before = exits()
    beyond = send(gp, page_url + "/sales", "sale", {
        "value_on": "2023-06-25", "channel": "bidding", "shares": "1",
        "price_per_share": "20"})
    assert beyond.status_code == 409
    assert "2023-07-20" in text(beyond) and exits() == before
    locked = send(gp, page_url + "/in-kind", "in_kind", {
        "value_on": "2023-06-01", "shares": "1000", "price_per_share": "20"})
    assert locked.status_code == 422 and field_error(text(locked), "in_kind-value_on")
    given = send(gp, page_url + "/in-kind", "in_kind", {
        "value_on": "2023-06-25", "shares": "1000000", "price_per_share": "21"})
    assert given.status_code == 302 and exits() == before + 1

    loaded = send(gp, base + "/prices", None, {
        "prices": "exchange,ticker,date,close\nSSE,688001,2023-06-30,22.5\n"})
    assert loaded.status_code == 302
    wrong = send(gp, base + "/prices", None, {
        "prices": "exchange,ticker,date,close\nSSE,688001,2023-06-31,22.5\n"})
    assert wrong.status_code == 422 and "2" in text(wrong)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ListedPrice)) == 1
    marked = send(gp, page_url + "/marks", "mark", {"as_of": "2023-07-03"})
    assert marked.status_code == 302
    page = text(gp.client.get(page_url))
    assert 'data-amount="112500000.00"' in page  # 5,000,000 × 22.5, unlocked
    assert len(re.findall(r'<tr id="exit-', page)) == 2

    other = browser_for(app, world.other)
    for url in (base, base + "/new", page_url, base + "/prices"):
        assert other.client.get(url).status_code == 404, url
    assert send(other, page_url + "/sales", "sale", {}).status_code == 404
