"""The ``job_run`` table: one row per (job, period) that a run claims, heartbeats and
finishes (see :mod:`fundops.jobs.leases`). Times are UTC."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from fundops.db import UTCDateTime, utcnow
from fundops.extensions import Model

RUNNING, FINISHED, FAILED = "running", "finished", "failed"


class JobRun(Model):
    """One job's claim on one period: a lease kept alive by heartbeats, then a finish mark."""

    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job_name", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(60))
    period_key: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default=RUNNING)  # running/finished/failed
    owner: Mapped[str] = mapped_column(sa.String(200), default="")  # host:pid:uuid of the holder
    attempts: Mapped[int] = mapped_column(sa.Integer, default=1)  # claims incl. takeovers
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(sa.String(500), default="")
    error: Mapped[str | None] = mapped_column(sa.String(500))
