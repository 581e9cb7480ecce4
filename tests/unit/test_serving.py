"""Serving settings: gunicorn.conf.py fit for production, and the JSON-lines logging."""

from __future__ import annotations

import json
import logging
import os
import runpy
from typing import Any

from fundops import create_app
from fundops.logging_setup import configure_logging

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_gunicorn_settings(monkeypatch: Any) -> None:
    for name in ("WEB_CONCURRENCY", "FUNDOPS_KEEPALIVE", "FUNDOPS_THREADS", "FUNDOPS_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))
    assert conf["wsgi_app"] == "fundops:create_app()"
    assert conf["keepalive"] >= 75 > 60  # longer than a browser's idle gap
    assert conf["timeout"] > conf["keepalive"] - 60 and conf["timeout"] >= 30
    assert conf["workers"] >= 2 and conf["threads"] >= 2 and conf["worker_class"] == "gthread"
    assert conf["accesslog"] == "-" and conf["errorlog"] == "-"
    assert "*" not in conf["forwarded_allow_ips"]
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))["workers"] == 3


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
