"""Unit of work: one commit per use case, rollback on any error; re-entrant."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from fundops.db import Base
from fundops.extensions import db

_depth: ContextVar[int] = ContextVar("fundops_uow_depth", default=0)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a use case: recorded in the audit trail and used for scoping."""

    user_id: int | None
    organisation_id: int
    role: str
    auth_method: str = "session"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run a block as one transaction.

    The outermost block commits on success; any exception rolls the whole session
    back and propagates. Nested blocks (a service calling another) join the outer one.
    In a web request whose form token is armed, the outermost block first inserts the
    token (:mod:`fundops.web.formtokens`), so a resubmitted form cannot act twice.
    """
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        committed = _claim_form_token() if depth == 0 else None
        yield
        if depth == 0:
            db.session.commit()
            if committed is not None:
                committed()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        _depth.reset(token)


def _claim_form_token() -> Callable[[], None] | None:
    """The web form's one-time token as the transaction's first write (None outside a
    request or without an armed token); returns the after-commit callback."""
    from flask import has_request_context

    if not has_request_context():
        return None
    from fundops.web.formtokens import claim_armed

    return claim_armed()


def lock_row(model: type[Base], row_id: int) -> None:
    """Take the write lock on one row for the rest of the current transaction.

    A no-op UPDATE (``SET id = id``): on PostgreSQL it takes the row lock, so concurrent
    writers of the same row queue until commit; on SQLite it starts the write transaction,
    so every later read in it sees the latest committed data and other writers wait.
    (``SELECT … FOR UPDATE`` would silently lock nothing on SQLite.) Call it first inside a
    unit of work, then read what the decision depends on.
    """
    table = model.__table__
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to one table")
    db.session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))


def updated_rows(statement: sa.Update) -> int:
    """Run an UPDATE in the current transaction; return the number of rows it matched.

    The conditional UPDATE is how a check-then-write is made atomic (``WHERE status =
    'applied'``, ``WHERE reserved + amount <= limit``): 0 means another writer won.
    """
    result = db.session.execute(statement)
    if not isinstance(result, CursorResult):  # an UPDATE always executes to a cursor result
        raise TypeError(f"{type(result).__name__} has no row count")
    return result.rowcount
