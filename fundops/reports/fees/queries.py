"""Reads of the fee engine for pages, the API and the services (no writes)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from fundops.calc.fees import FeePeriod, Tier
from fundops.errors import NotFound
from fundops.extensions import db
from fundops.reports.fees.enums import DraftStatus
from fundops.reports.fees.models import FeeDraft, FeeTerms


def _latest(fund_id: int, on: date) -> FeeTerms | None:
    return db.session.scalars(
        sa.select(FeeTerms).where(FeeTerms.fund_id == fund_id, FeeTerms.effective_on <= on)
        .order_by(FeeTerms.effective_on.desc(), FeeTerms.id.desc()).limit(1)).first()


def terms_on(fund_id: int, on: date) -> FeeTerms | None:
    """The version in force on ``on``: latest ``effective_on`` ≤ ``on``, then latest row."""
    return _latest(fund_id, on)


def terms_for(fund_id: int, period: FeePeriod) -> FeeTerms | None:
    """The version governing ``period``: the latest effective on or before the period's
    last day (a version effective mid-period governs the whole period; its tiers' dates
    say which days are charged)."""
    return _latest(fund_id, period.end)


def terms_history(fund_id: int) -> list[FeeTerms]:
    """Every version, newest first (effective date, then recording order)."""
    return list(db.session.scalars(
        sa.select(FeeTerms).where(FeeTerms.fund_id == fund_id)
        .order_by(FeeTerms.effective_on.desc(), FeeTerms.id.desc())))


def calc_tiers(terms: FeeTerms) -> list[Tier]:
    """The version's tiers as the calculation takes them."""
    return [Tier(t.basis, t.rate, t.from_on, t.to_on) for t in terms.tiers]


def list_drafts(fund_id: int) -> list[FeeDraft]:
    """The fund's drafts (live, posted and discarded), newest period first."""
    return list(db.session.scalars(
        sa.select(FeeDraft).where(FeeDraft.fund_id == fund_id)
        .order_by(FeeDraft.period_start.desc(), FeeDraft.id.desc())))


def get_draft(fund_id: int, draft_id: int, *, fresh: bool = False) -> FeeDraft:
    """The fund's draft ``draft_id`` (another fund's: not found); ``fresh`` re-reads its
    row from the database (after taking the lock)."""
    query = sa.select(FeeDraft).where(FeeDraft.id == draft_id, FeeDraft.fund_id == fund_id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    draft = db.session.scalars(query).first()
    if draft is None:
        raise NotFound("fee_draft_not_found", draft_id=draft_id)
    return draft


def live_draft(fund_id: int, period: FeePeriod) -> FeeDraft | None:
    """The period's draft that is live (a draft or posted), if any."""
    return db.session.scalars(sa.select(FeeDraft).where(
        FeeDraft.fund_id == fund_id, FeeDraft.live_period == str(period))).first()


def periods_with_drafts(fund_id: int) -> set[str]:
    """Periods that have a draft of any status (the scheduler leaves them alone)."""
    return set(db.session.scalars(sa.select(FeeDraft.period).where(
        FeeDraft.fund_id == fund_id).distinct()))


def funds_with_terms() -> list[int]:
    return sorted(set(db.session.scalars(sa.select(FeeTerms.fund_id).distinct())))


def is_live(draft: FeeDraft) -> bool:
    return draft.status is DraftStatus.DRAFT
