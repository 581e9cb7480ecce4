"""A real headless Chromium (Debian's) opens a call notice from the fund's notices page and
downloads its PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect, sync_playwright

from fundops.extensions import db
from fundops.reports.notices import services as notices
from tests.factories import PASSWORD
from tests.integration.test_notices import FUND_NAME, call, lp_world, set_account
from tests.web.csp import console_errors
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, live_url  # noqa: F401 (fixture)

SCREENSHOT = "/tmp/fundops-notice.png"


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
            page.click("#link-notices")
            page.wait_for_url(f"{base}/funds/{fund_id}/notices")
            page.locator("#notices a.notice-link").first.click()
            page.wait_for_url(f"{base}/funds/{fund_id}/notices/*")
            expect(page.locator("#notice-title")).to_contain_text(FUND_NAME)
            title = page.locator("#notice-title").inner_text()
            number = page.locator("#notice-number").inner_text()
            with page.expect_download() as pdf_info:
                page.click("#download-pdf")
            pdf = pdf_info.value
            pdf_path = downloads / pdf.suggested_filename
            pdf.save_as(pdf_path)
            page.screenshot(path=SCREENSHOT, full_page=True)
            assert errors == []
        finally:
            browser.close()
    return {"title": title, "number": number, "pdf_name": pdf.suggested_filename,
            "pdf_head": pdf_path.read_bytes()[:5]}


@pytest.mark.browser
def test_open_a_notice_and_download_its_pdf_in_chromium(
        app: Flask, live_url: str, tmp_path: Path) -> None:  # noqa: F811
    gp, fund, _, gp_email, _ = lp_world()
    set_account(gp, fund.id)
    made = notices.issue_notices(gp, fund.id, call(gp, fund), issued_on="2020-03-20",
                                 due_on="2020-03-31")
    fund_id, number = fund.id, made[0].number
    db.session.rollback()  # end the read transaction before the server reads

    seen = drive(live_url, gp_email, fund_id, tmp_path)

    assert "缴款通知书" in seen["title"]
    assert number in seen["number"]
    assert seen["pdf_head"] == b"%PDF-"
    assert seen["pdf_name"] == f"{number}_缴款通知书.pdf"
