"""Transfers of an LP interest (份额转让, domain-rules §5.4): record and reverse.

Conventions (shown on the pages and in the API):

* **What moves.** The seller transfers ``commitment_amount`` of its commitment on
  ``transfer_on`` (blank: its whole interest); ``fraction`` = that / its commitment on
  the date. The buyer takes over the unfunded commitment: from ``transfer_on`` the
  register has a commitment row −amount for the seller and +amount for the buyer, and
  ``fraction`` × the seller's paid-in (calls plus paid-in bought, to the fen, half-up;
  all of it for the whole interest) moves to the buyer by an ``lp_transfer`` ledger entry
  of fund amount 0.00 (allocations: seller −, buyer +). Later calls and distributions are
  split on the new register; uncalled capital and the LPs' NAV shares use the paid-in
  moved. The seller's calls and distributions before ``transfer_on`` stay its own
  history. Recallable distributions received by the seller (and the room they give to
  recall) stay with the seller.
* **Price** (paid buyer → seller outside the fund; stored on the transfer): S-fund
  transfers ``reference NAV of the transferred interest at reference_on × (1 − discount)``
  + the transferred fraction of the seller's calls after ``reference_on`` (to
  ``transfer_on``) − that fraction of its distributions received after it, at face value
  (:func:`fundops.calc.transfer_pricing.transfer_price`); a negative discount is a
  premium; a typed (negotiated) price may replace the formula, which is kept beside it.
  A price is never negative.
* **State-owned interests** (fiscal, guidance-fund or state-owned sellers) need the
  appraisal report's reference (评估报告) and the exchange or platform.
* **Refused** (named error, nothing written): more than the seller's commitment on the
  date, to the seller itself, dated before the seller's first commitment, after today
  (:func:`fundops.clock.business_today`) or outside the fund's life, before a call or
  distribution in effect dated on or after it or a later transfer, an unknown buyer or
  one of another organisation, a fund the actor does not manage, a negative price.
* **Reversal** puts the register back (commitment rows +/− and the ledger entry's
  reversal, same date); refused once a call or distribution (or another transfer) used
  the new register: reverse those first.

Check and write run under the fund lock (:func:`lock_fund`), taken first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fundops.audit import lock_write_order, record_by
from fundops.calc.transfer_pricing import fen, transfer_price
from fundops.clock import business_today
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.exits.models import InterestTransfer
from fundops.exits.transfer_enums import (
    STATE_OWNED_TYPES,
    PriceBasis,
    TransferKind,
    TransferPlatform,
)
from fundops.exits.transfer_register import (
    Interest,
    allocated_between,
    first_commitment_on,
    interests_on,
    is_reversed,
    later_register_use,
)
from fundops.extensions import db
from fundops.money import Money, parse_amount
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.allocation_plans import AllocationLine
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.ledger_services import lock_fund, post_entry, reverse_entry
from fundops.portfolio.models import Commitment, Fund, Investor
from fundops.portfolio.services import (
    check_in_life,
    create_investor,
    parse_enum,
    require_date,
    require_text,
    would_create_cycle,
)
from fundops.uow import Actor, unit_of_work

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class NewBuyer:
    """A buyer not yet recorded: registered in the actor's organisation with the transfer."""

    name: str
    investor_type: str
    uscc: str | None = None


@dataclass
class Terms:
    """What a transfer records besides the parties (filled by the service that prices it)."""

    kind: TransferKind
    price_basis: PriceBasis
    price: Decimal | None = None  # None: computed from the formula at posting
    formula_price: Decimal | None = None
    extra: dict[str, object] = field(default_factory=dict)  # InterestTransfer columns


PriceOf = Callable[[Decimal, Investor, date], Terms]
"""Prices a transfer under the fund lock: (fraction of the seller's interest, seller,
transfer date) -> the :class:`Terms` to record."""


def parse_rate(value: object, field: str, *, low: Decimal, high: Decimal) -> Decimal:
    rate = parse_amount(value, field, places=8, allow_zero=True, allow_negative=True)
    if not low <= rate <= high:
        raise ValidationError(field, "rate_out_of_range", value=rate, low=low, high=high)
    return rate


def _buyer(actor: Actor, buyer_id: object, new_buyer: NewBuyer | None) -> Investor | NewBuyer:
    if new_buyer is not None:
        require_text(new_buyer.name, "buyer_name")
        return new_buyer
    if buyer_id in (None, "", 0):
        raise ValidationError("buyer_id", "required")
    try:
        investor = db.session.get(Investor, int(str(buyer_id)))
    except ValueError:
        investor = None
    if investor is None or investor.organisation_id != actor.organisation_id:
        raise ValidationError("buyer_id", "buyer_unknown", buyer_id=buyer_id)
    return investor


def _seller(fund: Fund, actor: Actor, seller_id: object) -> Investor:
    try:
        investor = db.session.get(Investor, int(str(seller_id)))
    except ValueError:
        investor = None
    if investor is None or investor.organisation_id != actor.organisation_id \
            or first_commitment_on(fund.id, investor.id) is None:
        raise ValidationError("seller_id", "seller_not_lp", seller_id=seller_id)
    return investor


def transfer_date(fund: Fund, seller: Investor, value: object) -> date:
    when = require_date(value, "transfer_on")
    check_in_life(fund, when, "transfer_on")
    if when > business_today():
        raise ValidationError("transfer_on", "transfer_in_future", on=when)
    first = first_commitment_on(fund.id, seller.id)
    if first is not None and when < first:
        raise ValidationError("transfer_on", "transfer_before_commitment", on=when,
                              committed_on=first)
    return when


def _check_state_owned(seller: Investor, terms: Terms) -> None:
    if seller.investor_type not in STATE_OWNED_TYPES:
        return
    if not str(terms.extra.get("appraisal_ref") or "").strip():
        raise ValidationError("appraisal_ref", "appraisal_required", seller=seller.name)
    if terms.extra.get("platform") is None:
        raise ValidationError("platform", "platform_required", seller=seller.name)


def parse_platform(value: object) -> TransferPlatform | None:
    return None if value in (None, "") else parse_enum(TransferPlatform, value, "platform")


def _amount_and_fraction(fund: Fund, seller: Investor, held: Interest,
                         amount: object) -> tuple[Decimal, Decimal, Decimal]:
    """(commitment moved, exact fraction of the seller's, paid-in moved to the fen)."""
    if held.committed <= 0:
        raise ValidationError("seller_id", "seller_has_no_interest", seller=seller.name)
    if amount in (None, ""):
        return held.committed, Decimal(1), held.paid_in
    part = parse_amount(amount, "commitment_amount")
    if part > held.committed:
        raise ValidationError("commitment_amount", "transfer_exceeds_interest",
                              amount=Money(part, fund.currency),
                              interest=Money(held.committed, fund.currency), seller=seller.name)
    if part == held.committed:
        return part, Decimal(1), held.paid_in
    fraction = part / held.committed
    return part, fraction, fen(held.paid_in * fraction)


def post_transfer(actor: Actor, fund_id: int, *, seller_id: object, buyer_id: object = None,
                  new_buyer: NewBuyer | None = None, transfer_on: object,
                  commitment_amount: object = None, terms: Terms, memo: str = "",
                  price_of: PriceOf | None = None) -> InterestTransfer:
    """Check and post one transfer (see the module docstring); ``terms`` carries the kind,
    the price (or None and ``price_of``, a callable (fraction, calls after, distributions
    after, seller, date) -> Terms run under the lock) and the columns of the kind."""
    fund, _ = get_fund(actor, fund_id, write=True)
    seller = _seller(fund, actor, seller_id)
    when = transfer_date(fund, seller, transfer_on)
    buyer = _buyer(actor, buyer_id, new_buyer)
    if isinstance(buyer, Investor):
        if buyer.id == seller.id:
            raise ValidationError("buyer_id", "transfer_to_self", seller=seller.name)
        if buyer.fund_id == fund.id:
            raise ValidationError("buyer_id", "commitment_to_own_fund", fund=fund.code)
    _check_state_owned(seller, terms)
    with unit_of_work():
        lock_fund(fund.id)  # first: concurrent transfers and postings to the fund queue here
        used = later_register_use(fund.id, when)
        if used is not None:
            raise ConflictError("transfer_before_later_entries", on=when, later=used)
        held = interests_on(fund.id, [seller.id], when)[seller.id]
        part, fraction, paid = _amount_and_fraction(fund, seller, held, commitment_amount)
        if price_of is not None:
            terms = price_of(fraction, seller, when)
        if terms.price is None or terms.price < 0:
            raise ValidationError("price", "negative_price",
                                  price=Money(terms.price or ZERO, fund.currency))
        investor = buyer if isinstance(buyer, Investor) else create_investor(
            actor, buyer.name, buyer.investor_type, uscc=buyer.uscc)
        if investor.fund_id is not None:
            lock_write_order()  # the fund-of-funds graph lock, after the fund lock
            if would_create_cycle(investor.fund_id, fund.id):
                raise ConflictError("commitment_cycle", investor=investor.name, fund=fund.code)
        return _write(actor, fund, seller, investor, when, part, fraction, paid, terms, memo)


def sfund_terms(fund: Fund, *, reference_on: object, reference_nav: object,
                discount_rate: object, price: object = None, appraisal_ref: str = "",
                platform: object = None) -> PriceOf:
    """The S-fund pricing, as a ``price_of`` callable for :func:`post_transfer`."""
    ref_on = require_date(reference_on, "reference_on")
    nav = parse_amount(reference_nav, "reference_nav", allow_zero=True)
    discount = parse_rate(discount_rate, "discount_rate", low=Decimal(-1), high=Decimal(1))
    typed = None if price in (None, "") else parse_amount(price, "price", allow_zero=True)
    place = parse_platform(platform)

    def price_of(fraction: Decimal, seller: Investor, when: date) -> Terms:
        if ref_on > when:
            raise ValidationError("reference_on", "reference_after_transfer", on=ref_on,
                                  transfer_on=when)
        calls = fen(fraction * allocated_between(fund.id, seller.id, CashFlowKind.CAPITAL_CALL,
                                                 ref_on, when))
        dists = fen(fraction * allocated_between(fund.id, seller.id,
                                                 CashFlowKind.DISTRIBUTION, ref_on, when))
        formula = transfer_price(nav, discount, calls, dists)
        return Terms(TransferKind.S_FUND,
                     PriceBasis.FORMULA if typed is None else PriceBasis.NEGOTIATED,
                     formula.price if typed is None else typed, formula.price, {
                         "reference_on": ref_on, "reference_nav_amount": nav,
                         "discount_rate": discount, "calls_after_amount": calls,
                         "distributions_after_amount": dists,
                         "appraisal_ref": appraisal_ref.strip(), "platform": place})
    return price_of


def record_transfer(actor: Actor, fund_id: int, *, seller_id: object, buyer_id: object = None,
                    new_buyer: NewBuyer | None = None, transfer_on: object,
                    reference_on: object, reference_nav: object, discount_rate: object,
                    commitment_amount: object = None, price: object = None,
                    appraisal_ref: str = "", platform: object = None,
                    memo: str = "") -> InterestTransfer:
    """Record an S-fund transfer (secondary sale) of an LP interest at the formula price,
    or at a typed (negotiated) price with the formula kept beside it."""
    fund, _ = get_fund(actor, fund_id, write=True)
    price_of = sfund_terms(fund, reference_on=reference_on, reference_nav=reference_nav,
                           discount_rate=discount_rate, price=price,
                           appraisal_ref=appraisal_ref, platform=platform)
    precheck = Terms(TransferKind.S_FUND, PriceBasis.FORMULA, extra={
        "appraisal_ref": appraisal_ref, "platform": parse_platform(platform)})
    return post_transfer(actor, fund.id, seller_id=seller_id, buyer_id=buyer_id,
                         new_buyer=new_buyer, transfer_on=transfer_on,
                         commitment_amount=commitment_amount, terms=precheck,
                         memo=memo, price_of=price_of)


def _write(actor: Actor, fund: Fund, seller: Investor, buyer: Investor, when: date,
           part: Decimal, fraction: Decimal, paid: Decimal, terms: Terms,
           memo: str) -> InterestTransfer:
    rows = [Commitment(fund_id=fund.id, investor_id=inv.id, amount=amount,
                       currency=fund.currency, committed_on=when, closing=1,
                       recorded_by_id=actor.user_id)
            for inv, amount in ((seller, -part), (buyer, part))]
    db.session.add_all(rows)
    db.session.flush()
    entry = post_entry(fund, actor, CashFlow(
        fund_id=fund.id, kind=CashFlowKind.LP_TRANSFER, value_on=when, amount=ZERO,
        currency=fund.currency, counterparty=f"{seller.name} → {buyer.name}"[:200],
        memo=memo.strip()[:500], recorded_by_id=actor.user_id,
    ), [AllocationLine(seller.id, seller.name, part, -paid),
        AllocationLine(buyer.id, buyer.name, part, paid)])
    transfer = InterestTransfer(
        fund_id=fund.id, kind=terms.kind, seller_id=seller.id, buyer_id=buyer.id,
        transfer_on=when, fraction=fraction.quantize(Decimal("1e-8")),
        commitment_amount=part, paid_in_amount=paid,
        price_basis=terms.price_basis, price_amount=terms.price,
        formula_price_amount=terms.formula_price, currency=fund.currency,
        seller_commitment_id=rows[0].id, buyer_commitment_id=rows[1].id,
        cash_flow_id=entry.id, memo=memo.strip()[:500], recorded_by_id=actor.user_id,
        **{"appraisal_ref": "", **terms.extra})
    db.session.add(transfer)
    db.session.flush()
    record_by(actor, "interest_transfer.create", "interest_transfer", transfer.id, {
        "fund_id": fund.id, "kind": terms.kind.value, "seller_id": seller.id,
        "buyer_id": buyer.id, "transfer_on": when, "commitment": part, "paid_in": paid,
        "price": terms.price, "price_basis": terms.price_basis.value})
    return transfer


def managed_fund(actor: Actor, fund_id: int, write: bool = False) -> Fund:
    """A fund the actor manages (its LPs' names and prices are the manager's business:
    an LP-access viewer gets 404 like any other organisation); ``write`` also requires a
    writer role."""
    fund, access = get_fund(actor, fund_id, write=write)
    if access is not Access.MANAGER:
        raise NotFound("fund_not_found", fund_id=fund_id)
    return fund


def get_transfer(actor: Actor, fund_id: int, transfer_id: int,
                 write: bool = False) -> InterestTransfer:
    fund = managed_fund(actor, fund_id, write)
    transfer = db.session.get(InterestTransfer, transfer_id)
    if transfer is None or transfer.fund_id != fund.id:
        raise NotFound("transfer_not_found", transfer_id=transfer_id)
    return transfer


def reverse_transfer(actor: Actor, fund_id: int, transfer_id: int,
                     reason: str) -> InterestTransfer:
    """Put the register back as before the transfer (see the module docstring)."""
    original = get_transfer(actor, fund_id, transfer_id, write=True)
    why = require_text(reason, "reason", 500)
    if original.reverses_id is not None:
        raise ValidationError("transfer_id", "transfer_reversal_of_reversal")
    fund = original.fund
    with unit_of_work():
        lock_fund(fund.id)
        if is_reversed(original):
            raise ConflictError("transfer_already_reversed", transfer_id=original.id)
        used = later_register_use(fund.id, original.transfer_on, original.id)
        if used is not None:
            raise ConflictError("transfer_register_used", transfer_id=original.id, later=used)
        rows = [Commitment(fund_id=fund.id, investor_id=inv, amount=amount,
                           currency=fund.currency, committed_on=original.transfer_on,
                           closing=1, recorded_by_id=actor.user_id)
                for inv, amount in ((original.seller_id, original.commitment_amount),
                                    (original.buyer_id, -original.commitment_amount))]
        db.session.add_all(rows)
        db.session.flush()
        entry = reverse_entry(actor, fund.id, original.cash_flow_id, why, through_transfer=True)
        columns = {c.key: getattr(original, c.key) for c in InterestTransfer.__table__.columns
                   if c.key not in ("id", "recorded_at", "recorded_by_id")}
        reversal = InterestTransfer(**{
            **columns, "seller_commitment_id": rows[0].id, "buyer_commitment_id": rows[1].id,
            "cash_flow_id": entry.id, "memo": why, "reverses_id": original.id,
            "recorded_by_id": actor.user_id})
        db.session.add(reversal)
        db.session.flush()
        record_by(actor, "interest_transfer.reverse", "interest_transfer", reversal.id,
                  {"reverses_id": original.id}, why)
    return reversal


__all__ = ["NewBuyer", "Terms", "get_transfer", "post_transfer", "record_transfer",
           "reverse_transfer"]
