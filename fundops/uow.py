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
from fundops.roles import Role

_depth: ContextVar[int] = ContextVar("fundops_uow_depth", default=0)

FirstWrite = Callable[[], Callable[[], None] | None]
_first_write: list[FirstWrite] = []


def on_first_write(hook: FirstWrite) -> None:
    """Register ``hook`` to run first inside every outermost unit of work (idempotent).

    The web layer registers its one-time form token claim here (:mod:`fundops.web.formtokens`),
    so this core module need not import the web package. The hook returns a callback to run
    after the commit, or None.
    """
    if hook not in _first_write:
        _first_write.append(hook)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a use case: recorded in the audit trail and used for scoping.

    ``role`` is always a :class:`~fundops.roles.Role` (its string value is accepted and
    converted; an unknown role raises ``ValueError``).
    """

    user_id: int | None
    organisation_id: int
    role: Role
    auth_method: str = "session"

    def __post_init__(self) -> None:
        # callers may pass the role's stored text; keep the enum
        object.__setattr__(self, "role", Role(self.role))


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run a block as one transaction.

    The outermost block commits on success; any exception rolls the whole session
    back and propagates. Nested blocks (a service calling another) join the outer one.
    The outermost block first runs the hooks registered with :func:`on_first_write` (in a
    web request whose form token is armed, :mod:`fundops.web.formtokens` inserts the token),
    so a resubmitted form cannot act twice.
    """
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        committed = [cb for hook in _first_write if (cb := hook()) is not None] \
            if depth == 0 else []
        yield
        if depth == 0:
            db.session.commit()
            for callback in committed:
                callback()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        _depth.reset(token)


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
