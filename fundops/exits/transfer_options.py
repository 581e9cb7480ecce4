"""Guidance-fund exits by transfer (domain-rules §3.4, §5.6): the buy-out option on the
guidance LP's interest and the early exit of the guidance capital (210号 Art. 20).

Conventions (shown on the pages and in the API):

* **Government capital**: LPs of type fiscal or guidance fund. **Social LPs**: the
  fund's other LPs (with a commitment on the date). **The GP**: the GP's own LP record,
  named on the option (``gp_investor_id``).
* **Buy-out option price** (让利 transfer): the holder's paid-in (call allocations, each
  from its date) + simple interest at the option's reference rate, Actual/365, to the
  exercise date, on the original or the unreturned principal as the option says, −
  the distributions it received, at face value, floored at 0
  (:func:`fundops.calc.transfer_pricing.cost_plus_interest`); for part of the interest,
  that price × the fraction sold (to the fen, half-up). Exercising is a transfer at that
  price, refused outside the window (inclusive) or to a buyer the option does not name.
* **Early exit** of the guidance capital on one of the five Art. 20 triggers: priced by
  the charter (the same cost-plus-interest formula at the charter's reference rate) or
  by an appraisal (the appraised value typed with the report's reference); executed as
  a transfer to a social LP or the GP. A redemption by the fund itself (a capital
  reduction paid out of the fund) is not modelled.
* The guidance LP is state-owned capital: the appraisal reference and the exchange or
  platform are required as for every state-owned transfer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.calc.transfer_pricing import CostPlusInterest, InterestBase, cost_plus_interest, fen
from fundops.errors import NotFound, ValidationError
from fundops.exits.models import BuyoutOption, InterestTransfer
from fundops.exits.transfer_enums import (
    GOVERNMENT_TYPES,
    EarlyExitTrigger,
    EligibleBuyers,
    PriceBasis,
    TransferKind,
)
from fundops.exits.transfer_register import dated_allocations, first_commitment_on, interests_on
from fundops.exits.transfers import (
    NewBuyer,
    PriceOf,
    Terms,
    managed_fund,
    parse_platform,
    parse_rate,
    post_transfer,
)
from fundops.extensions import db
from fundops.money import parse_amount
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.models import Fund, Investor
from fundops.portfolio.services import parse_enum, require_date
from fundops.uow import Actor, unit_of_work

MAX_RATE = Decimal(1)


def _lp_of(actor: Actor, fund: Fund, investor_id: object, field: str) -> Investor:
    try:
        investor = db.session.get(Investor, int(str(investor_id)))
    except ValueError:
        investor = None
    if investor is None or investor.organisation_id != actor.organisation_id \
            or first_commitment_on(fund.id, investor.id) is None:
        raise ValidationError(field, "investor_not_lp_of_fund", investor_id=investor_id)
    return investor


def create_option(actor: Actor, fund_id: int, *, holder_id: object, window_from: object,
                  window_to: object, eligible: object, rate: object,
                  interest_base: object = InterestBase.ORIGINAL, gp_investor_id: object = None,
                  memo: str = "") -> BuyoutOption:
    """Record the buy-out option terms on a guidance LP's interest (see the docstring)."""
    fund, _ = get_fund(actor, fund_id, write=True)
    holder = _lp_of(actor, fund, holder_id, "holder_id")
    if holder.investor_type not in GOVERNMENT_TYPES:
        raise ValidationError("holder_id", "option_holder_not_government", holder=holder.name)
    start, end = require_date(window_from, "window_from"), require_date(window_to, "window_to")
    if end < start:
        raise ValidationError("window_to", "option_window_order", start=start, end=end)
    who = parse_enum(EligibleBuyers, eligible, "eligible")
    base = parse_enum(InterestBase, interest_base, "interest_base")
    rate_value = parse_rate(rate, "rate", low=Decimal(0), high=MAX_RATE)
    gp = None
    if who is not EligibleBuyers.SOCIAL_LPS:
        if gp_investor_id in (None, "", 0):
            raise ValidationError("gp_investor_id", "option_gp_required")
        gp = _lp_of(actor, fund, gp_investor_id, "gp_investor_id")
    with unit_of_work():
        option = BuyoutOption(fund_id=fund.id, holder_id=holder.id, window_from=start,
                              window_to=end, eligible=who, gp_investor_id=gp.id if gp else None,
                              rate=rate_value, interest_base=base, memo=memo.strip()[:500],
                              recorded_by_id=actor.user_id)
        db.session.add(option)
        db.session.flush()
        record_by(actor, "buyout_option.create", "buyout_option", option.id, {
            "fund_id": fund.id, "holder_id": holder.id, "window_from": start,
            "window_to": end, "eligible": who.value, "rate": rate_value, "base": base.value})
    return option


def get_option(actor: Actor, fund_id: int, option_id: int, write: bool = False) -> BuyoutOption:
    fund = managed_fund(actor, fund_id, write)
    option = db.session.get(BuyoutOption, option_id)
    if option is None or option.fund_id != fund.id:
        raise NotFound("option_not_found", option_id=option_id)
    return option


def list_options(fund_id: int) -> list[BuyoutOption]:
    return list(db.session.scalars(sa.select(BuyoutOption).where(
        BuyoutOption.fund_id == fund_id).order_by(BuyoutOption.window_from, BuyoutOption.id)))


def cost_price(fund_id: int, investor_id: int, rate: Decimal, base: InterestBase,
               on: date) -> CostPlusInterest:
    """The investor's whole interest at cost plus interest on ``on`` (see the docstring)."""
    paid = dated_allocations(fund_id, investor_id, CashFlowKind.CAPITAL_CALL, on)
    received = dated_allocations(fund_id, investor_id, CashFlowKind.DISTRIBUTION, on)
    return cost_plus_interest(paid, received, rate, on, base)


def _cost_terms(fund_id: int, rate: Decimal, base: InterestBase, kind: TransferKind,
                extra: dict[str, object]) -> PriceOf:
    def price_of(fraction: Decimal, seller: Investor, when: date) -> Terms:
        whole = cost_price(fund_id, seller.id, rate, base, when)
        price = fen(whole.price * fraction)
        return Terms(kind, PriceBasis.COST_PLUS_INTEREST, price, price,
                     {"rate": rate, "interest_base": base, **extra})
    return price_of


def _check_buyer(option: BuyoutOption, buyer_id: object, when: date) -> None:
    """The buyer is one the option names: the GP's record, or a social LP of the fund."""
    try:
        buyer = db.session.get(Investor, int(str(buyer_id)))
    except ValueError:
        buyer = None
    gp_ok = option.eligible is not EligibleBuyers.SOCIAL_LPS and buyer is not None \
        and buyer.id == option.gp_investor_id
    social_ok = option.eligible is not EligibleBuyers.GP and buyer is not None \
        and buyer.organisation_id == option.fund.organisation_id \
        and buyer.investor_type not in GOVERNMENT_TYPES \
        and interests_on(option.fund_id, [buyer.id], when)[buyer.id].committed > 0
    if not (gp_ok or social_ok):
        raise ValidationError("buyer_id", "buyer_not_eligible", buyer_id=buyer_id)


def exercise_option(actor: Actor, fund_id: int, option_id: int, *, buyer_id: object,
                    transfer_on: object, commitment_amount: object = None,
                    appraisal_ref: str = "", platform: object = None,
                    memo: str = "") -> InterestTransfer:
    """Exercise a buy-out option: a transfer of (part of) the holder's interest to an
    eligible buyer at cost plus interest, inside the window."""
    option = get_option(actor, fund_id, option_id, write=True)
    when = require_date(transfer_on, "transfer_on")
    if not option.window_from <= when <= option.window_to:
        raise ValidationError("transfer_on", "outside_option_window", on=when,
                              start=option.window_from, end=option.window_to)
    _check_buyer(option, buyer_id, when)
    extra = {"option_id": option.id, "appraisal_ref": appraisal_ref.strip(),
             "platform": parse_platform(platform)}
    return post_transfer(
        actor, option.fund_id, seller_id=option.holder_id, buyer_id=buyer_id,
        transfer_on=when, commitment_amount=commitment_amount,
        terms=Terms(TransferKind.BUYOUT_OPTION, PriceBasis.COST_PLUS_INTEREST, extra=extra),
        memo=memo, price_of=_cost_terms(option.fund_id, option.rate, option.interest_base,
                                        TransferKind.BUYOUT_OPTION, extra))


def record_early_exit(actor: Actor, fund_id: int, *, seller_id: object, buyer_id: object = None,
                      new_buyer: NewBuyer | None = None, transfer_on: object, trigger: object,
                      pricing: object, rate: object = None,
                      interest_base: object = InterestBase.ORIGINAL,
                      appraised_value: object = None, commitment_amount: object = None,
                      appraisal_ref: str = "", platform: object = None,
                      memo: str = "") -> InterestTransfer:
    """Early exit of the guidance capital on an Art. 20 trigger, as a transfer to a
    social LP or the GP, priced by the charter (``pricing="cost_plus_interest"``) or by an
    appraisal (``pricing="appraisal"`` with ``appraised_value`` for the part sold)."""
    fund, _ = get_fund(actor, fund_id, write=True)
    seller = _lp_of(actor, fund, seller_id, "seller_id")
    if seller.investor_type not in GOVERNMENT_TYPES:
        raise ValidationError("seller_id", "early_exit_not_government", seller=seller.name)
    cause = parse_enum(EarlyExitTrigger, trigger, "trigger")
    basis = parse_enum(PriceBasis, pricing, "pricing")
    if new_buyer is not None and new_buyer.investor_type in {t.value for t in GOVERNMENT_TYPES}:
        raise ValidationError("buyer_id", "buyer_not_eligible", buyer_id=new_buyer.name)
    if new_buyer is None and buyer_id not in (None, "", 0):
        buyer = db.session.get(Investor, int(str(buyer_id))) if str(buyer_id).isdigit() else None
        if buyer is not None and buyer.investor_type in GOVERNMENT_TYPES:
            raise ValidationError("buyer_id", "buyer_not_eligible", buyer_id=buyer_id)
    extra: dict[str, object] = {"trigger": cause, "appraisal_ref": appraisal_ref.strip(),
                                "platform": parse_platform(platform)}
    terms = Terms(TransferKind.EARLY_EXIT, basis, extra=extra)
    price_of: PriceOf | None = None
    if basis is PriceBasis.COST_PLUS_INTEREST:
        base = parse_enum(InterestBase, interest_base, "interest_base")
        rate_value = parse_rate(rate, "rate", low=Decimal(0), high=MAX_RATE)
        price_of = _cost_terms(fund.id, rate_value, base, TransferKind.EARLY_EXIT, extra)
    elif basis is PriceBasis.APPRAISAL:
        terms.price = parse_amount(appraised_value, "appraised_value", allow_zero=True)
    else:
        raise ValidationError("pricing", "not_one_of", value=basis.value,
                              allowed="cost_plus_interest, appraisal")
    return post_transfer(actor, fund.id, seller_id=seller.id, buyer_id=buyer_id,
                         new_buyer=new_buyer, transfer_on=transfer_on,
                         commitment_amount=commitment_amount, terms=terms, memo=memo,
                         price_of=price_of)
