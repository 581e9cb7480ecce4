"""Request and response schemas of the LP-interest transfer API
(:mod:`fundops.exits.transfer_api`).

Amounts are exact decimal strings in yuan of the fund's currency; rates and the discount
are fractions (0.15 = 15 %; a negative discount is a premium). The conventions of the
price, the register change and the refusals are those of :mod:`fundops.exits.transfers`
and :mod:`fundops.exits.transfer_options`, stated again in ``conventions`` of each reply.
"""

from __future__ import annotations

from fundops.api.fields import (
    Amount,
    Choice,
    Day,
    Id,
    Lines,
    Object,
    Rate,
    Reply,
    Schema,
    Text,
    Timestamp,
)
from fundops.calc.transfer_pricing import InterestBase
from fundops.exits.transfer_enums import (
    EarlyExitTrigger,
    EligibleBuyers,
    PriceBasis,
    TransferKind,
    TransferPlatform,
)
from fundops.portfolio.enums import InvestorType

CONVENTIONS = (
    "S-fund price = reference NAV of the transferred interest × (1 − discount) + the "
    "transferred fraction of the seller's calls after the reference date − that fraction of "
    "its distributions after it, at face value (a negative discount is a premium; a typed "
    "price replaces the formula, kept beside it). Buy-out option and charter-priced early "
    "exit: paid-in + simple interest (Actual/365) from each contribution date on the "
    "original or unreturned principal − distributions received, at face value, floored at "
    "0, × the fraction sold. From the transfer date the seller's commitment falls and the "
    "buyer's rises by the amount transferred, and the fraction of the seller's paid-in "
    "moves to the buyer; earlier calls and distributions stay the seller's. The price is "
    "paid between the LPs outside the fund: the seller's last inflow and the buyer's first "
    "outflow in their LP returns, the buyer's paid-in and the seller's distributed; the "
    "fund's own metrics do not move. A redemption by the fund itself is not modelled.")


class NewBuyerIn(Schema):
    name = Text(required=True, max_length=200)
    investor_type = Choice(InvestorType, required=True)
    uscc = Text(max_length=18)


class _Parties(Schema):
    buyer_id = Id(doc="an investor of your organisation (or give new_buyer)")
    new_buyer = Object(NewBuyerIn, metadata={"description": "a buyer not yet recorded: "
                                            "registered with the transfer"})
    transfer_on = Day(required=True)
    commitment_amount = Amount(doc="the part of the seller's commitment sold; "
                                   "left out: its whole interest")
    appraisal_ref = Text(max_length=200, doc="appraisal report (评估报告): required for "
                                             "state-owned, fiscal and guidance-fund sellers")
    platform = Choice(TransferPlatform, doc="exchange or platform: required with the appraisal")
    memo = Text(max_length=500)


class TransferIn(_Parties):
    seller_id = Id(required=True)
    reference_on = Day(required=True)
    reference_nav = Amount(required=True, doc="NAV of the transferred interest at reference_on")
    discount_rate = Rate(required=True, doc="a fraction; negative: a premium")
    price = Amount(doc="a negotiated price; left out: the formula's")


class EarlyExitIn(_Parties):
    seller_id = Id(required=True, doc="the government (fiscal or guidance-fund) LP")
    trigger = Choice(EarlyExitTrigger, required=True, doc="210号 Art. 20")
    pricing = Choice(PriceBasis, required=True, exclude=("formula", "negotiated"))
    rate = Rate(doc="the charter's reference rate (pricing cost_plus_interest)")
    interest_base = Choice(InterestBase)
    appraised_value = Amount(doc="the appraised value of the part sold (pricing appraisal)")


class OptionIn(Schema):
    holder_id = Id(required=True, doc="the government (fiscal or guidance-fund) LP")
    window_from = Day(required=True)
    window_to = Day(required=True)
    eligible = Choice(EligibleBuyers, required=True)
    gp_investor_id = Id(doc="the GP's LP record (when the GP may buy)")
    rate = Rate(required=True, doc="reference rate, simple, per year")
    interest_base = Choice(InterestBase)
    memo = Text(max_length=500)


class ExerciseIn(Schema):
    buyer_id = Id(required=True)
    transfer_on = Day(required=True, doc="inside the option's window")
    commitment_amount = Amount()
    appraisal_ref = Text(max_length=200)
    platform = Choice(TransferPlatform)
    memo = Text(max_length=500)


class ReverseTransferIn(Schema):
    reason = Text(required=True, max_length=500)


class TransferOut(Reply):
    id = Id()
    fund_id = Id()
    kind = Choice(TransferKind)
    seller_id = Id()
    buyer_id = Id()
    transfer_on = Day()
    fraction = Rate(doc="of the seller's commitment on the date, 8 decimals")
    commitment_amount = Amount()
    paid_in_amount = Amount(doc="paid-in capital moved to the buyer")
    price_basis = Choice(PriceBasis)
    price_amount = Amount(doc="paid buyer → seller outside the fund")
    formula_price_amount = Amount(nullable=True)
    reference_on = Day(nullable=True)
    reference_nav_amount = Amount(nullable=True)
    discount_rate = Rate(nullable=True)
    calls_after_amount = Amount(nullable=True)
    distributions_after_amount = Amount(nullable=True)
    rate = Rate(nullable=True)
    interest_base = Choice(InterestBase, nullable=True)
    option_id = Id(nullable=True)
    trigger = Choice(EarlyExitTrigger, nullable=True)
    appraisal_ref = Text()
    platform = Choice(TransferPlatform, nullable=True)
    currency = Text()
    cash_flow_id = Id()
    reverses_id = Id(nullable=True)
    memo = Text()
    recorded_at = Timestamp()
    conventions = Text()


class TransfersOut(Reply):
    transfers = Lines(TransferOut)


class OptionOut(Reply):
    id = Id()
    fund_id = Id()
    holder_id = Id()
    window_from = Day()
    window_to = Day()
    eligible = Choice(EligibleBuyers)
    gp_investor_id = Id(nullable=True)
    rate = Rate()
    interest_base = Choice(InterestBase)
    memo = Text()
    conventions = Text()


class OptionsOut(Reply):
    options = Lines(OptionOut)
