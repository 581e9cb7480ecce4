"""A real Chromium walks the pages that used inline styles and the unit switch (now a
static script) under the Content-Security-Policy: no violation, and the switch works."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect, sync_playwright

from fundops.auth.models import User
from fundops.extensions import db
from tests.factories import PASSWORD, fund_with_activity, make_world
from tests.integration.test_linked_loans import build_round
from tests.integration.test_lookthrough import build_fof
from tests.web.csp import console_errors
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, live_url  # noqa: F401


@pytest.mark.browser
def test_pages_pass_the_content_security_policy(app: Flask, live_url: str) -> None:  # noqa: F811
    world = make_world()
    fund_with_activity(world)
    fof = build_fof()
    r = build_round()
    gp_email, fund_id = world.gp_user.email, world.fund.id
    parent = db.session.get(User, fof.guidance.user_id)
    assert parent is not None
    parent.email = parent_email = f"parent{parent.id}@example.cn"  # "_" fails type=email
    db.session.commit()
    bank_email = db.session.get(User, r.bank.user_id).email  # type: ignore[union-attr]
    parent_id = fof.p.id
    ts_gp = db.session.get(User, r.gp.user_id).email  # type: ignore[union-attr]
    ts_id = r.ts.id
    db.session.rollback()
    base = live_url
    visits = {
        gp_email: ["/", f"/funds/{fund_id}", f"/funds/{fund_id}/performance",
                   f"/funds/{fund_id}/calls/new", "/companies"],
        parent_email: [f"/funds/{parent_id}/look-through"],
        ts_gp: ["/term-sheets", f"/term-sheets/{ts_id}"],
        bank_email: ["/verify", "/loan-products", "/loans"],
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for email, paths in visits.items():
                context = browser.new_context(locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(30_000)
                errors = console_errors(page)
                page.goto(f"{base}/login")
                page.fill("#email", email)
                page.fill("#password", PASSWORD)
                with page.expect_navigation():
                    page.click("#submit")
                assert page.url == f"{base}/", (email, page.url, page.content()[:2000])
                for path in paths:
                    response = page.goto(base + path)
                    assert response is not None and response.status == 200, path
                    assert "Content-Security-Policy" in response.headers or \
                        "content-security-policy" in response.headers
                    if path.endswith("/look-through"):
                        expect(page.locator("svg.share-bar rect").first).to_be_attached()
                # the unit switch submits its form from the static script
                page.select_option("#unit-select", "yuan")
                page.wait_for_load_state("load")
                expect(page.locator("#unit-select")).to_have_value("yuan")
                assert errors == [], (email, errors)
                context.close()
        finally:
            browser.close()
