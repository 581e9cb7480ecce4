"""A real headless Chromium (Debian's) opens a fund's quarterly report from the fund page,
picks the quarter and downloads the PDF and the Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect, sync_playwright

from fundops.extensions import db
from tests.factories import PASSWORD
from tests.integration.test_quarterly_report import FUND_NAME, Q, build
from tests.web.csp import console_errors
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, live_url  # noqa: F401 (fixture)

SCREENSHOT = "/tmp/fundops-quarterly-report.png"


def drive(base: str, email: str, fund_id: int, downloads: Path) -> dict[str, Any]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1360, "height": 900},
                                    accept_downloads=True)
            errors = console_errors(page)
            page.set_default_timeout(30_000)
            expect.set_options(timeout=30_000)
            page.goto(f"{base}/login")
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            page.click("#submit")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/funds/{fund_id}")
            page.click("#link-quarterly-report")
            page.wait_for_url(f"{base}/funds/{fund_id}/reports/quarterly*")
            page.select_option("#quarter", Q)
            page.click("#quarter-submit")
            page.wait_for_url(f"**quarter={Q}")
            expect(page.locator("#report-title")).to_contain_text(FUND_NAME)
            title = page.locator("#report-title").inner_text()
            cost = page.locator("#investments-schedule tbody tr td").nth(3).inner_text()
            with page.expect_download() as pdf_info:
                page.click("#download-pdf")
            pdf = pdf_info.value
            pdf_path = downloads / pdf.suggested_filename
            pdf.save_as(pdf_path)
            with page.expect_download() as xlsx_info:
                page.click("#download-xlsx")
            xlsx = xlsx_info.value
            page.screenshot(path=SCREENSHOT, full_page=False)
            assert errors == []
        finally:
            browser.close()
    return {"title": title, "cost": cost, "pdf_name": pdf.suggested_filename,
            "pdf_head": pdf_path.read_bytes()[:5], "xlsx_name": xlsx.suggested_filename}


@pytest.mark.browser
def test_open_the_report_and_download_the_pdf_in_chromium(
        app: Flask, live_url: str, tmp_path: Path) -> None:  # noqa: F811
    s = build(app)
    fund_id, code, email = s.world.fund.id, s.world.fund.code, s.world.gp_user.email
    db.session.rollback()  # end the read transaction before the server reads

    seen = drive(live_url, email, fund_id, tmp_path)

    assert "2023年第二季度" in seen["title"]
    assert seen["cost"] == "5,000.00"  # 50m yuan in the page's default unit, 万元
    assert seen["pdf_head"] == b"%PDF-"
    assert seen["pdf_name"] == f"{code}_2023Q2_季度报告.pdf"
    assert seen["xlsx_name"] == f"{code}_2023Q2_季度报告.xlsx"
