"""Request and response schemas of the waterfall API (:mod:`fundops.exits.waterfall_api`).

Amounts are exact decimal strings in yuan of the fund's currency; rates and shares are
fractions (0.2 = 20 %). Every reply that carries a result carries its ``conventions``
(code and English text; the pages print them in Chinese).
"""

from __future__ import annotations

from fundops.api.fields import (
    Amount,
    Bool,
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
from fundops.calc.waterfall_terms import CapitalBasis, ConcessionPlacement, Hurdle, Structure
from fundops.exits.enums import ConcessionCondition


class BeneficiaryIn(Schema):
    investor_id = Id(required=True)
    weight = Rate(required=True, doc="> 0; the ceded amount splits by weight")


class ConcessionIn(Schema):
    government_id = Id(required=True, doc="the government LP (an investor of the fund)")
    threshold_rate = Rate(required=True, doc="simple, per year, on the original principal")
    share = Rate(required=True, doc="share of the excess ceded, 0 … 1")
    beneficiaries = Lines(BeneficiaryIn, required=True)
    condition = Choice(ConcessionCondition, doc="applies only in runs that list it as met")


class TermsIn(Schema):
    effective_on = Day(required=True)
    carry_recipient_id = Id(required=True, doc="the investor record (committed to the "
                                                "fund) receiving the carry")
    structure = Choice(Structure, required=True)
    capital_basis = Choice(CapitalBasis, required=True)
    hurdle = Choice(Hurdle, required=True)
    hurdle_rate = Rate(required=True)
    catch_up = Rate(doc="the GP's share of the catch-up tier; left out: no catch-up")
    carry = Rate(required=True)
    holdback = Rate(doc="share of the carry held back in escrow (default 0)")
    concession_placement = Choice(ConcessionPlacement)
    gp_commitment_ids = Lines(Id(), doc="investors whose share takes no carry")
    concessions = Lines(ConcessionIn)
    memo = Text(max_length=500)


class ConventionOut(Reply):
    code = Text()
    text = Text(doc="English; the pages print it in Chinese")


class BeneficiaryOut(Reply):
    investor_id = Id()
    weight = Rate()


class ConcessionOut(Reply):
    government_id = Id()
    threshold_rate = Rate()
    share = Rate()
    condition = Choice(ConcessionCondition, nullable=True)
    beneficiaries = Lines(BeneficiaryOut)


class TermsOut(Reply):
    id = Id()
    fund_id = Id()
    effective_on = Day()
    structure = Choice(Structure)
    capital_basis = Choice(CapitalBasis)
    hurdle = Choice(Hurdle)
    hurdle_rate = Rate()
    catch_up = Rate(nullable=True)
    carry = Rate()
    holdback = Rate()
    concession_placement = Choice(ConcessionPlacement)
    carry_recipient_id = Id()
    gp_commitment_ids = Lines(Id())
    concessions = Lines(ConcessionOut)
    memo = Text()
    recorded_at = Timestamp()
    conventions = Lines(ConventionOut)


class TermsListOut(Reply):
    in_force = Object(TermsOut, nullable=True)
    versions = Lines(TermsOut)


class RunIn(Schema):
    value_on = Day(required=True)
    amount = Amount(required=True, doc="the distributable amount run through the waterfall")
    distribution_type = Choice(("return_of_capital", "gain", "income"))
    conditions_met = Lines(Choice(ConcessionCondition), doc="让利 conditions met")
    company_id = Id(doc="the deal of a deal-by-deal fund")
    memo = Text(max_length=500)
    source_ref = Text(max_length=100)


class SliceOut(Reply):
    investor_id = Id()
    investor_name = Text()
    capital = Amount()
    pref = Amount()
    catch_up = Amount()
    split = Amount()
    carry_catch_up = Amount()
    carry_split = Amount()
    concession_in = Amount()
    concession_out = Amount()
    ceded_before_carry = Amount()
    payment = Amount(doc="cash received in this run (carry recipient: incl. carry − escrow)")


class ReversalOut(Reply):
    id = Id()
    run_id = Id()
    cash_flow_id = Id()
    reason = Text()
    recorded_at = Timestamp()


class RunOut(Reply):
    id = Id()
    fund_id = Id()
    terms_id = Id()
    cash_flow_id = Id()
    company_id = Id(nullable=True)
    value_on = Day()
    amount = Amount()
    carry = Amount()
    escrow = Amount(doc="held back in the fund")
    paid = Amount(doc="the ledger entry's amount: amount − escrow")
    currency = Text()
    conditions_met = Lines(Choice(ConcessionCondition))
    memo = Text()
    reversed = Object(ReversalOut, nullable=True)
    slices = Lines(SliceOut)
    recorded_at = Timestamp()
    conventions = Lines(ConventionOut)


class RunsOut(Reply):
    runs = Lines(RunOut)


class ReverseRunIn(Schema):
    reason = Text(required=True, max_length=500)


class NetNavOut(Reply):
    investor_id = Id()
    investor_name = Text()
    net_nav = Amount(doc="what it would receive: its NAV net of accrued carry")


class AsOfQuery(Schema):
    as_of = Day(doc="the date of the NAV; default today (Asia/Shanghai)")


class LiquidationOut(Reply):
    fund_id = Id()
    as_of = Day()
    has_terms = Bool()
    nav = Amount(nullable=True)
    accrued_carry = Amount(nullable=True)
    net_nav = Amount(nullable=True, doc="NAV − accrued carry")
    lps = Lines(NetNavOut)
    conventions = Lines(ConventionOut)
