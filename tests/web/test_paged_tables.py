"""Long page tables are paged and sorted on the server (fundops.web.paging): the fund
page's LPs, ledger and holdings, the company list, the performance page's deals and the
parent page's tables. Page 2 shows other rows than page 1, a sort changes the order, bad
parameters show the default (never an error), and the Excel download has every row.

Fixture: one fund with 28 LPs, 28 ledger entries (a call and 27 investments of different
sizes and dates) and 27 holdings; the parent pages use the fund of funds of
``test_lookthrough`` with its page sizes made small.
"""

from __future__ import annotations

import dataclasses
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from flask import Flask

from fundops.metrics import parent_tables
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import page_tables, queries, services
from fundops.portfolio.models import Fund
from fundops.web.paging import page_query
from fundops.web.tables import XLSX
from tests.conftest import Browser
from tests.factories import PASSWORD, make_company, make_fund, make_user
from tests.integration.test_lookthrough import build_fof
from tests.web.test_pages import compile_catalog, text
from tests.web.test_parent_pages import login

COUNT = 27


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


@dataclass
class Busy:
    browser: Browser
    fund: Fund
    lp_names: list[str]
    company_ids: list[int]


def busy_fund(app: Flask) -> Busy:
    """A fund with COUNT + 1 LPs, COUNT + 1 ledger entries and COUNT holdings."""
    user, gp = make_user("忙碌基金管理人")
    fund = make_fund(gp, target_size_amount="10000000000")
    names = []
    for i in range(COUNT + 1):
        lp = services.create_investor(gp, f"出资人{i:02d}", "private")
        services.add_commitment(gp, fund.id, lp.id, str(100_000_000 + i * 1_000_000),
                                date(2020, 3, 1))
        names.append(lp.name)
    ledger.record_capital_call(gp, fund.id, value_on="2020-06-30", amount="2000000000",
                               purpose="investment")
    company_ids = []
    for i in range(COUNT):
        company = make_company(gp, name=f"分页科技{i:02d}有限公司")
        amount = 10_000_000 + ((i * 7) % COUNT) * 100_000  # sizes in another order
        ledger.record_investment(gp, fund.id, company_id=company.id, round_name="A",
                                 instrument="preferred_equity",
                                 invested_on=(date(2020, 7, 1) + timedelta(days=i)).isoformat(),
                                 amount=str(amount), shares="1000", ownership_rate="0.01",
                                 source_ref=f"INV-{(i * 5) % COUNT:02d}" if i % 3 else None)
        company_ids.append(company.id)
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    browser.post("/preferences", {"unit": "yuan", "next": "/"})
    return Busy(browser, fund, names, company_ids)


def ids(html: str, prefix: str) -> list[int]:
    return [int(x) for x in re.findall(rf'<tr id="{prefix}-(\d+)"', html)]


def get(browser: Browser, url: str) -> str:
    response = browser.client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return text(response)


def sheet_rows(browser: Browser, url: str) -> list[list[Any]]:
    response = browser.client.get(url)
    assert response.status_code == 200 and response.mimetype == XLSX, url
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]  # title, header


def test_a_query_is_read_a_page_at_a_time_with_missing_values_last(app: Flask) -> None:
    b = busy_fund(app)
    spec = page_tables.LEDGER
    query = queries.ledger_query(b.fund.id)
    everything = page_query(spec, query, {"ledger_sort": "reference", "ledger_per": "100"})
    refs = [e.source_ref for e in everything.rows]
    present = [r for r in refs if r is not None]
    assert everything.total == COUNT + 1 and len(present) == 18
    assert refs == sorted(present) + [None] * (COUNT + 1 - 18)  # NULLs last, on both DBs
    backwards = page_query(spec, query, {"ledger_sort": "reference", "ledger_dir": "desc",
                                         "ledger_per": "100"})
    assert [e.source_ref for e in backwards.rows] == sorted(present, reverse=True) + [None] * 10
    # Ties (the NULLs) keep the default order: latest value date first.
    tail = [e.value_on for e in backwards.rows[18:]]
    assert tail == sorted(tail, reverse=True)
    pages = [page_query(spec, query, {"ledger_sort": "reference", "ledger_per": "25",
                                      "ledger_page": str(n)}) for n in (1, 2, 3)]
    assert [e.id for p in pages[:2] for e in p.rows] == [e.id for e in everything.rows]
    assert (pages[2].page, pages[2].total, len(pages[2].rows)) == (2, COUNT + 1, 3)  # the last
    whole = page_query(spec, query, {"ledger_page": "2", "_xlsx": "ledger-table"})
    assert whole.whole and len(whole.rows) == COUNT + 1


def test_fund_page_ledger_pages_and_sorts(app: Flask) -> None:
    b = busy_fund(app)
    url = f"/funds/{b.fund.id}"
    first = get(b.browser, url + "?ledger_per=25")
    second = get(b.browser, url + "?ledger_per=25&ledger_page=2")
    one, two = ids(first, "entry"), ids(second, "entry")
    assert len(one) == 25 and len(two) == COUNT + 1 - 25 and not set(one) & set(two)
    assert one + two == sorted(one + two, reverse=True)  # latest value date (and id) first
    assert "第 2 / 2 页" in second and "共 28 条" in second and 'id="ledger-table-pager"' in first
    # The pager's links keep the other parameters and end at the table.
    pager = first.split('id="ledger-table-pager"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{url}?ledger_per=25&amp;ledger_page=2#ledger-table"' in pager
    assert 'rel="prev"' not in pager and "首页" in pager and "下一页" in pager
    # Sorting by amount, smallest first, and back; the header says which way.
    by_amount = get(b.browser, url + "?ledger_sort=amount&ledger_dir=asc&lps_page=2")
    amounts = [Decimal(a) for a in re.findall(r'<tr id="entry-\d+" data-kind="\w+" '
                                              r'data-amount="([0-9.]+)"', by_amount)]
    assert amounts == sorted(amounts) and len(amounts) == COUNT + 1
    head = by_amount.split('id="ledger-table"', 1)[1].split("</thead>", 1)[0]
    assert ('aria-sort="ascending"><a class="sort" href="'
            f'{url}?lps_page=2&amp;ledger_sort=amount#ledger-table"') in head  # desc: its first
    assert head.count("aria-sort") == 1
    # Read from the database a page at a time: the download has every entry, in order.
    rows = sheet_rows(b.browser, url + "?ledger_sort=amount&ledger_dir=asc&ledger_per=25"
                                       "&ledger_page=2&_xlsx=ledger-table")
    assert len(rows) == COUNT + 1
    assert [Decimal(str(r[4])) for r in rows] == amounts


@pytest.mark.parametrize("query", [
    "?ledger_page=abc&ledger_sort=evil", "?ledger_per=7&ledger_dir=sideways",
    "?ledger_page=-3&lps_sort=%3Cscript%3E&holdings_per=0", "?ledger_page=99999999999999",
    "?lps_page=2.5&holdings_sort=&ledger_sort=amount%27--",
])
def test_fund_page_bad_paging_parameters_show_the_default(app: Flask, query: str) -> None:
    b = busy_fund(app)
    url = f"/funds/{b.fund.id}"
    default = get(b.browser, url)
    bad = get(b.browser, url + query)
    for prefix in ("entry", "lp", "holding"):
        assert ids(bad, prefix) == ids(default, prefix), (query, prefix)
    assert "<script>" not in bad


def test_fund_page_lps_and_holdings_page_sort_and_download_whole(app: Flask) -> None:
    b = busy_fund(app)
    url = f"/funds/{b.fund.id}"
    html = get(b.browser, url + "?lps_per=25&holdings_per=25")
    later = get(b.browser, url + "?lps_per=25&holdings_per=25&lps_page=2&holdings_page=2")
    assert len(ids(html, "lp")) == 25 and len(ids(later, "lp")) == COUNT + 1 - 25
    assert not set(ids(html, "lp")) & set(ids(later, "lp"))
    # The totals row is over every LP, on every page.
    total = f"{sum(100_000_000 + i * 1_000_000 for i in range(COUNT + 1)):,}.00"
    for page_html in (html, later):
        foot = page_html.split('id="lp-table"', 1)[1].split("</table>", 1)[0]
        assert total in foot.split("<tfoot>", 1)[1]
    assert ids(html, "holding") + ids(later, "holding") == b.company_ids  # by company name
    # Largest investment first.
    by_size = get(b.browser, url + "?holdings_sort=invested_amount")
    cells = by_size.split('id="holding-table"', 1)[1].split("</table>", 1)[0]
    invested = [Decimal(x.replace(",", "")) for x in re.findall(
        r'</a></td>\s*<td class="num">([0-9,.]+)</td>', cells)]
    assert len(invested) == COUNT and invested == sorted(invested, reverse=True)
    assert invested != sorted(invested)
    # The downloads have every row.
    lps = sheet_rows(b.browser, url + "?lps_page=2&lps_per=25&_xlsx=lp-table")
    assert [r[0] for r in lps[:-1]] == b.lp_names and lps[-1][0] == "合计"
    holdings = sheet_rows(b.browser, url + "?holdings_page=2&holdings_per=25&_xlsx=holding-table")
    assert len(holdings) == COUNT


def test_company_list_pages_sorts_and_downloads_whole(app: Flask) -> None:
    b = busy_fund(app)
    first = get(b.browser, "/companies?per=25")
    second = get(b.browser, "/companies?per=25&page=2")
    assert ids(first, "company") + ids(second, "company") == b.company_ids  # by name
    assert len(ids(first, "company")) == 25
    backwards = get(b.browser, "/companies?sort=name&dir=desc")
    assert ids(backwards, "company") == b.company_ids[::-1]
    assert get(b.browser, "/companies?page=abc&sort=evil&per=-1").count('<tr id="company-') == (
        COUNT)
    rows = sheet_rows(b.browser, "/companies?per=25&page=2&sort=name&dir=desc&_xlsx=company-table")
    assert [r[0] for r in rows] == [f"分页科技{i:02d}有限公司" for i in range(COUNT)][::-1]


def test_performance_page_deals_page_and_sort(app: Flask) -> None:
    b = busy_fund(app)
    url = f"/funds/{b.fund.id}/performance?as_of=2022-12-31&deals_per=25"
    one, two = get(b.browser, url), get(b.browser, url + "&deals_page=2")
    deals = ids(one, "deal") + ids(two, "deal")
    assert len(ids(one, "deal")) == 25 and sorted(deals) == sorted(b.company_ids)
    assert 'id="as-of-date">2022-12-31<' in two  # the other parameters are kept
    by_name = get(b.browser, url.replace("deals_per=25", "deals_sort=company&deals_dir=desc"))
    assert ids(by_name, "deal") == b.company_ids[::-1]
    rows = sheet_rows(b.browser, url + "&deals_page=2&_xlsx=deal-table")
    assert len(rows) == COUNT
    bad = get(b.browser, url + "&deals_page=x&deals_sort=__class__&history_per=1")
    assert ids(bad, "deal") == ids(one, "deal")


def test_parent_page_tables_page_sort_and_download_whole(
        app: Flask, browser: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parent_tables, "SUB_FUND_PAGES", (1, 2))
    monkeypatch.setattr(parent_tables, "COMPANIES", dataclasses.replace(
        parent_tables.COMPANIES, per_choices=(2, 4), default_per=2))
    f = build_fof()
    login(browser, f.guidance)
    url = f"/funds/{f.p.id}/look-through?as_of=2022-12-31"
    html = text(browser.client.get(url))
    later = text(browser.client.get(url + "&companies_page=2&shares_page=2&net_page=2"
                                          "&leverage_page=2&policy_page=2"))
    assert len(ids(html, "company")) == 2 and len(ids(later, "company")) == 2
    assert not set(ids(html, "company")) & set(ids(later, "company"))
    for prefix in ("share", "na-cash", "policy-fund"):
        assert len(ids(html, prefix)) == 1 and ids(html, prefix) != ids(later, prefix), prefix
    assert re.findall(r'id="lev-sub-(\d+)-subscribed"', html) != re.findall(
        r'id="lev-sub-(\d+)-subscribed"', later)
    assert 'id="leverage-sub-funds" open' in later and 'id="leverage-sub-funds" open' not in html
    # Page 2 of the companies is numbered on from page 1, the total on the page is the same.
    assert '<td class="num muted">3</td>' in later.split('id="company-exposure-table"')[1]
    assert html.split('id="lt-total"')[1][:80] == later.split('id="lt-total"')[1][:80]
    # By name, Z to A.
    names = re.findall(r'href="/companies/\d+">([^<]+)</a>', text(browser.client.get(
        url + "&companies_sort=company&companies_dir=desc&companies_per=4")))
    assert names == sorted(names, reverse=True) and len(names) == 4
    # Bad values: the default page.
    bad = text(browser.client.get(url + "&companies_page=abc&companies_sort=evil&shares_per=9"
                                        "&policy_sort=x&policy_fund=abc&net_dir=up"))
    assert ids(bad, "company") == ids(html, "company") and ids(bad, "share") == ids(html, "share")
    # Every row in the download, from any page.
    rows = sheet_rows(browser, url + "&companies_page=2&_xlsx=company-exposure-table")
    assert len(rows) == 4
    shares = sheet_rows(browser, url + "&shares_page=2&_xlsx=sub-fund-share-table")
    assert len([r for r in shares if isinstance(r[1], float)]) == 2  # both sub-funds
    policy = sheet_rows(browser, url + "&_xlsx=policy-sub-fund-table")
    assert len(policy) == 2
