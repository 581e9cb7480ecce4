"""Tenant isolation: every route, page or API, answers 404 for another organisation's objects.

The route walk is generated from ``app.url_map``: a new route is covered automatically,
and a route whose parameters or scoping are unknown to this test fails it.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.auth.accounts import issue_token
from fundops.extensions import db
from fundops.models import CashFlow, Fund
from fundops.portfolio import services
from fundops.portfolio.access import Access, get_fund, list_funds
from fundops.portfolio.queries import list_lp_positions
from tests.conftest import Browser
from tests.factories import PASSWORD, fund_with_activity, make_fund, make_user, make_world

# Routes without object ids: lists and "new" forms scoped by the session's organisation.
UNSCOPED = {
    "static",
    "auth.login",
    "auth.logout",
    "auth.preferences",
    "portfolio.fund_list",
    "portfolio.fund_new",
    "portfolio.company_list",
    "portfolio.company_new",
    "portfolio.investor_list",
    "portfolio.investor_new",
    "portfolio_api.funds",
    "portfolio_api.fund_create",
    "portfolio_api.investors",
    "portfolio_api.investor_create",
    "api-docs.openapi_json",
    "approvals.queue",
    "approvals.policies",
    "approvals_api.approval_list",
    "exits_ipo_api.listed_prices_load",  # public prices: any writer (its own test: test_ipo_api)
    "report_runs.index",  # the organisation's own runs
    "report_runs.loan_book",  # the caller's bank's own book (others: sent to their runs)
    "report_runs.loan_book_download",
    "report_runs.loan_book_run",  # 404 unless a bank (tests/integration/test_report_pages.py)
    "report_runs_api.runs",
}


def is_syndication(app: Flask, endpoint: str) -> bool:
    """Routes of the linked-loans feature (pages and API), which have their own walk."""
    view = app.view_functions.get(endpoint)
    return endpoint.startswith("syndication.") or (
        view is not None and view.__module__.startswith("fundops.syndication"))


def _ids(world: Any, created: dict[str, int]) -> dict[str, int]:
    from fundops.exits import transfer_options, transfers
    from fundops.exits.ipo import record_listing
    from tests.integration.report_world import report_run_objects
    from tests.integration.test_app import pending_approval
    from tests.integration.test_exits import exit_objects
    from tests.integration.test_fees import fee_objects
    from tests.integration.test_lp_payments import payments_objects
    from tests.integration.test_notices import notice_objects
    from tests.integration.test_waterfalls import waterfall_objects

    listing = record_listing(world.gp, world.fund.id, world.company.id, "2022-06-15", "SSE",
                             "688001", "400000000", "1000000", "general", False)
    gov = services.create_investor(world.gp, "引导基金 tenancy", "guidance_fund")
    services.add_commitment(world.gp, world.fund.id, gov.id, "1000000", "2020-03-01")
    option = transfer_options.create_option(
        world.gp, world.fund.id, holder_id=gov.id, window_from="2023-01-01",
        window_to="2030-12-31", eligible="social_lps", rate="0.03")
    transfer = transfers.record_transfer(
        world.gp, world.fund.id, seller_id=world.lps[0].id, buyer_id=world.lps[1].id,
        transfer_on="2023-06-30", commitment_amount="1000000", reference_on="2022-12-31",
        reference_nav="100000", discount_rate="0.1")
    return {"fund_id": world.fund.id, "company_id": world.company.id,
            "entry_id": created["entry"], "investor_id": world.lps[0].id,
            "request_id": pending_approval(world), "transfer_id": transfer.id,
            "option_id": option.id, "listing_id": listing.id, **exit_objects(world),
            **waterfall_objects(world.gp, world.fund.id, world.lps[2].id),
            **payments_objects(world.gp, world.fund.id, created["entry"], world.lps[0].id),
            **fee_objects(world.gp, world.fund.id),
            **report_run_objects(world.gp, world.fund.id),
            **notice_objects(world.gp, world.fund.id, created["distribution"])}


def test_every_route_is_404_for_another_organisation(app: Flask) -> None:
    world = make_world()
    created = fund_with_activity(world)
    ids = _ids(world, created)
    other = Browser(app.test_client())
    assert other.login(world.other_user.email, PASSWORD).status_code == 302
    token = issue_token(email=world.other_user.email, label="t")
    checked = 0
    for rule in app.url_map.iter_rules():
        params = set(rule.arguments)
        if is_syndication(app, rule.endpoint):
            continue  # walked by tests/integration/test_syndication_tenancy.py
        if not params:
            assert rule.endpoint in UNSCOPED, f"classify the new route {rule.endpoint}"
            continue
        if rule.endpoint == "static":
            continue
        unknown = params - set(ids)
        assert not unknown, f"{rule.endpoint}: no foreign object for parameter(s) {unknown}"
        url = rule.build({k: ids[k] for k in params}, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
            if method == "GET":
                response = other.client.get(url, headers=headers)
            elif method == "POST":
                response = other.post(url, {"amount": "1", "reason": "x"}, headers=headers)
            else:  # PUT (API only)
                response = other.client.open(url, method=method, json={"reason": "x"},
                                             headers=headers)
            assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
            body = response.get_data(as_text=True)
            assert world.fund.name_zh not in body and world.company.name not in body
            checked += 1
    assert checked >= 20


def test_lists_show_only_own_data(app: Flask) -> None:
    world = make_world()
    fund_with_activity(world)
    other = Browser(app.test_client())
    other.login(world.other_user.email, PASSWORD)
    token = issue_token(email=world.other_user.email, label="t")
    for url in ("/", "/companies", "/investors"):
        body = other.client.get(url).get_data(as_text=True)
        assert world.fund.code not in body and world.company.name not in body
        assert world.lps[0].name not in body
    api = other.client.get("/api/v1/funds", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_json() == {"funds": []}


def test_api_requires_a_valid_token(app: Flask) -> None:
    world = make_world()
    client = app.test_client()
    url = f"/api/v1/funds/{world.fund.id}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    token = issue_token(email=world.gp_user.email, label="t")
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["committed_amount"] == "600000000.00"


def test_guidance_manager_sees_sub_fund_it_is_lp_of_with_lp_level_data(app: Flask) -> None:
    world = make_world()
    _, guidance = make_user("Guidance manager", kind="guidance_fund_manager")
    parent = make_fund(guidance, kind="parent_fund", registration_no="SXX001",
                       is_guidance_fund=True)
    lp = services.create_investor(world.gp, "母基金 LP", "guidance_fund",
                                  fund_registration_no="SXX001")
    assert lp.fund_id == parent.id
    services.add_commitment(world.gp, world.fund.id, lp.id, "400000000", "2020-03-01")
    visible = {f.id for f in list_funds(guidance)}
    assert visible == {parent.id, world.fund.id}
    fund, access = get_fund(guidance, world.fund.id)
    assert access is Access.LP
    rows = list_lp_positions(fund, access, guidance.organisation_id)
    assert [r.investor_name for r in rows] == ["母基金 LP", "other LPs"]
    assert rows[1].committed_amount == sum(
        (r.committed_amount for r in list_lp_positions(fund, Access.MANAGER, 0)[:-1]),
    )
    # LP access is read-only: every write is "not found" for the guidance manager.
    from fundops.errors import NotFound
    from fundops.portfolio import ledger_services

    before = db.session.scalar(sa.select(sa.func.count(CashFlow.id)))
    with pytest.raises(NotFound):
        ledger_services.record_capital_call(guidance, world.fund.id, value_on="2021-01-01",
                                            amount="100", purpose="investment")
    assert db.session.scalar(sa.select(sa.func.count(CashFlow.id))) == before
    # The GP still cannot see the parent fund.
    assert parent.id not in {f.id for f in list_funds(world.gp)}
    assert db.session.get(Fund, parent.id) is not None


def test_two_gps_one_company_no_private_fact_crosses(app: Flask) -> None:
    """GP A and GP B record the same company (one credit code): each sees, on every page
    and in the API, its own record with its own sector, tags and investments; the other
    record is 404. The registered name and code (public facts) are the same for both."""
    from tests.integration.test_company_identity import two_gps_one_company

    s = two_gps_one_company()
    fund_codes = {"a": s.fund_a.code, "b": s.fund_b.code}
    own = {"a": s.rec_a, "b": s.rec_b}
    private = {"a": "半导体", "b": "集成电路设计"}
    for me, other in (("a", "b"), ("b", "a")):
        browser = Browser(app.test_client())
        assert browser.login(s.users[me], PASSWORD).status_code == 302
        token = issue_token(email=s.users[me], label="t")
        api = {"Authorization": f"Bearer {token}"}
        assert browser.client.get(f"/companies/{own[other].id}").status_code == 404
        assert (
            browser.client.get(f"/api/v1/companies/{own[other].id}", headers=api).status_code == 404
        )
        page = browser.client.get(f"/companies/{own[me].id}")
        assert page.status_code == 200
        listing = browser.client.get("/companies").get_data(as_text=True)
        for body in (page.get_data(as_text=True), listing):
            assert "深圳芯测科技有限公司" in body and s.uscc in body
            assert private[me] in body and private[other] not in body
            assert fund_codes[other] not in body
        assert f"company-{own[other].id}\"" not in listing
        detail = browser.client.get(f"/api/v1/companies/{own[me].id}", headers=api).get_json()
        assert detail["sector"] == own[me].sector and detail["uscc"] == s.uscc
        assert detail["tags"] == [t.value for t in own[me].tag_values]
        assert [i["fund_id"] for i in detail["investments"]] == [
            (s.fund_a if me == "a" else s.fund_b).id]
    # the parent, an LP of both funds, reads both records (LP access), each with its facts
    parent = Browser(app.test_client())
    parent.login(s.users["p"], PASSWORD)
    listing = parent.client.get("/companies").get_data(as_text=True)
    assert private["a"] in listing and private["b"] in listing
