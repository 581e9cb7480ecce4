"""Serving settings: gunicorn.conf.py fit for production, the database pool from the
environment, and the JSON-lines logging."""

from __future__ import annotations

import json
import logging
import os
import runpy
from typing import Any

import pytest
from sqlalchemy import text

from fundops import create_app
from fundops.config import DEFAULTS, ConfigError
from fundops.extensions import db
from fundops.logging_setup import configure_logging

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_gunicorn_settings(monkeypatch: Any) -> None:
    for name in ("WEB_CONCURRENCY", "FUNDOPS_KEEPALIVE", "FUNDOPS_THREADS", "FUNDOPS_TIMEOUT",
                 "FUNDOPS_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))
    assert conf["wsgi_app"] == "fundops:create_app()"
    assert conf["keepalive"] >= 75 > 60  # longer than a browser's idle gap
    assert conf["timeout"] > conf["keepalive"] - 60 and conf["timeout"] >= 30
    assert conf["workers"] >= 2 and conf["threads"] >= 2 and conf["worker_class"] == "gthread"
    assert conf["accesslog"] == "-" and conf["errorlog"] == "-"
    assert "*" not in conf["forwarded_allow_ips"]
    assert conf["max_requests"] > conf["max_requests_jitter"] > 0
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("FUNDOPS_MAX_REQUESTS", "0")
    conf = runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))
    assert conf["workers"] == 3 and conf["max_requests"] == 0


def test_logging_is_json_lines_once_and_propagates(capsys: Any, caplog: Any) -> None:
    config = {"ENV_NAME": "test", "DATABASE_URL": "sqlite:///:memory:", "LOG_LEVEL": "INFO"}
    create_app(config)
    create_app(config)
    configure_logging()
    logger = logging.getLogger("fundops")
    assert [h.get_name() for h in logger.handlers].count("fundops-stderr") == 1
    capsys.readouterr()
    with caplog.at_level("INFO", logger="fundops.jobs"):
        logging.getLogger("fundops.jobs").info("ran %s", "daily", extra={"event": "job.done",
                                                                         "lapsed": 3})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert line["level"] == "INFO" and line["logger"] == "fundops.jobs"
    assert line["msg"] == "ran daily" and line["event"] == "job.done" and line["lapsed"] == 3
    assert line["ts"].endswith("+00:00")
    assert [r.getMessage() for r in caplog.records] == ["ran daily"]  # caplog still sees it


POOL_ENV = ("FUNDOPS_DB_POOL_SIZE", "FUNDOPS_DB_MAX_OVERFLOW", "FUNDOPS_DB_POOL_TIMEOUT",
            "FUNDOPS_DB_POOL_RECYCLE", "FUNDOPS_DB_POOL_PRE_PING")


def _pool_of(app: Any) -> Any:
    with app.app_context():
        return db.engine.pool


def test_pool_settings_from_the_environment_reach_the_engine(monkeypatch: Any,
                                                             tmp_path: Any) -> None:
    for name, value in zip(POOL_ENV, ("12", "3", "7", "1800", "true"), strict=True):
        monkeypatch.setenv(name, value)
    for url in (f"sqlite:///{tmp_path / 'pool.sqlite3'}",
                "postgresql://fundops@127.0.0.1:9/nowhere"):  # never connected to
        pool = _pool_of(create_app({"ENV_NAME": "test", "DATABASE_URL": url}))
        assert pool.size() == 12 and pool._max_overflow == 3 and pool._timeout == 7
        assert pool._recycle == 1800 and pool._pre_ping is True


def test_pool_defaults_are_sqlalchemy_s_and_the_defaults_stay_unshared(monkeypatch: Any,
                                                                       tmp_path: Any) -> None:
    for name in POOL_ENV:
        monkeypatch.delenv(name, raising=False)
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {}
    pool = _pool_of(app)
    assert pool.size() == 5 and pool._max_overflow == 10 and pool._pre_ping is False
    assert pool._recycle == -1
    app.config["SQLALCHEMY_ENGINE_OPTIONS"]["echo"] = True
    assert DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_in_memory_sqlite_keeps_its_one_connection(monkeypatch: Any) -> None:
    monkeypatch.setenv("FUNDOPS_DB_POOL_SIZE", "8")
    monkeypatch.setenv("FUNDOPS_DB_POOL_PRE_PING", "1")
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": "sqlite:///:memory:"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar_one() == 1


def test_a_bad_pool_setting_stops_start_up_naming_it(monkeypatch: Any) -> None:
    config = {"ENV_NAME": "test", "DATABASE_URL": "sqlite:///:memory:"}
    for name, value in (("FUNDOPS_DB_POOL_SIZE", "0"), ("FUNDOPS_DB_MAX_OVERFLOW", "-1"),
                        ("FUNDOPS_DB_POOL_RECYCLE", "1.5"), ("FUNDOPS_DB_POOL_TIMEOUT", "soon"),
                        ("FUNDOPS_DB_POOL_PRE_PING", "maybe")):
        with monkeypatch.context() as env:
            env.setenv(name, value)
            with pytest.raises(ConfigError, match=name):
                create_app(config)
