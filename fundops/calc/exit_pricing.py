"""Prices of exits agreed by formula: buy-backs, early exits, transfers (domain-rules §5.3–5.6).

The kinds are defined here so the stored values and the calculation share one list.
"""

from __future__ import annotations

import enum

__all__ = ["InterestMethod"]


class InterestMethod(enum.StrEnum):
    """How an agreed return accrues: ``simple`` = P × (1 + r × years),
    ``compound`` = P × (1 + r) ** years."""

    SIMPLE = "simple"
    COMPOUND = "compound"
