"""Tenant isolation of the linked-loans feature: every page and API route with an object id
answers 404 to an outside GP and to another bank, on every method.

Generated from ``app.url_map`` (routes whose view lives in ``fundops.syndication`` or
whose endpoint is ``syndication.*``): a new route is walked automatically, and one whose
parameters this test cannot fill fails it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

from fundops.audit import AuditEvent, data_version
from fundops.auth.accounts import issue_token
from fundops.auth.models import User
from fundops.extensions import db
from fundops.portfolio.ledger import APPEND_ONLY_TABLES as LEDGER_TABLES
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import APPEND_ONLY_TABLES as LOAN_TABLES
from fundops.syndication.pools import services as pools
from fundops.syndication.pools.models import APPEND_ONLY_TABLES as POOL_TABLES
from fundops.syndication.term_sheets import fundings
from fundops.syndication.term_sheets.models import APPEND_ONLY_TABLES as TS_TABLES
from fundops.syndication.term_sheets.verification import list_codes
from tests.conftest import Browser
from tests.factories import PASSWORD, make_user, next_n
from tests.integration.test_linked_loans import Round, build_round
from tests.integration.test_tenancy import is_syndication

# Routes without ids: lists, forms and lookups scoped by the caller's organisation.
UNSCOPED_PREFIXES = ("/term-sheets", "/verify", "/loan-products", "/loans", "/pools",
                     "/api/v1/term-sheets", "/api/v1/loan-products", "/api/v1/loans",
                     "/api/v1/pools", "/api/v1/openapi.json")


def _world(r: Round | None = None) -> tuple[dict[str, int], list[str]]:
    r = r or build_round()
    outside = next(a for a in r.ts.allocations if not a.is_lead)
    fundings.record_outside_funding(r.gp, r.ts.id, outside.id, amount="40000000",
                                       arrived_on="2024-07-05", evidence_ref="验资报告")
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="2000000")
    lending.approve_loan(r.bank, loan.id)
    warrant = loan_events.add_warrant(r.bank, loan.id, holder_name="第三方", coverage="0.1",
                                      window_from="2024-07-01", window_to="2027-06-30")
    _, manager = make_user(f"平台 {next_n()}", kind="platform_operator")
    pool = pools.create_pool(manager, name="池", member_bank_ids=[r.bank.organisation_id],
                             parties=[{"name": "池", "role": "pool", "share": "0.8"},
                                      {"name": "银行", "role": "bank", "share": "0.2"}])
    ids = {"term_sheet_id": r.ts.id, "loan_id": loan.id, "product_id": r.product_id,
           "code_id": list_codes(r.gp, r.ts.id)[0].id, "pool_id": pool.id,
           "warrant_id": warrant.id, "allocation_id": r.ts.allocations[0].id,
           "manager_user_id": manager.user_id or 0}
    secrets = [r.ts.company.name, "外部VC"]
    return ids, secrets


def _visitor(app: Flask, kind: str) -> tuple[Browser, str]:
    user, _ = make_user(f"访客 {kind} {next_n()}", kind=kind)
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser, issue_token(email=user.email, label="walk")


def test_every_linked_loan_route_is_404_for_an_outside_gp_and_another_bank(app: Flask) -> None:
    ids, secrets = _world()
    checked = 0
    for kind in ("gp", "bank"):
        visitor, token = _visitor(app, kind)
        for rule in app.url_map.iter_rules():
            if not is_syndication(app, rule.endpoint):
                continue
            params = set(rule.arguments)
            if not params:
                assert rule.rule.startswith(UNSCOPED_PREFIXES), f"classify {rule.endpoint}"
                continue
            unknown = params - set(ids)
            assert not unknown, f"{rule.endpoint}: no foreign object for {unknown}"
            url = rule.build({k: ids[k] for k in params}, append_unknown=False)[1]
            headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                if method == "GET":
                    response = visitor.client.get(url, headers=headers)
                elif url.startswith("/api/"):
                    response = visitor.client.open(url, method=method, headers=headers,
                                                   json={"amount": "1", "reason": "x"})
                else:
                    response = visitor.post(url, {"amount": "1", "reason": "x"}, headers=headers)
                assert response.status_code == 404, (
                    f"{kind}: {method} {url} -> {response.status_code}"
                )
                body = response.get_data(as_text=True)
                assert not any(s in body for s in secrets), f"{kind}: {method} {url} leaks"
                checked += 1
    assert checked >= 10


def test_lists_show_a_bank_only_its_own_products_and_loans(app: Flask) -> None:
    _, secrets = _world()
    for kind in ("gp", "bank"):
        visitor, token = _visitor(app, kind)
        for rule in app.url_map.iter_rules():
            if (not is_syndication(app, rule.endpoint) or rule.arguments
                    or "GET" not in (rule.methods or set())):
                continue
            headers = {"Authorization": f"Bearer {token}"} if rule.rule.startswith("/api/") else {}
            response = visitor.client.get(rule.rule, headers=headers)
            body = response.get_data(as_text=True)
            assert response.status_code in (200, 404), f"{kind}: GET {rule.rule}"
            assert not any(s in body for s in secrets), f"{kind}: GET {rule.rule} leaks"


APPEND_ONLY = (*LEDGER_TABLES, *TS_TABLES, *LOAN_TABLES, *POOL_TABLES)


def _owners(app: Flask, r: Round, manager_user_id: int) -> list[tuple[Browser, str]]:
    out = []
    for user_id in (r.gp.user_id, r.bank.user_id, manager_user_id):
        user = db.session.get(User, user_id)
        browser = Browser(app.test_client())
        assert browser.login(user.email, PASSWORD).status_code == 302
        out.append((browser, issue_token(email=user.email, label="owner")))
    return out


def test_owners_get_every_route_and_nothing_is_written(app: Flask) -> None:
    """GP, bank and pool manager GET every page and API route: no audit event, no counter
    move, no UPDATE/DELETE of an append-only row, no server error."""
    r = build_round()
    ids, _ = _world(r)
    owners = _owners(app, r, ids["manager_user_id"])
    mutations: list[str] = []

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        head = statement.lstrip().upper()
        if head.startswith(("UPDATE", "DELETE", "INSERT")) and any(
                f" {t.upper()}" in head.split("WHERE")[0] for t in (*APPEND_ONLY, "AUDIT_EVENT")):
            mutations.append(statement)

    before = (db.session.scalar(sa.select(sa.func.count(AuditEvent.id))), data_version())
    event.listen(db.engine, "before_cursor_execute", spy)
    seen = 0
    try:
        for browser, token in owners:
            for rule in app.url_map.iter_rules():
                if not is_syndication(app, rule.endpoint) or "GET" not in (rule.methods or ()):
                    continue
                url = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
                headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
                status = browser.client.get(url, headers=headers).status_code
                assert status in (200, 404), f"GET {url} -> {status}"
                seen += status == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    db.session.expire_all()
    assert mutations == []
    assert (db.session.scalar(sa.select(sa.func.count(AuditEvent.id))), data_version()) == before
    assert seen >= 5


def test_every_page_post_needs_a_csrf_token_and_writes_nothing_without_it(app: Flask) -> None:
    r = build_round()
    ids, _ = _world(r)
    posted = 0
    for browser, _token in _owners(app, r, ids["manager_user_id"]):
        for rule in app.url_map.iter_rules():
            if (not rule.endpoint.startswith("syndication.")
                    or "POST" not in (rule.methods or ())):
                continue
            url = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
            before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
            response = browser.client.post(url, data={"amount": "1", "reason": "x"})
            assert response.status_code == 400, f"POST {url} without CSRF -> {response.status_code}"
            assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before
            posted += 1
    assert posted >= 13 * 3  # every page POST, for each of the three owners
