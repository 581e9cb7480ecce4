"""The core writer of the exit stage: one exit event on a holding, and its reversal.

Contract (every exit route — trade sale, equity transfer, buy-back, liquidation,
write-off, IPO sell-down, in-kind distribution — goes through :func:`post_exit`):

``post_exit(actor, fund, company, *, kind, value_on, consideration, escrow=0,
escrow_due_on=None, shares=None, fraction=None, price_per_share=None, channel=None,
listing_id=None, buyback_claim_id=None, counterparty='', reason='', approval_doc='',
tolerated=False, remaining_value=None, in_kind_distribution_id=None, source_ref=None,
memo='') -> ExitEvent``

- The caller has loaded ``fund`` for writing (``portfolio.access.get_fund(actor, id,
  write=True)``) and ``company`` (``get_company``) and calls it inside its
  ``unit_of_work()`` (the writer opens a nested one: one commit, the caller's). The
  writer takes ``lock_fund(fund.id)`` first, then re-reads the position
  (:func:`fundops.exits.positions.holding_position`) and decides.
- **Holding** = (fund, company); the position definitions (shares held, remaining cost by
  the average-cost method, value before, closed) are in :mod:`fundops.exits.positions`.
- **What is disposed of**: when the holding has recorded shares, give ``shares`` (4
  decimals, ≤ shares held) *or* ``fraction`` (then shares = held × fraction, rounded
  half-up to 4 decimals); fraction_disposed = shares ÷ held (8 decimals). When no
  share count was ever recorded, give ``fraction`` in (0, 1] (``shares`` may be given
  too, for the record only). Neither given: the whole holding (fraction 1).
  ``kind`` buy-back, liquidation and write-off always dispose of the whole holding.
- **Cost basis** = remaining cost × shares ÷ held (or × fraction), rounded to the fen
  half-up; all of it on a full realisation. **Realised gain** = consideration − cost
  basis (negative: a loss). A full realisation (fraction 1 / all shares) sets
  ``closes_holding``.
- **Cash**: ``consideration`` (≥ 0, 2 decimals) is the whole price, ``escrow`` (≤
  consideration) the part held back until :func:`fundops.exits.services.release_escrow`;
  consideration − escrow is posted as a PROCEEDS ledger entry dated ``value_on``
  (``cash_flow_id``; none when it is 0). For an in-kind distribution pass
  ``kind=in_kind`` and ``in_kind_distribution_id`` (the DISTRIBUTION ledger entry the
  caller posted in this unit of work): the consideration is then the value of the
  shares distributed; it is posted as proceeds like a sale (the deal realises it), the
  distribution entry pays the same value out, so the fund's cash nets to zero; escrow
  must be 0, and the event keeps the entry as ``distribution_id``.
- **Value**: the holding valuation at ``value_on`` becomes ``remaining_value`` (default
  value before × (1 − fraction), rounded to the fen half-up; 0 when the event closes the
  holding), method :data:`EXIT_METHOD`; the event stores ``value_before_amount`` and
  ``remaining_value_amount``.
- IPO fields (``price_per_share``, ``channel``, ``listing_id``) are stored as given; the
  caller checks them against its listing and schedule. ``buyback_claim_id`` links a
  settled claim (the caller marks the claim).
- **Refused** (a named error, nothing written): ``value_on`` before the first investment
  in the company (``exit_before_investment``), after today in the business timezone
  (``exit_in_future``), outside the fund's life, or before the holding's latest live exit
  (``exit_before_last_exit``); a closed holding (``holding_closed``, 409); shares above
  those held (``shares_above_held``); fraction outside (0, 1]; escrow above the
  consideration (``escrow_above_consideration``); a source reference used before.
- Audit: ``exit_event.create`` (and the ledger entry's own ``cash_flow.proceeds``).

:func:`reverse_exit` appends the reversing event (``reverses_id``; amounts negated),
reverses its ledger entries and records ``value_before_amount`` again as the holding
valuation at ``value_on`` (so a closed holding reopens). Refused while a later live exit
on the holding exists (reverse that first) or while escrow releases of the event exist.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.calc.lockup import TradeChannel
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.exits.enums import ClaimStatus, ExitKind
from fundops.exits.models import BuybackClaim, EscrowRelease, ExitEvent
from fundops.exits.positions import HoldingPosition, business_today, holding_position
from fundops.extensions import db
from fundops.money import Money, parse_amount
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, HoldingValuation
from fundops.portfolio.ledger_services import lock_fund, post_entry, reverse_entry
from fundops.portfolio.models import Company, Fund
from fundops.portfolio.services import check_in_life, require_date, require_text
from fundops.uow import Actor, unit_of_work

__all__ = ["WHOLE_HOLDING_KINDS", "post_exit", "reverse_exit"]

ZERO = Decimal("0.00")
ONE = Decimal(1)
FEN = Decimal("0.01")
SHARE = Decimal("0.0001")
RATE = Decimal("0.00000001")
WHOLE_HOLDING_KINDS = frozenset({ExitKind.BUYBACK, ExitKind.LIQUIDATION, ExitKind.WRITE_OFF})
"""Routes that always dispose of the whole holding (and close it)."""


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _check_date(fund: Fund, position: HoldingPosition, when: date, company: Company) -> None:
    if position.first_invested_on is None or when < position.first_invested_on:
        raise ValidationError("value_on", "exit_before_investment", on=when,
                              company=company.name, first=position.first_invested_on or "—")
    today = business_today()
    if when > today:
        raise ValidationError("value_on", "exit_in_future", on=when, today=today)
    check_in_life(fund, when, "value_on")
    if position.closed:
        raise ConflictError("holding_closed", company=company.name, on=position.closed_on)
    if position.last_exit_on is not None and when < position.last_exit_on:
        raise ValidationError("value_on", "exit_before_last_exit", on=when,
                              last=position.last_exit_on)


def _disposal(position: HoldingPosition, kind: ExitKind, shares: object | None,
              fraction: object | None) -> tuple[Decimal | None, Decimal]:
    """(shares disposed or None, fraction disposed in (0, 1], 8 decimals)."""
    count = None if shares in (None, "") else parse_amount(shares, "shares", places=4)
    part = None if fraction in (None, "") else parse_amount(fraction, "fraction", places=8)
    if part is not None and part > ONE:
        raise ValidationError("fraction", "fraction_out_of_range", value=part)
    held = position.shares_held
    if kind in WHOLE_HOLDING_KINDS:
        if part is not None and part != ONE:
            raise ValidationError("fraction", "exit_kind_disposes_all", kind=kind)
        if count is not None and held is not None and count != held:
            raise ValidationError("shares", "exit_kind_disposes_all", kind=kind)
        return held, ONE
    if held is None:
        return count, part if part is not None else ONE
    if count is not None and part is not None:
        raise ValidationError("fraction", "shares_or_fraction")
    if held <= 0:
        raise ValidationError("shares", "no_shares_held", held=held)
    if count is None:
        if part is None or part == ONE:
            return held, ONE
        count = (held * part).quantize(SHARE, rounding=ROUND_HALF_UP)
        if count <= 0:
            raise ValidationError("fraction", "fraction_out_of_range", value=part)
    if count > held:
        raise ValidationError("shares", "shares_above_held", shares=count, held=held)
    return count, ONE if count == held else (count / held).quantize(RATE, ROUND_HALF_UP)


def post_exit(
    actor: Actor, fund: Fund, company: Company, *, kind: ExitKind | str, value_on: object,
    consideration: object, escrow: object = 0, escrow_due_on: object | None = None,
    shares: object | None = None, fraction: object | None = None,
    price_per_share: object | None = None, channel: TradeChannel | str | None = None,
    listing_id: int | None = None, buyback_claim_id: int | None = None,
    counterparty: str = "", reason: str = "", approval_doc: str = "", tolerated: bool = False,
    remaining_value: object | None = None, in_kind_distribution_id: int | None = None,
    source_ref: str | None = None, memo: str = "",
) -> ExitEvent:
    """Record one exit event on the holding (fund, company); see the module docstring
    (the contract). Returns the flushed :class:`ExitEvent`."""
    exit_kind = ExitKind(kind)
    when = require_date(value_on, "value_on")
    price, held_back, due = _price(fund, when, consideration, escrow, escrow_due_on)
    in_kind = exit_kind is ExitKind.IN_KIND
    if in_kind != (in_kind_distribution_id is not None):
        raise ValidationError("in_kind_distribution_id", "in_kind_needs_distribution")
    if in_kind and held_back:
        raise ValidationError("escrow", "in_kind_no_escrow")
    per_share = (None if price_per_share in (None, "")
                 else parse_amount(price_per_share, "price_per_share", places=4))
    sale_channel = None if channel in (None, "") else TradeChannel(str(channel))
    with unit_of_work():
        lock_fund(fund.id)
        position = holding_position(fund.id, company.id, when)
        _check_date(fund, position, when, company)
        count, part = _disposal(position, exit_kind, shares, fraction)
        part = part.quantize(RATE)
        closes = part == ONE
        basis = position.remaining_cost if closes else _fen(position.remaining_cost * (
            count / position.shares_held
            if count is not None and position.shares_held else part))
        after = _remaining(position, part, remaining_value)
        if in_kind:
            _check_distribution(fund, in_kind_distribution_id)
        cash = None
        if price - held_back > 0:  # in kind too: proceeds, then the distribution
            cash = post_entry(fund, actor, CashFlow(
                fund_id=fund.id, kind=CashFlowKind.PROCEEDS, value_on=when,
                amount=price - held_back, currency=fund.currency,
                counterparty=counterparty.strip()[:200], company_id=company.id,
                source_ref=(source_ref or "").strip() or None, memo=memo.strip()[:500],
                recorded_by_id=actor.user_id), None)
        event = ExitEvent(
            fund_id=fund.id, company_id=company.id, kind=exit_kind, value_on=when,
            shares=count, fraction_disposed=part, price_per_share=per_share,
            proceeds_amount=price, escrow_amount=held_back, escrow_due_on=due,
            cost_basis_amount=basis, realised_gain_amount=price - basis,
            value_before_amount=position.value, remaining_value_amount=after,
            closes_holding=closes, currency=fund.currency,
            counterparty=counterparty.strip()[:200], channel=sale_channel,
            listing_id=listing_id, buyback_claim_id=buyback_claim_id,
            reason=reason.strip()[:500], approval_doc=approval_doc.strip()[:200],
            tolerated=bool(tolerated), cash_flow_id=cash.id if cash else None,
            distribution_id=in_kind_distribution_id,
            holding_valuation_id=_value_holding(actor, fund, company, when, after, EXIT_METHOD),
            source_ref=(source_ref or "").strip() or None, memo=memo.strip()[:500],
            recorded_by_id=actor.user_id)
        db.session.add(event)
        db.session.flush()
        record_by(actor, "exit_event.create", "exit_event", event.id, {
            "fund_id": fund.id, "company_id": company.id, "kind": exit_kind.value,
            "value_on": when, "shares": count, "fraction": part, "consideration": price,
            "escrow": held_back, "cost_basis": basis, "realised_gain": price - basis,
            "value_before": position.value, "remaining_value": after, "closes": closes,
        })
    return event


def _price(fund: Fund, when: date, consideration: object, escrow: object,
           escrow_due_on: object | None) -> tuple[Decimal, Decimal, date | None]:
    """(consideration, escrow ≤ consideration, escrow due date not before ``when``)."""
    price = parse_amount(consideration, "consideration", allow_zero=True)
    held_back = parse_amount(escrow, "escrow", allow_zero=True)
    if held_back > price:
        raise ValidationError("escrow", "escrow_above_consideration",
                              escrow=Money(held_back, fund.currency),
                              consideration=Money(price, fund.currency))
    due = None if escrow_due_on in (None, "") else require_date(escrow_due_on, "escrow_due_on")
    if due is not None and due < when:
        raise ValidationError("escrow_due_on", "escrow_due_before_exit", due=due, on=when)
    return price, held_back, due


def _check_distribution(fund: Fund, entry_id: int | None) -> None:
    entry = db.session.get(CashFlow, entry_id) if entry_id is not None else None
    if entry is None or entry.fund_id != fund.id or entry.kind is not CashFlowKind.DISTRIBUTION:
        raise ValidationError("in_kind_distribution_id", "in_kind_needs_distribution")


def _remaining(position: HoldingPosition, part: Decimal, given: object | None) -> Decimal:
    """The holding's value right after disposing of ``part``: 0 when it closes, else the
    given value or value before × (1 − part), rounded to the fen half-up."""
    if given in (None, ""):
        return ZERO if part == ONE else _fen(position.value * (ONE - part))
    value = parse_amount(given, "remaining_value", allow_zero=True)
    if part == ONE and value:
        raise ValidationError("remaining_value", "closing_exit_leaves_no_value")
    return value


EXIT_METHOD = "exit (退出)"
REVERSAL_METHOD = "exit reversed (退出冲销)"
"""``HoldingValuation.method`` of the valuations an exit and its reversal record."""


def _value_holding(actor: Actor, fund: Fund, company: Company, when: date,
                   value: Decimal, method: str) -> int:
    """Insert the holding valuation an exit (or its reversal) sets; returns its id."""
    hv = HoldingValuation(fund_id=fund.id, company_id=company.id, as_of=when,
                          fair_value_amount=value, currency=fund.currency,
                          method=method, recorded_by_id=actor.user_id)
    db.session.add(hv)
    db.session.flush()
    return hv.id


def reverse_exit(actor: Actor, exit_event_id: int, reason: str) -> ExitEvent:
    """Append the reversal of an exit event and undo what it posted (module docstring).

    The reversing event repeats the original's holding, kind and date with the amounts,
    shares and fraction negated; its ``value_before_amount`` is the original's remaining
    value and its ``remaining_value_amount`` the original's value before, recorded again
    as the holding valuation at ``value_on``. A buy-back claim the event settled is open
    again. Audit: ``exit_event.reverse``.
    """
    original = db.session.get(ExitEvent, exit_event_id)
    if original is None:
        raise NotFound("exit_event_not_found", exit_event_id=exit_event_id)
    fund, _ = get_fund(actor, original.fund_id, write=True)
    why = require_text(reason, "reason", 500)
    if original.reverses_id is not None:
        raise ValidationError("exit_event_id", "exit_reversal_of_reversal")
    with unit_of_work():
        lock_fund(fund.id)
        _check_reversible(original)
        for entry_id in (original.cash_flow_id, original.distribution_id):
            if entry_id is not None and not db.session.scalar(
                    sa.select(CashFlow.id).where(CashFlow.reverses_id == entry_id)):
                reverse_entry(actor, fund.id, entry_id, why)
        reversal = ExitEvent(
            fund_id=fund.id, company_id=original.company_id, kind=original.kind,
            value_on=original.value_on,
            shares=None if original.shares is None else -original.shares,
            fraction_disposed=-original.fraction_disposed,
            price_per_share=original.price_per_share,
            proceeds_amount=-original.proceeds_amount, escrow_amount=-original.escrow_amount,
            escrow_due_on=original.escrow_due_on, cost_basis_amount=-original.cost_basis_amount,
            realised_gain_amount=-original.realised_gain_amount,
            value_before_amount=original.remaining_value_amount,
            remaining_value_amount=original.value_before_amount, closes_holding=False,
            currency=original.currency, counterparty=original.counterparty,
            channel=original.channel, listing_id=original.listing_id,
            buyback_claim_id=original.buyback_claim_id, reason=why,
            approval_doc=original.approval_doc, tolerated=original.tolerated,
            holding_valuation_id=_value_holding(
                actor, fund, original.company, original.value_on,
                original.value_before_amount, REVERSAL_METHOD),
            memo=why, reverses_id=original.id, recorded_by_id=actor.user_id)
        db.session.add(reversal)
        db.session.flush()
        _reopen_claim(actor, original)
        record_by(actor, "exit_event.reverse", "exit_event", reversal.id, {
            "reverses_id": original.id, "fund_id": fund.id, "company_id": original.company_id,
            "value_restored": original.value_before_amount,
        }, why)
    return reversal


def _check_reversible(original: ExitEvent) -> None:
    """Under the fund lock: not reversed yet, no later live exit, no live escrow release."""
    if db.session.scalar(sa.select(ExitEvent.id).where(ExitEvent.reverses_id == original.id)):
        raise ConflictError("exit_already_reversed", exit_event_id=original.id)
    later = db.session.scalars(sa.select(ExitEvent.id).where(
        ExitEvent.fund_id == original.fund_id, ExitEvent.company_id == original.company_id,
        ExitEvent.reverses_id.is_(None), ExitEvent.id > original.id)).all()
    gone = set(db.session.scalars(sa.select(ExitEvent.reverses_id).where(
        ExitEvent.reverses_id.in_(later)))) if later else set()
    if any(i not in gone for i in later):
        raise ConflictError("exit_later_exit_first", exit_event_id=original.id)
    releases = db.session.scalars(sa.select(EscrowRelease).where(
        EscrowRelease.exit_event_id == original.id)).all()
    undone = {r.reverses_id for r in releases if r.reverses_id is not None}
    if any(r.reverses_id is None and r.id not in undone for r in releases):
        raise ConflictError("exit_has_escrow_releases", exit_event_id=original.id)


def _reopen_claim(actor: Actor, original: ExitEvent) -> None:
    """A reversed buy-back settlement leaves its claim open (accruing) again."""
    if original.buyback_claim_id is None:
        return
    claim = db.session.get(BuybackClaim, original.buyback_claim_id)
    if claim is not None and claim.status is ClaimStatus.SETTLED:
        claim.status = ClaimStatus.OPEN
        db.session.flush()
        record_by(actor, "buyback_claim.reopen", "buyback_claim", claim.id,
                  {"exit_event_id": original.id, "status": ClaimStatus.OPEN.value})
