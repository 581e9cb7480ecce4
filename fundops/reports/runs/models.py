"""Report runs kept as records: one row per version of a (pack kind, subject, quarter), and
the files it produced with their bytes.

A run stores what it read: the as-of date (the quarter's last day), the database's write
counter at the start (:func:`fundops.audit.data_version`, global: there are no per-fund
counters), the SHA-256 of its inputs (:mod:`fundops.reports.runs.inputs`) and a compressed
manifest of those inputs, from which the next version states what changed. The files'
bytes are stored in the database (``LargeBinary``: BYTEA / BLOB), each with its size and
SHA-256, so a download is exactly what was produced then.

Rows are never deleted; a run row is never updated except its ``status`` (``current`` →
``superseded`` when version N + 1 is made), and file rows never change (database triggers,
migration 0022). ``UNIQUE (kind, subject, subject_id, quarter, version)`` backs the lock
the service takes (one run per version, whatever the number of processes).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.db import UTCDateTime, enum_column, utcnow
from fundops.extensions import Model
from fundops.reports.runs.enums import RunStatus, RunSubject

FROZEN_RUN_COLUMNS = (
    "id", "organisation_id", "kind", "subject", "subject_id", "fund_id", "quarter", "as_of",
    "version", "data_version", "inputs_hash", "input_rows", "inputs_manifest", "reason",
    "changes", "created_at", "created_by_id", "created_via")
"""Every column of ``report_run`` but ``status`` (the triggers refuse an UPDATE of them)."""


class ReportRun(Model):
    """One version of a report pack: kind, subject, quarter and what it read."""

    __tablename__ = "report_run"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject", "subject_id", "quarter", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[RunSubject] = mapped_column(enum_column(RunSubject))
    subject_id: Mapped[int] = mapped_column(sa.Integer)  # the fund's or organisation's id
    fund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    quarter: Mapped[str] = mapped_column(sa.String(6))  # "2025Q2"
    as_of: Mapped[date] = mapped_column(sa.Date)  # the quarter's last day
    version: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus))
    data_version: Mapped[int] = mapped_column(sa.BigInteger)
    inputs_hash: Mapped[str] = mapped_column(sa.String(64))
    input_rows: Mapped[int] = mapped_column(sa.Integer)
    inputs_manifest: Mapped[bytes] = mapped_column(sa.LargeBinary)
    reason: Mapped[str] = mapped_column(sa.String(2000), default="")  # English, for the API
    changes: Mapped[str] = mapped_column(sa.Text, default="[]")  # JSON, see inputs.compare
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_via: Mapped[str] = mapped_column(sa.String(20))  # session, api, cli, system

    files: Mapped[list[ReportRunFile]] = relationship(
        back_populates="run", order_by="ReportRunFile.position")


class ReportRunFile(Model):
    """One file of a run: its name, media type, size in bytes, SHA-256 and the bytes."""

    __tablename__ = "report_run_file"
    __table_args__ = (sa.UniqueConstraint("run_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("report_run.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(200))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)

    run: Mapped[ReportRun] = relationship(back_populates="files")
