"""Helpers shared by the linked-lending API modules (:mod:`.term_sheets.api`,
:mod:`.loans.api`, :mod:`.pools.api`): references given in a body, and a record seen by
one caller (its attributes plus what the response adds for that caller)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fundops.errors import NotFound, ValidationError


def usable(lookup: Callable[[], object], field: str, code: str) -> None:
    """A reference given in the body: one the caller cannot use is a 422 on ``field``
    with ``code`` (the same answer whether it does not exist or belongs to someone else)."""
    try:
        lookup()
    except NotFound:
        raise ValidationError(field, code) from None


class Seen:
    """``record`` with extra attributes for a response schema to dump (``is_owner``,
    amounts arrived, the loan's schedule …); every other attribute is the record's."""

    def __init__(self, record: object, **extra: Any) -> None:
        self._record = record
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._record, name)
