"""Unit of work: one commit per use case, rollback on any error; re-entrant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

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
    """
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        yield
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        _depth.reset(token)
