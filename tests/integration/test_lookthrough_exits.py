"""A sub-fund sells a company in full between two valuations: the parent's look-through
shows 0 for it (service, page, API), the deal view 0, and the parent's NAV = companies +
sub-fund cash + its own cash (+ the difference, here 0). Also a partial roll-forward.

Amounts in m = million yuan. P (guidance fund): LP fiscal 1,000m, call 300m on
2021-06-01; NAV reported 275m on 2021-12-31. S (sub-fund): LPs P 200m, private 200m; call
200m on 2021-06-30 split P 100 / private 100 → P's paid-in share 1/2; NAV reported 150m
on 2021-12-31. S invests X 60m (2021-07-15), Y 40m (2021-07-20); both valued 2021-12-31
(X 90m, Y 50m); X is sold in full on 2022-03-15 for 100m (proceeds + a 0 valuation that
day, method "exit").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import Flask

from fundops.metrics.lookthrough import look_through
from fundops.metrics.perspectives import deal_position
from fundops.models import Company, Fund
from fundops.portfolio import fof_services as fof
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.uow import Actor
from tests.conftest import Browser
from tests.factories import PASSWORD, make_company, make_fund, make_user, next_n
from tests.integration.test_parent_api import get

M = 1_000_000
BEFORE, AFTER = date(2021, 12, 31), date(2022, 6, 30)


@dataclass
class Exit:
    guidance: Actor
    gp: Actor
    email: str
    p: Fund
    s: Fund
    x: Company
    y: Company


def _invest(actor: Actor, fund: Fund, company: Company, on: str, amount: int) -> None:
    ledger.record_investment(actor, fund.id, company_id=company.id, round_name="A",
                             instrument="ordinary_equity", invested_on=on,
                             amount=str(amount * M))


def build_exit() -> Exit:
    n = next_n()
    user, g = make_user(f"引导基金管理人{n}", kind="guidance_fund_manager")
    _, gs = make_user(f"GP S {n}")
    p = make_fund(g, kind="parent_fund", registration_no=f"P{n}", is_guidance_fund=True)
    s = make_fund(gs, registration_no=f"S{n}")
    fiscal = services.create_investor(g, "财政局", "fiscal")
    services.add_commitment(g, p.id, fiscal.id, str(1000 * M), "2021-01-15")
    ledger.record_capital_call(g, p.id, value_on="2021-06-01", amount=str(300 * M),
                               purpose="investment")
    p_in_s = services.create_investor(gs, "母基金P", "guidance_fund", fund_registration_no=f"P{n}")
    private = services.create_investor(gs, "民营甲", "private")
    for inv in (p_in_s, private):
        services.add_commitment(gs, s.id, inv.id, str(200 * M), "2021-03-01")
    ledger.record_capital_call(gs, s.id, value_on="2021-06-30", amount=str(200 * M),
                               purpose="investment",
                               split={p_in_s.id: str(100 * M), private.id: str(100 * M)})
    fof.record_sub_fund_flow(g, p.id, kind="fund_contribution", target_fund_id=s.id,
                             value_on="2021-06-30", amount=str(100 * M))
    x = make_company(gs, "X 芯片", sector="半导体")
    y = make_company(gs, "Y 医疗", sector="医疗")
    _invest(gs, s, x, "2021-07-15", 60)
    _invest(gs, s, y, "2021-07-20", 40)
    for company, value in ((x, 90), (y, 50)):
        ledger.record_holding_valuation(gs, s.id, company_id=company.id, as_of="2021-12-31",
                                        fair_value_amount=str(value * M))
    ledger.record_valuation(gs, s.id, as_of="2021-12-31", nav_amount=str(150 * M))
    ledger.record_valuation(g, p.id, as_of="2021-12-31", nav_amount=str(275 * M))
    # the full exit of X, as the exit service writes it: proceeds + a 0 valuation that day
    ledger.record_fund_flow(gs, s.id, kind="proceeds", value_on="2022-03-15",
                            amount=str(100 * M), company_id=x.id)
    ledger.record_holding_valuation(gs, s.id, company_id=x.id, as_of="2022-03-15",
                                    fair_value_amount="0", method="exit")
    return Exit(g, gs, user.email, p, s, x, y)


def _identity(lt: Any) -> None:
    na = lt.net_assets
    assert na is not None and na.consistent and lt.consistent
    lines = sum((x.attributed_exact for x in na.cash_lines), Fraction(0))
    assert lt.total_exact + lines + na.own_cash_exact + na.difference_exact == na.nav_exact


def test_full_exit_shows_zero_and_the_nav_identity_holds(app: Flask) -> None:
    e = build_exit()
    before = look_through(e.guidance, e.p.id, BEFORE)
    rows = {r.company_id: r.exposure_exact for r in before.rows}
    assert rows == {e.x.id: 45 * M, e.y.id: 25 * M}  # 1/2 × (90m, 50m)
    _identity(before)
    na = before.net_assets
    assert na is not None and na.nav_exact == 275 * M and na.nav_on == BEFORE
    (line,) = na.cash_lines
    assert (line.fund_id, line.weight, line.nav_exact, line.holdings_exact) == (
        e.s.id, Fraction(1, 2), 150 * M, 140 * M)
    assert line.attributed_exact == 5 * M  # 1/2 × (150m − 140m)
    assert na.own_cash_exact == 200 * M and na.difference_exact == 0  # 300m called − 100m paid

    after = look_through(e.guidance, e.p.id, AFTER)
    rows = {r.company_id: r for r in after.rows}
    assert rows[e.x.id].exposure_exact == 0 and rows[e.x.id].exposure_amount == Decimal("0.00")
    assert rows[e.y.id].exposure_exact == 25 * M
    assert after.total_exact == 25 * M  # no longer above the parent's NAV share
    _identity(after)
    na = after.net_assets
    assert na is not None and na.cash_lines[0].attributed_exact == 50 * M  # (150 − 50) / 2
    # companies + sub-fund cash (+ own cash, difference 0) = the parent's NAV
    assert after.total_exact + na.sub_fund_cash_exact + na.own_cash_exact == 275 * M
    # the deal view agrees: X is 0, Y is its fair value
    assert deal_position(e.gp, e.s.id, e.x.id, AFTER).position.value == Decimal("0.00")
    for company in (e.x, e.y):
        deal = deal_position(e.gp, e.s.id, company.id, AFTER).position
        via = next(v for v in rows[company.id].via if v.fund_id == e.s.id)
        assert via.holding_value == deal.value


def test_full_exit_on_the_page_and_in_the_api(app: Flask, browser: Browser) -> None:
    e = build_exit()
    reply = get(app, f"/api/v1/funds/{e.p.id}/look-through?as_of={AFTER}", e.guidance)
    assert reply.status_code == 200
    body = reply.get_json()
    amounts = {r["company_id"]: r["exposure_amount"] for r in body["rows"]}
    assert amounts == {e.x.id: "0.00", e.y.id: "25000000.00"}
    na = body["net_assets"]
    assert na["nav_amount"] == "275000000.00" and na["consistent"] is True
    assert na["companies_amount"] == "25000000.00"
    assert na["sub_fund_cash_amount"] == "50000000.00"
    assert na["own_cash_amount"] == "200000000.00" and na["difference_amount"] == "0.00"
    (line,) = na["cash_lines"]
    assert line["fund_id"] == e.s.id and line["weight"] == "0.5000000000"
    assert line["own_amount"] == "100000000.00" and line["attributed_amount"] == "50000000.00"

    browser.login(e.email, PASSWORD)
    html = browser.client.get(f"/funds/{e.p.id}/look-through?as_of={AFTER}").get_data(
        as_text=True)
    assert f'id="company-{e.x.id}"' in html
    x_row = html[html.index(f'id="company-{e.x.id}"'):]
    assert 'data-value="0.00"' in x_row[:x_row.index("</tr>")]
    assert "子基金现金及其他净资产" in html
    assert f'id="na-cash-{e.s.id}"' in html and 'id="na-nav" data-value="275000000.00"' in html


def test_partial_roll_forward(app: Flask) -> None:
    """Z: 20m invested, valued 30m; +10m invested after → 40m; 15m proceeds → 25m;
    40m more proceeds (no valuation) → floored at 0. The deal view agrees at every date."""
    e = build_exit()
    z = make_company(e.gp, "Z 材料", sector="半导体")
    _invest(e.gp, e.s, z, "2021-08-01", 20)
    ledger.record_holding_valuation(e.gp, e.s.id, company_id=z.id, as_of="2021-12-31",
                                    fair_value_amount=str(30 * M))
    _invest(e.gp, e.s, z, "2022-02-01", 10)
    ledger.record_fund_flow(e.gp, e.s.id, kind="proceeds", value_on="2022-04-15",
                            amount=str(15 * M), company_id=z.id)
    ledger.record_fund_flow(e.gp, e.s.id, kind="proceeds", value_on="2022-05-15",
                            amount=str(40 * M), company_id=z.id)
    for on, value in ((date(2021, 12, 31), 30), (date(2022, 3, 31), 40),
                      (date(2022, 4, 30), 25), (date(2022, 5, 31), 0)):
        lt = look_through(e.guidance, e.p.id, on)
        row = next(r for r in lt.rows if r.company_id == z.id)
        via = next(v for v in row.via if v.fund_id == e.s.id)
        assert via.holding_value == value * M and row.exposure_exact == Fraction(value * M, 2)
        assert deal_position(e.gp, e.s.id, z.id, on).position.value == value * M
        _identity(lt)
