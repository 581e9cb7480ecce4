"""Create the benchmark databases: Alembic schema, then a raw DB-API bulk load, cached.

SQLite: one ``executemany`` transaction per file with ``synchronous=OFF`` and an in-memory
journal (foreign keys are checked once afterwards with ``PRAGMA foreign_key_check``).
PostgreSQL: ``COPY … FROM STDIN`` through psycopg, sequences reset with ``setval``, then
``VACUUM ANALYZE``. A database is reused while its signature (generator parameters plus
the Alembic head revision) is unchanged: SQLite keeps it in a JSON file next to the
database, PostgreSQL in ``COMMENT ON DATABASE``. ``regenerate=True`` rebuilds either.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from benchmarks.synth import Params, Portfolio

PG_DATABASE = "fundops_bench"
ID_TABLES = (
    "organisation",
    "user_account",
    "company_identity",
    "company",
    "fund",
    "investor",
    "commitment",
    "cash_flow",
    "cash_flow_allocation",
    "investment",
    "fund_valuation",
    "holding_valuation",
)


@dataclass
class Prepared:
    """A ready database: its SQLAlchemy URL and how it was built (when built in this run)."""

    url: str
    reused: bool
    generate_s: float | None = None
    load_s: float | None = None
    migrate_s: float | None = None
    info: dict[str, Any] = field(default_factory=dict)


def repo_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def schema_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", os.path.join(repo_root(), "migrations"))
    return "+".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def signature(params: Params) -> str:
    return f"fundops-bench {params.signature()} schema={schema_head()}"


def make_app(url: str, **extra: Any) -> Any:
    from fundops import create_app

    return create_app({"ENV_NAME": "test", "SECRET_KEY": "bench-" + uuid.uuid4().hex,
                       "DATABASE_URL": url} | extra)


def migrate(url: str) -> None:
    """Run every Alembic migration against ``url`` (as the test suite does)."""
    from flask_migrate import upgrade

    from fundops.extensions import db

    app = make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


class Generator:
    """Generates the portfolio at most once per run, timing it."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self._portfolio: Portfolio | None = None
        self.seconds: float | None = None

    def __call__(self) -> Portfolio:
        if self._portfolio is None:
            from benchmarks.synth import generate

            t0 = time.perf_counter()
            self._portfolio = generate(self.params)
            self.seconds = time.perf_counter() - t0
        return self._portfolio


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})")


def ensure_sqlite(workdir: str, params: Params, gen: Callable[[], Portfolio],
                  regenerate: bool) -> Prepared:
    path = os.path.join(workdir, f"bench-{params.signature()}.sqlite3")
    meta_path = path + ".json"
    sig = signature(params)
    url = f"sqlite:///{path}"
    if not regenerate and os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path) as fh:
            meta = json.load(fh)
        if meta.get("signature") == sig:
            return Prepared(url, True, info=meta)
    for suffix in ("", "-wal", "-shm", ".json"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    t0 = time.perf_counter()
    migrate(url)
    migrate_s = time.perf_counter() - t0
    portfolio = gen()
    t0 = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=MEMORY")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA cache_size=-1000000")
        conn.execute("BEGIN")
        for table, data in portfolio.tables.items():
            conn.executemany(_insert_sql(table, data.columns), data.rows)
        conn.execute("COMMIT")
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign key violations after load: {problems[:5]}")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    load_s = time.perf_counter() - t0
    meta = {"signature": sig, "generate_s": getattr(gen, "seconds", None),
            "built_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "load_s": load_s,
            "migrate_s": migrate_s, "counts": portfolio.counts,
            "flow_kinds": portfolio.flow_kinds}
    with open(meta_path, "w") as fh:
        json.dump(meta, fh, indent=1)
    return Prepared(url, False, meta["generate_s"], load_s, migrate_s, meta)


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for a plain ``postgresql://`` URL."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def libpq(url: str) -> str:
    """A SQLAlchemy URL as a libpq connection string for psycopg."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_comment(server_url: str, name: str) -> str | None:
    import psycopg

    with psycopg.connect(libpq(server_url), autocommit=True) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           "WHERE datname = %s", (name,)).fetchone()
    if row is None:
        return None
    return str(row[0] or "")


def ensure_postgres(server_url: str, params: Params, gen: Callable[[], Portfolio],
                    regenerate: bool, workdir: str) -> Prepared:
    import psycopg

    name = PG_DATABASE if params == Params() else f"{PG_DATABASE}_e{params.entries}"
    url = sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    sig = signature(params)
    meta_path = os.path.join(workdir, f"pg-{name}.json")
    comment = _pg_comment(server_url, name)
    if not regenerate and comment == sig:
        meta: dict[str, Any] = {}
        if os.path.exists(meta_path):
            with open(meta_path) as fh:
                meta = json.load(fh)
            if meta.get("signature") != sig:
                meta = {}
        return Prepared(url, True, info=meta)
    with psycopg.connect(libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    t0 = time.perf_counter()
    migrate(url)
    migrate_s = time.perf_counter() - t0
    portfolio = gen()
    t0 = time.perf_counter()
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        try:  # skip the foreign-key triggers during the load (needs superuser)
            with conn.transaction():
                conn.execute("SET session_replication_role = replica")
            replica = True
        except psycopg.Error:
            replica = False
        with conn.cursor() as cur:
            for table, data in portfolio.tables.items():
                with cur.copy(f"COPY {table} ({', '.join(data.columns)}) FROM STDIN") as copy:
                    for row in data.rows:
                        copy.write_row(row)
            for table in ID_TABLES:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        if replica:  # the load bypassed the foreign-key triggers: check every reference now
            _check_foreign_keys(conn)
        conn.execute("VACUUM ANALYZE")
        quoted = sig.replace("'", "''")
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{quoted}'")
    load_s = time.perf_counter() - t0
    meta = {"signature": sig, "generate_s": getattr(gen, "seconds", None),
            "built_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "load_s": load_s,
            "migrate_s": migrate_s, "counts": portfolio.counts,
            "flow_kinds": portfolio.flow_kinds}
    with open(meta_path, "w") as fh:
        json.dump(meta, fh, indent=1)
    return Prepared(url, False, meta["generate_s"], load_s, migrate_s, meta)


def _check_foreign_keys(conn: Any) -> None:
    rows = conn.execute(
        "SELECT conrelid::regclass::text, a.attname, confrelid::regclass::text, f.attname "
        "FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1] "
        "WHERE c.contype = 'f'").fetchall()
    for table, column, ref, ref_column in rows:
        bad = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {ref} r WHERE r.{ref_column} = t.{column})").fetchone()[0]
        if bad:
            raise RuntimeError(f"{bad} rows of {table}.{column} point nowhere in {ref}")


def row_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
                    for t in ("fund", "investor", "commitment", "company", "cash_flow",
                              "cash_flow_allocation", "investment", "fund_valuation",
                              "holding_valuation")}
    finally:
        engine.dispose()
