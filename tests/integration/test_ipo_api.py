"""The IPO exit API over HTTP against its OpenAPI document: a listing, its schedule, a
sale within and one beyond the window (409 naming what is allowed and when), an in-kind
distribution, prices and a mark; another organisation gets 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from fundops.exits.models import ExitEvent
from fundops.extensions import db
from tests.factories import make_world
from tests.integration.test_ipo_exits import HELD, TOTAL, invest
from tests.integration.test_syndication_api import Client, check, refused


def test_ipo_story_over_http(app: Flask) -> None:
    world = make_world()
    invest(world)
    gp, other = Client(app, world.gp), Client(app, world.other)
    doc = gp.get("/openapi.json").get_json()
    fund_url = f"/funds/{world.fund.id}/ipo-listings"
    body = {"company_id": world.company.id, "listed_on": "2022-06-15", "exchange": "sse",
            "ticker": "688001", "total_shares": TOTAL, "shares_held": HELD,
            "holder_category": "qualifying_vc", "qualifying_vc": True,
            "investment_start_on": "2019-06-15", "liquidity_discount_rate": "0.2"}
    assert other.post(fund_url, body).status_code == 404
    created = check(doc, gp.post(fund_url, body), 201, "ListingDetailOut")
    assert (created["lockup_ends_on"], created["limit"]["band"],
            created["limit"]["investment_months"], created["limit"]["window_days"]) == (
        "2023-06-15", "from_36", 36, 60)
    bidding = next(s for s in created["schedule"] if s["channel"] == "bidding")
    assert [w["cumulative"] for w in bidding["windows"]] == ["4000000", "8000000", "10000000"]
    assert created["conventions"] and "average cost" in created["cost_method"]
    refused(gp.post(fund_url, body), 409, code="ipo_listing_exists")
    url = f"/ipo-listings/{created['id']}"
    assert other.get(url).status_code == 404
    assert other.post(url + "/sales", {}).status_code == 404

    sale = {"value_on": "2023-06-20", "shares": "3000000", "price_per_share": "20",
            "channel": "bidding"}
    sold = check(doc, gp.post(url + "/sales", sale), 201, "IpoSaleOut")
    assert (sold["kind"], sold["proceeds_amount"], sold["closes_holding"]) == (
        "ipo_sale", "60000000.00", False)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(ExitEvent))
    beyond = refused(gp.post(url + "/sales", sale | {"value_on": "2023-06-21"}), 409,
                     code="ipo_window_exceeded")
    assert "1,000,000" in beyond["message"] or "1000000" in beyond["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExitEvent)) == before
    refused(gp.post(url + "/sales", sale | {"channel": "otc"}), 422, "channel")

    given = check(doc, gp.post(url + "/in-kind", {
        "value_on": "2023-06-21", "shares": "1000000", "price_per_share": "21"}), 201, "IpoSaleOut")
    assert given["kind"] == "in_kind" and given["distribution_id"] and given["cash_flow_id"]

    prices = "exchange,ticker,date,close\nSSE,688001,2023-06-30,22.5\n"
    assert check(doc, gp.post("/listed-prices", {"csv": prices}), 201, "PricesOut") == {"rows": 1}
    refused(gp.post("/listed-prices", {"csv": prices}), 422, "prices", "price_exists")
    mark = check(doc, gp.post(url + "/marks", {"as_of": "2023-07-03"}), 201, "MarkOut")
    assert mark["fair_value_amount"] == "135000000.00"  # 6,000,000 × 22.5, unlocked

    detail = check(doc, gp.get(url), 200, "ListingDetailOut")
    assert detail["shares_held_today"] == "6000000"
    assert [s["kind"] for s in detail["sales"]] == ["ipo_sale", "in_kind"]
    assert detail["marks"][0]["method"].startswith("SSE:688001 close 2023-06-30")
    listed = check(doc, gp.get(fund_url), 200, "ListingsOut")
    assert [x["id"] for x in listed["listings"]] == [created["id"]]
    assert other.get(fund_url).status_code == 404
