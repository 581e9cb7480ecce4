"""The fund performance page: the engine's numbers, definitions, n/a, the chart, the as-of
picker."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from fundops.metrics import perspectives as P
from fundops.metrics.views import business_today
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from tests import factories
from tests.factories import PASSWORD, World, make_user, make_world
from tests.web.test_pages import compile_catalog, login, text


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def history_world() -> World:
    """A fund with calls, an investment, two NAVs, a fair value, proceeds and a distribution.

    LPs commit 300m / 200m / 100m; the NAV of 2021-12-31 is rolled forward in 2022.
    """
    world = make_world()
    gp, fid = world.gp, world.fund.id
    ledger.record_capital_call(gp, fid, value_on="2020-06-30", amount="60000000",
                               purpose="investment")
    ledger.record_investment(gp, fid, company_id=world.company.id, round_name="A",
                             instrument="preferred_equity", invested_on="2020-07-15",
                             amount="50000000")
    ledger.record_valuation(gp, fid, as_of="2021-12-31", nav_amount="66000000")
    ledger.record_holding_valuation(gp, fid, company_id=world.company.id, as_of="2021-12-31",
                                    fair_value_amount="58000000")
    ledger.record_capital_call(gp, fid, value_on="2022-03-31", amount="30000000",
                               purpose="investment")
    ledger.record_fund_flow(gp, fid, kind="proceeds", value_on="2022-09-15", amount="12500000",
                            company_id=world.company.id)
    ledger.record_distribution(gp, fid, value_on="2022-09-30", amount="12000000",
                               distribution_type="gain")
    ledger.record_valuation(gp, fid, as_of="2022-12-31", nav_amount="95000000")
    return world


def multiple(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}x"


def card(html: str, card_id: str) -> str:
    return html.split(f'id="{card_id}"', 1)[1].split("</details>", 1)[0]


def card_value(html: str, card_id: str) -> str:
    match = re.search(r'<div class="value"[^>]*>([^<]*)</div>', card(html, card_id))
    assert match, f"no value in {card_id}"
    return html_lib.unescape(match.group(1)).strip()


def section(html: str, element_id: str, end: str = "</table>") -> str:
    return html.split(f'id="{element_id}"', 1)[1].split(end, 1)[0]


def page(browser: Any, world: World, as_of: str | None = None) -> Any:
    query = f"?as_of={as_of}" if as_of else ""
    return browser.client.get(f"/funds/{world.fund.id}/performance{query}")


def english(browser: Any, world: World) -> None:
    login(browser, world, "en")
    browser.post("/preferences", {"unit": "yuan", "next": "/"})


def test_page_shows_the_engine_numbers_with_their_terms(app: Any, browser: Any) -> None:
    world = history_world()
    english(browser, world)
    response = page(browser, world, "2022-10-31")
    assert response.status_code == 200
    html = text(response)
    report = P.fund_metrics(world.gp, world.fund.id, date(2022, 10, 31))
    net = report.net
    assert card_value(html, "metric-tvpi") == multiple(net.tvpi) == "1.07x"
    assert f'data-value="{net.tvpi}"' in card(html, "metric-tvpi")
    assert card_value(html, "metric-dpi") == multiple(net.dpi)
    assert card_value(html, "metric-rvpi") == multiple(net.rvpi)
    assert card_value(html, "metric-pic") == "15.0%"
    assert card_value(html, "metric-irr") == f"{net.irr * 100:.2f}%"
    # Numerator and denominator of each multiple, with the amounts.
    assert "Distributed / Paid-in" in card(html, "metric-dpi")
    assert "12,000,000.00 / 90,000,000.00" in card(html, "metric-dpi")
    assert "(12,000,000.00 + 84,000,000.00) / 90,000,000.00" in card(html, "metric-tvpi")
    assert "90,000,000.00 / 600,000,000.00" in card(html, "metric-pic")
    # The NAV used: rolled from the 2021-12-31 report, 304 days old, hence stale.
    assert "84,000,000.00" in section(html, "nav-value", "</dd>")
    nav_date = section(html, "nav-date", "</dd>")
    assert "2021-12-31" in nav_date and "304 days old" in nav_date and "Stale" in nav_date
    # Every perspective's definition, in English.
    plain = html_lib.unescape(html)
    for code in ("fund_net", "fund_gross", "lp_net", "deal", "nav"):
        assert P.DEFINITIONS[code][1] in plain, code
    assert plain.count('<details class="definition">') >= 8
    # Gross, LP and deal lines.
    assert report.gross is not None
    assert card_value(html, "metric-gross-tvpi") == multiple(report.gross.tvpi)
    assert card_value(html, "metric-gross-irr") == f"{report.gross.irr * 100:.2f}%"
    for line in report.lps:
        row = section(html, f"lp-metrics-{line.investor_id}", "</tr>")
        assert line.investor_name in row and f'data-value="{line.position.tvpi}"' in row
        assert f"{line.position.value:,.2f}" in row
    deal = report.deals[0].position
    row = section(html, f"deal-{world.company.id}", "</tr>")
    assert world.company.name in row and multiple(deal.tvpi) in row
    assert f"{deal.irr * 100:.2f}%" in row and "50,000,000.00" in row
    assert "12,500,000.00" in row and "2021-12-31" in row


def test_fund_without_paid_in_shows_not_applicable_never_zero(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)  # Chinese by default
    html = text(page(browser, world, "2021-01-01"))
    for card_id in ("metric-irr", "metric-tvpi", "metric-dpi", "metric-rvpi"):
        assert card_value(html, card_id) == "不适用", card_id
    assert "0.00x" not in section(html, "net-cards", "nav-panel")
    assert card_value(html, "metric-pic") == "0.0%"  # nothing called of 600m committed
    assert "按成本" in section(html, "nav-date", "</dd>")  # no NAV yet: cost basis
    assert "尚无对外投资" in html  # no gross metrics
    plain = html_lib.unescape(html)
    assert P.DEFINITIONS["fund_net"][0] in plain and P.DEFINITIONS["nav"][0] in plain
    assert "业绩" in html and "定义" in html


def test_chart_is_inline_svg_with_one_point_per_quarter(app: Any, browser: Any) -> None:
    world = history_world()
    english(browser, world)
    html = text(page(browser, world, "2022-11-15"))
    history = P.quarterly_history(world.gp, world.fund.id, date(2022, 11, 15))
    chart = section(html, "chart-panel", "</svg>")
    assert chart.lstrip(">").startswith("<svg") and f'data-points="{len(history)}"' in chart
    tvpi_days = re.findall(r'class="pt pt-tvpi" data-on="([0-9-]+)"', chart)
    assert tvpi_days == [p.on.isoformat() for p in history if p.net.tvpi is not None]
    assert len(re.findall(r'class="pt pt-dpi"', chart)) == len(tvpi_days)
    # The annual IRR is drawn once the track record reaches a year (GIPS).
    irr_days = re.findall(r'class="pt pt-irr" data-on="([0-9-]+)"', chart)
    assert irr_days == [p.on.isoformat() for p in history
                        if p.net.irr is not None and not p.net.short_track_record]
    assert "2020Q2" in chart and "2022-11-15" in chart and "Multiple (x)" in chart
    # no inline or third-party script (only the site's own static file, for the unit switch)
    assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", html.lower()))
    assert "http://cdn" not in html and "https://" not in html
    # The table under the chart shows the same numbers, one row per point.
    rows = section(html, "history-table").split("<tbody>", 1)[1]
    assert rows.count("<tr ") == len(history)
    last = history[-1].net
    row = section(html, "q-2022-11-15", "</tr>")
    assert multiple(last.tvpi) in row and f"{last.irr * 100:.2f}%" in row
    early = section(html, "q-2020-09-30", "</tr>")  # under a year: cumulative, marked
    assert "<sup>†</sup>" in early


def test_as_of_picker_changes_the_figures(app: Any, browser: Any) -> None:
    world = history_world()
    english(browser, world)
    before = text(page(browser, world, "2021-12-31"))
    after = text(page(browser, world, "2022-12-31"))
    assert 'value="2021-12-31"' in before and 'value="2022-12-31"' in after
    assert card_value(before, "metric-tvpi") != card_value(after, "metric-tvpi")
    assert card_value(after, "metric-tvpi") == multiple(
        P.fund_metrics(world.gp, world.fund.id, date(2022, 12, 31)).net.tvpi)
    assert "0 days old" in section(after, "nav-date", "</dd>")
    # Without a date the page is as of today in Asia/Shanghai.
    today = business_today().isoformat()
    assert f'id="as-of-date">{today}<' in text(page(browser, world))


@pytest.mark.parametrize("bad", ["2022-13-01", "yesterday", "20221231", "2999-01-01"])
def test_bad_as_of_is_a_field_error(app: Any, browser: Any, bad: str) -> None:
    world = history_world()
    english(browser, world)
    response = page(browser, world, bad)
    assert response.status_code == 422
    html = text(response)
    assert 'id="as_of-error"' in html and "YYYY-MM-DD" in html
    assert 'id="net-cards"' not in html


def test_short_track_record_shows_cumulative_rate(app: Any, browser: Any) -> None:
    world = history_world()
    english(browser, world)
    html = text(page(browser, world, "2021-03-31"))
    net = P.fund_metrics(world.gp, world.fund.id, date(2021, 3, 31)).net
    assert net.short_track_record and net.irr_cumulative is not None
    irr_card = card(html, "metric-irr")
    assert "cumulative, not annualised" in irr_card
    assert card_value(html, "metric-irr") == f"{net.irr_cumulative * 100:.2f}%"


def test_lp_viewer_sees_fund_figures_and_only_its_own_line(app: Any, browser: Any) -> None:
    world = history_world()
    parent_user, parent = make_user("Parent FoF manager")
    factories.make_fund(parent, kind="parent_fund", registration_no="SXX009")
    lp = services.create_investor(world.gp, "母基金LP", "guidance_fund",
                                  fund_registration_no="SXX009")
    services.add_commitment(world.gp, world.fund.id, lp.id, "400000000", "2020-03-01")
    assert browser.login(parent_user.email, PASSWORD).status_code == 302
    html = text(page(browser, world, "2022-12-31"))
    table = section(html, "lp-metrics-table")
    assert "母基金LP" in table and world.lps[0].name not in table
    assert 'class="badge lp"' in html


def test_fund_page_links_to_performance(app: Any, browser: Any) -> None:
    world = make_world()
    login(browser, world)
    html = text(browser.client.get(f"/funds/{world.fund.id}"))
    link = section(html, "link-performance", "</a>")
    assert f"/funds/{world.fund.id}/performance" in html and "业绩" in link
    browser.login(world.other_user.email, PASSWORD)
    assert page(browser, world).status_code == 404
