"""Realised vs unrealised value in the fund, LP and deal perspectives, the quarterly
history and the API, on both databases: a deal with a partial then a full exit shows
realised gain = proceeds − cost basis (average cost) and unrealised 0 after the full
exit; escrow outstanding stands beside the realised value, not in it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask

from fundops.exits import services
from fundops.metrics import perspectives as P
from tests.conftest import Browser
from tests.factories import PASSWORD, World, fund_with_activity, make_world
from tests.integration.test_syndication_api import Client

D = Decimal


def exited() -> World:
    """50,000,000.00 for 1,000,000 shares (2020-07-15), fair value 65 m at 2022-12-31;
    400,000 shares sold for 30 m (2023-03-31), the other 600,000 for 50 m with 5 m in
    escrow (2023-06-30), 2 m of it released on 2023-09-30."""
    w = make_world()
    fund_with_activity(w)
    services.record_trade_sale(w.gp, w.fund.id, company_id=w.company.id, kind="trade_sale",
                               value_on="2023-03-31", consideration="30000000", shares="400000")
    full = services.record_trade_sale(
        w.gp, w.fund.id, company_id=w.company.id, kind="equity_transfer", value_on="2023-06-30",
        consideration="50000000", escrow="5000000", escrow_due_on="2024-06-30")
    services.release_escrow(w.gp, full.id, value_on="2023-09-30", amount="2000000",
                            outcome="released")
    return w


def test_partial_then_full_exit_realised_and_unrealised(app: Flask) -> None:
    w = exited()
    partial = P.deal_position(w.gp, w.fund.id, w.company.id, date(2023, 4, 30))
    assert (partial.position.realised, partial.realisation.proceeds) == (D("30000000.00"),) * 2
    assert partial.realisation.cost_basis == D("20000000.00")  # 50 m × 400,000 / 1,000,000
    assert partial.realisation.realised_gain == D("10000000.00")  # 30 m − 20 m
    assert partial.remaining_cost == D("30000000.00")
    assert partial.position.unrealised == D("39000000.00")  # 65 m × 0.6
    assert partial.unrealised_gain == D("9000000.00")
    full = P.deal_position(w.gp, w.fund.id, w.company.id, date(2023, 12, 31))
    done = full.realisation
    assert done.proceeds == D("80000000.00") and done.cost_basis == D("50000000.00")
    assert done.realised_gain == done.proceeds - done.cost_basis == D("30000000.00")
    assert done.escrow_outstanding == D("3000000.00")  # 5 m held back, 2 m released
    assert full.position.realised == D("77000000.00")  # cash: 30 m + 45 m + 2 m
    assert full.position.unrealised == 0 and full.remaining_cost == 0
    assert full.unrealised_gain == 0
    # before the release the escrow was all outstanding
    before = P.deal_position(w.gp, w.fund.id, w.company.id, date(2023, 7, 31)).realisation
    assert before.escrow_outstanding == D("5000000.00")
    report = P.fund_metrics(w.gp, w.fund.id, date(2023, 12, 31))
    assert report.gross is not None and report.gross.realised == D("77000000.00")
    assert report.gross.unrealised == 0
    assert report.net.realised == report.net.distributed and report.net.unrealised == \
        report.net.value
    assert sum(line.position.realised for line in report.lps) == report.net.realised


def test_realised_and_unrealised_in_the_api_and_history(app: Flask) -> None:
    w = exited()
    client = Client(app, w.gp)
    deal = client.get(f"/funds/{w.fund.id}/deals/{w.company.id}/metrics?as_of=2023-12-31")
    assert deal.status_code == 200, deal.get_json()
    body = deal.get_json()["deal"]
    assert (body["exit_proceeds"], body["realised_cost"], body["realised_gain"]) == (
        "80000000.00", "50000000.00", "30000000.00")
    assert (body["escrow_outstanding"], body["remaining_cost"], body["unrealised_gain"]) == (
        "3000000.00", "0.00", "0.00")
    assert (body["realised"], body["unrealised"]) == ("77000000.00", "0.00")
    assert body["realised"] == body["distributed"] and body["unrealised"] == body["value"]
    fund = client.get(f"/funds/{w.fund.id}/metrics?as_of=2023-12-31").get_json()
    assert fund["net"]["realised"] == fund["net"]["distributed"]
    assert fund["gross"]["realised"] == "77000000.00" and fund["gross"]["unrealised"] == "0.00"
    assert all(lp["realised"] == lp["distributed"] for lp in fund["lps"])
    history = client.get(f"/funds/{w.fund.id}/metrics/history?as_of=2023-12-31").get_json()
    points = {p["on"]: p for p in history["points"]}
    assert points["2023-03-31"]["gross"]["realised"] == "30000000.00"
    assert points["2023-03-31"]["gross"]["unrealised"] == "39000000.00"
    assert points["2023-12-31"]["gross"]["unrealised"] == "0.00"
    assert points["2023-12-31"]["net"]["realised"] == points["2023-12-31"]["net"]["distributed"]


def test_the_performance_page_shows_realised_and_unrealised(app: Flask) -> None:
    w = exited()
    browser = Browser(app.test_client())
    assert browser.login(w.gp_user.email, PASSWORD).status_code == 302
    page = browser.client.get(f"/funds/{w.fund.id}/performance?as_of=2023-12-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    row = html.split(f'id="deal-{w.company.id}"', 1)[1].split("</tr>", 1)[0]
    # the page's default unit is 万元 (10,000 yuan)
    for css, amount in (("deal-realised", "7,700.00"), ("deal-escrow", "300.00"),
                        ("deal-cost", "5,000.00"), ("deal-gain", "3,000.00"),
                        ("deal-unrealised", "0.00"), ("deal-unrealised-gain", "0.00")):
        cell = row.split(f'class="num {css}', 1)[1].split("</td>", 1)[0]
        assert cell.endswith(amount), (css, cell)
    for label in ("已实现价值（已分配）", "未实现价值（净值）", "已实现损益", "未结托管款",
                  "加权平均成本"):
        assert label in html, label
    assert 'id="net-realised"' in html and "q-gross-realised" in html
