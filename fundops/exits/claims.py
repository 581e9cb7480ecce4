"""Buy-back claims (回购): open, settle, withdraw; the accrued price on a date.

A claim is the fund's triggered right to have the company or its founders buy the
holding back at ``principal × (1 + r × years)`` (simple) or ``principal × (1 + r) **
years`` (compound), years = days ÷ 365 from ``accrues_from``, less the dividends received
at face value, floored at 0, rounded to the fen half-up at the end
(:func:`fundops.calc.exit_pricing.buyback_price`). Defaults: principal = the fund's net
investment in the company (investment entries net of reversals), accrual from the first
investment, rate 8 % simple.

A company obligor: under the 九民纪要 (2019) Art. 5 a buy-back by the target company is
valid but needs capital-reduction (减资) procedures first; founders' buy-backs do not.

Settlement records a buy-back exit event through the core writer (closing the holding) and
marks the claim settled; reversing that event opens the claim again
(:func:`fundops.exits.postings.reverse_exit`). One open claim per holding.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.calc.exit_pricing import InterestMethod, buyback_price
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.exits.enums import BuybackTrigger, ClaimStatus, ExitKind, ObligorKind
from fundops.exits.models import BuybackClaim, ExitEvent
from fundops.exits.positions import business_today, holding_position
from fundops.exits.postings import post_exit
from fundops.extensions import db
from fundops.money import parse_amount
from fundops.portfolio.access import get_company, get_fund
from fundops.portfolio.ledger_services import lock_fund
from fundops.portfolio.services import parse_enum, require_date, require_text
from fundops.uow import Actor, unit_of_work

__all__ = ["DEFAULT_RATE", "claim_price", "get_claim", "open_claim", "settle_claim",
           "withdraw_claim"]

DEFAULT_RATE = Decimal("0.08000000")


def claim_price(claim: BuybackClaim, on: date) -> Decimal:
    """The claim's accrued buy-back price on ``on`` (yuan, 2 decimals; module docstring);
    before ``accrues_from`` it is the principal less dividends."""
    end = max(on, claim.accrues_from)
    return buyback_price(claim.principal_amount, claim.rate, claim.method,
                         claim.accrues_from, end, claim.dividends_amount)


def get_claim(actor: Actor, claim_id: int, *, write: bool = False) -> BuybackClaim:
    """A claim of a fund the actor may see (manage, with ``write``), else NotFound."""
    claim = db.session.get(BuybackClaim, claim_id)
    if claim is None:
        raise NotFound("buyback_claim_not_found", claim_id=claim_id)
    try:
        get_fund(actor, claim.fund_id, write=write)
    except NotFound:
        raise NotFound("buyback_claim_not_found", claim_id=claim_id) from None
    return claim


def _rate(value: object) -> Decimal:
    if value in (None, ""):
        return DEFAULT_RATE
    rate = parse_amount(value, "rate", allow_zero=True, places=8)
    if rate > 1:
        raise ValidationError("rate", "rate_above_one", value=rate)
    return rate


def open_claim(
    actor: Actor, fund_id: int, *, company_id: int, obligor_kind: str, obligor_name: str,
    trigger: str, triggered_on: object, principal: object | None = None,
    accrues_from: object | None = None, rate: object | None = None,
    method: str = InterestMethod.SIMPLE.value, dividends: object = 0, memo: str = "",
) -> BuybackClaim:
    """Open a buy-back claim on an open holding (one open claim per holding); the
    trigger date is not before the first investment nor after today."""
    fund, _ = get_fund(actor, fund_id, write=True)
    company = get_company(actor, int(company_id))
    kind = parse_enum(ObligorKind, obligor_kind, "obligor_kind")
    name = require_text(obligor_name, "obligor_name", 200)
    why = parse_enum(BuybackTrigger, trigger, "trigger")
    when = require_date(triggered_on, "triggered_on")
    how = parse_enum(InterestMethod, method, "method")
    yearly = _rate(rate)
    paid = parse_amount(dividends, "dividends", allow_zero=True) if dividends not in (
        None, "") else Decimal("0.00")
    if when > business_today():
        raise ValidationError("triggered_on", "exit_in_future", on=when, today=business_today())
    with unit_of_work():
        lock_fund(fund.id)
        position = holding_position(fund.id, company.id, when)
        if position.first_invested_on is None or when < position.first_invested_on:
            raise ValidationError("triggered_on", "exit_before_investment", on=when,
                                  company=company.name, first=position.first_invested_on or "—")
        if position.closed:
            raise ConflictError("holding_closed", company=company.name, on=position.closed_on)
        start = (position.first_invested_on if accrues_from in (None, "")
                 else require_date(accrues_from, "accrues_from"))
        if start > when:
            raise ValidationError("accrues_from", "accrual_after_trigger", on=start, trigger=when)
        amount = (parse_amount(principal, "principal") if principal not in (None, "")
                  else position.invested)
        if amount <= 0:
            raise ValidationError("principal", "amount_zero")
        if db.session.scalar(sa.select(BuybackClaim.id).where(
                BuybackClaim.fund_id == fund.id, BuybackClaim.company_id == company.id,
                BuybackClaim.status == ClaimStatus.OPEN)):
            raise ConflictError("buyback_claim_already_open", company=company.name)
        claim = BuybackClaim(
            fund_id=fund.id, company_id=company.id, obligor_kind=kind, obligor_name=name,
            trigger=why, triggered_on=when, principal_amount=amount, accrues_from=start,
            rate=yearly, method=how, dividends_amount=paid, currency=fund.currency,
            status=ClaimStatus.OPEN, memo=memo.strip()[:500], recorded_by_id=actor.user_id)
        db.session.add(claim)
        db.session.flush()
        record_by(actor, "buyback_claim.open", "buyback_claim", claim.id, {
            "fund_id": fund.id, "company_id": company.id, "obligor_kind": kind.value,
            "principal": amount, "rate": yearly, "method": how.value, "accrues_from": start})
    return claim


def settle_claim(actor: Actor, claim_id: int, *, value_on: object,
                 amount: object | None = None, source_ref: str | None = None,
                 memo: str = "") -> ExitEvent:
    """The obligor paid: a buy-back exit event of the whole holding for ``amount``
    (default: the accrued price on ``value_on``) posted through the core writer, and the
    claim marked settled. Audit: ``buyback_claim.settle`` (and ``exit_event.create``)."""
    claim = get_claim(actor, claim_id, write=True)
    fund, _ = get_fund(actor, claim.fund_id, write=True)
    when = require_date(value_on, "value_on")
    if when < claim.triggered_on:
        raise ValidationError("value_on", "settlement_before_trigger", on=when,
                              trigger=claim.triggered_on)
    with unit_of_work():
        lock_fund(fund.id)
        db.session.refresh(claim)
        if claim.status is not ClaimStatus.OPEN:
            raise ConflictError("buyback_claim_not_open", claim_id=claim.id)
        price = claim_price(claim, when) if amount in (None, "") else amount
        event = post_exit(
            actor, fund, claim.company, kind=ExitKind.BUYBACK, value_on=when,
            consideration=price, buyback_claim_id=claim.id, counterparty=claim.obligor_name,
            source_ref=source_ref, memo=memo)
        claim.status = ClaimStatus.SETTLED
        db.session.flush()
        record_by(actor, "buyback_claim.settle", "buyback_claim", claim.id,
                  {"exit_event_id": event.id, "amount": event.proceeds_amount})
    return event


def withdraw_claim(actor: Actor, claim_id: int, reason: str) -> BuybackClaim:
    """The fund waives or withdraws an open claim. Audit: ``buyback_claim.withdraw``."""
    claim = get_claim(actor, claim_id, write=True)
    why = require_text(reason, "reason", 500)
    with unit_of_work():
        lock_fund(claim.fund_id)
        db.session.refresh(claim)
        if claim.status is not ClaimStatus.OPEN:
            raise ConflictError("buyback_claim_not_open", claim_id=claim.id)
        claim.status = ClaimStatus.WITHDRAWN
        db.session.flush()
        record_by(actor, "buyback_claim.withdraw", "buyback_claim", claim.id,
                  {"status": ClaimStatus.WITHDRAWN.value}, why)
    return claim
