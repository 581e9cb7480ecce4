"""The roles a user holds inside its organisation, as the service layer sees them.

A core module (like :mod:`fundops.uow`, whose :class:`~fundops.uow.Actor` carries one):
``fundops.auth.models`` stores a user's role with this enum, and every feature checks an
actor's role against it without importing the auth models. Values are the strings stored
in ``user_account.role`` and written in exchange files.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A user's role inside its organisation."""

    ADMIN = "admin"
    MAKER = "maker"
    CHECKER = "checker"
    VIEWER = "viewer"


WRITER_ROLES = frozenset({Role.ADMIN, Role.MAKER})
"""Roles that may record and change data."""

CHECKER_ROLES = frozenset({Role.ADMIN, Role.CHECKER})
"""Roles that decide held approval requests and see every request of the organisation."""
