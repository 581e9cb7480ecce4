"""The company chooser: a company typed by credit code, exact name or record number, a short
list of suggestions, the same refusal for an unknown and another organisation's company,
and the company list searched and paged on the server."""

from __future__ import annotations

import html as html_lib
import io
import re
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.extensions import db
from fundops.identifiers import make_uscc
from fundops.models import Company
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.company_choice import RECENT_SHOWN, Typed, classify
from fundops.portfolio.ledger import CashFlow, Investment
from tests.conftest import Browser
from tests.factories import (
    PASSWORD,
    World,
    make_company,
    make_fund,
    make_user,
    make_world,
    next_n,
)
from tests.web.test_pages import compile_catalog, counts, field_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_OPTION = re.compile(r'<option value="([^"]*)">([^<]*)</option>')


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def _browser(app: Flask, email: str, lang: str | None = None) -> Browser:
    db.session.rollback()  # end the test's read transaction before the app writes
    browser = Browser(app.test_client())
    assert browser.login(email, PASSWORD).status_code == 302
    if lang:
        browser.post("/preferences", {"lang": lang, "next": "/"})
    return browser


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _options(html: str, field: str = "company_id") -> list[tuple[str, str]]:
    block = html.split(f'<datalist id="{field}-options">', 1)[1].split("</datalist>", 1)[0]
    return [(html_lib.unescape(v), html_lib.unescape(t)) for v, t in _OPTION.findall(block)]


def _invest(browser: Browser, world: World, company: str) -> Any:
    return browser.post(f"/funds/{world.fund.id}/investments/new", {
        "company_id": company, "round_name": "A", "instrument": "ordinary_equity",
        "invested_on": "2021-05-10", "amount": "1000000"})


def _flow(browser: Browser, world: World, company: str, kind: str = "proceeds",
          ref: str | None = None) -> Any:
    return browser.post(f"/funds/{world.fund.id}/flows/new", {
        "kind": kind, "value_on": "2022-01-10", "amount": "5000", "company_id": company,
        "counterparty": "", "source_ref": ref or f"R{next_n()}", "memo": ""})


def test_what_was_typed_is_classified() -> None:
    code = make_uscc("91440300MA5G00001")
    assert classify(None) == (Typed.NOTHING, "")
    assert classify("  ") == (Typed.NOTHING, "")
    assert classify("0") == (Typed.NOTHING, "")
    assert classify(" 0042 ") == (Typed.NUMBER, "42")
    assert classify("４２") == (Typed.NUMBER, "42")  # full-width digits
    assert classify(code) == (Typed.CODE, code)
    assert classify(f" {code.lower()[:6]} {code.lower()[6:]} ") == (Typed.CODE, code)
    assert classify("9" * 18) == (Typed.CODE, "9" * 18)  # 18 digits: a code, not a number
    name = "深圳芯测科技有限公司（深圳）"  # full-width brackets kept: names compare exactly
    assert classify(f" {name} ") == (Typed.NAME, name)
    assert classify("ABCDEFGHIJKLMNOPQR") == (Typed.NAME, "ABCDEFGHIJKLMNOPQR")  # I, O: no code


def test_company_is_picked_by_code_name_or_number(app: Flask) -> None:
    world = make_world()
    second = make_company(world.gp, "南山精密制造有限公司")
    third = make_company(world.gp)
    browser = _browser(app, world.gp_user.email)
    typed = {world.company.id: world.company.uscc.lower(),  # case and blanks do not matter
             second.id: f"  {second.name} ", third.id: str(third.id)}
    for text in typed.values():
        response = _invest(browser, world, text)
        assert response.status_code == 302, field_error(_text(response), "company_id")
    db.session.rollback()
    invested = db.session.scalars(sa.select(Investment.company_id).where(
        Investment.fund_id == world.fund.id).order_by(Investment.id)).all()
    assert invested == list(typed)
    # proceeds by code; a fee or an expense with nothing (or the old "0") has no company
    assert _flow(browser, world, second.uscc, ref="P-1").status_code == 302
    assert _flow(browser, world, "0", kind="management_fee", ref="F-1").status_code == 302
    assert _flow(browser, world, "", kind="expense", ref="E-1").status_code == 302
    db.session.rollback()
    rows = dict(db.session.execute(sa.select(CashFlow.source_ref, CashFlow.company_id).where(
        CashFlow.source_ref.in_(["P-1", "F-1", "E-1"]))).all())
    assert rows == {"P-1": second.id, "F-1": None, "E-1": None}
    # proceeds still need a company
    missing = _flow(browser, world, "")
    assert missing.status_code == 422 and field_error(_text(missing), "company_id")


def test_unknown_ambiguous_and_other_organisations_companies_are_refused(app: Flask) -> None:
    world = make_world()
    twin = make_company(world.gp, world.company.name)  # the same name, another code
    theirs = make_company(world.other, "别家机构科技有限公司")
    browser = _browser(app, world.gp_user.email)
    before = counts()
    # unknown, and another organisation's (by code, name or number): the same refusal
    nowhere = make_uscc("91110000MA0000009")
    refusals = {}
    for text in (nowhere, theirs.uscc, theirs.name, str(theirs.id), "99999999"):
        response = _invest(browser, world, text)
        assert response.status_code == 422, text
        page = _text(response)
        refusals[text] = field_error(page, "company_id").replace(text, "…")
        if text != theirs.name:
            assert theirs.name not in page, text  # nothing about it is revealed
    assert len(set(refusals.values())) == 1, refusals
    assert refusals[nowhere].startswith("企业：没有可使用的企业与“…”相符")
    # ambiguous: the name of two records; both are then offered by their numbers
    response = _invest(browser, world, world.company.name)
    assert response.status_code == 422
    page = _text(response)
    assert "对应 2 条企业记录" in field_error(page, "company_id")
    assert {v for v, _ in _options(page)} == {str(world.company.id), str(twin.id)}
    assert counts() == before
    # in English, naming the field; proceeds the same
    english = _browser(app, world.gp_user.email, "en")
    response = _flow(english, world, theirs.uscc)
    assert response.status_code == 422
    assert field_error(_text(response), "company_id").startswith(
        f"Company (for proceeds): no company you may use matches “{theirs.uscc}”")
    response = _invest(english, world, world.company.name)
    assert "matches 2 company records" in field_error(_text(response), "company_id")
    # what was typed comes back escaped
    response = _invest(browser, world, '"><script>x</script>')
    assert response.status_code == 422 and "<script>x" not in _text(response)
    assert counts() == before


def test_the_suggestions_are_the_holdings_and_the_latest_companies(app: Flask) -> None:
    world = make_world()
    older = [make_company(world.gp) for _ in range(3)]
    latest = [make_company(world.gp) for _ in range(RECENT_SHOWN)]
    ledger.record_investment(world.gp, world.fund.id, company_id=older[1].id, round_name="A",
                             instrument="ordinary_equity", invested_on="2021-05-10",
                             amount="1000000")
    make_company(world.other, "别家机构科技有限公司")
    browser = _browser(app, world.gp_user.email)
    page = _text(browser.client.get(f"/funds/{world.fund.id}/investments/new"))
    offered = _options(page)
    assert offered[0] == (older[1].uscc, older[1].name)  # the holding first
    assert [v for v, _ in offered[1:]] == [c.uscc for c in reversed(latest)]
    assert 'href="/companies"' in page and 'list="company_id-options"' in page
    # proceeds: the holdings only
    page = _text(browser.client.get(f"/funds/{world.fund.id}/flows/new"))
    assert _options(page) == [(older[1].uscc, older[1].name)]
    # an older company is not suggested but may still be typed
    assert _invest(browser, world, older[0].uscc).status_code == 302


def test_company_list_is_searched_and_paged(app: Flask) -> None:
    world = make_world()
    made = [make_company(world.gp, f"页测科技{i:02d}有限公司") for i in range(60)]
    make_company(world.other, "页测科技别家有限公司")
    browser = _browser(app, world.gp_user.email)

    def rows(url: str) -> list[str]:
        response = browser.client.get(url)
        assert response.status_code == 200, url
        return re.findall(r'<tr id="company-(\d+)">', _text(response))

    first = _text(browser.client.get("/companies"))
    assert "共 61 家企业" in first and "第 1 / 2 页" in first
    assert 'href="/companies?page=2#company-table"' in first
    everyone = sorted([world.company, *made], key=lambda c: (c.name, c.id))
    assert rows("/companies") == [str(c.id) for c in everyone[:50]]
    assert rows("/companies?page=2") == [str(c.id) for c in everyone[50:]]
    assert rows("/companies?page=99") == rows("/companies?page=2")  # clamped to the last
    assert rows("/companies?page=x") == rows("/companies?page=-3") == rows("/companies")
    # by part of the name (never another organisation's), by code (case folded)
    assert rows("/companies?q=页测科技0") == [str(c.id) for c in made[:10]]
    searched = _text(browser.client.get("/companies?q=页测科技&page=2"))
    assert "共 60 家企业" in searched
    page_one = 'href="/companies?q=%E9%A1%B5%E6%B5%8B%E7%A7%91%E6%8A%80#company-table"'
    assert page_one in searched  # the link to page 1 keeps the search
    assert rows(f"/companies?q={made[7].uscc.lower()}") == [str(made[7].id)]
    assert rows("/companies?q=%25") == rows("/companies?q=_") == []  # no wildcards
    assert "没有与“&lt;b&gt;”相符的企业" in _text(browser.client.get("/companies?q=<b>"))
    # the download has every row the search finds
    response = browser.client.get("/companies?q=页测科技&_xlsx=company-table")
    assert response.status_code == 200 and response.mimetype == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    names = {c.value for row in sheet.iter_rows() for c in row}
    assert {c.name for c in made} <= names and "页测科技别家有限公司" not in names


def test_term_sheet_takes_a_company_code_and_refuses_anothers(app: Flask) -> None:
    world = make_world()
    theirs = make_company(world.other)
    browser = _browser(app, world.gp_user.email)
    page = _text(browser.client.get("/term-sheets/new"))
    assert (world.company.uscc, world.company.name) in _options(page)
    form = {"lead_fund_id": str(world.fund.id), "round_name": "B",
            "instrument": "preferred_equity", "round_size": "100000000",
            "pre_money": "400000000", "post_money": "500000000", "long_stop_on": "2026-12-31",
            "lead_amount": "100000000"}
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Company))
    refused = browser.post("/term-sheets/new", form | {"company_id": theirs.uscc})
    assert refused.status_code == 422
    assert field_error(_text(refused), "company_id").startswith("企业：没有可使用的企业")
    taken = browser.post("/term-sheets/new", form | {"company_id": world.company.uscc})
    assert taken.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Company)) == before


def test_a_parent_sees_the_other_gps_records_through_its_funds(app: Flask) -> None:
    """An LP organisation may pick a company its sub-fund holds (today's rule), by code."""
    gp_user, gp = make_user(f"GP {next_n()}")
    parent_user, parent = make_user(f"母基金 {next_n()}", kind="guidance_fund_manager")
    del gp_user
    n = next_n()
    p = make_fund(parent, kind="parent_fund", registration_no=f"PP{n}")
    sub = make_fund(gp)
    lp = services.create_investor(gp, "母基金", "guidance_fund", fund_registration_no=f"PP{n}")
    services.add_commitment(gp, sub.id, lp.id, "100000000", "2020-03-01")
    held = make_company(gp)
    ledger.record_investment(gp, sub.id, company_id=held.id, round_name="A",
                             instrument="ordinary_equity", invested_on="2021-05-10",
                             amount="1000000")
    hidden = make_company(gp)  # recorded by the GP, never invested through a visible fund
    browser = _browser(app, parent_user.email)
    url = f"/funds/{p.id}/investments/new"
    body = {"round_name": "A", "instrument": "ordinary_equity", "invested_on": "2021-06-01",
            "amount": "1000000"}
    assert browser.post(url, body | {"company_id": hidden.uscc}).status_code == 422
    assert browser.post(url, body | {"company_id": held.uscc}).status_code == 302
    db.session.rollback()
    assert db.session.scalar(sa.select(Investment.company_id).where(
        Investment.fund_id == p.id)) == held.id
