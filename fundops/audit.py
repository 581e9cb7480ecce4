"""Audit trail: one hash-chained event per write, recording who, when, what and why."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from fundops.db import UTCDateTime, utcnow
from fundops.extensions import Model, db
from fundops.uow import Actor, updated_rows


class AuditEvent(Model):
    """An append-only record of one write; ``event_hash`` chains events per organisation."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    changes: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    auth_method: Mapped[str] = mapped_column(sa.String(20), default="system")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    event_hash: Mapped[str] = mapped_column(sa.String(64))


class DataVersion(Model):
    """The database's write counter: one row (id 1), +1 in every transaction that writes.

    :func:`record` bumps it before it reads the previous hash, so on PostgreSQL the row
    lock serialises audited writes until commit (the hash chain cannot fork and the
    counter increases in commit order); SQLite serialises writers anyway. A cached
    figure records the counter it read *before* its facts and stays valid until
    :mod:`fundops.versions`' per-fund change log has a later entry for a fund in its
    subtree or for no named fund (a write elsewhere leaves it warm). Not append-only: a
    counter, not a record.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger)


_BUMPED = "fundops.data_version_bumped"


def _bump_version() -> None:
    """+1 on the counter, once per transaction (the session's ``info`` remembers it)."""
    session = db.session()
    session.connection()  # begin the transaction now, so it can be told apart below
    if session.info.get(_BUMPED) is session.get_transaction():
        return
    moved = updated_rows(sa.update(DataVersion).where(DataVersion.id == 1)
                         .values(version=DataVersion.version + 1))
    if moved == 0:  # the migration's row was removed (e.g. a truncated test db)
        db.session.add(DataVersion(id=1, version=1))
    session.info[_BUMPED] = session.get_transaction()


def lock_write_order() -> None:
    """Queue behind every other audited write until this transaction ends.

    Takes the ``data_version`` row lock now (the bump :func:`record` would make later, so
    the counter still moves once per transaction). For a check over many rows that no
    single row lock covers, e.g. the fund-of-funds graph: call it first in the unit of
    work, after any :func:`fundops.uow.lock_row` the transaction needs (object locks
    first, then this one: a single lock order).
    """
    _bump_version()


def data_version() -> int:
    """The committed write counter as this session sees it (0 before the first write)."""
    return int(db.session.scalar(sa.select(DataVersion.version).where(DataVersion.id == 1)) or 0)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def record(
    *,
    organisation_id: int | None,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: object,
    changes: dict[str, Any],
    reason: str = "",
    auth_method: str = "session",
) -> AuditEvent:
    """Add an audit event to the current session (the caller's unit of work commits it).

    ``changes`` maps field names to new values (Decimals and dates become strings).
    The first event of a transaction bumps :class:`DataVersion` (and takes its row lock).
    """
    _bump_version()
    reason = str(reason or "")[:500]  # the column's width; callers validate user text first
    prev = db.session.scalar(
        sa.select(AuditEvent.event_hash)
        .where(AuditEvent.organisation_id == organisation_id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ) or ("0" * 64)
    at = utcnow()
    body = json.dumps(_jsonable(changes), sort_keys=True, ensure_ascii=False)
    payload = "|".join(
        [prev, str(user_id), action, object_type, str(object_id), body, reason, at.isoformat()]
    )
    event = AuditEvent(
        organisation_id=organisation_id,
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=body,
        reason=reason,
        auth_method=auth_method,
        at=at,
        prev_hash=prev,
        event_hash=hashlib.sha256(payload.encode("utf-8")).hexdigest(),
    )
    db.session.add(event)
    return event


def record_by(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    changes: dict[str, Any],
    reason: str = "",
) -> AuditEvent:
    """:func:`record` for a write performed by ``actor``."""
    return record(
        organisation_id=actor.organisation_id, user_id=actor.user_id, action=action,
        object_type=object_type, object_id=object_id, changes=changes, reason=reason,
        auth_method=actor.auth_method,
    )


def verify_chain(organisation_id: int | None) -> bool:
    """Recompute the hash chain of one organisation; False if any event was altered."""
    prev = "0" * 64
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation_id)
        .order_by(AuditEvent.id)
    )
    for e in events:
        payload = "|".join(
            [prev, str(e.user_id), e.action, e.object_type, e.object_id, e.changes, e.reason,
             e.at.isoformat()]
        )
        if e.prev_hash != prev or hashlib.sha256(payload.encode()).hexdigest() != e.event_hash:
            return False
        prev = e.event_hash
    return True
