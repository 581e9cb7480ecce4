"""A real headless Chromium posts a capital call: log in, open the fund, preview, post."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from tests.factories import PASSWORD, make_world
from tests.web.csp import console_errors
from tests.web.test_pages import compile_catalog

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = "/tmp/fundops-call.png"


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free local port; each request gets its own app context."""
    compile_catalog()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="fundops-live", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def drive_capital_call(base: str, email: str, fund_id: int, fund_code: str) -> dict[str, Any]:
    """Do the whole call in Chromium (zh-CN) and return what the preview showed."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1360, "height": 900})
            errors = console_errors(page)  # CSP violations included
            # Generous waits: CI machines have two cores and may be busy.
            page.set_default_timeout(30_000)
            expect.set_options(timeout=30_000)
            page.goto(f"{base}/login")
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            page.click("#submit")
            page.wait_for_url(f"{base}/")
            page.click(f"#fund-{fund_id} td.code a")
            page.wait_for_url(f"{base}/funds/{fund_id}")
            expect(page.locator("h1")).to_contain_text("测试基金")
            page.click("#action-call")
            page.wait_for_url(f"{base}/funds/{fund_id}/calls/new")
            page.fill("#value_on", "2021-03-31")
            page.fill("#amount", "10,000,000.01")
            page.select_option("#purpose", "investment")
            page.fill("#memo", f"{fund_code} 第一期缴款")
            page.click("#preview-button")
            rows = page.locator("#preview-table tbody tr")
            expect(rows).to_have_count(3)
            preview = {
                "shares": [Decimal(str(r.get_attribute("data-amount"))) for r in rows.all()],
                "shown": [r.locator("td.share").inner_text() for r in rows.all()],
                "total": page.locator("#preview-total").inner_text(),
                "inputs_kept": page.input_value("#amount"),
            }
            page.screenshot(path=SCREENSHOT, full_page=True)
            page.click("#post-button")
            page.wait_for_url(f"{base}/funds/{fund_id}")
            expect(page.locator(".flash")).to_contain_text("资本召集已入账")
            ledger_row = page.locator("#ledger-table tbody tr[data-kind='capital_call']")
            expect(ledger_row).to_have_count(1)
            expect(ledger_row).to_contain_text("资本召集")
            expect(ledger_row).to_contain_text("1,000.00")  # 万元, the default unit
            preview["ledger_amount"] = ledger_row.get_attribute("data-amount")
            page.screenshot(path="/tmp/fundops-fund-after-call.png", full_page=True)
            assert errors == []
        finally:
            browser.close()
    return preview


@pytest.mark.browser
def test_capital_call_preview_then_post_in_chromium(app: Flask, live_url: str) -> None:
    world = make_world()
    fund_id, fund_code, email = world.fund.id, world.fund.code, world.gp_user.email
    db.session.rollback()  # end the read transaction before the server writes

    seen = drive_capital_call(live_url, email, fund_id, fund_code)

    total = Decimal("10000000.01")
    assert seen["shares"] == [Decimal("5000000.00"), Decimal("3333333.34"), Decimal("1666666.67")]
    assert sum(seen["shares"]) == total
    assert seen["shown"] == ["500.00", "333.33", "166.67"] and seen["total"] == "1,000.00"
    assert seen["inputs_kept"] == "10,000,000.01"
    assert Decimal(str(seen["ledger_amount"])) == total

    db.session.rollback()  # see what the server thread committed
    call = db.session.scalar(sa.select(CashFlow).where(CashFlow.fund_id == fund_id))
    assert call is not None and call.kind is CashFlowKind.CAPITAL_CALL and call.amount == total
    allocated = db.session.scalar(sa.select(sa.func.sum(CashFlowAllocation.amount))
                                  .where(CashFlowAllocation.cash_flow_id == call.id))
    assert allocated == total
    assert sorted(a.amount for a in call.allocations) == sorted(seen["shares"])
