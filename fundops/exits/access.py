"""Scoping of the exit objects: an exit event, escrow release or buy-back claim is reached
through its fund (``fund_id`` in every address), which the actor must see (or manage,
with ``write``); anything else is not found (404), never forbidden."""

from __future__ import annotations

from fundops.errors import NotFound
from fundops.exits.models import BuybackClaim, EscrowRelease, ExitEvent
from fundops.extensions import db
from fundops.portfolio.access import get_fund
from fundops.portfolio.models import Fund
from fundops.uow import Actor

__all__ = ["claim_of", "exit_of", "release_of"]


def exit_of(actor: Actor, fund_id: int, exit_id: int, *, write: bool = False
            ) -> tuple[Fund, ExitEvent]:
    """(fund, exit event of that fund)."""
    fund, _ = get_fund(actor, fund_id, write=write)
    event = db.session.get(ExitEvent, exit_id)
    if event is None or event.fund_id != fund.id:
        raise NotFound("exit_event_not_found", exit_event_id=exit_id)
    return fund, event


def release_of(actor: Actor, fund_id: int, release_id: int, *, write: bool = False
               ) -> tuple[Fund, EscrowRelease]:
    """(fund, escrow release of one of its exit events)."""
    fund, _ = get_fund(actor, fund_id, write=write)
    release = db.session.get(EscrowRelease, release_id)
    if release is None or release.exit_event.fund_id != fund.id:
        raise NotFound("escrow_release_not_found", release_id=release_id)
    return fund, release


def claim_of(actor: Actor, fund_id: int, claim_id: int, *, write: bool = False
             ) -> tuple[Fund, BuybackClaim]:
    """(fund, buy-back claim of that fund)."""
    fund, _ = get_fund(actor, fund_id, write=write)
    claim = db.session.get(BuybackClaim, claim_id)
    if claim is None or claim.fund_id != fund.id:
        raise NotFound("buyback_claim_not_found", claim_id=claim_id)
    return fund, claim
