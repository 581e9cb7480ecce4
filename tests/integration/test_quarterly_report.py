"""The quarterly report of a fund: content, page, xlsx, PDF, API, errors and tenancy.

The fund: three LPs (300m / 200m / 100m committed), a 60m call in 2020, a 50m investment,
a 12m distribution, NAV 70m and the holding at 65m at 2022-12-31; in 2023Q2 a 6m call, a
management fee of 1.5m and an expense of 0.25m, and a trade sale of a tenth of the holding
for 8m; after the quarter (2023-07-20) another 3m call — a subsequent event.
"""

from __future__ import annotations

import html as html_text
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pypdf
import pytest
from flask import Flask

from fundops.auth.accounts import issue_token
from fundops.calc.periods import Quarter
from fundops.errors import ValidationError
from fundops.exits import services as exits
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.reports.quarterly.content import quarterly_report
from fundops.reports.quarterly.packs import consolidated_pack, fund_pack
from fundops.uow import Actor
from tests.conftest import Browser
from tests.factories import PASSWORD, World, fund_with_activity, make_company, make_fund, make_user

FUND_NAME = "华南硬科技成长一期基金"
EVIL = '=HYPERLINK("x")'
Q = "2023Q2"


@dataclass
class Setup:
    world: World
    company_id: int
    report_on: date


def build(app: Flask) -> Setup:
    gp_user, gp = make_user("成长资本管理有限公司")
    other_user, other = make_user("别家资本")
    fund = make_fund(gp, name_zh=FUND_NAME, name_en="South China Growth I")
    lps = []
    for i, amount in enumerate(("300000000", "200000000", "100000000")):
        name = EVIL if i == 2 else f"出资人{i}号"
        lp = services.create_investor(gp, name, "private")
        services.add_commitment(gp, fund.id, lp.id, amount, date(2020, 3, 1))
        lps.append(lp)
    company = make_company(gp, name="深圳芯研科技有限公司")
    world = World(gp_user, gp, other_user, other, fund, lps, company)
    fund_with_activity(world)
    ledger.record_capital_call(gp, fund.id, value_on="2023-05-10", amount="6000000",
                               purpose="investment")
    ledger.record_fund_flow(gp, fund.id, kind="management_fee", value_on="2023-06-30",
                            amount="1500000", counterparty="成长资本")
    ledger.record_fund_flow(gp, fund.id, kind="expense", value_on="2023-04-20",
                            amount="250000", counterparty="会计师事务所", memo="2022年审计费")
    exits.record_trade_sale(gp, fund.id, company_id=company.id, kind="trade_sale",
                            value_on="2023-06-15", consideration="8000000", fraction="0.1")
    ledger.record_capital_call(gp, fund.id, value_on="2023-07-20", amount="3000000",
                               purpose="investment")
    return Setup(world, company.id, date(2023, 8, 15))


def test_content_of_a_quarter(app: Flask) -> None:
    s = build(app)
    gp, fund = s.world.gp, s.world.fund
    report = quarterly_report(gp, fund.id, Q, s.report_on)
    lps = report.lps.set_index("investor")
    assert list(lps["committed"]) == [Decimal("300000000.00"), Decimal("200000000.00"),
                                      Decimal("100000000.00")]
    # 66m called pro rata to commitment (3:2:1)
    assert list(lps["paid_in"]) == [Decimal("33000000.00"), Decimal("22000000.00"),
                                    Decimal("11000000.00")]
    assert lps.loc[EVIL, "unfunded"] == Decimal("89000000.00")
    cap = report.capital.set_index("investor")
    assert list(cap["contributions"]) == [Decimal("3000000.00"), Decimal("2000000.00"),
                                          Decimal("1000000.00")]
    assert list(cap["distributions"]) == [Decimal("0.00")] * 3
    assert list(cap["management_fees"]) == [Decimal("-750000.00"), Decimal("-500000.00"),
                                            Decimal("-250000.00")]
    lines = ["contributions", "management_fees", "fund_expenses", "realised", "unrealised",
             "carry", "distributions", "transfers", "reallocation"]
    for _, row in cap.iterrows():  # the statement closes to the fen
        assert row["opening"] + sum(row[k] for k in lines) == row["closing"]
    assert sum(cap["closing"], Decimal(0)) == report.net.value  # NAV split exactly
    fees = report.fees
    assert fees.loc["management_fee", "quarter"] == Decimal("1500000.00")
    assert fees.loc["expense", "quarter"] == Decimal("250000.00")
    assert fees.loc["expense", "itd"] == Decimal("250000.00")
    kinds = list(report.flows["kind"])
    assert kinds == ["expense", "capital_call", "proceeds", "management_fee"]
    assert list(report.subsequent["amount"]) == [Decimal("3000000.00")]
    [deal] = report.schedule.to_dict("records")
    assert deal["cost"] == Decimal("50000000.00")
    assert deal["realised"] == Decimal("8000000.00")
    assert deal["disposed_cost"] == Decimal("5000000.00")  # a tenth at average cost
    assert deal["remaining_cost"] == Decimal("45000000.00")
    assert deal["valued_on"] == date(2023, 6, 15)  # the exit revalues what is left


def test_bad_quarters_are_named_errors(app: Flask) -> None:
    s = build(app)
    gp, fund = s.world.gp, s.world.fund
    with pytest.raises(ValidationError) as err:
        quarterly_report(gp, fund.id, "2019Q4")
    assert (err.value.field, err.value.code) == ("quarter", "report_before_inception")
    with pytest.raises(ValidationError) as err:
        quarterly_report(gp, fund.id, str(Quarter.of(date.today())))  # noqa: DTZ011
    assert err.value.code == "report_quarter_open"
    with pytest.raises(ValidationError) as err:
        quarterly_report(gp, fund.id, "2023Q5")
    assert err.value.code == "quarter_invalid"
    with pytest.raises(ValidationError) as err:
        quarterly_report(gp, fund.id, Q, date(2023, 6, 29))
    assert err.value.code == "report_date_before_quarter_end"
    with pytest.raises(ValidationError) as err:
        consolidated_pack(gp, fund.id, Q)
    assert err.value.code == "report_not_parent_fund"


def login(app: Flask, email: str) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(email, PASSWORD).status_code == 302
    return browser


def cells(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert body, table_id
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(0), re.S)
    return [[html_text.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)] for r in rows]


def sheet_rows(book: Any, name: str) -> list[list[Any]]:
    return [list(r) for r in book[name].iter_rows(values_only=True)]


def test_page_xlsx_and_pdf_show_the_same_figures(app: Flask) -> None:
    s = build(app)
    fund = s.world.fund
    browser = login(app, s.world.gp_user.email)
    with browser.client.session_transaction() as session:
        session["unit"] = "yuan"
    page = browser.client.get(f"/funds/{fund.id}/reports/quarterly?quarter={Q}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert FUND_NAME in html and "download-pdf" in html
    schedule = cells(html, "investments-schedule")
    assert schedule[1][0] == "深圳芯研科技有限公司"
    shown_cost, shown_realised = schedule[1][3], schedule[1][6]
    assert (shown_cost, shown_realised) == ("50,000,000.00", "8,000,000.00")

    xlsx = browser.client.get(f"/funds/{fund.id}/reports/quarterly.xlsx?quarter={Q}")
    assert xlsx.status_code == 200
    assert xlsx.mimetype == ("application/vnd.openxmlformats-officedocument."
                             "spreadsheetml.sheet")
    disposition = xlsx.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    rows = sheet_rows(book, "投资情况")
    header = next(r for r in rows if r[0] == "企业")
    assert header[3] == "投资成本（元）"
    data = rows[rows.index(header) + 1]
    assert data[0] == "深圳芯研科技有限公司"
    assert f"{data[3]:,.2f}" == shown_cost and f"{data[6]:,.2f}" == shown_realised
    lp_sheet = book["出资情况"]
    evil = [c for row in lp_sheet.iter_rows() for c in row if c.value == EVIL]
    assert evil and all(c.data_type == "s" for c in evil)  # text, never a formula
    page_lps = cells(html, "commitments-lps")
    lp_rows = sheet_rows(book, "出资情况")
    for page_row in page_lps[1:4]:
        sheet_row = next(r for r in lp_rows if r[0] == page_row[0])
        assert [f"{v:,.2f}" for v in sheet_row[2:5]] == page_row[2:5]

    pdf = browser.client.get(f"/funds/{fund.id}/reports/quarterly.pdf?quarter={Q}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    flat = re.sub(r"\s+", "", text)
    assert FUND_NAME in flat and "深圳芯研科技有限公司" in flat
    for figure in (shown_cost, shown_realised, "600,000,000.00", "1,500,000.00"):
        assert figure in flat, figure


def test_the_same_quarter_gives_the_same_bytes(app: Flask) -> None:
    s = build(app)
    first = fund_pack(s.world.gp, s.world.fund.id, Q, s.report_on)
    second = fund_pack(s.world.gp, s.world.fund.id, Quarter(2023, 2), s.report_on)
    assert [n for n, _ in first] == [f"{s.world.fund.code}_2023Q2_季度报告.xlsx",
                                     f"{s.world.fund.code}_2023Q2_季度报告.pdf"]
    assert first == second


def test_errors_on_pages_and_api_write_nothing(app: Flask) -> None:
    s = build(app)
    fund = s.world.fund
    browser = login(app, s.world.gp_user.email)
    for quarter, code in (("2019Q4", "report_before_inception"), ("2999Q1", "report_quarter_open"),
                          ("abc", "quarter_invalid")):
        page = browser.client.get(f"/funds/{fund.id}/reports/quarterly?quarter={quarter}")
        assert page.status_code == 422
        assert 'id="quarter-error"' in page.get_data(as_text=True)
        for suffix in ("xlsx", "pdf"):
            download = browser.client.get(
                f"/funds/{fund.id}/reports/quarterly.{suffix}?quarter={quarter}")
            assert download.status_code == 422 and download.mimetype == "text/html"
        token = issue_token(email=s.world.gp_user.email, label="t")
        api = browser.client.get(f"/api/v1/funds/{fund.id}/reports/quarterly?quarter={quarter}",
                                 headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 422 and api.get_json()["error"] == code
        assert api.get_json()["field"] == "quarter"
    consolidated = browser.client.get(
        f"/funds/{fund.id}/reports/quarterly/consolidated.pdf?quarter={Q}")
    assert consolidated.status_code == 302
    assert consolidated.headers["Location"].endswith(f"/reports/quarterly?quarter={Q}")
    after = browser.client.get(consolidated.headers["Location"]).get_data(as_text=True)
    assert "没有子基金" in after or "has no sub-funds" in after


def test_api_returns_the_sections(app: Flask) -> None:
    s = build(app)
    fund = s.world.fund
    token = issue_token(email=s.world.gp_user.email, label="t")
    client = app.test_client()
    reply = client.get(f"/api/v1/funds/{fund.id}/reports/quarterly?quarter={Q}",
                       headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["quarter"] == Q and body["fund"]["name_zh"] == FUND_NAME
    assert body["commitments"]["committed"] == "600000000.00"
    assert [f["category"] for f in body["fees"]] == ["management_fee", "expense"]
    assert body["fees"][0]["quarter"] == "1500000.00"
    assert body["schedule"][0]["realised"] == "8000000.00"
    assert [e["amount"] for e in body["subsequent_events"]] == ["3000000.00"]
    assert body["parent"] is None


def test_another_organisation_gets_404(app: Flask) -> None:
    s = build(app)
    fund = s.world.fund
    other = login(app, s.world.other_user.email)
    for path in ("", ".xlsx", ".pdf", "/consolidated.xlsx", "/consolidated.pdf"):
        response = other.client.get(f"/funds/{fund.id}/reports/quarterly{path}?quarter={Q}")
        assert response.status_code == 404
        assert FUND_NAME.encode() not in response.data
    token = issue_token(email=s.world.other_user.email, label="t")
    api = other.client.get(f"/api/v1/funds/{fund.id}/reports/quarterly?quarter={Q}",
                           headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 404


def parent_setup(app: Flask) -> tuple[Actor, int, Setup]:
    from fundops.portfolio import fof_services as fof

    s = build(app)
    _, guidance = make_user("省引导基金管理中心", kind="guidance_fund_manager")
    parent = make_fund(guidance, kind="parent_fund", registration_no="P-QR-1",
                       is_guidance_fund=True, inception_on="2019-06-01", name_zh="省级引导母基金")
    gov = services.create_investor(guidance, "省财政厅", "fiscal")
    services.add_commitment(guidance, parent.id, gov.id, "1000000000", "2019-06-01")
    ledger.record_capital_call(guidance, parent.id, value_on="2019-07-01", amount="100000000",
                               purpose="investment")
    lp = services.create_investor(s.world.gp, "省级引导母基金（LP）", "guidance_fund",
                                  fund_registration_no="P-QR-1")
    services.add_commitment(s.world.gp, s.world.fund.id, lp.id, "400000000", "2020-03-01")
    call = ledger.record_capital_call(s.world.gp, s.world.fund.id, value_on="2021-03-31",
                                      amount="10000000", purpose="investment")
    share = next(a.amount for a in call.allocations if a.investor_id == lp.id)
    fof.record_sub_fund_flow(guidance, parent.id, kind="fund_contribution",
                             target_fund_id=s.world.fund.id, value_on="2021-03-31", amount=share)
    return guidance, parent.id, s


def test_parent_report_and_consolidated_pack(app: Flask) -> None:
    guidance, parent_id, s = parent_setup(app)
    report = quarterly_report(guidance, parent_id, Q, s.report_on)
    assert report.parent is not None
    [book] = report.sub_funds
    assert book.fund.id == s.world.fund.id
    assert book.stake is not None and book.stake.paid_in == Decimal("4000000.00")
    files = consolidated_pack(guidance, parent_id, Q, s.report_on)
    assert [n.rsplit(".", 1)[1] for n, _ in files] == ["xlsx", "pdf"]
    book_x = openpyxl.load_workbook(io.BytesIO(files[0][1]))
    code = s.world.fund.code
    assert {"子基金", "子基金投资明细", "穿透", "杠杆", "政策指标"} <= set(book_x.sheetnames)
    assert any(r[0] == code for r in sheet_rows(book_x, "子基金"))
    rows = sheet_rows(book_x, "子基金投资明细")
    assert any(r[0] == "深圳芯研科技有限公司" for r in rows)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files[1][1])).pages)
    assert "省级引导母基金" in re.sub(r"\s+", "", text)
    assert FUND_NAME in re.sub(r"\s+", "", text)
    assert files == consolidated_pack(guidance, parent_id, Q, s.report_on)


def test_an_lp_viewer_sees_only_its_own_lines(app: Flask) -> None:
    guidance, _parent_id, s = parent_setup(app)
    report = quarterly_report(guidance, s.world.fund.id, Q, s.report_on)
    assert report.access.value == "lp" and report.carry is None
    assert list(report.lps["investor"]) == ["省级引导母基金（LP）"]
    assert list(report.capital["investor"]) == ["省级引导母基金（LP）"]
    assert report.net.committed == Decimal("1000000000.00")  # the fund's figures stay whole


def test_a_missing_pdf_font_is_a_named_error_not_a_500(app: Flask) -> None:
    s = build(app)
    browser = login(app, s.world.gp_user.email)
    app.config["REPORT_CJK_FONT"] = "/nonexistent/font.ttc"
    try:
        response = browser.client.get(
            f"/funds/{s.world.fund.id}/reports/quarterly.pdf?quarter={Q}")
    finally:
        del app.config["REPORT_CJK_FONT"]
    assert response.status_code == 409
    assert "fonts-wqy-zenhei" in response.get_data(as_text=True)
