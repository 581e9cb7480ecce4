"""Tables of the exit stage.

``exit_event`` and ``escrow_release`` are append-only like the ledger (database triggers):
a correction is a new row whose ``reverses_id`` names the row it cancels, and the ledger
entries it posted are reversed through :func:`fundops.portfolio.ledger_services.reverse_entry`.

Amounts are in the row's currency with 2 decimals; share counts have 4 decimals;
rates are fractions (0.08 = 8 %) with 8 decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.calc.exit_pricing import InterestMethod
from fundops.calc.lockup import HolderCategory, TradeChannel
from fundops.calc.transfer_pricing import InterestBase
from fundops.db import Money, Quantity, Rate, UTCDateTime, enum_column, utcnow
from fundops.exits.enums import (
    BuybackTrigger,
    ClaimStatus,
    EscrowOutcome,
    ExitKind,
    ObligorKind,
    ReminderKind,
)
from fundops.exits.transfer_enums import (
    EarlyExitTrigger,
    EligibleBuyers,
    PriceBasis,
    TransferKind,
    TransferPlatform,
)
from fundops.exits.waterfall_models import (  # re-exported: every exit table is here
    WATERFALL_APPEND_ONLY_TABLES,
    WaterfallBeneficiary,
    WaterfallConcession,
    WaterfallGpParty,
    WaterfallRun,
    WaterfallRunReversal,
    WaterfallSlice,
    WaterfallTerms,
)
from fundops.extensions import Model
from fundops.portfolio.models import Commitment, Company, Fund, Investor

__all__ = [
    "APPEND_ONLY_TABLES",
    "TRANSFER_APPEND_ONLY_TABLES",
    "WATERFALL_APPEND_ONLY_TABLES",
    "BuybackClaim",
    "BuyoutOption",
    "EscrowRelease",
    "ExitEvent",
    "ExitReminder",
    "InterestTransfer",
    "IpoListing",
    "ListedPrice",
    "WaterfallBeneficiary",
    "WaterfallConcession",
    "WaterfallGpParty",
    "WaterfallRun",
    "WaterfallRunReversal",
    "WaterfallSlice",
    "WaterfallTerms",
]

APPEND_ONLY_TABLES = ("exit_event", "escrow_release")


class IpoListing(Model):
    """A holding's company listed on an exchange: the lock-up and sell-down terms.

    ``total_shares`` is the company's total share capital after the IPO (the base of the
    reverse-linkage percentages); ``shares_held`` the fund's shares at listing;
    ``investment_start_on`` the start of the investment period the reverse-linkage band
    is read from (the fund's first investment in the company, unless the user says
    otherwise). ``liquidity_discount_rate`` (optional) is taken off the market price
    while the shares are locked.
    """

    __tablename__ = "ipo_listing"
    __table_args__ = (sa.UniqueConstraint("fund_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    listed_on: Mapped[date] = mapped_column(sa.Date)
    exchange: Mapped[str] = mapped_column(sa.String(20))
    ticker: Mapped[str] = mapped_column(sa.String(20))
    total_shares: Mapped[Decimal] = mapped_column(Quantity())
    shares_held: Mapped[Decimal] = mapped_column(Quantity())
    holder_category: Mapped[HolderCategory] = mapped_column(enum_column(HolderCategory))
    qualifying_vc: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    investment_start_on: Mapped[date] = mapped_column(sa.Date)
    lockup_months: Mapped[int] = mapped_column(sa.Integer)
    lockup_ends_on: Mapped[date] = mapped_column(sa.Date)
    liquidity_discount_rate: Mapped[Decimal | None] = mapped_column(Rate())
    currency: Mapped[str] = mapped_column(sa.String(3))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    company: Mapped[Company] = relationship()


class ListedPrice(Model):
    """Closing price of a listed share on a trading day (public data, like index levels)."""

    __tablename__ = "listed_price"
    __table_args__ = (sa.UniqueConstraint("exchange", "ticker", "traded_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange: Mapped[str] = mapped_column(sa.String(20))
    ticker: Mapped[str] = mapped_column(sa.String(20))
    traded_on: Mapped[date] = mapped_column(sa.Date)
    close_price: Mapped[Decimal] = mapped_column(Quantity())
    currency: Mapped[str] = mapped_column(sa.String(3))


class BuybackClaim(Model):
    """A triggered buy-back (回购) right against the company or its founders.

    The claim accrues ``principal × (1 + rate × years)`` (simple) or
    ``principal × (1 + rate) ** years`` (compound) from ``accrues_from`` until paid, less
    the dividends received (see :mod:`fundops.calc.exit_pricing`). ``status`` moves
    open → settled (by its buy-back exit event) or open → withdrawn; each change is audited.
    """

    __tablename__ = "buyback_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    obligor_kind: Mapped[ObligorKind] = mapped_column(enum_column(ObligorKind))
    obligor_name: Mapped[str] = mapped_column(sa.String(200))
    trigger: Mapped[BuybackTrigger] = mapped_column(enum_column(BuybackTrigger))
    triggered_on: Mapped[date] = mapped_column(sa.Date)
    principal_amount: Mapped[Decimal] = mapped_column(Money())
    accrues_from: Mapped[date] = mapped_column(sa.Date)
    rate: Mapped[Decimal] = mapped_column(Rate())
    method: Mapped[InterestMethod] = mapped_column(enum_column(InterestMethod))
    dividends_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus), index=True)
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    company: Mapped[Company] = relationship()


class ExitEvent(Model):
    """One exit on a holding (fund × company): what was disposed of, for what, and the
    realised gain or loss against the average cost of the holding.

    ``proceeds_amount`` is the whole consideration, ``escrow_amount`` the part held back
    (paid later or never: :class:`EscrowRelease`); the difference was posted as a
    PROCEEDS ledger entry (``cash_flow_id``). ``cost_basis_amount`` is the disposed part's
    average cost; ``realised_gain_amount`` = consideration − cost basis (negative: a
    loss). ``value_before_amount`` is the holding's value just before the event (the
    latest valuation rolled forward); ``remaining_value_amount`` its fair value right after,
    recorded as a holding valuation at ``value_on`` (0 when ``closes_holding``); a reversal
    records ``value_before_amount`` again at ``value_on``.
    """

    __tablename__ = "exit_event"
    __table_args__ = (sa.Index("ix_exit_event_holding", "fund_id", "company_id", "value_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("company.id"), index=True)
    kind: Mapped[ExitKind] = mapped_column(enum_column(ExitKind))
    value_on: Mapped[date] = mapped_column(sa.Date)
    shares: Mapped[Decimal | None] = mapped_column(Quantity())
    fraction_disposed: Mapped[Decimal] = mapped_column(Rate())
    price_per_share: Mapped[Decimal | None] = mapped_column(Quantity())
    proceeds_amount: Mapped[Decimal] = mapped_column(Money())
    escrow_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    escrow_due_on: Mapped[date | None] = mapped_column(sa.Date)
    cost_basis_amount: Mapped[Decimal] = mapped_column(Money())
    realised_gain_amount: Mapped[Decimal] = mapped_column(Money())
    value_before_amount: Mapped[Decimal] = mapped_column(Money())
    remaining_value_amount: Mapped[Decimal] = mapped_column(Money())
    closes_holding: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    currency: Mapped[str] = mapped_column(sa.String(3))
    counterparty: Mapped[str] = mapped_column(sa.String(200), default="")
    channel: Mapped[TradeChannel | None] = mapped_column(enum_column(TradeChannel))
    listing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ipo_listing.id"), index=True)
    buyback_claim_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("buyback_claim.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    approval_doc: Mapped[str] = mapped_column(sa.String(200), default="")
    tolerated: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    cash_flow_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    distribution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cash_flow.id"), unique=True)
    holding_valuation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("holding_valuation.id"), unique=True)
    source_ref: Mapped[str | None] = mapped_column(sa.String(100))
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exit_event.id"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    company: Mapped[Company] = relationship()
    listing: Mapped[IpoListing | None] = relationship()
    buyback_claim: Mapped[BuybackClaim | None] = relationship()


class EscrowRelease(Model):
    """The end of (part of) an exit's escrow: released to the fund (a PROCEEDS entry,
    ``cash_flow_id``) or forfeited (no cash; a realised loss of that amount)."""

    __tablename__ = "escrow_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    exit_event_id: Mapped[int] = mapped_column(sa.ForeignKey("exit_event.id"), index=True)
    value_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    outcome: Mapped[EscrowOutcome] = mapped_column(enum_column(EscrowOutcome))
    cash_flow_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("escrow_release.id"), unique=True)
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    exit_event: Mapped[ExitEvent] = relationship()


class ExitReminder(Model):
    """Something coming up on a fund's exits, raised once by the daily job.

    One row per (kind, object, due date): the job's second run on a day, or a second
    runner, finds the row and adds nothing. ``object_id`` is the listing (lock-up end,
    sell-down window), the exit event (escrow due), the buy-back claim (trigger date) or
    the buy-out option (its window opening and closing; no company then).
    """

    __tablename__ = "exit_reminder"
    __table_args__ = (sa.UniqueConstraint("kind", "object_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("company.id"))
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    object_id: Mapped[int] = mapped_column(sa.Integer)
    due_on: Mapped[date] = mapped_column(sa.Date)
    raised_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    company: Mapped[Company | None] = relationship()


# --- LP-interest transfers (份额转让) and the guidance fund's buy-out options -------------
# (kept at the end of the module: fundops.exits.transfers writes them)


TRANSFER_APPEND_ONLY_TABLES = ("interest_transfer",)


class BuyoutOption(Model):
    """A buy-out option (份额回购 / 受让, domain-rules §3.4) on the guidance LP's interest.

    Within ``window_from`` … ``window_to`` (inclusive) an eligible buyer (social LPs: the
    fund's LPs other than fiscal and guidance-fund capital; the GP: ``gp_investor_id``,
    the GP's own LP record) may buy the holder's interest at principal (its paid-in) +
    simple interest at ``rate`` from each contribution date − distributions received, at
    face value, floored at 0, on the ``interest_base`` principal
    (:func:`fundops.calc.transfer_pricing.cost_plus_interest`). Exercising it records an
    :class:`InterestTransfer` of kind ``buyout_option``. The row is never changed.
    """

    __tablename__ = "buyout_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    holder_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    window_from: Mapped[date] = mapped_column(sa.Date)
    window_to: Mapped[date] = mapped_column(sa.Date)
    eligible: Mapped[EligibleBuyers] = mapped_column(enum_column(EligibleBuyers))
    gp_investor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("investor.id"))
    rate: Mapped[Decimal] = mapped_column(Rate())
    interest_base: Mapped[InterestBase] = mapped_column(enum_column(InterestBase))
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    holder: Mapped[Investor] = relationship(foreign_keys=[holder_id])
    gp_investor: Mapped[Investor | None] = relationship(foreign_keys=[gp_investor_id])


class InterestTransfer(Model):
    """A transfer of (part of) an LP's interest in a fund to a buyer, on ``transfer_on``.

    The register changes from ``transfer_on``: the seller's commitment falls by
    ``commitment_amount`` and the buyer's rises by it (two commitment rows,
    ``seller_commitment_id`` −, ``buyer_commitment_id`` +), and the seller's paid-in moves
    to the buyer by an ``lp_transfer`` ledger entry of fund amount 0.00 allocating
    −``paid_in_amount`` to the seller and +``paid_in_amount`` to the buyer
    (``cash_flow_id``). ``fraction`` is the part of the seller's interest on the date
    (commitment and paid-in are that fraction of the seller's, to the fen).

    ``price_amount`` is paid buyer → seller outside the fund. ``formula_price_amount`` is
    what the formula of the kind gives (S-fund: ``reference_nav_amount × (1 −
    discount_rate)`` + ``calls_after_amount`` − ``distributions_after_amount``; buy-out
    and charter-priced early exit: cost plus interest at ``rate``); ``price_basis`` says
    which the price is. Append-only: a reversal is a new row whose ``reverses_id`` names
    the transfer, with its own reversing commitment rows and ledger entry.
    """

    __tablename__ = "interest_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    kind: Mapped[TransferKind] = mapped_column(enum_column(TransferKind))
    seller_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    transfer_on: Mapped[date] = mapped_column(sa.Date)
    fraction: Mapped[Decimal] = mapped_column(Rate())
    commitment_amount: Mapped[Decimal] = mapped_column(Money())
    paid_in_amount: Mapped[Decimal] = mapped_column(Money())
    price_basis: Mapped[PriceBasis] = mapped_column(enum_column(PriceBasis))
    price_amount: Mapped[Decimal] = mapped_column(Money())
    formula_price_amount: Mapped[Decimal | None] = mapped_column(Money())
    reference_on: Mapped[date | None] = mapped_column(sa.Date)
    reference_nav_amount: Mapped[Decimal | None] = mapped_column(Money())
    discount_rate: Mapped[Decimal | None] = mapped_column(Rate())
    calls_after_amount: Mapped[Decimal | None] = mapped_column(Money())
    distributions_after_amount: Mapped[Decimal | None] = mapped_column(Money())
    rate: Mapped[Decimal | None] = mapped_column(Rate())
    interest_base: Mapped[InterestBase | None] = mapped_column(enum_column(InterestBase))
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buyout_option.id"), index=True)
    trigger: Mapped[EarlyExitTrigger | None] = mapped_column(enum_column(EarlyExitTrigger))
    appraisal_ref: Mapped[str] = mapped_column(sa.String(200), default="")
    platform: Mapped[TransferPlatform | None] = mapped_column(enum_column(TransferPlatform))
    currency: Mapped[str] = mapped_column(sa.String(3))
    seller_commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitment.id"), unique=True)
    buyer_commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment.id"), unique=True)
    cash_flow_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    reverses_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("interest_transfer.id"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    seller: Mapped[Investor] = relationship(foreign_keys=[seller_id])
    buyer: Mapped[Investor] = relationship(foreign_keys=[buyer_id])
    option: Mapped[BuyoutOption | None] = relationship()
    seller_commitment: Mapped[Commitment] = relationship(foreign_keys=[seller_commitment_id])
    buyer_commitment: Mapped[Commitment] = relationship(foreign_keys=[buyer_commitment_id])
