"""Capital account statement pages, downloads and API (both databases): the figures of the
page are the service's, the xlsx and the PDF carry them, the API closes, another
organisation gets 404, bad periods are named errors."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pypdf
from flask import Flask

from fundops.auth.accounts import issue_token
from fundops.calc.capital_account import Line
from fundops.calc.periods import Period
from fundops.reports.statements import capital_accounts
from tests.conftest import Browser
from tests.factories import PASSWORD, fund_with_activity, make_world
from tests.integration.test_quarterly_report import build

D = Decimal


def login(app: Flask, email: str) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(email, PASSWORD).status_code == 302
    return browser


def test_statement_page_files_and_api_show_the_same_figures(app: Flask) -> None:
    s = build(app)
    fund = s.world.fund
    lp = s.world.lps[0]
    browser = login(app, s.world.gp_user.email)
    args = "?period=qtd&end=2023-06-30"
    base = f"/funds/{fund.id}/reports/capital-accounts"
    expected = capital_accounts(s.world.gp, fund.id, Period(date(2023, 4, 1), date(2023, 6, 30)))
    mine = next(x for x in expected.lps if x.investor.id == lp.id)
    assert mine.amount(Line.CONTRIBUTIONS) == D("3000000.00")
    assert mine.amount(Line.MANAGEMENT_FEES) == D("-750000.00")
    page = browser.client.get(base + args)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "2023-04-01" in body and lp.name in body
    one = browser.client.get(f"{base}/{lp.id}{args}")
    assert one.status_code == 200 and lp.name in one.get_data(as_text=True)
    book = openpyxl.load_workbook(io.BytesIO(browser.client.get(f"{base}.xlsx{args}").data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert float(mine.closing) in cells and float(mine.amount(Line.MANAGEMENT_FEES)) in cells
    assert s.world.lps[2].name in cells  # a formula-looking name is stored as text
    pdf = browser.client.get(f"{base}/{lp.id}.pdf{args}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in
                                      pypdf.PdfReader(io.BytesIO(pdf.data)).pages))
    assert fund.name_zh in text and f"{mine.closing:,}" in text
    token = issue_token(email=s.world.gp_user.email, label="t")
    api = app.test_client().get(f"/api/v1/funds/{fund.id}/capital-accounts{args}",
                                headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    reply = api.get_json()
    keys = ["contributions", "management_fees", "fund_expenses", "realised", "unrealised",
            "carry", "distributions", "transfers", "reallocation"]
    for row in [*reply["lps"], reply["total"]]:
        assert D(row["opening"]) + sum(D(row[k]) for k in keys) == D(row["closing"])
    assert D(reply["total"]["closing"]) == D(reply["nav_closing"])


def test_bad_periods_are_named_and_another_organisation_gets_404(app: Flask) -> None:
    world = make_world()
    fund_with_activity(world)
    browser = login(app, world.gp_user.email)
    base = f"/funds/{world.fund.id}/reports/capital-accounts"
    for args, field in (("?start=2023-06-30&end=2023-01-01", "statement_period_reversed"),
                        ("?end=2999-01-01", "a statement cannot end after today"),
                        ("?end=2001-01-01", "before the fund"),
                        ("?period=weekly", "weekly"), ("?end=2023-02-30", "")):
        response = browser.client.get(base + args)
        assert response.status_code == 422, args
        assert 'id="period-error"' in response.get_data(as_text=True)
        del field
    token = issue_token(email=world.gp_user.email, label="t")
    api = app.test_client().get(f"/api/v1/funds/{world.fund.id}/capital-accounts?"
                                "start=2023-06-30&end=2023-01-01",
                                headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 422 and api.get_json()["field"] == "end"
    other = login(app, world.other_user.email)
    for url in (base, f"{base}.pdf", f"{base}/{world.lps[0].id}",
                f"{base}/{world.lps[0].id}.xlsx"):
        assert other.client.get(url).status_code == 404
    assert browser.client.get(f"{base}/999999").status_code == 404
