"""Linked-loan pages through the test client: GP term sheets, bank verification and loans.

The round is :func:`tests.integration.test_linked_loans.build_round`: a 1亿 Series A,
post-money 5亿, lead fund 6,000万 linked from its ledger, outside VC 4,000万; the bank's
product lends α = 30 % of the equity arrived, β = 5 % of post-money, cap 5,000万, once
the whole round has arrived. Amounts on the pages are in 万元 (the default unit).
"""

from __future__ import annotations

import html as html_lib
import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from fundops.auth.models import User
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.syndication.enums import LoanStatus, TermSheetStatus
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import Loan, LoanEntry, LoanProduct, LoanScheduleRow
from fundops.syndication.term_sheets import fundings, verification
from fundops.syndication.term_sheets import services as term_sheets
from fundops.syndication.term_sheets.models import (
    TermSheet,
    TermSheetAllocation,
    TermSheetFunding,
    TermSheetTranche,
    VerificationCode,
)
from fundops.uow import Actor
from tests.factories import PASSWORD, make_company, make_fund, make_user, next_n
from tests.integration.test_linked_loans import Round, build_round
from tests.web.test_pages import compile_catalog, field_error, text


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def login(browser: Any, actor: Actor, lang: str | None = None) -> None:
    user = db.session.get(User, actor.user_id)
    assert user is not None
    db.session.rollback()  # end the test's read transaction before the server writes
    assert browser.login(user.email, PASSWORD).status_code == 302
    if lang:
        browser.post("/preferences", {"lang": lang, "next": "/"})


def send(browser: Any, url: str, prefix: str | None, data: dict[str, Any]) -> Any:
    """Post a form whose fields carry ``prefix`` (as the page renders them), with CSRF."""
    token = browser.csrf("/login")
    name = f"{prefix}-" if prefix else ""
    payload = {f"{name}{k}": v for k, v in data.items()} | {f"{name}csrf_token": token}
    return browser.post(url, payload)


def section(html: str, marker: str, end: str = "</table>") -> str:
    return html.split(marker, 1)[1].split(end, 1)[0]


def count(model: Any) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def writes() -> tuple[int, ...]:
    tables = ("loan", "loan_entry", "loan_product", "loan_schedule_row", "term_sheet",
              "term_sheet_allocation", "term_sheet_funding", "term_sheet_event",
              "verification_code", "audit_event")
    return tuple(db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables)


def applied_loan(r: Round, amount: str = "15000000") -> int:
    return lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount=amount).id


# --- GP: term sheets ------------------------------------------------------------------------


def test_gp_sees_term_sheets_with_syndicate_history_and_codes(app: Any, browser: Any) -> None:
    r = build_round()
    ts_id, gp_name = r.ts.id, db.session.get(User, r.gp.user_id).display_name
    login(browser, r.gp)
    listing = text(browser.client.get("/term-sheets"))
    assert 'id="nav-term-sheets"' in listing and ">条款清单</a>" in listing
    assert 'id="nav-verify"' not in listing and 'id="nav-loans"' not in listing
    row = section(listing, f'id="term-sheet-{ts_id}"', "</tr>")
    assert "芯片科技" in row and "10,000.00" in row and "50,000.00" in row and "投委会已通过" in row
    html = text(browser.client.get(f"/term-sheets/{ts_id}"))
    terms = section(html, 'id="ts-terms"', "</dl>")
    for shown in ("优先股", "40,000.00", "50,000.00", "12.5", "20.00%", "1.00x", "8.00%",
                  "2024-06-10", "2024-12-31"):
        assert shown in terms, shown
    lead = next(a for a in r.ts.allocations if a.is_lead)
    outside = next(a for a in r.ts.allocations if not a.is_lead)
    lead_row = section(html, f'id="allocation-{lead.id}"', "</tr>")
    assert "6,000.00" in lead_row and "60.00%" in lead_row and "领投" in lead_row
    assert 'data-arrived="0.00"' in html.split(f'id="allocation-{outside.id}"', 1)[1][:80]
    history = section(html, 'id="event-table"')
    assert history.count(gp_name) == 3 and "已签署" in history and "投委会已通过" in history
    codes = section(html, 'id="code-table"')
    assert f"…{r.code.replace('-', '')[-4:]}" in codes and "有效" in codes
    for form_id in ("transition-form", "outside-form", "issue-form", "link-form"):
        assert f'id="{form_id}"' in html, form_id
    assert r.code not in html  # the code itself is shown only when issued


def test_new_term_sheet_with_syndicate_and_tranches(app: Any, browser: Any) -> None:
    r = build_round()
    _, co_gp = make_user(f"跟投GP {next_n()}")
    co_fund = make_fund(co_gp, registration_no=f"SCO{next_n()}")
    company = make_company(r.gp, "新材料科技有限公司")
    login(browser, r.gp)
    assert browser.client.get("/term-sheets/new").status_code == 200
    form = {
        "company_id": str(company.id), "lead_fund_id": str(r.ts.lead_fund_id), "round_name": "B",
        "instrument": "preferred_equity", "round_size": "200,000,000", "pre_money": "800000000",
        "post_money": "1000000000", "price_per_share": "20.5", "ownership_rate": "20",
        "liquidation_preference": "1.5", "redemption_rate": "8", "use_of_proceeds": "扩产",
        "is_binding": "y", "signed_on": "", "long_stop_on": "2026-06-30",
        "expected_funding_on": "2026-03-31", "lead_amount": "100000000",
        "co_investors-1-fund_registration_no": co_fund.registration_no,
        "co_investors-1-amount": "60000000",
        "co_investors-3-investor_name": "外部产业资本", "co_investors-3-amount": "40000000",
        "tranches-0-amount": "120000000", "tranches-0-expected_on": "2026-03-31",
        "tranches-0-condition": "签署交割文件", "tranches-1-amount": "80000000",
    }
    response = browser.post("/term-sheets/new", form)
    assert response.status_code == 302, field_errors(text(response))
    ts = db.session.scalar(sa.select(TermSheet).where(TermSheet.company_id == company.id))
    assert ts is not None and ts.status is TermSheetStatus.DRAFT and ts.is_binding
    assert ts.ownership_rate == Decimal("0.2") and ts.redemption_rate == Decimal("0.08")
    assert ts.liquidation_preference == Decimal("1.5") and ts.price_per_share == Decimal("20.5")
    lines = [(a.investor_name, a.fund_id, a.amount, a.is_lead) for a in ts.allocations]
    assert lines == [("测试基金", ts.lead_fund_id, Decimal("100000000.00"), True),
                     ("测试基金", co_fund.id, Decimal("60000000.00"), False),
                     ("外部产业资本", None, Decimal("40000000.00"), False)]
    assert [(t.seq, t.amount, t.condition) for t in ts.tranches] == [
        (1, Decimal("120000000.00"), "签署交割文件"), (2, Decimal("80000000.00"), "")]
    assert response.headers["Location"].endswith(f"/term-sheets/{ts.id}")
    html = text(browser.client.get(response.headers["Location"]))
    assert "条款清单已保存为草稿" in html and "外部产业资本" in html and "签署交割文件" in html


def field_errors(html: str) -> list[str]:
    return [html_lib.unescape(m) for m in re.findall(r'class="field-error"[^>]*>([^<]*)<', html)]


def test_bad_term_sheet_shows_the_field_and_writes_nothing(app: Any, browser: Any) -> None:
    r = build_round()
    login(browser, r.gp)
    base = {"company_id": str(r.ts.company_id), "lead_fund_id": str(r.ts.lead_fund_id),
            "round_name": "B", "instrument": "preferred_equity", "round_size": "100000000",
            "pre_money": "400000000", "post_money": "500000000", "long_stop_on": "2026-12-31",
            "lead_amount": "60000000"}
    before = writes()
    cases = [
        ({"post_money": "500000001"}, "post_money", "不等于投前估值"),
        ({"co_investors-2-fund_registration_no": "NOPE", "co_investors-2-amount": "1"},
         "co_investors-2", "没有备案编号为 NOPE 的基金"),
        ({"co_investors-0-investor_name": "VC", "co_investors-0-amount": "40000001"},
         "co_investors", "超过本轮规模"),
        ({"tranches-1-amount": "50000000"}, "tranches", "不等于本轮规模"),
        ({"signed_on": "2027-01-01"}, "long_stop_on", "早于签署日"),
        ({"round_size": "12.345"}, "round_size", "2"),
        ({"ownership_rate": "120"}, "ownership_rate", "100"),
    ]
    for change, field, message in cases:
        response = browser.post("/term-sheets/new", base | change)
        assert response.status_code == 422, field
        assert message in field_error(text(response), field), field
    assert writes() == before


def test_owner_moves_status_issues_and_revokes_codes_and_records_outside_funding(
        app: Any, browser: Any) -> None:
    r = build_round()
    ts_id = r.ts.id
    outside = next(a for a in r.ts.allocations if not a.is_lead).id
    login(browser, r.gp)
    url = f"/term-sheets/{ts_id}"
    before = writes()
    response = send(browser, f"{url}/status", "transition", {"status": "lapsed", "reason": ""})
    assert response.status_code == 422 and "请说明本轮失效或取消的原因" in field_error(
        text(response), "transition-reason")
    response = send(browser, f"{url}/status", "transition", {"status": "funded"})
    assert response.status_code == 422 and field_error(text(response), "transition-status")
    assert writes() == before
    response = send(browser, f"{url}/status", "transition", {"status": "closing"})
    assert response.status_code == 302
    assert db.session.get(TermSheet, ts_id).status is TermSheetStatus.CLOSING
    assert "交割中" in section(text(browser.client.get(url)), 'id="event-table"')

    response = send(browser, f"{url}/codes", "issue", {})
    assert response.status_code == 200
    code = html_lib.unescape(re.search(r'id="new-code-value">([^<]+)<', text(response)).group(1))
    assert verification.verify(r.bank, code).term_sheet_id == ts_id
    assert code not in text(browser.client.get(url))  # shown once, never again
    row = db.session.scalar(sa.select(VerificationCode).where(
        VerificationCode.term_sheet_id == ts_id).order_by(VerificationCode.id.desc()))
    response = send(browser, f"{url}/codes/{row.id}/revoke", f"revoke{row.id}",
                    {"reason": "发错银行"})
    assert response.status_code == 302
    assert db.session.get(VerificationCode, row.id).revoked_at is not None
    assert "已撤销" in section(text(browser.client.get(url)), f'id="code-{row.id}"', "</tr>")
    again = send(browser, f"{url}/codes/{row.id}/revoke", f"revoke{row.id}", {"reason": ""})
    assert again.status_code == 422 and "核验码未撤销：该核验码已撤销" in text(again)

    before = writes()
    response = send(browser, f"{url}/outside-funding", "outside", {
        "allocation_id": str(outside), "amount": "40000000.01", "arrived_on": "2024-07-05",
        "evidence_ref": "验资报告 2024-031"})
    assert response.status_code == 422
    assert "超过其认购额 4,000.00 万元" in field_error(text(response), "outside-amount")
    response = send(browser, f"{url}/outside-funding", "outside", {
        "allocation_id": str(outside), "amount": "40000000", "arrived_on": "2024-07-05",
        "evidence_ref": ""})
    assert response.status_code == 422 and field_error(text(response), "outside-evidence_ref")
    assert writes() == before
    response = send(browser, f"{url}/outside-funding", "outside", {
        "allocation_id": str(outside), "amount": "40000000", "arrived_on": "2024-07-05",
        "evidence_ref": "验资报告 2024-031"})
    assert response.status_code == 302
    html = text(browser.client.get(url))
    assert "验资报告 2024-031" in section(html, 'id="funding-table"')
    assert 'data-amount="100000000.00"' in html and "已到位" in html  # the round is funded
    assert db.session.get(TermSheet, ts_id).status is TermSheetStatus.FUNDED


def test_syndicate_member_reads_and_links_its_own_investment(app: Any, browser: Any) -> None:
    r = build_round()
    # The member is a parent fund (母基金) that is an LP of the lead fund and co-invests
    # directly: the lead fund's holding makes the company visible to it.
    _, member = make_user(f"母基金管理人 {next_n()}", kind="guidance_fund_manager")
    fund = make_fund(member, kind="parent_fund", registration_no=f"SM{next_n()}")
    lp = services.create_investor(r.gp, "母基金", "guidance_fund",
                                  fund_registration_no=fund.registration_no)
    services.add_commitment(r.gp, r.ts.lead_fund_id, lp.id, "100000000", "2020-03-01")
    company_id = r.ts.company_id
    ts = term_sheets.create_term_sheet(
        r.gp, company_id=company_id, lead_fund_id=r.ts.lead_fund_id, round_name="A+",
        instrument="preferred_equity", round_size="50000000", pre_money="600000000",
        post_money="650000000", long_stop_on="2025-12-31", lead_amount="30000000",
        co_investors=[term_sheets.AllocationInput(amount="20000000",
                                                  fund_registration_no=fund.registration_no)])
    term_sheets.change_status(r.gp, ts.id, "signed", signed_on="2024-09-01")
    own_lp = services.create_investor(member, f"省财政 {next_n()}", "fiscal")
    services.add_commitment(member, fund.id, own_lp.id, "100000000", "2020-03-01")
    ledger.record_capital_call(member, fund.id, value_on="2024-09-01", amount="20000000",
                               purpose="investment")
    entry = ledger.record_investment(member, fund.id, company_id=company_id, round_name="A+",
                                     instrument="preferred_equity", invested_on="2024-09-10",
                                     amount="20000000")
    alloc = db.session.scalar(sa.select(TermSheetAllocation).where(
        TermSheetAllocation.term_sheet_id == ts.id, TermSheetAllocation.fund_id == fund.id))
    ts_id, alloc_id, cash_flow_id = ts.id, alloc.id, entry.cash_flow_id
    login(browser, member)
    assert f'id="term-sheet-{ts_id}"' in text(browser.client.get("/term-sheets"))
    assert f'id="term-sheet-{r.ts.id}"' not in text(browser.client.get("/term-sheets"))
    html = text(browser.client.get(f"/term-sheets/{ts_id}"))
    assert "跟投方" in html and 'id="link-form"' in html
    for owner_form in ("transition-form", "outside-form", "issue-form", "code-table"):
        assert f'id="{owner_form}"' not in html, owner_form
    assert f'value="{cash_flow_id}"' in section(html, 'id="link-form"', "</form>")
    for url, prefix, data in ((f"/term-sheets/{ts_id}/status", "transition", {"status": "lapsed"}),
                              (f"/term-sheets/{ts_id}/codes", "issue", {})):
        assert send(browser, url, prefix, data).status_code == 404
    response = send(browser, f"/term-sheets/{ts_id}/link", "link",
                    {"allocation_id": str(alloc_id), "cash_flow_id": str(cash_flow_id)})
    assert response.status_code == 302
    funding = db.session.scalar(sa.select(TermSheetFunding).where(
        TermSheetFunding.cash_flow_id == cash_flow_id))
    assert funding is not None and funding.allocation_id == alloc_id
    html = text(browser.client.get(f"/term-sheets/{ts_id}"))
    assert 'data-arrived="20000000.00"' in html.split(f'id="allocation-{alloc_id}"', 1)[1][:80]
    assert 'id="link-none"' in html  # nothing left to link


def test_gp_without_a_role_and_banks_get_404_on_term_sheets(app: Any, browser: Any) -> None:
    r = build_round()
    _, stranger = make_user(f"Other GP {next_n()}")
    ts_id = r.ts.id
    lead = next(a for a in r.ts.allocations if a.is_lead).id
    before = writes()
    for actor in (stranger, r.bank):
        login(browser, actor)
        assert browser.client.get(f"/term-sheets/{ts_id}").status_code == 404
        assert f'id="term-sheet-{ts_id}"' not in text(browser.client.get("/term-sheets"))
        for url, prefix, data in (
                (f"/term-sheets/{ts_id}/status", "transition", {"status": "lapsed", "reason": "x"}),
                (f"/term-sheets/{ts_id}/codes", "issue", {}),
                (f"/term-sheets/{ts_id}/link", "link",
                 {"allocation_id": str(lead), "cash_flow_id": str(r.lead_entry)}),
                (f"/term-sheets/{ts_id}/outside-funding", "outside",
                 {"allocation_id": str(lead), "amount": "1", "arrived_on": "2024-07-01",
                  "evidence_ref": "x"})):
            assert send(browser, url, prefix, data).status_code == 404, url
        browser.client.post("/logout", data={"csrf_token": browser.csrf()})
    assert writes() == before


# --- bank: verification, products, loans ------------------------------------------------------


def test_bank_verifies_a_code_sees_headroom_and_applies(app: Any, browser: Any) -> None:
    r = build_round()
    login(browser, r.bank)
    page = text(browser.client.get("/verify"))
    for link in ("nav-verify", "nav-products", "nav-loans"):
        assert f'id="{link}"' in page
    assert 'id="nav-term-sheets"' not in page and ">核验</a>" in page
    response = send(browser, "/verify", None, {"code": r.code.lower().replace("-", " ")})
    assert response.status_code == 200
    html = text(response)
    facts = section(html, 'id="facts-terms"', "</dl>")
    for shown in (
        "芯片科技",
        "投委会已通过",
        "10,000.00",
        "50,000.00",
        "测试基金",
        "6,000.00",
        "40,000.00",
    ):
        assert shown in facts, shown
    assert "60.0%" in facts and 'id="fact-reserved" data-amount="0.00"' in facts
    assert "是" in section(html, 'id="fact-can-pay"', "</dd>")
    row = section(html, f'id="headroom-{r.product_id}"', "</tr>")
    assert 'data-headroom="18000000.00"' in html and "1,800.00" in row and "5,000.00" in row
    assert "2,500.00" in row and "α × 已到位股权" in row
    assert 'id="apply-form"' in html

    before = writes()
    bad = send(browser, "/verify", None, {"code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"})
    assert bad.status_code == 404 and "核验码" in field_error(text(bad), "code")
    bad = send(browser, "/verify/apply", "apply", {"code": r.code, "product_id": str(r.product_id),
                                                    "amount": "100.001"})
    assert bad.status_code == 422 and field_error(text(bad), "apply-amount")
    bad = send(
        browser,
        "/verify/apply",
        "apply",
        {
            "code": r.code,
            "product_id": str(r.product_id),
            "amount": "1000000",
            "first_due_on": "2024-13-01",
        },
    )
    assert bad.status_code == 422 and field_error(text(bad), "apply-first_due_on")
    assert writes() == before

    response = send(browser, "/verify/apply", "apply", {
        "code": r.code, "product_id": str(r.product_id), "amount": "15,000,000",
        "first_due_on": "2024-08-31"})
    assert response.status_code == 302
    loan = db.session.scalar(sa.select(Loan).where(Loan.term_sheet_id == r.ts.id))
    assert loan is not None and loan.status is LoanStatus.APPLIED
    assert (
        loan.requested_amount == Decimal("15000000.00")
        and loan.lead_bank_id == r.bank.organisation_id
    )
    assert response.headers["Location"].endswith(f"/loans/{loan.id}")
    listing = text(browser.client.get("/loans"))
    assert "1,500.00" in section(listing, f'id="loan-{loan.id}"', "</tr>")


def test_loan_check_approval_refused_disbursement_then_disbursement(  # noqa: PLR0915 - a story
        app: Any, browser: Any) -> None:
    r = build_round()
    loan_id = applied_loan(r)
    login(browser, r.bank)
    url = f"/loans/{loan_id}"
    html = text(browser.client.get(url))
    headroom = section(html, 'id="headroom"')
    assert 'data-binding="equity_arrived"' in html and "5,000.00" in headroom
    assert "1,800.00" in section(html, 'id="headroom-equity"', "</tr>")
    assert "绑定" in section(html, 'id="headroom-equity"', "</tr>")
    assert "2,500.00" in section(html, 'id="headroom-valuation"', "</tr>")
    assert "1,800.00" in section(html, 'id="headroom-value"', "</th>")
    assert "未满足" in section(html, 'id="equity-met"', "</dd>")
    assert "60.00%" in section(html, 'id="equity-reason"', "</div></div>")
    assert 'id="approve-form"' in html and 'id="decline-form"' in html
    assert 'id="disburse-form"' not in html and 'id="schedule-none"' in html

    response = send(browser, f"{url}/approve", "approve", {"note": "授信审批通过"})
    assert response.status_code == 302
    assert db.session.get(Loan, loan_id).status is LoanStatus.APPROVED
    assert count(LoanScheduleRow) == 24
    html = text(browser.client.get(url))
    body = section(html, 'id="schedule-table"').split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 24
    assert "1,500.00" in section(html, 'id="schedule-principal"', "</th>")
    assert 'id="disburse-form"' in html and 'id="approve-form"' not in html

    before = writes()
    refused = send(browser, f"{url}/disburse", "disburse",
                   {"amount": "5000000", "value_on": "2024-07-01", "memo": ""})
    assert refused.status_code == 409
    message = section(text(refused), 'class="flash error form-errors"', "</div></div>")
    assert "放款被拒绝" in message and "股权到位条件未满足" in message
    bad = send(browser, f"{url}/disburse", "disburse", {"amount": "0", "value_on": "2024-07-01"})
    assert bad.status_code == 422 and field_error(text(bad), "disburse-amount")
    assert writes() == before

    outside = next(a for a in r.ts.allocations if not a.is_lead)
    fundings.record_outside_funding(r.gp, r.ts.id, outside.id, amount="40000000",
                                       arrived_on="2024-07-05", evidence_ref="验资报告")
    db.session.rollback()
    response = send(browser, f"{url}/disburse", "disburse",
                    {"amount": "10,000,000", "value_on": "2024-07-10", "memo": "首笔放款"})
    assert response.status_code == 302
    html = text(browser.client.get(url))
    entry = db.session.scalar(sa.select(LoanEntry).where(LoanEntry.loan_id == loan_id))
    row = section(html, f'id="loan-entry-{entry.id}"', "</tr>")
    assert "放款" in row and "1,000.00" in row and "首笔放款" in row
    assert "已满足" in section(html, 'id="equity-met"', "</dd>")
    assert 'data-amount="10000000.00"' in section(html, 'id="card-outstanding"', "</div></div>")

    before = writes()
    over = send(
        browser, f"{url}/disburse", "disburse", {"amount": "5000000.01", "value_on": "2024-07-11"}
    )
    assert over.status_code == 409 and "超过其占用额度" in text(over)
    bad = send(browser, f"{url}/repayments", "repay",
               {"principal": "10000000.01", "interest": "", "value_on": "2024-08-31"})
    assert bad.status_code == 422 and "超过未偿本金" in field_error(text(bad), "repay-principal")
    assert writes() == before
    response = send(
        browser,
        f"{url}/repayments",
        "repay",
        {"principal": "400000", "interest": "29166.67", "subsidy": "", "value_on": "2024-08-31"},
    )
    assert response.status_code == 302
    assert lending.outstanding_principal(loan_id) == Decimal("9600000.00")
    html = text(browser.client.get(url))
    assert "还本" in section(html, 'id="entry-table"') and "付息" in section(
        html, 'id="entry-table"'
    )


def test_decline_needs_a_reason_and_lapse_flags_the_loan(app: Any, browser: Any) -> None:
    r = build_round()
    first, second = applied_loan(r, "5000000"), applied_loan(r, "3000000")
    lending.approve_loan(r.bank, second)
    login(browser, r.bank)
    before = writes()
    bad = send(browser, f"/loans/{first}/decline", "decline", {"note": ""})
    assert bad.status_code == 422 and "请说明拒绝申请的原因" in field_error(
        text(bad), "decline-note"
    )
    assert writes() == before
    assert (
        send(browser, f"/loans/{first}/decline", "decline", {"note": "材料不全"}).status_code == 302
    )
    assert db.session.get(Loan, first).status is LoanStatus.DECLINED
    again = send(browser, f"/loans/{first}/approve", "approve", {"note": ""})
    assert again.status_code == 409 and "不在待审批状态" in text(again)
    term_sheets.change_status(r.gp, r.ts.id, "lapsed", reason="long-stop date passed")
    db.session.rollback()
    html = text(browser.client.get(f"/loans/{second}"))
    assert "long-stop date passed" in section(html, 'id="loan-flag"', "</div>")
    assert "条款清单状态为“已失效”" in section(html, 'id="status-problem"', "</div>")
    assert "已失效" in section(html, 'id="fact-status"', "</dd>")
    refused = send(browser, f"/loans/{second}/disburse", "disburse",
                   {"amount": "1000000", "value_on": "2025-01-05"})
    assert refused.status_code == 409 and "放款受阻：条款清单状态为“已失效”" in text(refused)


def test_products_are_created_and_field_errors_write_nothing(app: Any, browser: Any) -> None:
    r = build_round()
    login(browser, r.bank)
    html = text(browser.client.get("/loan-products"))
    assert "投联贷" in section(html, 'id="product-table"') and 'id="product-form"' in html
    form = {"name": "科创积分贷", "currency": "CNY", "alpha": "25", "beta": "4.5",
            "cap_amount": "30000000", "required_status": "signed", "equity_rule": "pro_rata",
            "required_share": "100", "tenor_months": "36", "rate_type": "fixed",
            "fixed_rate": "3.45", "spread": "", "repayment_type": "equal_principal",
            "collateral": "ip_pledge", "subsidy_share": "50", "subsidy_max_rate": "1.5",
            "subsidy_annual_cap": "200000", "warrant_coverage": "10", "risk_scheme": "省级风险池"}
    before = writes()
    for change, field in (({"fixed_rate": ""}, "fixed_rate"), ({"alpha": "120"}, "alpha"),
                          ({"tenor_months": "0"}, "tenor_months"), ({"name": ""}, "name"),
                          ({"cap_amount": "1.001"}, "cap_amount")):
        bad = browser.post("/loan-products", form | change)
        assert bad.status_code == 422 and field_error(text(bad), field), field
    assert writes() == before
    response = browser.post("/loan-products", form)
    assert response.status_code == 302
    product = db.session.scalar(sa.select(LoanProduct).where(LoanProduct.name == "科创积分贷"))
    assert product is not None
    assert (product.alpha, product.beta, product.fixed_rate) == (
        Decimal("0.25"), Decimal("0.045"), Decimal("0.0345"))
    assert (product.subsidy_share, product.subsidy_max_rate, product.warrant_coverage) == (
        Decimal("0.5"), Decimal("0.015"), Decimal("0.1"))
    row = section(text(browser.client.get("/loan-products")), f'id="product-{product.id}"', "</tr>")
    assert "25.00%" in row and "3.45%" in row and "3,000.00" in row and "等额本金" in row


def test_banks_never_see_each_others_loans_or_products(app: Any, browser: Any) -> None:
    r = build_round()
    mine = applied_loan(r)
    joint = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                   amount="6000000",
                                   partners=[(r.other_bank.organisation_id, "2000000")]).id
    before = writes()
    login(browser, r.other_bank)
    assert browser.client.get(f"/loans/{mine}").status_code == 404
    listing = text(browser.client.get("/loans"))
    assert f'id="loan-{mine}"' not in listing and f'id="loan-{joint}"' in listing
    assert f'id="product-{r.product_id}"' not in text(browser.client.get("/loan-products"))
    for name, data in (("approve", {"note": ""}), ("decline", {"note": "x"}),
                       ("disburse", {"amount": "1", "value_on": "2024-07-01"}),
                       ("repay", {"principal": "1", "value_on": "2024-07-01"})):
        path = "repayments" if name == "repay" else name
        assert send(browser, f"/loans/{mine}/{path}", name, data).status_code == 404
        assert send(browser, f"/loans/{joint}/{path}", name, data).status_code == 404
    partner_view = text(browser.client.get(f"/loans/{joint}"))  # a partner reads, never decides
    assert "合作银行" in partner_view and 'id="approve-form"' not in partner_view
    apply = send(
        browser,
        "/verify/apply",
        "apply",
        {"code": r.code, "product_id": str(r.product_id), "amount": "1"},
    )
    assert apply.status_code == 404  # another bank's product
    assert writes() == before
    browser.client.post("/logout", data={"csrf_token": browser.csrf()})
    login(browser, r.gp)
    for url in ("/verify", "/loans", "/loan-products", f"/loans/{mine}"):
        assert browser.client.get(url).status_code == 404, url
    assert send(browser, "/verify", None, {"code": r.code}).status_code == 404
    assert 'id="nav-loans"' not in text(browser.client.get("/term-sheets"))


def test_viewers_read_but_cannot_write(app: Any, browser: Any) -> None:
    r = build_round()
    loan_id = applied_loan(r)
    bank_org = db.session.get(User, r.bank.user_id).organisation.name
    gp_org = db.session.get(User, r.gp.user_id).organisation.name
    _, bank_viewer = make_user(bank_org, kind="bank", role="viewer")
    _, gp_viewer = make_user(gp_org, role="viewer")
    before = writes()
    login(browser, bank_viewer)
    html = text(browser.client.get(f"/loans/{loan_id}"))
    assert "1,800.00" in html and 'id="approve-form"' not in html
    assert send(browser, f"/loans/{loan_id}/approve", "approve", {"note": ""}).status_code == 403
    assert 'id="product-form"' not in text(browser.client.get("/loan-products"))
    browser.client.post("/logout", data={"csrf_token": browser.csrf()})
    login(browser, gp_viewer)
    html = text(browser.client.get(f"/term-sheets/{r.ts.id}"))
    assert (
        "外部VC" in html
        and 'id="transition-form"' not in html
        and 'id="new-term-sheet"' not in html
    )
    assert send(browser, f"/term-sheets/{r.ts.id}/codes", "issue", {}).status_code == 403
    assert browser.client.get("/term-sheets/new").status_code == 403
    assert writes() == before
    assert count(TermSheetTranche) == 0


def test_pages_read_in_english(app: Any, browser: Any) -> None:
    r = build_round()
    loan_id = applied_loan(r)
    login(browser, r.bank, "en")
    html = text(send(browser, "/verify", None, {"code": r.code}))
    assert "Verified facts" in html and "IC approved" in html and "α × equity arrived" in html
    html = text(browser.client.get(f"/loans/{loan_id}"))
    assert "Equity condition" in html and "Not met" in html and "Applied" in html
    assert ">Loans</a>" in html and "Loan products" in html
    browser.client.post("/logout", data={"csrf_token": browser.csrf()})
    login(browser, r.gp, "en")
    html = text(browser.client.get(f"/term-sheets/{r.ts.id}"))
    assert "Syndicate" in html and "Outside investor" in html and "Status history" in html
