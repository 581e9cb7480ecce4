"""Start-up configuration, CSRF on every form route, sessions and the audit trail."""

from __future__ import annotations

import itertools
import json

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops import create_app
from fundops.audit import AuditEvent, verify_chain
from fundops.config import ConfigError
from fundops.extensions import db
from tests.conftest import Browser
from tests.factories import PASSWORD, World, fund_with_activity, make_world
from tests.integration.test_tenancy import is_syndication


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUNDOPS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({"ENV_NAME": "production", "DATABASE_URL": "sqlite://"})
    app = create_app({"ENV_NAME": "production", "DATABASE_URL": "sqlite://",
                      "SECRET_KEY": "x" * 64})
    assert app.config["SECRET_KEY"] == "x" * 64


def test_env_variables_select_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNDOPS_DATABASE_URL", "postgresql://u:p@db.internal/fundops")
    monkeypatch.setenv("FUNDOPS_SECRET_KEY", "s" * 40)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal/fundops"


def pending_approval(world: World) -> int:
    """An approval item of the world's GP waiting for a checker (a held NAV)."""
    from fundops.approvals import services as approvals

    approvals.set_policy(world.gp, "fund_valuation", "0")
    return int(approvals.submit(world.gp, "fund_valuation", {
        "fund_id": world.fund.id, "as_of": "2023-12-31", "nav_amount": "70000000"}).id)


def walk_ids(world: World, created: dict[str, int]) -> dict[str, int]:
    """One object of every kind a page route names (the tenancy walk's world)."""
    from tests.integration.test_tenancy import _ids

    return _ids(world, created)


def test_every_post_route_rejects_a_missing_csrf_token(app: Flask) -> None:
    world = make_world()
    ids = fund_with_activity(world)
    browser = Browser(app.test_client())
    browser.login(world.gp_user.email, PASSWORD)
    args = walk_ids(world, ids)
    posted = 0
    for rule in app.url_map.iter_rules():
        if ("POST" not in (rule.methods or ()) or rule.rule.startswith("/api/")  # tokens
                or is_syndication(app, rule.endpoint)):  # test_syndication_tenancy.py
            continue
        url = rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1]
        before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
        response = browser.client.post(url, data={"amount": "1", "reason": "x"})
        assert response.status_code == 400, f"POST {url} without CSRF -> {response.status_code}"
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before
        posted += 1
    assert posted >= 2


def test_no_get_route_writes(app: Flask) -> None:
    world = make_world()
    ids = fund_with_activity(world)
    browser = Browser(app.test_client())
    browser.login(world.gp_user.email, PASSWORD)
    args = walk_ids(world, ids)
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    for rule in app.url_map.iter_rules():
        if is_syndication(app, rule.endpoint):
            continue  # walked with its own objects in test_syndication_tenancy.py
        if "GET" in (rule.methods or ()) and rule.endpoint != "static":
            url = rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1]
            assert browser.client.get(url).status_code in (200, 302, 401, 405)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before


def test_logout_revokes_the_old_session_cookie(app: Flask) -> None:
    world = make_world()
    browser = Browser(app.test_client())
    assert browser.login(world.gp_user.email, PASSWORD).status_code == 302
    assert browser.client.get("/").status_code == 200
    stolen = browser.client.get_cookie("session")
    assert stolen is not None
    browser.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_does_not_log_in(app: Flask) -> None:
    world = make_world()
    browser = Browser(app.test_client())
    response = browser.login(world.gp_user.email, "wrong-password")
    assert response.status_code == 200
    assert browser.client.get("/").status_code == 302


def test_every_write_is_audited_and_the_chain_verifies(app: Flask) -> None:
    world = make_world()
    fund_with_activity(world)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.organisation_id == world.gp.organisation_id)
        .order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    # user, fund, 3 investors + 3 commitments, company, call, investment (+ its entry),
    # distribution, NAV, holding valuation
    for expected in ("user.create", "fund.create", "investor.create", "commitment.create",
                     "company.create", "cash_flow.capital_call", "cash_flow.investment",
                     "investment.create", "cash_flow.distribution", "valuation.nav",
                     "valuation.holding"):
        assert expected in actions
    call = next(e for e in events if e.action == "cash_flow.capital_call")
    assert call.user_id == world.gp_user.id and call.at is not None
    assert json.loads(call.changes)["amount"] == "60000000.00"
    assert verify_chain(world.gp.organisation_id)
    assert all(e.prev_hash == p.event_hash for p, e in itertools.pairwise(events))
