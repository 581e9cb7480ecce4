"""Every table of every page downloads as Excel (fundops.web.tables): the page's columns and
rows, its header texts, exact numbers; text never a formula; the page's own permissions.

The walk visits every GET page route with real objects — the tenancy walk's world
(tests/integration/test_tenancy.py ``_ids``), the fund-of-funds of the parent pages, and the
linked-loan round of the syndication walk as its GP, its bank and the pool manager — on
both databases. For each page with a table it downloads every table's workbook and compares
it with the page's HTML (tests/web/table_check.py). ``TABLE_FIGURES`` makes the page carry
the exact values (``data-x``) that the download writes.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import io
import re
import zipfile
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent, data_version
from fundops.clock import business_today
from fundops.exits import reminders
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import page_tables, services
from fundops.web.tables import XLSX
from tests.conftest import Browser
from tests.factories import PASSWORD, fund_with_activity, make_company, make_world
from tests.integration.test_app import walk_ids
from tests.integration.test_exit_reminders import _sale_with_escrow
from tests.integration.test_linked_loans import build_round
from tests.integration.test_policy import with_rules
from tests.integration.test_syndication_tenancy import _owners, _world
from tests.integration.test_tenancy import is_syndication
from tests.web.table_check import check_download, read_page, table_key
from tests.web.test_pages import compile_catalog
from tests.web.test_parent_pages import email


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def _page_urls(app: Flask, args: dict[str, int], syndication: bool) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if ("GET" not in (rule.methods or ()) or rule.endpoint == "static"
                or rule.rule.startswith("/api/") or rule.endpoint.startswith("auth.")
                or is_syndication(app, rule.endpoint) != syndication
                or not set(rule.arguments) <= set(args)):
            continue
        urls.append(rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1])
    return urls


class Walk:
    """Downloads every table of the pages it is given and compares each with its page."""

    def __init__(self) -> None:
        self.pages: set[str] = set()
        self.tables: set[str] = set()
        self.counts: Counter[str] = Counter()

    def visit(self, browser: Browser, url: str) -> None:
        response = browser.client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            return
        html = response.get_data(as_text=True)
        tables, links = read_page(html)
        expected = {table_key(tables, i) for i, t in enumerate(tables) if not t.in_form}
        assert set(links) == expected, f"{url}: links {sorted(links)} for tables {expected}"
        if tables:
            self.pages.add(url.split("?")[0])
        for number, table in enumerate(tables):
            key = table_key(tables, number)
            if key not in links:
                continue
            download = browser.client.get(links[key])
            where = f"{url} {key}"
            shown = _whole(browser, html, key, table)  # a paged table: its largest page
            assert download.status_code == 200, f"{where}: {download.status_code}"
            assert download.mimetype == XLSX, where
            assert download.headers["Content-Disposition"].startswith("attachment; "), where
            assert "filename*=UTF-8''" in download.headers["Content-Disposition"], where
            assert download.headers["Content-Security-Policy"], where
            assert download.headers["X-Content-Type-Options"] == "nosniff", where
            assert download.headers["Cache-Control"] == "no-store", where
            self.counts.update(check_download(shown, download.data, where))
            self.tables.add(f"{url.split('?')[0]}#{key}")


_LARGEST = re.compile(r'<a href="([^"]+)" class="pager-size">[0-9]+</a></span>\s*</nav>')


def _whole(browser: Browser, html: str, key: str, table: Any) -> Any:
    """The table as its page shows it with the largest page size (all rows of the walk's
    small tables), when it is paged (fundops.web.paging: the pager follows the table)."""
    start = html.find(f'<nav class="pager" id="{key}-pager"')
    if start < 0:
        return table
    found = _LARGEST.search(html, start, html.find("</nav>", start) + len("</nav>"))
    if found is None:  # the largest size is the current one
        return table
    bigger = browser.client.get(html_lib.unescape(found.group(1)))
    tables, _links = read_page(bigger.get_data(as_text=True))
    return next(t for i, t in enumerate(tables) if table_key(tables, i) == key)


def test_every_table_of_every_page_downloads_as_its_page_shows_it(app: Flask) -> None:
    app.config["TABLE_FIGURES"] = True
    walk = Walk()
    # The tenancy walk's world, as its GP (every non-syndication page with its objects).
    world = make_world()
    args = walk_ids(world, fund_with_activity(world))
    _sale_with_escrow(world, business_today())  # the fund page's reminders panel
    assert reminders.raise_fund_reminders(world.fund.id, business_today())
    # The parent pages: a three-level fund of funds with policy rules, as the guidance fund.
    fof = with_rules()
    # The linked-loan pages: the round's GP, its bank and the pool manager.
    round_ = build_round()
    r_ids, _secrets = _world(round_)
    syndication_owners = _owners(app, round_, r_ids["manager_user_id"])
    before = (db.session.scalar(sa.select(sa.func.count(AuditEvent.id))), data_version())

    gp = Browser(app.test_client())
    assert gp.login(world.gp_user.email, PASSWORD).status_code == 302
    for url in _page_urls(app, args, syndication=False):
        walk.visit(gp, url)
    guidance = Browser(app.test_client())
    assert guidance.login(email(fof.guidance), PASSWORD).status_code == 302
    for url in _page_urls(app, {"fund_id": fof.p.id}, syndication=False):
        walk.visit(guidance, url)
        walk.visit(guidance, url + "?as_of=2022-12-31")
    for browser, _token in syndication_owners:
        for url in _page_urls(app, r_ids, syndication=True):
            walk.visit(browser, url)

    db.session.expire_all()
    assert (db.session.scalar(sa.select(sa.func.count(AuditEvent.id))), data_version()) == before
    # 100 tables on 38 pages (about 1,650 numbers, 2,100 texts) when this was written
    summary = f"{len(walk.tables)} tables on {len(walk.pages)} pages, {dict(walk.counts)}"
    assert len(walk.pages) >= 38 and len(walk.tables) >= 100, summary
    assert walk.counts["numbers"] >= 1500, summary


def _download(browser: Browser, url: str) -> Any:
    response = browser.client.get(url)
    assert response.status_code == 200 and response.mimetype == XLSX, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(c for c in row) for row in sheet.iter_rows()]


def _gp(app: Flask, world: Any) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(world.gp_user.email, PASSWORD).status_code == 302
    return browser


def test_a_formula_like_name_is_stored_as_text(app: Flask) -> None:
    world = make_world()
    name = '=HYPERLINK("x")'
    make_company(world.gp, name=name)
    lp = services.create_investor(world.gp, "=1+2", "private")
    services.add_commitment(world.gp, world.fund.id, lp.id, "1000000", date(2020, 3, 1))
    browser = _gp(app, world)
    for url, text in (("/companies?_xlsx=company-table", name),
                      (f"/funds/{world.fund.id}?_xlsx=lp-table", "=1+2")):
        response = browser.client.get(url)
        assert response.status_code == 200 and response.mimetype == XLSX
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value == text]
        assert len(cells) == 1 and cells[0].data_type == "s", url
        with zipfile.ZipFile(io.BytesIO(response.data)) as book:
            xml = book.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in xml and "<f " not in xml, url  # no formula anywhere


def test_a_wan_page_exports_the_exact_amounts(app: Flask) -> None:
    """The page shows 万元 rounded to 0.01; the workbook has the exact yuan ÷ 10,000 with
    the page's format, Chinese headers and the unit in the title row; in yuan, the yuan."""
    world = make_world(commitments=("1234567.89", "100000000.01", "0.05"))
    ledger.record_capital_call(world.gp, world.fund.id, value_on="2020-06-30",
                               amount="33333.33", purpose="investment")
    browser = _gp(app, world)
    page = browser.client.get(f"/funds/{world.fund.id}").get_data(as_text=True)
    assert "123.46" in page and "data-x" not in page  # an ordinary page: no figures in it
    sheet = _download(browser, f"/funds/{world.fund.id}?_xlsx=lp-table")
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "出资人（LP） · 金额单位：万元"
    assert rows[1] == ["出资人（LP）", "出资人类型", "认缴", "实缴", "出资到位率", "未缴", "已分配"]
    committed = {row[0]: row[2] for row in rows[2:-1]}
    lps = world.lps
    assert committed == {lps[0].name: 123.456789, lps[1].name: 10000.000001,
                         lps[2].name: 0.000005}
    assert sheet.cell(3, 3).number_format == "#,##0.00"
    assert rows[-1][0] == "合计" and rows[-1][2] == float(Decimal("101234567.95") / 10_000)
    paid = [row[3] for row in rows[2:-1]]  # the call split pro rata, exact to the fen
    assert sum(Decimal(str(v)) for v in paid) * 10_000 == Decimal("33333.33")
    browser.post("/preferences", {"unit": "yuan", "next": "/"})
    sheet = _download(browser, f"/funds/{world.fund.id}?_xlsx=lp-table")
    assert sheet.cell(1, 1).value == "出资人（LP） · 金额单位：元"
    assert {sheet.cell(r, 1).value: sheet.cell(r, 3).value for r in (3, 4, 5)} == {
        lps[0].name: 1234567.89, lps[1].name: 100000000.01, lps[2].name: 0.05}


def test_the_download_has_the_pages_permissions_and_headers(app: Flask) -> None:
    world = make_world()
    fund_with_activity(world)
    url = f"/funds/{world.fund.id}?_xlsx=lp-table"
    outsider = Browser(app.test_client())
    assert outsider.login(world.other_user.email, PASSWORD).status_code == 302
    refused = outsider.client.get(url)
    assert refused.status_code == 404 and refused.mimetype == "text/html"
    assert world.lps[0].name not in refused.get_data(as_text=True)
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    browser = _gp(app, world)
    response = browser.client.get(url)
    assert response.status_code == 200 and response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith("''" + quote(f"{world.fund.code} · 测试基金 · 出资人（LP）.xlsx"))
    for header in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"):
        assert response.headers[header]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    missing = browser.client.get(f"/funds/{world.fund.id}?_xlsx=t99")
    assert missing.status_code == 404 and "t99" in missing.get_data(as_text=True)
    assert browser.client.get(f"/funds/{world.fund.id}?_xlsx=%3Cscript%3E").status_code == 404


def test_a_paged_table_downloads_whole(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fundops.portfolio.page_tables.LEDGER", dataclasses.replace(
        page_tables.LEDGER, per_choices=(2, 4), default_per=2))
    world = make_world()
    fund_with_activity(world)  # three ledger entries
    browser = _gp(app, world)
    page = browser.client.get(f"/funds/{world.fund.id}").get_data(as_text=True)
    assert page.count('<tr id="entry-') == 2 and 'id="ledger-table-pager"' in page
    sheet = _download(browser, f"/funds/{world.fund.id}?_xlsx=ledger-table")
    assert sheet.max_row == 1 + 1 + 3  # title, header, every entry
    assert [sheet.cell(r, 1).value for r in (3, 4, 5)] == [3, 2, 1]
    # From page 2, sorted by amount: still every entry, in the order asked.
    sheet = _download(browser, f"/funds/{world.fund.id}?ledger_page=2&ledger_sort=amount"
                               "&ledger_dir=asc&_xlsx=ledger-table")
    amounts = [sheet.cell(r, 5).value for r in (3, 4, 5)]
    assert sheet.max_row == 5 and amounts == sorted(amounts)


def test_links_keep_the_query_and_form_grids_get_none(app: Flask) -> None:
    world = make_world()
    fund_with_activity(world)
    browser = _gp(app, world)
    page = browser.client.get(f"/funds/{world.fund.id}/performance?as_of=2022-12-31")
    html = page.get_data(as_text=True)
    assert f'href="/funds/{world.fund.id}/performance?as_of=2022-12-31&amp;_xlsx=deal-table"' \
        in html
    assert "下载 Excel" in html
    form = browser.client.get(f"/funds/{world.fund.id}/calls/new").get_data(as_text=True)
    assert 'id="split-table"' in form and "xlsx-link" not in form


def test_the_english_page_downloads_english_headers(app: Flask) -> None:
    world = make_world()
    fund_with_activity(world)
    browser = _gp(app, world)
    browser.post("/preferences", {"lang": "en", "next": "/"})
    sheet = _download(browser, f"/funds/{world.fund.id}?_xlsx=holding-table")
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))] == [
        "Company", "Invested", "Proceeds", "Fair value", "Valued on"]
    assert sheet.cell(1, 1).value == "Holdings · Amounts in 10k yuan"
    assert sheet.cell(3, 2).value == 5000 and sheet.cell(3, 5).number_format == "yyyy-mm-dd"
    assert sheet.cell(3, 5).value.date() == date(2022, 12, 31)
