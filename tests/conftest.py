"""Test fixtures: every database test runs on SQLite and on a throwaway PostgreSQL.

PostgreSQL comes from ``FUNDOPS_TEST_DATABASE_URL`` (a server URL the tests may create
databases on) or is started with the machine's ``pg_ctl``; if neither works the
PostgreSQL tests fail — they are never skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from fundops import create_app
from tests.pgserver import PostgresServer, start_postgres

BACKENDS = ("sqlite", "postgresql")
_backend_of: dict[str, str] = {}


def make_app(url: str, **extra: Any) -> Flask:
    config = {"ENV_NAME": "test", "TESTING": True, "SECRET_KEY": "test-" + uuid.uuid4().hex,
              "DATABASE_URL": url,
              # stores in the request's thread, so a test sees the row at once
              "METRIC_CACHE_STORE_IN_BACKGROUND": False} | extra
    return create_app(config)


def migrate(url: str) -> None:
    """Run every Alembic migration against ``url``."""
    from flask_migrate import upgrade

    from fundops.extensions import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    url = os.environ.get("FUNDOPS_TEST_DATABASE_URL")
    if url:
        yield url
        return
    server: PostgresServer = start_postgres()
    try:
        yield server.url
    finally:
        server.stop()


def create_pg_database(server_url: str, name: str) -> str:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="fundops-tests-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def migrated_url(backend: str, request: pytest.FixtureRequest, tmp_root: str) -> str:
    """A database of ``backend`` migrated once for the session (a template on SQLite)."""
    if backend == "sqlite":
        url = f"sqlite:///{os.path.join(tmp_root, 'template.sqlite3')}"
    else:
        server_url = request.getfixturevalue("pg_server_url")
        url = create_pg_database(server_url, f"fundops_test_{uuid.uuid4().hex[:8]}")
    migrate(url)
    return url


def fresh_url(backend: str, request: pytest.FixtureRequest, tmp_root: str) -> str:
    """An empty, unmigrated database of ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(tmp_root, uuid.uuid4().hex + '.sqlite3')}"
    return create_pg_database(request.getfixturevalue("pg_server_url"),
                              f"fundops_empty_{uuid.uuid4().hex[:8]}")


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_root: str) -> str:
    return fresh_url(backend, request, tmp_root)


@pytest.fixture
def app(backend: str, migrated_url: str, tmp_root: str) -> Iterator[Flask]:
    """An application on a clean, migrated database of ``backend``."""
    from fundops.extensions import db

    if backend == "sqlite":
        template = sa.make_url(migrated_url).database
        assert template is not None
        path = os.path.join(tmp_root, uuid.uuid4().hex + ".sqlite3")
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    else:
        url = migrated_url
    application = make_app(url)
    application.test_client_class = FreshContextClient
    with application.app_context():
        yield application
        db.session.remove()
        if backend == "postgresql":
            tables = [t.name for t in db.metadata.sorted_tables]
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                conn.execute(sa.text("INSERT INTO data_version (id, version) VALUES (1, 0)"))
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Runs every request in its own app context, as a real server does.

    The ``app`` fixture keeps an app context pushed for the test body; without this,
    requests would share its ``g`` and database session. After each request the test's
    own session ends its transaction (rollback of nothing pending) so that it sees
    what the request committed.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from fundops.extensions import db

        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.rollback()
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """Drives the test client like a user: logs in and posts forms with their CSRF token
    and a fresh one-time form token (as a page renders one per form)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.user_ids: tuple[int, int] | None = None

    def csrf(self, page: str = "/login") -> str:
        html = self.client.get(page).get_data(as_text=True)
        match = _CSRF_RE.search(html)
        assert match, f"no csrf token on {page}"
        return match.group(1)

    def login(self, email: str, password: str) -> Any:
        from fundops.auth.models import User
        from fundops.extensions import db

        token = self.csrf("/login")
        response = self.client.post("/login", data={"email": email, "password": password,
                                                    "csrf_token": token})
        with self.client.application.app_context():  # its own session, ended on exit
            user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
            self.user_ids = (user.id, user.organisation_id) if user is not None else None
        return response

    def form_token(self) -> str:
        """A one-time form token of the logged-in user, as a rendered form carries it."""
        from fundops.web.formtokens import mint

        assert self.user_ids is not None, "log in before posting a form"
        return mint(self.client.application.secret_key, *self.user_ids)

    def post(self, url: str, data: dict[str, Any] | None = None, form_token: bool = True,
             **kw: Any) -> Any:
        """POST with the CSRF token and, unless the data has one or ``form_token=False``,
        a fresh one-time form token."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf("/login"))
        if (form_token and self.user_ids is not None
                and not any(k == "form_token" or k.endswith("-form_token") for k in payload)):
            payload["form_token"] = self.form_token()
        return self.client.post(url, data=payload, **kw)


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "backend" in callspec.params:
            _backend_of[item.nodeid] = callspec.params["backend"]
        else:
            _backend_of[item.nodeid] = "no database"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    for outcome in ("passed", "failed", "error", "skipped", "xfailed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") in ("call", "setup") and (
                outcome != "passed" or report.when == "call"
            ):
                counts[(_backend_of.get(report.nodeid, "no database"), outcome)] += 1
    terminalreporter.section("tests per database")
    for name in ("sqlite", "postgresql", "no database"):
        parts = [f"{counts[(name, o)]} {o}" for o in ("passed", "failed", "error", "skipped")
                 if counts[(name, o)]]
        terminalreporter.write_line(f"{name}: {', '.join(parts) or 'none'}")
