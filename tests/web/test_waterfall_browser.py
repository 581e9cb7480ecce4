"""A real headless Chromium (Debian's) runs a distribution through the waterfall: log in as
the GP of a fresh fund, record a trade sale on its exits page, set the waterfall terms,
preview and post a distribution, and read the LP's and the GP's split on the run page
(the §5.5 compound example in yuan: C = 1,000,000, D = 1,800,000 five years later →
GP 160,000, LP 1,640,000; pages show 万元)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import expect, sync_playwright

from fundops.exits.models import ExitEvent, WaterfallRun
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from tests.factories import PASSWORD, make_company, make_fund, make_user, next_n
from tests.web.csp import console_errors
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, live_url  # noqa: F401 (fixture)

SCREENSHOT = "/tmp/fundops-waterfall-run.png"


def drive(base: str, email: str, fund_id: int, company_id: int, rec_id: int) -> dict[str, Any]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1360, "height": 900})
            errors = console_errors(page)  # CSP violations included
            page.set_default_timeout(30_000)
            expect.set_options(timeout=30_000)
            page.goto(f"{base}/login")
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            page.click("#submit")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/funds/{fund_id}")
            page.click("#link-exits")
            page.wait_for_url(f"{base}/funds/{fund_id}/exits")
            page.click("#action-trade-sale")
            page.select_option("#company_id", str(company_id))
            page.fill("#value_on", "2024-12-30")
            page.fill("#consideration", "1,800,000")
            page.fill("#counterparty", "产业资本")
            page.click("#submit")
            page.wait_for_url(f"{base}/funds/{fund_id}/exits")
            page.click("#action-waterfall")
            page.wait_for_url(f"{base}/funds/{fund_id}/waterfall")
            page.click("#action-wf-terms")
            page.select_option("#carry_recipient_id", str(rec_id))
            page.click("#submit")
            page.wait_for_url(f"{base}/funds/{fund_id}/waterfall")
            expect(page.locator("#wf-carry")).to_contain_text("20%")
            page.click("#action-wf-run")
            page.fill("#value_on", "2024-12-30")
            page.fill("#amount", "1,800,000")
            page.click("#preview-button")
            expect(page.locator("#wf-preview tbody tr")).to_have_count(2)
            preview = page.locator("#wf-preview td.wf-paid").all_inner_texts()
            page.click("#submit")
            page.wait_for_url(f"{base}/funds/{fund_id}/waterfall/runs/*")
            rows = page.locator("#wf-breakdown tbody tr")
            expect(rows).to_have_count(2)
            split = {r.locator("td").first.inner_text(): r.locator("td.wf-paid").inner_text()
                     for r in rows.all()}
            carry = page.locator("#wf-run-carry").inner_text()
            conventions = page.locator("#wf-conventions li").count()
            page.screenshot(path=SCREENSHOT, full_page=True)
            assert errors == []
        finally:
            browser.close()
    return {"preview": preview, "split": split, "carry": carry, "conventions": conventions}


@pytest.mark.browser
def test_exit_then_waterfall_distribution_in_chromium(app: Flask, live_url: str) -> None:  # noqa: F811
    user, gp = make_user(f"GP {next_n()}")
    fund = make_fund(gp)
    lp = services.create_investor(gp, f"社会出资人 {next_n()}", "private")
    rec = services.create_investor(gp, f"普通合伙人 {next_n()}", "corporate")
    services.add_commitment(gp, fund.id, lp.id, "1000000", "2020-01-01")
    services.add_commitment(gp, fund.id, rec.id, "0.01", "2020-01-01")
    ledger.record_capital_call(gp, fund.id, value_on="2020-01-01", amount="1000000",
                               purpose="investment", split={lp.id: "1000000"})
    company = make_company(gp)
    ledger.record_investment(gp, fund.id, company_id=company.id, round_name="A",
                             instrument="ordinary_equity", invested_on="2020-01-15",
                             amount="1000000")
    ids = (fund.id, company.id, rec.id)
    names = (lp.name, rec.name)
    email = user.email
    db.session.rollback()  # end the read transaction before the server writes

    seen = drive(live_url, email, *ids)

    assert seen["split"] == {names[0]: "164.00", names[1]: "16.00"}  # 万元
    assert sorted(seen["preview"]) == ["16.00", "164.00"]
    assert seen["carry"] == "16.00" and seen["conventions"] >= 8
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExitEvent).where(
        ExitEvent.fund_id == ids[0])) == 1
    run = db.session.scalar(sa.select(WaterfallRun).where(WaterfallRun.fund_id == ids[0]))
    assert run is not None and str(run.carry_amount) == "160000.00"
