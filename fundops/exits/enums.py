"""Kinds and statuses of the exit stage; values are the stored strings."""

from __future__ import annotations

import enum


class ExitKind(enum.StrEnum):
    """The route of an exit event on a holding (domain-rules §5.1)."""

    IPO_SALE = "ipo_sale"  # sale of listed shares after the lock-up (二级市场减持)
    TRADE_SALE = "trade_sale"  # M&A / trade sale (并购)
    EQUITY_TRANSFER = "equity_transfer"  # old-share transfer (老股转让)
    BUYBACK = "buyback"  # redemption / buy-back by the obligor (回购)
    LIQUIDATION = "liquidation"  # liquidation of the company (清算)
    WRITE_OFF = "write_off"  # write-off (核销)
    IN_KIND = "in_kind"  # in-kind distribution of listed shares to LPs (实物分配)


class ObligorKind(enum.StrEnum):
    """Who owes a buy-back (九民纪要 Art. 5: company buy-backs need a capital reduction)."""

    COMPANY = "company"
    FOUNDERS = "founders"  # founders / controlling shareholders


class BuybackTrigger(enum.StrEnum):
    NO_IPO_BY_DATE = "no_ipo_by_date"
    MISSED_PERFORMANCE = "missed_performance"
    MATERIAL_BREACH = "material_breach"
    OTHER = "other"


class ClaimStatus(enum.StrEnum):
    OPEN = "open"  # triggered, accruing until paid
    SETTLED = "settled"  # paid in full (its buy-back exit event exists)
    WITHDRAWN = "withdrawn"  # the fund waived or withdrew the claim


class EscrowOutcome(enum.StrEnum):
    RELEASED = "released"  # paid to the fund (a proceeds entry)
    FORFEITED = "forfeited"  # kept by the buyer (no cash)


class ReminderKind(enum.StrEnum):
    """What a reminder on a fund's page is about (raised by the daily job)."""

    LOCKUP_END = "lockup_end"  # a listed holding's lock-up ends
    ESCROW_DUE = "escrow_due"  # an exit's escrow or holdback is due for release
    BUYBACK_TRIGGER = "buyback_trigger"  # a buy-back claim's trigger date arrives
    SELLDOWN_WINDOW = "selldown_window"  # a reverse-linkage sell-down window opens
    BUYOUT_OPENS = "buyout_opens"  # a buy-out option's window opens (让利 / 份额受让)
    BUYOUT_CLOSES = "buyout_closes"  # a buy-out option's window closes


class ConcessionCondition(enum.StrEnum):
    """The policy indicator a 让利 tier may depend on; the run says whether it is met
    (the caller reads the fund's policy results, §3.3)."""

    REINVESTMENT = "reinvestment"  # 返投 target met
    EARLY_SMALL = "early_small"  # 投早投小 target met
