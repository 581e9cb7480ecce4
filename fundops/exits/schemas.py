"""Request and response schemas of the exits API (:mod:`fundops.exits.api`).

Amounts are exact decimal strings (or JSON integers) in yuan of the fund's currency;
shares exact decimal strings with up to 4 decimals; fractions and rates exact decimal
strings (0.08 = 8 %). Field names are the services' keyword arguments, so a service's
refusal names the request's field. Cost basis is the average cost of the holding (see
:mod:`fundops.exits.positions`).
"""

from __future__ import annotations

from fundops.api.fields import (
    Amount,
    Bool,
    Choice,
    Day,
    Id,
    Lines,
    Rate,
    Reply,
    Schema,
    Text,
    Timestamp,
)
from fundops.calc.exit_pricing import InterestMethod
from fundops.calc.lockup import TradeChannel
from fundops.exits.enums import (
    BuybackTrigger,
    ClaimStatus,
    EscrowOutcome,
    ExitKind,
    ObligorKind,
)

SALE_KINDS = ("trade_sale", "equity_transfer")
CLOSING_KINDS = ("liquidation", "write_off")


class ExitTradeSaleIn(Schema):
    company_id = Id(required=True, doc="a company the fund invested in (an open holding)")
    kind = Choice(SALE_KINDS, load_default="trade_sale",
                  doc="trade_sale (并购) or equity_transfer (老股转让)")
    value_on = Day(required=True, doc="not before the first investment, not after today")
    consideration = Amount(required=True, doc="the whole price, escrow included")
    shares = Amount(doc="shares sold (≤ held; 4 decimals); or give fraction; neither: all")
    fraction = Rate(doc="fraction of the holding sold, in (0, 1]")
    escrow = Amount(doc="part of the consideration held back (≤ consideration)")
    escrow_due_on = Day()
    counterparty = Text(max_length=200, doc="the buyer")
    remaining_value = Amount(doc="fair value of what is left (default: value before × "
                                 "(1 − fraction))")
    source_ref = Text(max_length=100, doc="the fund's own reference; unique in the fund")
    memo = Text(max_length=500)


class ExitLiquidationIn(Schema):
    company_id = Id(required=True)
    kind = Choice(CLOSING_KINDS, required=True,
                  doc="liquidation (清算, proceeds ≥ 0) or write_off (核销, no proceeds)")
    value_on = Day(required=True)
    reason = Text(required=True, max_length=500)
    approval_doc = Text(max_length=200, doc="approval document reference (a write-off "
                                            "requires one)")
    proceeds = Amount(doc="liquidation proceeds (default 0)")
    tolerated = Bool(doc="the loss is tolerated under the loss-tolerance rules (容亏)")
    counterparty = Text(max_length=200)
    source_ref = Text(max_length=100)
    memo = Text(max_length=500)


class ExitEscrowReleaseIn(Schema):
    value_on = Day(required=True, doc="not before the exit, not after today")
    amount = Amount(required=True, doc="≤ the escrow outstanding")
    outcome = Choice(EscrowOutcome, required=True,
                     doc="released (paid: a proceeds entry) or forfeited (a realised loss)")
    memo = Text(max_length=500)


class ExitReasonIn(Schema):
    reason = Text(required=True, max_length=500)


class BuybackClaimIn(Schema):
    company_id = Id(required=True)
    obligor_kind = Choice(ObligorKind, required=True,
                          doc="company (needs capital-reduction procedures, 九民纪要 Art. 5) "
                              "or founders")
    obligor_name = Text(required=True, max_length=200)
    trigger = Choice(BuybackTrigger, required=True)
    triggered_on = Day(required=True)
    principal = Amount(doc="default: the fund's net investment in the company")
    accrues_from = Day(doc="default: the first investment date")
    rate = Rate(doc="yearly rate, default 0.08")
    method = Choice(InterestMethod, load_default="simple",
                    doc="simple P(1 + r·years) or compound P(1 + r)^years; years = days/365")
    dividends = Amount(doc="dividends received, deducted at face value")
    memo = Text(max_length=500)


class BuybackSettleIn(Schema):
    value_on = Day(required=True)
    amount = Amount(doc="paid; default the accrued price on value_on")
    source_ref = Text(max_length=100)
    memo = Text(max_length=500)


class ExitEscrowReleaseOut(Reply):
    id = Id()
    exit_event_id = Id()
    value_on = Day()
    amount = Amount(doc="negative on a reversal")
    currency = Text()
    outcome = Choice(EscrowOutcome)
    cash_flow_id = Id(nullable=True, doc="the proceeds entry of a release")
    reverses_id = Id(nullable=True)
    memo = Text()
    recorded_at = Timestamp()


class ExitOut(Reply):
    id = Id()
    fund_id = Id()
    company_id = Id()
    kind = Choice(ExitKind)
    value_on = Day()
    shares = Amount(nullable=True, doc="shares disposed of (4 decimals)")
    fraction_disposed = Rate()
    price_per_share = Amount(nullable=True)
    proceeds_amount = Amount(doc="the whole consideration, escrow included")
    escrow_amount = Amount()
    escrow_due_on = Day(nullable=True)
    cost_basis_amount = Amount(doc="average cost of what was disposed of")
    realised_gain_amount = Amount(doc="consideration − cost basis (before forfeits)")
    value_before_amount = Amount()
    remaining_value_amount = Amount()
    closes_holding = Bool()
    currency = Text()
    counterparty = Text()
    channel = Choice(TradeChannel, nullable=True)
    listing_id = Id(nullable=True)
    buyback_claim_id = Id(nullable=True)
    reason = Text()
    approval_doc = Text()
    tolerated = Bool()
    cash_flow_id = Id(nullable=True, doc="the proceeds ledger entry")
    distribution_id = Id(nullable=True, doc="the in-kind distribution entry")
    source_ref = Text(nullable=True)
    memo = Text()
    reverses_id = Id(nullable=True)
    recorded_at = Timestamp()


class ExitLineOut(ExitOut):
    reversed = Bool(doc="a reversing event exists")
    escrow_outstanding = Amount()
    realised_net_amount = Amount(doc="realised gain − forfeited escrow")
    releases = Lines(ExitEscrowReleaseOut)


class ExitsOut(Reply):
    exits = Lines(ExitLineOut, doc="newest first, reversals included")


class ExitPositionOut(Reply):
    company_id = Id()
    company_name = Text()
    on = Day()
    shares_held = Amount(nullable=True, doc="null: no share count recorded")
    invested_amount = Amount(doc="investment entries net of reversals")
    remaining_cost_amount = Amount(doc="average-cost basis still held")
    value_amount = Amount(doc="latest valuation rolled forward, floored at 0")
    value_on = Day(nullable=True, doc="date of the valuation rolled from")
    proceeds_amount = Amount(doc="consideration of the live exits")
    realised_gain_amount = Amount(doc="to date, net of forfeited escrow")
    escrow_outstanding = Amount()
    status = Choice(("open", "closed"))
    closed_on = Day(nullable=True)


class ExitPositionsOut(Reply):
    method = Text(doc="the cost method: average_cost")
    holdings = Lines(ExitPositionOut)


class BuybackClaimOut(Reply):
    id = Id()
    fund_id = Id()
    company_id = Id()
    obligor_kind = Choice(ObligorKind)
    obligor_name = Text()
    trigger = Choice(BuybackTrigger)
    triggered_on = Day()
    principal_amount = Amount()
    accrues_from = Day()
    rate = Rate()
    method = Choice(InterestMethod)
    dividends_amount = Amount()
    currency = Text()
    status = Choice(ClaimStatus)
    memo = Text()
    accrued_on = Day(nullable=True)
    accrued_amount = Amount(nullable=True, doc="the buy-back price today (open claims)")
    recorded_at = Timestamp()


class BuybackClaimsOut(Reply):
    claims = Lines(BuybackClaimOut)
