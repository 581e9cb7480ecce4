"""Request and response schemas of the loan API (:mod:`.loans.api`): bank products,
applications and decisions, disbursements and repayments, credit events and warrants.

Requests name exactly the fields the services take (an unknown key is a 422); amounts
are exact decimal strings (or JSON integers) in yuan of the loan's currency, fractions
decimal strings (0.035 = 3.5 %), dates ``YYYY-MM-DD``. Responses give every key always,
``null`` only where marked nullable.
"""

from __future__ import annotations

from fundops.api.fields import (
    Amount,
    Bool,
    Choice,
    Day,
    Id,
    Int,
    Lines,
    Object,
    Rate,
    Reply,
    Schema,
    Text,
    Timestamp,
)
from fundops.syndication.enums import (
    Collateral,
    EquityRule,
    LoanEntryKind,
    LoanStatus,
    RateType,
    RepaymentType,
    TermSheetStatus,
)
from fundops.syndication.term_sheets.schemas import VerifiedFactsOut, items

WARRANT_STATUSES = ("open", "exercised", "expired")


def confirm_fields() -> tuple[Bool, Text]:
    """``confirm`` and ``confirm_reason`` of a post an approval policy may check for
    plausibility (declare them last: ``confirm, confirm_reason = confirm_fields()``)."""
    return (Bool(doc="post despite plausibility warnings (409 confirmation_required lists them)"),
            Text(doc="why, required with confirm; recorded"))


# --- requests ------------------------------------------------------------------------


class ProductIn(Schema):
    name = Text(required=True)
    alpha = Rate(required=True, doc="share of equity arrived lent, 0..1")
    beta = Rate(required=True, doc="share of post-money lent, 0..1")
    cap_amount = Amount(required=True)
    tenor_months = Int(required=True, doc="1..360")
    rate_type = Choice(RateType, required=True)
    repayment_type = Choice(RepaymentType, required=True)
    collateral = Choice(Collateral, required=True)
    required_status = Choice(TermSheetStatus, exclude=("lapsed", "cancelled"),
                             doc="default ic_approved")
    equity_rule = Choice(EquityRule, doc="default share")
    required_share = Rate(doc="γ, share of the round arrived before drawing; default 1")
    fixed_rate = Rate(doc="annual, required when rate_type is fixed")
    spread = Rate(doc="over LPR, required when rate_type is lpr_spread")
    currency = Text(doc="default CNY")
    subsidy_share = Rate(doc="interest subsidy share, default 0")
    subsidy_max_rate = Rate()
    subsidy_annual_cap = Amount()
    warrant_coverage = Rate(doc="default 0")
    risk_scheme = Text()


class PartnerIn(Schema):
    bank_id = Id(required=True, doc="another bank's organisation id")
    amount = Amount(required=True, doc="that bank's share")


class ApplyIn(Schema):
    code = Text(required=True, doc="the verification code of the round")
    product_id = Id(required=True, doc="one of the caller's products")
    amount = Amount(required=True,
                    doc="the whole loan; the caller's share is what the partners leave")
    first_due_on = Day(doc="default a month after approval")
    partners = items(PartnerIn, "other banks of a joint loan")


class ApproveIn(Schema):
    note = Text()
    confirm, confirm_reason = confirm_fields()


class DeclineIn(Schema):
    note = Text(required=True, doc="why the application is declined")


class DisburseIn(Schema):
    amount = Amount(required=True)
    value_on = Day(required=True)
    memo = Text()
    confirm, confirm_reason = confirm_fields()


class RepayIn(Schema):
    principal = Amount(required=True, doc="0 allowed")
    interest = Amount(required=True, doc="0 allowed")
    value_on = Day(required=True)
    subsidy = Amount(doc="interest subsidy received")


class OverdueIn(Schema):
    amount = Amount(required=True, doc="the amount past due (a memo: no cash moves)")
    value_on = Day(required=True)
    memo = Text()


class LoanDefaultIn(Schema):
    value_on = Day(required=True)
    reason = Text(required=True, doc="at most 500 characters")


class WriteOffIn(Schema):
    amount = Amount(required=True, doc="at most the principal outstanding")
    value_on = Day(required=True)
    reason = Text(required=True)


class RecoveryIn(Schema):
    amount = Amount(required=True)
    value_on = Day(required=True)
    memo = Text(doc="collateral sold, guarantor, court ...")


class WarrantIn(Schema):
    holder_name = Text(required=True)
    window_from = Day(required=True)
    window_to = Day(required=True, doc="not before window_from")
    coverage = Rate(doc="of the loan, above 0 and at most 1; default the product's")
    exercise_price = Amount(doc="per share, up to 4 places; default the round's")


class CloseWarrantIn(Schema):
    outcome = Choice(("exercised", "expired"), required=True)
    on = Day(required=True, doc="within the window when exercised")


# --- responses -----------------------------------------------------------------------


class ProductOut(Reply):
    id = Id()
    name = Text()
    currency = Text()
    alpha = Rate(doc="share of equity arrived lent")
    beta = Rate(doc="share of post-money lent")
    cap_amount = Amount()
    required_status = Choice(TermSheetStatus)
    equity_rule = Choice(EquityRule)
    required_share = Rate()
    tenor_months = Int()
    rate_type = Choice(RateType)
    fixed_rate = Rate(nullable=True)
    spread = Rate(nullable=True)
    repayment_type = Choice(RepaymentType)
    subsidy_share = Rate()
    subsidy_max_rate = Rate(nullable=True)
    subsidy_annual_cap = Amount(nullable=True)
    warrant_coverage = Rate()
    collateral = Choice(Collateral)
    risk_scheme = Text()
    active = Bool()
    created_at = Timestamp()


class ProductListOut(Reply):
    products = Lines(ProductOut)


class LoanShareOut(Reply):
    bank_id = Id()
    is_lead = Bool()
    amount = Amount()


class LoanOut(Reply):
    id = Id()
    term_sheet_id = Id()
    product_id = Id()
    lead_bank_id = Id()
    company_id = Id()
    currency = Text()
    requested_amount = Amount()
    reserved_amount = Amount()
    annual_rate = Rate(nullable=True, doc="fixed at approval")
    first_due_on = Day(nullable=True)
    status = Choice(LoanStatus)
    flag = Text(doc="e.g. the term sheet lapsed")
    applied_at = Timestamp()
    decided_at = Timestamp(nullable=True)
    decision_note = Text()
    shares = Lines(LoanShareOut)


class LoanListOut(Reply):
    loans = Lines(LoanOut)


class LoanHeadroomOut(Reply):
    product_cap = Amount()
    equity_limit = Amount()
    valuation_limit = Amount()
    limit = Amount()
    binding = Choice(("product_cap", "equity_arrived", "post_money"))
    reserved = Amount()
    headroom = Amount()


class LoanEquityOut(Reply):
    allowed = Amount(doc="the most that may be disbursed now")
    met = Bool()
    arrived_share = Rate()
    counted = Amount()
    reason = Text(nullable=True)


class LoanCheckOut(Reply):
    """The bank's check: other banks' reservations are amounts only, never names."""

    facts = Object(VerifiedFactsOut)
    headroom = Object(LoanHeadroomOut)
    equity = Object(LoanEquityOut)
    other_reservations = Lines(Amount(required=True))
    status_ok = Bool()
    status_reason = Text(nullable=True)
    drawn = Amount()
    outstanding = Amount()


class ScheduleRowOut(Reply):
    period = Int()
    due_on = Day()
    opening_balance = Amount()
    principal = Amount()
    interest = Amount()
    subsidy = Amount()
    closing_balance = Amount()


class LoanEntryOut(Reply):
    id = Id()
    kind = Choice(LoanEntryKind)
    value_on = Day()
    amount = Amount(doc="a reversal carries the negated amount")
    currency = Text()
    memo = Text()
    reverses_id = Id(nullable=True)
    recorded_at = Timestamp()


class WarrantOut(Reply):
    id = Id()
    loan_id = Id()
    holder_name = Text()
    coverage = Rate()
    amount = Amount()
    exercise_price = Amount(nullable=True, doc="per share, 4 places")
    window_from = Day()
    window_to = Day()
    status = Choice(WARRANT_STATUSES)
    closed_on = Day(nullable=True)


class LoanDetailOut(LoanOut):
    check = Object(LoanCheckOut)
    schedule = Lines(ScheduleRowOut)
    entries = Lines(LoanEntryOut)
    warrants = Lines(WarrantOut)


class LoanEventOut(LoanEntryOut):
    """A posted entry with the loan's balances after it."""

    loan_status = Choice(LoanStatus)
    drawn = Amount()
    outstanding = Amount(doc="principal outstanding")


class RepaymentOut(Reply):
    entries = Lines(LoanEntryOut)
    loan_status = Choice(LoanStatus)
    drawn = Amount()
    outstanding = Amount(doc="principal outstanding")


class RecoveryShareOut(Reply):
    party = Text()
    amount = Amount()


class RecoveryOut(LoanEventOut):
    shared = Lines(RecoveryShareOut, doc="what the recovery handed back to each party of "
                                          "the loan's pool claim (empty without one)")
