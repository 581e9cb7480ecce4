"""Web hardening: security headers, cookie flags, log-in throttling and lockout across
processes, constant-time log-in for unknown emails, load-demo refused in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.auth import throttle
from fundops.auth.throttle import LoginAttempt, LoginThrottled, authenticate
from fundops.extensions import db
from tests.conftest import Browser, FreshContextClient, make_app
from tests.factories import PASSWORD, make_user
from tests.threads import race


@contextmanager
def second_app(url: str, **config: Any) -> Iterator[Flask]:
    """Another application on the same database (as another server process would be);
    its connections are closed afterwards."""
    other = make_app(url, **config)
    other.test_client_class = FreshContextClient
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


CSP_PARTS = ("default-src 'self'", "script-src 'self'", "style-src 'self'",
             "frame-ancestors 'none'", "object-src 'none'")


def assert_hardened(response: Any, *, production: bool = False, static: bool = False) -> None:
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert all(part in csp for part in CSP_PARTS), csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in headers) == production
    assert (headers.get("Cache-Control") == "no-store") != static


def test_headers_on_pages_api_errors_and_static(app: Flask, browser: Browser) -> None:
    user, _ = make_user("GP headers")
    email = user.email
    db.session.commit()
    client = browser.client
    assert_hardened(client.get("/login"))
    assert_hardened(client.get("/"))  # the redirect to the log-in page
    assert_hardened(client.get("/no-such-page"))
    assert_hardened(client.get("/api/v1/funds"))  # 401
    for name in ("fundops.css", "fundops.js"):
        with client.get(f"/static/{name}") as response:
            assert_hardened(response, static=True)
    assert browser.login(email, PASSWORD).status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    assert_hardened(response)
    page = response.get_data(as_text=True)
    assert "<script src=" in page and "onchange" not in page and "<style" not in page


def test_cookies_are_secure_in_production(app: Flask, tmp_path: Any) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    user, _ = make_user("GP cookies")
    email = user.email
    db.session.commit()
    for env, secure in (("production", True), ("test", False), ("development", False)):
        with second_app(url, ENV_NAME=env, SECRET_KEY="k" * 64, TESTING=False) as other:
            browser = Browser(other.test_client())
            page = browser.client.get("/login")
            assert_hardened(page, production=secure)
            response = browser.login(email, PASSWORD)
            assert response.status_code == 302, env
            cookies = response.headers.getlist("Set-Cookie")
            session_cookie = next(c for c in cookies if c.startswith("session="))
            assert ("; Secure" in session_cookie) == secure, session_cookie
            assert "; HttpOnly" in session_cookie and "; SameSite=Lax" in session_cookie
            assert other.config["REMEMBER_COOKIE_SECURE"] is secure
            assert other.config["REMEMBER_COOKIE_HTTPONLY"] is True
            assert other.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    with second_app(url, ENV_NAME="production", SECRET_KEY="k" * 64,
                    SESSION_COOKIE_SECURE=False) as override:
        assert override.config["SESSION_COOKIE_SECURE"] is False  # an explicit choice wins


def test_the_61st_attempt_is_refused_even_with_the_right_password(
        app: Flask, browser: Browser) -> None:
    user, _ = make_user("GP lockout")
    bystander, _ = make_user("GP bystander")
    email, other_email = user.email, bystander.email
    db.session.commit()
    statuses = [browser.login(email, "wrong password").status_code for _ in range(60)]
    assert statuses[:10] == [200] * 10  # the form again, "wrong email or password"
    assert statuses[10:] == [429] * 50
    response = browser.login(email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == 900
    assert "登录失败次数过多，请 15 分钟后再试。" in response.get_data(as_text=True)
    assert "/login" not in response.headers.get("Location", "")
    assert browser.client.get("/").status_code == 302  # not logged in
    # another server process (a second app on the same database) refuses as well
    with second_app(app.config["SQLALCHEMY_DATABASE_URI"]) as other:
        assert Browser(other.test_client()).login(email, PASSWORD).status_code == 429
    # another account is not affected; the email's case does not matter
    assert Browser(app.test_client()).login(other_email, PASSWORD).status_code == 302
    assert Browser(app.test_client()).login(email.upper(), PASSWORD).status_code == 429
    outcomes = dict(db.session.execute(
        sa.select(LoginAttempt.outcome, sa.func.count()).where(LoginAttempt.email == email)
        .group_by(LoginAttempt.outcome)).all())
    assert outcomes == {"failed": 10, "locked": 53}
    # the lock ends when the failures leave the window
    for attempt in db.session.scalars(sa.select(LoginAttempt)):
        attempt.attempted_at -= timedelta(seconds=901)
    db.session.commit()
    assert browser.login(email, PASSWORD).status_code == 302


def test_a_success_resets_the_count_and_unknown_emails_lock_too(app: Flask) -> None:
    user, _ = make_user("GP reset")
    email = user.email
    db.session.commit()
    with app.test_request_context():
        for _ in range(9):
            assert authenticate(email, "wrong", "10.0.0.1") is None
        assert authenticate(email, PASSWORD, "10.0.0.1") is not None
        for _ in range(10):
            assert authenticate(email, "wrong", "10.0.0.1") is None
        with pytest.raises(LoginThrottled):
            authenticate(email, PASSWORD, "10.0.0.1")
        for _ in range(10):
            assert authenticate("nobody@example.cn", "x", "10.0.0.2") is None
        with pytest.raises(LoginThrottled):
            authenticate("nobody@example.cn", "x", "10.0.0.2")


def test_one_address_trying_many_emails_is_throttled(app: Flask) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 20
    user, _ = make_user("GP spray")
    email = user.email
    db.session.commit()
    with app.test_request_context():
        for n in range(20):
            assert authenticate(f"guess{n}@example.cn", "x", "203.0.113.9") is None
        with pytest.raises(LoginThrottled):
            authenticate(email, PASSWORD, "203.0.113.9")
        assert authenticate(email, PASSWORD, "203.0.113.10") is not None


def test_concurrent_wrong_passwords_get_at_most_the_limit_checked(app: Flask) -> None:
    user, _ = make_user("GP burst")
    email = user.email
    db.session.commit()
    outcomes = race(app, lambda n: authenticate(email, f"wrong {n}", "198.51.100.1"),
                    range(24), LoginThrottled)
    assert len(outcomes) == 24
    assert 1 <= outcomes.count("ok") <= 10, outcomes
    db.session.rollback()
    failed = db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email == email, LoginAttempt.outcome == "failed"))
    assert failed == outcomes.count("ok")
    # refused attempts do not count: the burst and what follows check 10 passwords in all
    with app.test_request_context():
        for _ in range(10 - failed):
            assert authenticate(email, "wrong again", "198.51.100.2") is None
        with pytest.raises(LoginThrottled):
            authenticate(email, PASSWORD, "198.51.100.2")


def test_unknown_email_still_runs_the_password_hasher(app: Flask, monkeypatch: Any) -> None:
    user, _ = make_user("GP timing")
    email = user.email
    db.session.commit()
    calls: list[str] = []
    real = throttle.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(throttle, "check_password_hash", counting)
    with app.test_request_context():
        assert authenticate("nobody@example.cn", PASSWORD, "10.1.1.1") is None
        assert calls == [throttle.dummy_hash()]
        assert calls[0].split("$")[0] == user.password_hash.split("$")[0]  # same method
        assert authenticate(email, "wrong", "10.1.1.1") is None
        assert authenticate(email, PASSWORD, "10.1.1.1") is not None
        assert calls[1:] == [user.password_hash] * 2


def test_login_events_are_logged(app: Flask, browser: Browser, caplog: Any) -> None:
    user, _ = make_user("GP logging")
    email = user.email
    db.session.commit()
    with caplog.at_level("INFO", logger="fundops.auth"):
        browser.login(email, "wrong")
        browser.login(email, PASSWORD)
    events = [(r.event, r.email) for r in caplog.records if hasattr(r, "event")]
    assert events == [("login.failed", email), ("login.success", email)]


def test_load_demo_is_refused_outside_development_unless_forced(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with (second_app(url, ENV_NAME="production", SECRET_KEY="k" * 64) as production,
          production.app_context()):
        result = production.test_cli_runner().invoke(args=["load-demo"])
        assert result.exit_code != 0
        assert "--force" in result.output and "production" in result.output
        users = db.session.scalar(sa.text("SELECT count(*) FROM user_account"))
        assert users == 0
        db.session.remove()


def test_client_address_behind_a_proxy(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    for hops, expected in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        with second_app(url, PROXY_FIX_HOPS=hops) as other:
            browser = Browser(other.test_client())
            token = browser.csrf()
            browser.client.post("/login", data={"email": f"x{hops}@example.cn",
                                                 "password": "x", "csrf_token": token},
                                headers={"X-Forwarded-For": "203.0.113.7"})
        ip = db.session.scalar(sa.select(LoginAttempt.ip).where(
            LoginAttempt.email == f"x{hops}@example.cn"))
        assert ip == expected
