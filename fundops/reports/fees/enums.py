"""Statuses and kinds of the fee drafts; values are the stored strings. (The fee terms'
kinds — base, frequency, timing, source — are in :mod:`fundops.calc.fees`.)"""

from __future__ import annotations

import enum


class DraftStatus(enum.StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    DISCARDED = "discarded"


class LineKind(enum.StrEnum):
    REGULAR = "regular"  # the period's fee, split among the LPs
    CATCH_UP = "catch_up"  # a late closer's fee for the periods before it joined
