"""A real headless Chromium walks the company → bank story of an investment-linked loan.

The GP's round is set up through the services (IC-approved, the lead fund's equity
linked from its ledger, a verification code issued). The bank user verifies the code,
sees the headroom, applies, approves, is refused the disbursement until the outside
co-investor's equity has arrived, and then disburses.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect, sync_playwright

from fundops.auth.models import User
from fundops.extensions import db
from fundops.syndication.enums import LoanEntryKind, LoanStatus
from fundops.syndication.loans.models import Loan, LoanEntry
from fundops.syndication.term_sheets import fundings
from tests.factories import PASSWORD
from tests.integration.test_linked_loans import build_round
from tests.web.csp import console_errors
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, live_url  # noqa: F401

SCREENSHOT = "/tmp/fundops-linked-loan.png"


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
def test_bank_verifies_applies_approves_and_disburses_with_the_equity(  # noqa: PLR0915 - a story
        app: Flask, live_url: str) -> None:  # noqa: F811
    r = build_round()
    email = db.session.get(User, r.bank.user_id).email
    outside = next(a for a in r.ts.allocations if not a.is_lead).id
    ts_id, product_id, code = r.ts.id, r.product_id, r.code
    db.session.rollback()  # end the read transaction before the server writes
    base = live_url

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1360, "height": 900})
            errors = console_errors(page)  # CSP violations included
            page.set_default_timeout(30_000)
            expect.set_options(timeout=30_000)
            log_in(page, base, email)

            # the bank enters the code the company handed over and sees the verified facts
            page.click("#nav-verify")
            page.wait_for_url(f"{base}/verify")
            expect(page.locator("h1")).to_have_text("核验条款清单")
            page.fill("#code", code)
            page.click("#verify-submit")
            expect(page.locator("#fact-status")).to_contain_text("投委会已通过")
            expect(page.locator("#fact-company")).to_contain_text("芯片科技")
            expect(page.locator("#fact-arrived")).to_contain_text("6,000.00")  # 万元
            expect(page.locator("#fact-arrived")).to_contain_text("60.0%")
            expect(page.locator("#fact-can-pay")).to_have_text("是")
            expect(page.locator("#fact-reserved")).to_have_text("0.00")
            row = page.locator(f"#headroom-{product_id}")
            expect(row.locator("td.headroom")).to_have_text("1,800.00")  # 0.3 × 6,000万
            expect(row).to_contain_text("α × 已到位股权")  # the binding term
            expect(row).to_contain_text("2,500.00")  # 0.05 × 5亿 post-money
            expect(row).to_contain_text("5,000.00")  # the product cap

            # apply under the bank's product
            page.select_option("#apply-product_id", str(product_id))
            page.fill("#apply-amount", "15,000,000")
            page.fill("#apply-first_due_on", "2024-08-31")
            page.click("#apply-submit")
            page.wait_for_url(re.compile(rf"{re.escape(base)}/loans/\d+$"))
            loan_url = page.url
            expect(page.locator(".flash")).to_contain_text("贷款申请已登记")
            expect(page.locator("#loan-status")).to_contain_text("已申请")
            expect(page.locator("#headroom-value")).to_have_text("1,800.00")
            expect(page.locator("#equity-met")).to_contain_text("未满足")

            # approve: the amount is reserved and the schedule stored
            page.fill("#approve-note", "授信审批通过")
            page.click("#approve-submit")
            page.wait_for_url(loan_url)
            expect(page.locator(".flash")).to_contain_text("贷款已审批")
            expect(page.locator("#loan-status")).to_contain_text("已审批")
            expect(page.locator("#card-reserved .value")).to_have_text("1,500.00")
            expect(page.locator("#schedule-table tbody tr")).to_have_count(24)
            expect(page.locator("#schedule-table tbody tr").first).to_contain_text("2024-08-31")

            # disbursing before the outside investor has paid is refused, with the reason
            page.fill("#disburse-amount", "5,000,000")
            page.fill("#disburse-value_on", "2024-07-01")
            page.click("#disburse-submit")
            refusal = page.locator("#disburse-form .form-errors")
            expect(refusal).to_contain_text("放款被拒绝")
            expect(refusal).to_contain_text("股权到位条件未满足")
            expect(page.locator("#entry-table tbody")).to_contain_text("尚无放款或还款记录")
            page.screenshot(path="/tmp/fundops-linked-loan-refused.png", full_page=True)

            # the lead GP records the outside co-investor's payment on its evidence
            fundings.record_outside_funding(r.gp, ts_id, outside, amount="40000000",
                                               arrived_on="2024-07-05",
                                               evidence_ref="验资报告 2024-031")
            db.session.rollback()

            page.goto(loan_url)
            expect(page.locator("#equity-met")).to_contain_text("已满足")
            expect(page.locator("#fact-status")).to_contain_text("已到位")
            page.fill("#disburse-amount", "10,000,000")
            page.fill("#disburse-value_on", "2024-07-10")
            page.fill("#disburse-memo", "首笔放款")
            page.click("#disburse-submit")
            page.wait_for_url(loan_url)
            expect(page.locator(".flash")).to_contain_text("放款已入账")
            expect(page.locator("#loan-status")).to_contain_text("已放款")
            entry = page.locator("#entry-table tbody tr[data-kind='disbursement']")
            expect(entry).to_have_count(1)
            expect(entry).to_contain_text("放款")
            expect(entry).to_contain_text("1,000.00")
            expect(entry).to_contain_text("首笔放款")
            expect(page.locator("#card-outstanding .value")).to_have_text("1,000.00")
            page.screenshot(path=SCREENSHOT, full_page=True)
            assert errors == []
        finally:
            browser.close()

    db.session.rollback()  # see what the server thread committed
    loan = db.session.scalar(sa.select(Loan).where(Loan.term_sheet_id == ts_id))
    assert loan is not None and loan.status is LoanStatus.ACTIVE
    assert loan.reserved_amount == Decimal("15000000.00")
    entries = list(db.session.scalars(sa.select(LoanEntry).where(LoanEntry.loan_id == loan.id)))
    assert [(e.kind, e.amount) for e in entries] == [
        (LoanEntryKind.DISBURSEMENT, Decimal("10000000.00"))]
