"""Export of the whole dataset to a JSON or xlsx file, from one consistent snapshot."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fundops.exchange.codec import record_to_file
from fundops.exchange.files import write_json
from fundops.exchange.schema import RECORD_TYPES
from fundops.exchange.xlsx import write_xlsx
from fundops.extensions import db

FORMATS = {".json": "json", ".xlsx": "xlsx"}


def format_of(path: str) -> str:
    """``"json"`` or ``"xlsx"`` from the file extension; ``ValueError`` otherwise."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise ValueError(f"unsupported file type {ext or '(none)'!r}; use .json or .xlsx")
    return FORMATS[ext]


@contextmanager
def snapshot_session() -> Iterator[Session]:
    """A read-only session on its own connection that sees one snapshot of the database.

    PostgreSQL runs the export in a REPEATABLE READ transaction. SQLite's driver (in its
    legacy transaction mode) sends no BEGIN before a SELECT, so one is sent explicitly;
    in WAL mode the read transaction then sees one snapshot. Uncommitted changes of
    ``db.session`` are not exported.
    """
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            raw = conn.connection.dbapi_connection
            if conn.dialect.name == "sqlite" and not getattr(raw, "in_transaction", True):
                conn.exec_driver_sql("BEGIN")
            session = Session(bind=conn, autoflush=False)
            try:
                yield session
            finally:
                session.close()


def collect_records() -> dict[str, list[dict[str, Any]]]:
    """Every record of every type, ordered by database id (a table without one: by its
    primary key, the ids of the records it links), as file values."""
    records: dict[str, list[dict[str, Any]]] = {}
    with snapshot_session() as session:
        for rtype in RECORD_TYPES:
            model = rtype.model
            rows = session.scalars(sa.select(model).order_by(*sa.inspect(model).primary_key))
            records[rtype.name] = [record_to_file(rtype, obj) for obj in rows]
    return records


def export_dataset(path: str) -> dict[str, int]:
    """Write the whole dataset to ``path`` (.json or .xlsx) and return counts per type.

    The file is written to a temporary name and moved into place, so a failed export
    never leaves a partial file. Amounts are exact decimal strings; API tokens and the
    audit trail are not exported.
    """
    fmt = format_of(path)
    records = collect_records()
    if fmt == "json":
        write_json(path, records)
    else:
        write_xlsx(path, records)
    return {name: len(rows) for name, rows in records.items()}
