"""Configuration layers: defaults, then the instance file, then FUNDOPS_* environment variables."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration is unsafe or incomplete."""


DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "production",
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh_CN", "en"],
    "BUSINESS_TIMEZONE": "Asia/Shanghai",
    "DEFAULT_CURRENCY": "CNY",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # None: Secure outside development and test (set True/False to override)
    "SESSION_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_SECURE": None,
    # Log-in throttling: more than LOGIN_MAX_FAILURES failed attempts for one email (or
    # LOGIN_MAX_FAILURES_PER_IP from one address) within LOGIN_WINDOW_SECONDS → refused
    # (429) until the window has passed; state in the database, so it holds across
    # server processes.
    "LOGIN_MAX_FAILURES": 10,
    "LOGIN_MAX_FAILURES_PER_IP": 100,
    "LOGIN_WINDOW_SECONDS": 900,
    "LOG_LEVEL": "INFO",
    # Number of reverse proxies in front of the app whose X-Forwarded-* to trust (0: none)
    "PROXY_FIX_HOPS": 0,
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    # JSON API bodies: smaller limit, and nesting depth counted before parsing
    "MAX_JSON_BYTES": 2 * 1024 * 1024,
    "MAX_JSON_DEPTH": 64,
    # LP types counted as government money in leverage and policy indicators; regions
    # differ (state-owned enterprises count as government in some), so it is configurable.
    "GOVERNMENT_INVESTOR_TYPES": ["fiscal", "guidance_fund"],
    # 1-year Loan Prime Rate (annual fraction) used to price LPR + spread loans at approval
    "LOAN_PRIME_RATE": "0.0300",
    # Database connection pool of each process (FUNDOPS_DB_POOL_SIZE, ...; see
    # docs/serving.md). None: SQLAlchemy's default (5 connections + 10 overflow, 30 s
    # wait, never recycled, no ping).
    "DB_POOL_SIZE": None,
    "DB_MAX_OVERFLOW": None,
    "DB_POOL_TIMEOUT": None,
    "DB_POOL_RECYCLE": None,
    "DB_POOL_PRE_PING": None,
    # Computed figures are written to the shared cache on a background thread (the request
    # that computed one does not wait for its pickling and row write; fundops.metrics.cache)
    "METRIC_CACHE_STORE_IN_BACKGROUND": True,
    # A gunicorn worker loads this many of the most recently computed large figures (1 MiB
    # pickled and over: a national parent's overview) before it takes requests, so its
    # first requests do not unpickle them while others wait (fundops.metrics.cache.preload)
    "METRIC_CACHE_PRELOAD": 8,
    # ... and, every this many seconds, loads those computed since (0: off), so a running
    # worker holds what a new one would preload (fundops.metrics.follow)
    "METRIC_CACHE_FOLLOW_S": 2,
    # A report download whose last build took this long (ms) or longer is rebuilt on a
    # background thread after a change, the page saying it is being prepared and
    # refreshing until it is (a national parent's consolidated pack: 7-18 s); a download
    # never built before is built while the request waits (fundops.reports.quarterly.files)
    "REPORT_FILE_BACKGROUND_MS": 2000,
    # ... and so is a consolidated pack never built before over more funds than this
    "REPORT_FILE_BACKGROUND_FUNDS": 20,
}

# Pool settings: config key -> (create_engine argument, smallest value; None for a flag).
POOL_SETTINGS: dict[str, tuple[str, int | None]] = {
    "DB_POOL_SIZE": ("pool_size", 1),
    "DB_MAX_OVERFLOW": ("max_overflow", 0),
    "DB_POOL_TIMEOUT": ("pool_timeout", 1),
    "DB_POOL_RECYCLE": ("pool_recycle", 1),
    "DB_POOL_PRE_PING": ("pool_pre_ping", None),
}
# Arguments only a queue pool takes (an in-memory SQLite database has one static connection).
_QUEUE_ONLY = frozenset({"pool_size", "max_overflow", "pool_timeout"})

# Environments in which a missing SECRET_KEY is replaced by a random per-process key.
_RELAXED_ENVS = {"development", "test"}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, ``instance/fundops.cfg``, env vars and ``overrides``.

    ``FUNDOPS_DATABASE_URL`` selects the database; without it a SQLite file in the
    instance folder is used. Outside development and test a missing ``SECRET_KEY``
    raises :class:`ConfigError` — there is never a built-in default key.
    """
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("fundops.cfg", silent=True)
    app.config.from_prefixed_env("FUNDOPS")
    if overrides:
        app.config.from_mapping(overrides)

    env_name = str(app.config.get("ENV_NAME", "production"))
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "fundops.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(url))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config, app.config["SQLALCHEMY_DATABASE_URI"])

    if not app.config.get("SECRET_KEY"):
        if env_name in _RELAXED_ENVS:
            app.config["SECRET_KEY"] = os.urandom(32).hex()
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set FUNDOPS_SECRET_KEY (or SECRET_KEY in "
                "instance/fundops.cfg) to a long random value, e.g. "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = env_name not in _RELAXED_ENVS
    if env_name == "production" and app.debug:
        raise ConfigError("Debug mode must be off in production (unset FLASK_DEBUG).")


def engine_options(config: Any, url: str) -> dict[str, Any]:
    """``SQLALCHEMY_ENGINE_OPTIONS`` (a copy: the defaults are never mutated) with the
    ``DB_POOL_*`` settings that are set: pool size and overflow (connections), wait for
    a free connection and recycle age (whole seconds), ping before use (a flag).

    Values may be numbers or their text (the environment and the instance file give
    either). An in-memory SQLite database keeps its one static connection: size, overflow
    and wait do not apply to it. Raises :class:`ConfigError` naming the setting for a
    value that is not a whole number at least its minimum, or not a flag.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    in_memory = _is_memory_sqlite(url)
    for key, (argument, minimum) in POOL_SETTINGS.items():
        raw = config.get(key)
        if raw is None or raw == "":
            continue
        value = _flag(key, raw) if minimum is None else _whole(key, raw, minimum)
        if not (in_memory and argument in _QUEUE_ONLY):
            options[argument] = value
    return options


def _whole(key: str, raw: Any, minimum: int) -> int:
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit() or int(text) < minimum:
        raise ConfigError(f"FUNDOPS_{key} must be a whole number, at least {minimum} "
                          f"(got {raw!r}).")
    return int(text)


def _flag(key: str, raw: Any) -> bool:
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"FUNDOPS_{key} must be true or false (got {raw!r}).")


def _is_memory_sqlite(url: str) -> bool:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
