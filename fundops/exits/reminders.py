"""Reminders of what is coming up on a fund's exits, raised by the daily job.

A reminder is raised once, on the first daily run within ``LOOKAHEAD_DAYS`` before its
due date (or on the due date itself if the job did not run earlier), for:

* a listed holding's lock-up end (``ipo_listing.lockup_ends_on``), while the holding is open;
* an exit's escrow or holdback due date (``exit_event.escrow_due_on``) while part of the
  escrow is neither released nor forfeited;
* an open buy-back claim's trigger date (``buyback_claim.triggered_on``) recorded ahead;
* each later sell-down window of a listing with reverse-linkage limits (the fixed windows
  of the centralised-bidding schedule from the unlock date, :func:`fundops.exits.ipo.
  listing_terms`; the first window opens at the lock-up end, reminded as such) while the
  fund still holds shares of it;
* a buy-out option's window opening and closing (``buyout_option.window_from`` /
  ``window_to``) while the holder still has a commitment in the fund.

Exactly once: the row is unique per (kind, object, due date) and is inserted under the
fund's lock after re-reading what is already raised, so a rerun of the day or a second
runner adds nothing. The fund page shows a fund's reminders from the lookahead until
``SHOW_AFTER_DAYS`` after the due date, while the matter is still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from fundops.calc.lockup import TradeChannel
from fundops.exits.enums import ClaimStatus, ReminderKind
from fundops.exits.ipo import listing_terms, shares_held_on
from fundops.exits.models import (
    BuybackClaim,
    BuyoutOption,
    EscrowRelease,
    ExitEvent,
    ExitReminder,
    IpoListing,
)
from fundops.exits.positions import live_exit
from fundops.extensions import db
from fundops.portfolio.ledger_services import lock_fund
from fundops.portfolio.models import Commitment
from fundops.uow import unit_of_work

__all__ = [
    "LOOKAHEAD_DAYS", "SHOW_AFTER_DAYS", "Due", "funds_with_due_reminders", "open_reminders",
    "raise_fund_reminders",
]

LOOKAHEAD_DAYS = 30
SHOW_AFTER_DAYS = 30


@dataclass(frozen=True)
class Due:
    """One reminder that is due to be raised (or shown)."""

    fund_id: int
    kind: ReminderKind
    object_id: int
    company_id: int | None
    due_on: date


def _escrow_open() -> sa.ColumnElement[bool]:
    """Exit events (not reversed, not reversals) with escrow neither released nor forfeited."""
    # a release's reversal row carries the negated amount, so the sum nets out
    settled = (sa.select(sa.func.coalesce(sa.func.sum(EscrowRelease.amount), 0))
               .where(EscrowRelease.exit_event_id == ExitEvent.id)
               .scalar_subquery())
    return sa.and_(ExitEvent.escrow_amount > 0, ExitEvent.escrow_due_on.is_not(None),
                   live_exit(),
                   settled < ExitEvent.escrow_amount)


def _holding_open() -> sa.ColumnElement[bool]:
    """The listing's holding has no live closing exit event."""
    closing = sa.select(ExitEvent.id).where(
        ExitEvent.fund_id == IpoListing.fund_id, ExitEvent.company_id == IpoListing.company_id,
        ExitEvent.closes_holding.is_(True), live_exit())
    return ~sa.exists(closing)


def _candidates(lo: date, hi: date, fund_id: int | None) -> list[Due]:
    """Matters still open whose due date lies in [lo, hi]."""
    queries: list[tuple[ReminderKind, Any]] = [
        (ReminderKind.LOCKUP_END, sa.select(
            IpoListing.fund_id, IpoListing.id, IpoListing.company_id, IpoListing.lockup_ends_on)
         .where(IpoListing.lockup_ends_on.between(lo, hi), _holding_open())),
        (ReminderKind.ESCROW_DUE, sa.select(
            ExitEvent.fund_id, ExitEvent.id, ExitEvent.company_id, ExitEvent.escrow_due_on)
         .where(ExitEvent.escrow_due_on.between(lo, hi), _escrow_open())),
        (ReminderKind.BUYBACK_TRIGGER, sa.select(
            BuybackClaim.fund_id, BuybackClaim.id, BuybackClaim.company_id,
            BuybackClaim.triggered_on)
         .where(BuybackClaim.triggered_on.between(lo, hi),
                BuybackClaim.status == ClaimStatus.OPEN)),
    ]
    out = []
    for kind, query in queries:
        scoped = query if fund_id is None else query.where(query.selected_columns[0] == fund_id)
        out += [Due(f, kind, o, c, d) for f, o, c, d in db.session.execute(scoped)]
    return sorted(out + _window_openings(lo, hi, fund_id) + _buyout_windows(lo, hi, fund_id),
                  key=_order)


def _order(d: Due) -> tuple[int, date, str, int]:
    return d.fund_id, d.due_on, d.kind.value, d.object_id


def _window_openings(lo: date, hi: date, fund_id: int | None) -> list[Due]:
    """Later sell-down windows (index ≥ 1) of open listings opening in [lo, hi]."""
    query = sa.select(IpoListing).where(IpoListing.lockup_ends_on < hi, _holding_open())
    if fund_id is not None:
        query = query.where(IpoListing.fund_id == fund_id)
    out = []
    for listing in db.session.scalars(query):
        for window in listing_terms(listing).schedule[TradeChannel.BIDDING][1:]:
            if lo <= window.starts_on <= hi and shares_held_on(listing, lo) > 0:
                out.append(Due(listing.fund_id, ReminderKind.SELLDOWN_WINDOW, listing.id,
                               listing.company_id, window.starts_on))
    return out


def _buyout_windows(lo: date, hi: date, fund_id: int | None) -> list[Due]:
    """Buy-out option windows opening or closing in [lo, hi], the holder still in."""
    committed = (sa.select(sa.func.coalesce(sa.func.sum(Commitment.amount), 0))
                 .where(Commitment.fund_id == BuyoutOption.fund_id,
                        Commitment.investor_id == BuyoutOption.holder_id)
                 .scalar_subquery())
    query = sa.select(BuyoutOption).where(
        sa.or_(BuyoutOption.window_from.between(lo, hi), BuyoutOption.window_to.between(lo, hi)),
        committed > 0)
    if fund_id is not None:
        query = query.where(BuyoutOption.fund_id == fund_id)
    out = []
    for option in db.session.scalars(query):
        for kind, on in ((ReminderKind.BUYOUT_OPENS, option.window_from),
                         (ReminderKind.BUYOUT_CLOSES, option.window_to)):
            if lo <= on <= hi:
                out.append(Due(option.fund_id, kind, option.id, None, on))
    return out


def _raised(fund_id: int | None) -> set[tuple[ReminderKind, int, date]]:
    query = sa.select(ExitReminder.kind, ExitReminder.object_id, ExitReminder.due_on)
    if fund_id is not None:
        query = query.where(ExitReminder.fund_id == fund_id)
    return {(k, o, d) for k, o, d in db.session.execute(query)}


def _missing(when: date, fund_id: int | None) -> list[Due]:
    due = _candidates(when, when + timedelta(days=LOOKAHEAD_DAYS), fund_id)
    raised = _raised(fund_id)
    return [d for d in due if (d.kind, d.object_id, d.due_on) not in raised]


def funds_with_due_reminders(when: date) -> list[int]:
    """The daily job's finder: funds with a reminder to raise on business date ``when``."""
    return sorted({d.fund_id for d in _missing(when, None)})


def raise_fund_reminders(fund_id: int, when: date) -> bool:
    """The daily job's action for one fund: insert its missing reminders (under the fund's
    lock, re-read); False if another run raised them meanwhile."""
    with unit_of_work():
        lock_fund(fund_id)
        missing = _missing(when, fund_id)
        for d in missing:
            db.session.add(ExitReminder(fund_id=d.fund_id, company_id=d.company_id,
                                        kind=d.kind, object_id=d.object_id, due_on=d.due_on,
                                        raised_on=when))
        db.session.flush()
    return bool(missing)


@dataclass(frozen=True)
class ShownReminder:
    kind: ReminderKind
    subject: str  # the company, or the option holder for a buy-out window
    due_on: date
    days: int  # days until due (negative: overdue)


def open_reminders(fund_id: int, today: date) -> list[ShownReminder]:
    """The fund's raised reminders still open, due from ``SHOW_AFTER_DAYS`` ago onward."""
    live = {(d.kind, d.object_id, d.due_on) for d in _candidates(
        today - timedelta(days=SHOW_AFTER_DAYS), date.max, fund_id)}
    rows = db.session.scalars(sa.select(ExitReminder).where(
        ExitReminder.fund_id == fund_id,
        ExitReminder.due_on >= today - timedelta(days=SHOW_AFTER_DAYS))
        .order_by(ExitReminder.due_on, ExitReminder.id))
    return [ShownReminder(r.kind, _subject(r), r.due_on, (r.due_on - today).days)
            for r in rows if (r.kind, r.object_id, r.due_on) in live]


def _subject(reminder: ExitReminder) -> str:
    if reminder.company is not None:
        return reminder.company.name
    option = db.session.get(BuyoutOption, reminder.object_id)
    return option.holder.name if option is not None else ""
