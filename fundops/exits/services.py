"""Exit use cases on a holding: trade sale / equity transfer (老股转让) with escrow,
escrow release or forfeit, liquidation and write-off (核销), and reversals.

Each one validates, then writes inside one ``unit_of_work()`` through the core writer
:func:`fundops.exits.postings.post_exit` (which takes the fund lock first, re-reads the
position and posts the proceeds); the average-cost method and the position definitions
are in :mod:`fundops.exits.positions`. Amounts are yuan (or the fund's currency) with 2
decimals, never rounded silently.

Escrow (托管 / 尾款): the part of a consideration held back at the sale. A release
(:func:`release_escrow`) within what is outstanding either pays it to the fund
(``released``: a PROCEEDS ledger entry dated the release) or ends it unpaid
(``forfeited``: no cash, a realised loss of that amount on the exit, shown net in the
queries). Released escrow is the price of shares already sold, not a return of the
remaining holding: while the holding is open, the release records the holding's value
on that date again so the later-proceeds roll-forward does not lower it.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.exits.enums import EscrowOutcome, ExitKind
from fundops.exits.models import EscrowRelease, ExitEvent
from fundops.exits.positions import business_today, holding_position, holding_value
from fundops.exits.postings import post_exit, reverse_exit
from fundops.extensions import db
from fundops.money import Money, parse_amount
from fundops.portfolio.access import get_company, get_fund
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, HoldingValuation
from fundops.portfolio.ledger_services import lock_fund, post_entry, reverse_entry
from fundops.portfolio.services import check_in_life, parse_enum, require_date, require_text
from fundops.uow import Actor, unit_of_work

__all__ = [
    "ESCROW_METHOD", "SALE_KINDS", "escrow_outstanding", "record_liquidation",
    "record_trade_sale", "release_escrow", "reverse_escrow_release", "reverse_exit",
]

ZERO = Decimal("0.00")
SALE_KINDS = (ExitKind.TRADE_SALE, ExitKind.EQUITY_TRANSFER)
CLOSING_KINDS = (ExitKind.LIQUIDATION, ExitKind.WRITE_OFF)
ESCROW_METHOD = "escrow release (托管释放)"
"""``HoldingValuation.method`` of the value an escrow release records again."""


def record_trade_sale(
    actor: Actor, fund_id: int, *, company_id: int, kind: str, value_on: object,
    consideration: object, shares: object | None = None, fraction: object | None = None,
    escrow: object = 0, escrow_due_on: object | None = None, counterparty: str = "",
    remaining_value: object | None = None, source_ref: str | None = None, memo: str = "",
) -> ExitEvent:
    """A trade sale (并购) or equity transfer (老股转让) of all or part of the holding for
    ``consideration`` (of which ``escrow`` is held back until released); neither shares
    nor fraction given: the whole holding."""
    fund, _ = get_fund(actor, fund_id, write=True)
    company = get_company(actor, int(company_id))
    sale = parse_enum(ExitKind, kind, "kind")
    if sale not in SALE_KINDS:
        raise ValidationError("kind", "exit_kind_not_sale", kind=sale)
    with unit_of_work():
        return post_exit(
            actor, fund, company, kind=sale, value_on=value_on, consideration=consideration,
            escrow=escrow, escrow_due_on=escrow_due_on, shares=shares, fraction=fraction,
            counterparty=counterparty, remaining_value=remaining_value,
            source_ref=source_ref, memo=memo)


def record_liquidation(
    actor: Actor, fund_id: int, *, company_id: int, kind: str, value_on: object,
    reason: str, approval_doc: str = "", proceeds: object = 0, tolerated: bool = False,
    counterparty: str = "", source_ref: str | None = None, memo: str = "",
) -> ExitEvent:
    """Liquidation (清算: ``proceeds`` ≥ 0 from the liquidator) or write-off (核销: no
    proceeds, an approval document required) of the whole holding; both close it. The
    realised loss is the remaining cost less any proceeds. ``tolerated`` marks a loss
    accepted under the loss-tolerance rules (容亏), which read it."""
    fund, _ = get_fund(actor, fund_id, write=True)
    company = get_company(actor, int(company_id))
    route = parse_enum(ExitKind, kind, "kind")
    if route not in CLOSING_KINDS:
        raise ValidationError("kind", "exit_kind_not_closing", kind=route)
    why = require_text(reason, "reason", 500)
    doc = str(approval_doc or "").strip()
    if route is ExitKind.WRITE_OFF:
        if not doc:
            raise ValidationError("approval_doc", "required")
        if proceeds not in (None, "", 0) and parse_amount(proceeds, "proceeds",
                                                          allow_zero=True) != 0:
            raise ValidationError("proceeds", "write_off_no_proceeds")
    with unit_of_work():
        return post_exit(
            actor, fund, company, kind=route, value_on=value_on,
            consideration=proceeds if proceeds not in (None, "") else 0, reason=why,
            approval_doc=doc[:200], tolerated=bool(tolerated), counterparty=counterparty,
            source_ref=source_ref, memo=memo)


def _live_event(actor: Actor, exit_event_id: int) -> ExitEvent:
    event = db.session.get(ExitEvent, exit_event_id)
    if event is None:
        raise NotFound("exit_event_not_found", exit_event_id=exit_event_id)
    get_fund(actor, event.fund_id, write=True)
    return event


def escrow_outstanding(event: ExitEvent) -> Decimal:
    """The event's escrow not yet released or forfeited (live releases only)."""
    rows = db.session.scalars(sa.select(EscrowRelease).where(
        EscrowRelease.exit_event_id == event.id)).all()
    undone = {r.reverses_id for r in rows if r.reverses_id is not None}
    done = sum((r.amount for r in rows if r.reverses_id is None and r.id not in undone), ZERO)
    return event.escrow_amount - done


def release_escrow(actor: Actor, exit_event_id: int, *, value_on: object, amount: object,
                   outcome: str, memo: str = "") -> EscrowRelease:
    """Release (paid to the fund: a PROCEEDS entry) or forfeit (no cash; a realised loss)
    ``amount`` of an exit's outstanding escrow on ``value_on`` (not before the exit, not
    after today). Audit: ``escrow_release.create``."""
    event = _live_event(actor, exit_event_id)
    fund, _ = get_fund(actor, event.fund_id, write=True)
    when = require_date(value_on, "value_on")
    how = parse_enum(EscrowOutcome, outcome, "outcome")
    total = parse_amount(amount, "amount")
    if event.reverses_id is not None:
        raise ValidationError("exit_event_id", "escrow_of_reversal")
    if when < event.value_on:
        raise ValidationError("value_on", "escrow_before_exit", on=when, exit_on=event.value_on)
    if when > business_today():
        raise ValidationError("value_on", "exit_in_future", on=when, today=business_today())
    check_in_life(fund, when, "value_on")
    with unit_of_work():
        lock_fund(fund.id)
        if db.session.scalar(sa.select(ExitEvent.id).where(ExitEvent.reverses_id == event.id)):
            raise ConflictError("exit_already_reversed", exit_event_id=event.id)
        left = escrow_outstanding(event)
        if total > left:
            raise ValidationError("amount", "escrow_above_outstanding",
                                  amount=Money(total, fund.currency),
                                  outstanding=Money(left, fund.currency))
        cash = None
        if how is EscrowOutcome.RELEASED:
            _keep_holding_value(actor, event, when)
            cash = post_entry(fund, actor, CashFlow(
                fund_id=fund.id, kind=CashFlowKind.PROCEEDS, value_on=when, amount=total,
                currency=fund.currency, counterparty=event.counterparty,
                company_id=event.company_id, memo=(memo.strip() or "escrow release")[:500],
                recorded_by_id=actor.user_id), None)
        release = EscrowRelease(
            exit_event_id=event.id, value_on=when, amount=total, currency=fund.currency,
            outcome=how, cash_flow_id=cash.id if cash else None, memo=memo.strip()[:500],
            recorded_by_id=actor.user_id)
        db.session.add(release)
        db.session.flush()
        record_by(actor, "escrow_release.create", "escrow_release", release.id, {
            "exit_event_id": event.id, "value_on": when, "amount": total,
            "outcome": how.value})
    return release


def _keep_holding_value(actor: Actor, event: ExitEvent, when: object) -> None:
    """While the holding is open, record its value on the release date again, so the
    released proceeds (the price of shares already sold) do not lower it."""
    on = require_date(when, "value_on")
    if holding_position(event.fund_id, event.company_id, on).closed:
        return
    value, _ = holding_value(event.fund_id, event.company_id, on)
    db.session.add(HoldingValuation(
        fund_id=event.fund_id, company_id=event.company_id, as_of=on,
        fair_value_amount=value, currency=event.currency, method=ESCROW_METHOD,
        recorded_by_id=actor.user_id))
    db.session.flush()


def reverse_escrow_release(actor: Actor, release_id: int, reason: str) -> EscrowRelease:
    """Append the reversal of an escrow release (negated amount, ``reverses_id``) and
    reverse its PROCEEDS entry; the escrow is outstanding again. Audit:
    ``escrow_release.reverse``."""
    original = db.session.get(EscrowRelease, release_id)
    if original is None:
        raise NotFound("escrow_release_not_found", release_id=release_id)
    event = _live_event(actor, original.exit_event_id)
    why = require_text(reason, "reason", 500)
    if original.reverses_id is not None:
        raise ValidationError("release_id", "exit_reversal_of_reversal")
    with unit_of_work():
        lock_fund(event.fund_id)
        if db.session.scalar(sa.select(EscrowRelease.id).where(
                EscrowRelease.reverses_id == original.id)):
            raise ConflictError("escrow_release_already_reversed", release_id=original.id)
        if original.cash_flow_id is not None:
            reverse_entry(actor, event.fund_id, original.cash_flow_id, why)
        reversal = EscrowRelease(
            exit_event_id=event.id, value_on=original.value_on, amount=-original.amount,
            currency=original.currency, outcome=original.outcome, memo=why,
            reverses_id=original.id, recorded_by_id=actor.user_id)
        db.session.add(reversal)
        db.session.flush()
        record_by(actor, "escrow_release.reverse", "escrow_release", reversal.id,
                  {"reverses_id": original.id, "amount": reversal.amount}, why)
    return reversal
