"""Idempotency keys for money-moving API POSTs (reliability.md §4, Stripe's semantics).

The client sends ``Idempotency-Key: <up to 255 visible characters>``:

- no key → 400 (nothing is done);
- a new key → the request runs, and its key row is inserted in the **same transaction**
  as the business write, with the response; both commit or neither does;
- the same key again with the same request (method, path, body bytes) → the stored
  response is replayed (header ``Idempotent-Replayed: true``), nothing runs again;
- the same key with a different request → 422 naming ``Idempotency-Key``;
- a twin arriving while the first is in flight waits on the key's unique index and then
  gets the replay (PostgreSQL blocks the second INSERT until the first commits; SQLite
  runs one writer at a time).

A request that fails (4xx raised by the service) stores nothing, so the client may fix
it and retry with the same key. Keys are per organisation; rows are kept (≥ 7 days).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import Response, jsonify, request
from sqlalchemy.orm import Mapped, mapped_column

from fundops.db import UTCDateTime, utcnow
from fundops.errors import ConflictError
from fundops.extensions import Model, db
from fundops.uow import Actor, unit_of_work

HEADER = "Idempotency-Key"
MAX_KEY = 255


class IdempotencyKey(Model):
    """A money-moving request already answered, per organisation and client key."""

    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY))
    request_sha256: Mapped[str] = mapped_column(sa.String(64))
    method: Mapped[str] = mapped_column(sa.String(10))
    path: Mapped[str] = mapped_column(sa.String(300))
    response_status: Mapped[int] = mapped_column(sa.Integer)
    response_body: Mapped[str] = mapped_column(sa.Text)
    response_location: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _error(status: int, code: str, message: str) -> Response:
    body = {"error": code, "message": message}
    if status == 422:
        body["field"] = HEADER
    response = jsonify(body)
    response.status_code = status
    return response


def _digest() -> str:
    material = b"\n".join([request.method.encode(), request.path.encode(),
                           request.get_data(cache=True)])
    return hashlib.sha256(material).hexdigest()


def _stored(actor: Actor, key: str) -> IdempotencyKey | None:
    return db.session.scalar(sa.select(IdempotencyKey).where(
        IdempotencyKey.organisation_id == actor.organisation_id, IdempotencyKey.key == key))


def _replay(row: IdempotencyKey, digest: str) -> Response:
    if row.request_sha256 != digest:
        return _error(422, "invalid", f"this {HEADER} was used for a different request")
    response = Response(row.response_body, status=row.response_status,
                        mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    if row.response_location:
        response.headers["Location"] = row.response_location
    return response


class _TwinKey(Exception):
    """The key was taken by a request that committed first (raised inside the unit of work
    so that it rolls back)."""


def once(actor: Actor, produce: Callable[[], Response]) -> Response:
    """Run ``produce`` (parse the body, call the service, build the response) at most once
    per (organisation, Idempotency-Key); see the module docstring."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return _error(400, "idempotency_key_required",
                      f"send an {HEADER} header (a unique value per operation)")
    if len(key) > MAX_KEY or not key.isprintable():
        return _error(400, "bad_idempotency_key",
                      f"the {HEADER} must be at most {MAX_KEY} printable characters")
    digest = _digest()
    earlier = _stored(actor, key)
    if earlier is not None:
        return _replay(earlier, digest)
    try:
        with unit_of_work():  # outermost: the services' units of work join this one
            row = IdempotencyKey(organisation_id=actor.organisation_id, key=key,
                                 request_sha256=digest, method=request.method,
                                 path=request.path[:300], response_status=0, response_body="")
            db.session.add(row)
            try:
                db.session.flush()  # the transaction's first write: a concurrent twin waits here
            except sa.exc.IntegrityError:
                raise _TwinKey from None  # (no savepoint: pysqlite would commit one early)
            try:
                response = produce()
            except sa.exc.IntegrityError:  # a unique rule hit by a concurrent, other request
                raise ConflictError("concurrent_change") from None
            row.response_status = response.status_code
            row.response_body = response.get_data(as_text=True)
            row.response_location = response.headers.get("Location")
    except _TwinKey:
        twin = _stored(actor, key)
        if twin is None:
            raise RuntimeError("idempotency key conflict without a stored row") from None
        return _replay(twin, digest)
    return response
