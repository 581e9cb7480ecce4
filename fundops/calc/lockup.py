"""IPO lock-ups and the sell-down of a listed holding (domain-rules §5.2).

The kinds are defined here so the stored values and the calculation share one list.
"""

from __future__ import annotations

import enum

__all__ = ["HolderCategory", "TradeChannel"]


class HolderCategory(enum.StrEnum):
    """Who holds the pre-IPO shares, which sets the lock-up (§5.2)."""

    GENERAL = "general"  # shares issued before the IPO: 12 months
    CONTROLLING = "controlling"  # controlling shareholder / actual controller: 36 months
    TOP_51 = "top_51"  # no actual controller, among the holders of the top 51 %: 36 months
    QUALIFYING_VC = "qualifying_vc"  # qualifying VC fund, not the largest holder: 12 months


class TradeChannel(enum.StrEnum):
    """How listed shares are sold; the reverse-linkage limits differ by channel."""

    BIDDING = "bidding"  # centralised bidding (集中竞价)
    BLOCK = "block"  # block trade (大宗交易)
