"""Approval pages: the confirmation page for implausible entries, held posts, the queue,
approve / reject / self-approval through the browser, and the policy page."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.approvals import services as approvals
from fundops.approvals.models import ApprovalRequest, ApprovalStatus
from fundops.audit import AuditEvent
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, HoldingValuation
from tests.conftest import Browser
from tests.factories import PASSWORD, make_fund, make_user, make_world, next_n
from tests.web.test_pages import compile_catalog, text


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def browser_for(app: Flask, email: str, lang: str | None = None) -> Browser:
    b = Browser(app.test_client())
    assert b.login(email, PASSWORD).status_code == 302
    if lang:
        b.post("/preferences", {"lang": lang, "next": "/"})
    return b


def hidden_fields(html: str) -> dict[str, str]:
    form = html.split('id="confirm-form"', 1)[1].split("</form>", 1)[0]
    return {
        m.group(1): m.group(2)
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
        if m.group(1) != "csrf_token"
    }


def distributions(fund_id: int) -> list[CashFlow]:
    return list(db.session.scalars(sa.select(CashFlow).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.DISTRIBUTION)))


def gp_team(app: Flask) -> dict[str, Any]:
    org = f"GP {next_n()}"
    admin_user, admin = make_user(org, role="admin")
    maker_user, maker = make_user(org, role="maker")
    checker_user, _checker = make_user(org, role="checker")
    fund = make_fund(admin)
    for i, amount in enumerate(("500000000", "300000000", "200000000")):
        lp = services.create_investor(admin, f"LP {i} {next_n()}", "private")
        services.add_commitment(admin, fund.id, lp.id, amount, date(2020, 3, 1))
    ledger.record_capital_call(admin, fund.id, value_on="2021-06-30", amount="730000000",
                               purpose="investment")
    return {"admin": admin_user, "maker": maker_user, "checker": checker_user, "fund": fund,
            "admin_actor": admin, "maker_actor": maker}


def test_ninety_yi_distribution_confirm_page_then_checker_posts(app: Flask) -> None:
    t = gp_team(app)
    fund = t["fund"]
    approvals.set_policy(t["admin_actor"], "distribution", "0")
    maker = browser_for(app, t["maker"].email)
    url = f"/funds/{fund.id}/distributions/new"
    form = {"value_on": "2023-06-30", "amount": "9000000000",
            "distribution_type": "return_of_capital", "action": "post"}
    warned = maker.post(url, form)
    assert warned.status_code == 409
    html = text(warned)
    assert 'id="plausibility-warnings"' in html and 'name="confirm"' in html
    assert "累计分配将达到" in html and "超过基金目标规模" in html
    assert "900,000.00" in html  # 9,000,000,000 yuan in the page's unit (万元)
    assert distributions(fund.id) == []
    fields = hidden_fields(html)
    assert fields["amount"] == "9000000000" and fields["distribution_type"] == "return_of_capital"
    no_reason = maker.post(url, fields | {"confirm": "y"})
    assert no_reason.status_code == 409 and 'id="confirm_reason-error"' in text(no_reason)
    held = maker.post(url, fields | {"confirm": "y", "confirm_reason": "清算回款"})
    assert held.status_code == 302 and "/approvals/" in held.headers["Location"]
    item = db.session.scalar(sa.select(ApprovalRequest))
    assert item is not None and item.status is ApprovalStatus.PENDING
    assert item.confirm_reason == "清算回款" and distributions(fund.id) == []
    page = text(maker.client.get(held.headers["Location"]))
    assert "已提交审批" in page and "approve-" not in page  # the maker cannot approve

    checker = browser_for(app, t["checker"].email)
    queue = text(checker.client.get("/approvals"))
    assert f'id="approval-{item.id}"' in queue and "900,000.00" in queue
    assert t["maker"].display_name in queue
    detail = text(checker.client.get(f"/approvals/{item.id}"))
    assert "清算回款" in detail and "累计分配将达到" in detail
    done = checker.post(f"/approvals/{item.id}/approve")
    assert done.status_code == 302
    [entry] = distributions(fund.id)
    assert entry.recorded_by_id == t["maker"].id
    assert db.session.get(ApprovalRequest, item.id).status is ApprovalStatus.APPROVED
    again = checker.post(f"/approvals/{item.id}/approve")
    assert again.status_code == 409 and "已不在待审批状态" in text(again)
    assert len(distributions(fund.id)) == 1


def test_self_approval_page_is_403_and_rejection_writes_nothing(app: Flask) -> None:
    t = gp_team(app)
    fund = t["fund"]
    approvals.set_policy(t["admin_actor"], "fund_valuation", "0")
    admin = browser_for(app, t["admin"].email)
    held = admin.post(f"/funds/{fund.id}/valuations/new",
                      {"as_of": "2022-12-31", "nav_amount": "800000000"})
    assert held.status_code == 302
    item = db.session.scalar(sa.select(ApprovalRequest))
    assert item is not None
    refused = admin.post(f"/approvals/{item.id}/approve")
    assert refused.status_code == 403 and "须由另一人审批" in text(refused)
    assert db.session.scalar(sa.select(AuditEvent.id).where(
        AuditEvent.action == "approval.self_approval_refused")) is not None
    checker = browser_for(app, t["checker"].email, "en")
    empty = checker.post(f"/approvals/{item.id}/reject", {"reason": ""})
    assert empty.status_code == 422 and "say why the item is rejected" in text(empty)
    rejected = checker.post(f"/approvals/{item.id}/reject", {"reason": "NAV not yet audited"})
    assert rejected.status_code == 302
    assert db.session.get(ApprovalRequest, item.id).status is ApprovalStatus.REJECTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(
        db.metadata.tables["fund_valuation"])) == 0
    page = text(checker.client.get(f"/approvals/{item.id}"))
    assert "NAV not yet audited" in page and "rejected" in page


def test_fair_value_in_exponent_form_asks_for_confirmation_without_policy(app: Flask) -> None:
    world = make_world()
    ledger.record_capital_call(world.gp, world.fund.id, value_on="2020-06-30",
                               amount="400000000", purpose="investment")
    ledger.record_investment(world.gp, world.fund.id, company_id=world.company.id,
                             round_name="A", instrument="preferred_equity",
                             invested_on="2020-07-15", amount="32600000")
    b = browser_for(app, world.gp_user.email, "en")
    url = f"/funds/{world.fund.id}/holdings/valuations/new"
    form = {"company_id": str(world.company.id), "as_of": "2022-12-31",
            "fair_value_amount": "1e9", "method": "最近融资价格"}
    warned = b.post(url, form)
    assert warned.status_code == 409
    html = text(warned)
    assert "exponent form" in html and "times the holding&#39;s cost" in html
    assert db.session.scalar(sa.select(HoldingValuation)) is None
    posted = b.post(url, hidden_fields(html) | {"confirm": "y", "confirm_reason": "checked"})
    assert posted.status_code == 302  # no policy: posted directly
    hv = db.session.scalar(sa.select(HoldingValuation))
    assert hv is not None and str(hv.fair_value_amount) == "1000000000.00"


def test_policy_page_for_admins_only(app: Flask) -> None:
    t = gp_team(app)
    checker = browser_for(app, t["checker"].email)
    assert checker.client.get("/approvals/policies").status_code == 403
    admin = browser_for(app, t["admin"].email)
    page = text(admin.client.get("/approvals/policies"))
    assert 'id="policy-capital_call"' in page and "审批规则" in page
    saved = admin.post("/approvals/policies", {"action": "capital_call", "enabled": "y",
                                               "threshold_amount": "50000000",
                                               "currency": "CNY"})
    assert saved.status_code == 302
    policy = approvals.list_policies(t["admin"].organisation_id)["capital_call"]
    assert str(policy.threshold_amount) == "50000000.00"
    bad = admin.post("/approvals/policies", {"action": "capital_call", "enabled": "y",
                                             "threshold_amount": "abc", "currency": "CNY"})
    assert bad.status_code == 422
    nav = text(admin.client.get("/"))
    assert 'id="nav-approvals"' in nav
    removed = admin.post("/approvals/policies", {"action": "capital_call"})
    assert removed.status_code == 302
    assert "capital_call" not in approvals.list_policies(t["admin"].organisation_id)
