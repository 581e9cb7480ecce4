"""Tables of the distribution waterfall (append-only; database triggers, migration
0018_waterfalls): versioned terms per fund with their GP-commitment parties and 让利 tiers,
and each run with every party's slice and its reversal. Read by
:mod:`fundops.exits.waterfalls` and :mod:`fundops.exits.waterfall_history`.

Amounts are in the row's currency with 2 decimals; rates are fractions with 8 decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundops.calc.waterfall_terms import CapitalBasis, ConcessionPlacement, Hurdle, Structure
from fundops.db import Money, Rate, UTCDateTime, enum_column, utcnow
from fundops.exits.enums import ConcessionCondition
from fundops.extensions import Model
from fundops.portfolio.models import Company, Fund, Investor

WATERFALL_APPEND_ONLY_TABLES = ("waterfall_terms", "waterfall_gp_party", "waterfall_concession",
                                "waterfall_beneficiary", "waterfall_run", "waterfall_slice",
                                "waterfall_run_reversal")


class WaterfallTerms(Model):
    """One version of a fund's distribution-waterfall terms (append-only): the version
    with the latest ``effective_on`` on or before a run's date applies (the later row on
    the same date supersedes). Rates are fractions; ``catch_up_rate`` None = no catch-up.
    ``carry_recipient_id``: the investor record receiving the carry (committed to the
    fund; if it paid in, its own share takes no carry)."""

    __tablename__ = "waterfall_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    effective_on: Mapped[date] = mapped_column(sa.Date)
    structure: Mapped[Structure] = mapped_column(enum_column(Structure))
    capital_basis: Mapped[CapitalBasis] = mapped_column(enum_column(CapitalBasis))
    hurdle: Mapped[Hurdle] = mapped_column(enum_column(Hurdle))
    hurdle_rate: Mapped[Decimal] = mapped_column(Rate())
    catch_up_rate: Mapped[Decimal | None] = mapped_column(Rate())
    carry_rate: Mapped[Decimal] = mapped_column(Rate())
    holdback_rate: Mapped[Decimal] = mapped_column(Rate())
    concession_placement: Mapped[ConcessionPlacement] = mapped_column(
        enum_column(ConcessionPlacement))
    carry_recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    carry_recipient: Mapped[Investor] = relationship()
    gp_parties: Mapped[list[WaterfallGpParty]] = relationship(
        order_by="WaterfallGpParty.investor_id")
    concessions: Mapped[list[WaterfallConcession]] = relationship(
        order_by="WaterfallConcession.position")


class WaterfallGpParty(Model):
    """An investor of the fund whose share takes no carry (the GP's commitment)."""

    __tablename__ = "waterfall_gp_party"

    terms_id: Mapped[int] = mapped_column(sa.ForeignKey("waterfall_terms.id"),
                                          primary_key=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), primary_key=True)

    investor: Mapped[Investor] = relationship()


class WaterfallConcession(Model):
    """A 让利 tier of a terms version: ``government_id`` keeps principal + simple interest
    at ``threshold_rate`` and cedes ``share_rate`` of the excess to the beneficiaries;
    with a ``condition``, only in runs that list it as met."""

    __tablename__ = "waterfall_concession"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms_id: Mapped[int] = mapped_column(sa.ForeignKey("waterfall_terms.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    government_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), index=True)
    threshold_rate: Mapped[Decimal] = mapped_column(Rate())
    share_rate: Mapped[Decimal] = mapped_column(Rate())
    condition: Mapped[ConcessionCondition | None] = mapped_column(
        enum_column(ConcessionCondition))

    government: Mapped[Investor] = relationship()
    beneficiaries: Mapped[list[WaterfallBeneficiary]] = relationship(
        order_by="WaterfallBeneficiary.investor_id")


class WaterfallBeneficiary(Model):
    """A beneficiary of a 让利 tier with its weight (> 0; the ceded amount splits by
    weight)."""

    __tablename__ = "waterfall_beneficiary"

    concession_id: Mapped[int] = mapped_column(sa.ForeignKey("waterfall_concession.id"),
                                               primary_key=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), primary_key=True)
    weight: Mapped[Decimal] = mapped_column(Rate())

    investor: Mapped[Investor] = relationship()


class WaterfallRun(Model):
    """One distribution run through the waterfall: ``amount`` distributable, of which
    ``escrow_amount`` (the holdback of the carry) stays in the fund and the rest was posted
    as one DISTRIBUTION ledger entry (``cash_flow_id``). ``company_id``: the deal of a
    deal-by-deal run. ``conditions``: the 让利 conditions met, comma-separated values."""

    __tablename__ = "waterfall_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    terms_id: Mapped[int] = mapped_column(sa.ForeignKey("waterfall_terms.id"), index=True)
    cash_flow_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("company.id"), index=True)
    value_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    carry_amount: Mapped[Decimal] = mapped_column(Money())
    escrow_amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(sa.String(3))
    conditions: Mapped[str] = mapped_column(sa.String(200), default="")
    memo: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship()
    terms: Mapped[WaterfallTerms] = relationship()
    company: Mapped[Company | None] = relationship()
    slices: Mapped[list[WaterfallSlice]] = relationship(order_by="WaterfallSlice.investor_id")


class WaterfallSlice(Model):
    """One party's tier-by-tier breakdown in a run (fen; every field of
    :class:`fundops.calc.waterfall_terms.Slice`) and ``payment_amount``, the cash it got
    (the carry recipient: its slice + the carry − the escrow)."""

    __tablename__ = "waterfall_slice"

    run_id: Mapped[int] = mapped_column(sa.ForeignKey("waterfall_run.id"), primary_key=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investor.id"), primary_key=True)
    capital: Mapped[Decimal] = mapped_column(Money())
    pref: Mapped[Decimal] = mapped_column(Money())
    catch_up: Mapped[Decimal] = mapped_column(Money())
    split: Mapped[Decimal] = mapped_column(Money())
    carry_catch_up: Mapped[Decimal] = mapped_column(Money())
    carry_split: Mapped[Decimal] = mapped_column(Money())
    concession_in: Mapped[Decimal] = mapped_column(Money())
    concession_out: Mapped[Decimal] = mapped_column(Money())
    ceded_before_carry: Mapped[Decimal] = mapped_column(Money())
    payment_amount: Mapped[Decimal] = mapped_column(Money())

    investor: Mapped[Investor] = relationship()


class WaterfallRunReversal(Model):
    """The reversal of a run (append-only): its ledger entry was reversed by
    ``cash_flow_id``; later runs ignore the run's slices."""

    __tablename__ = "waterfall_run_reversal"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("waterfall_run.id"), unique=True)
    cash_flow_id: Mapped[int] = mapped_column(sa.ForeignKey("cash_flow.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
