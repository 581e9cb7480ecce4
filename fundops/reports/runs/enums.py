"""Kinds and statuses of report runs (stored as their values)."""

from __future__ import annotations

import enum


class RunSubject(enum.StrEnum):
    """What a report pack is about: one fund, or one organisation (a bank's loan book)."""

    FUND = "fund"
    ORGANISATION = "organisation"


class RunStatus(enum.StrEnum):
    """``current``: the latest version of its (kind, subject, quarter); ``superseded``: a
    later version was made after a correction (set in the transaction that makes it)."""

    CURRENT = "current"
    SUPERSEDED = "superseded"


class RunState(enum.StrEnum):
    """What one request to run a pack did (not stored: the answer of the service)."""

    NEW = "new"  # the first run of its (kind, subject, quarter)
    UNCHANGED = "unchanged"  # same inputs as the latest version: that run is returned
    NEW_VERSION = "new_version"  # inputs changed since the latest version: N + 1
    EXISTS = "exists"  # the scheduler's "only if missing": a run exists, nothing done
