"""Request and response schemas of the risk-pool API (:mod:`fundops.syndication.pools.api`).

Amounts are exact decimal strings in yuan of the pool's currency; shares and the leverage
multiple ``k`` are exact decimal strings (8 places as stored); dates ``YYYY-MM-DD``,
timestamps ISO 8601 in UTC.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from fundops.api.fields import (
    Amount,
    Bool,
    Choice,
    Day,
    Id,
    Int,
    Lines,
    Rate,
    Reply,
    Schema,
    Text,
    Timestamp,
)
from fundops.approvals.schemas import ConfirmIn
from fundops.calc.loss_sharing import ROLES

PARTY_ROLES = tuple(sorted(ROLES))


# --- requests -------------------------------------------------------------------------------

class PartyIn(Schema):
    name = Text(required=True, max_length=100, doc="unique in the pool")
    role = Choice(PARTY_ROLES, required=True)
    share = Rate(required=True, doc="of each loss, 0..1; the parties' shares sum exactly to 1")
    cap = Amount(doc="the most this party bears on one loan; never for the bank")


class PoolIn(Schema):
    name = Text(required=True, max_length=200, doc="unique among the caller's pools")
    parties = Lines(PartyIn, required=True,
                    doc="the loss-sharing scheme: exactly one bank party")
    member_bank_ids = Lines(Id(), doc="banks whose loans may be enrolled")
    currency = Text(doc="ISO 4217; default CNY")
    leverage_k = Rate(doc="enrolled loans at most k × balance; absent: no cap")
    cap_per_loan = Amount(doc="the pool pays at most this per loan")
    cap_per_company = Amount(doc="... per company, over all its claims")
    cap_per_year = Amount(doc="... per calendar year of the claims")
    source = Text(max_length=500, doc="the policy it follows")


class ContributionIn(Schema):
    funder = Text(required=True, doc="e.g. 省财政")
    amount = Amount(required=True)
    contributed_on = Day(required=True)


class EnrolmentIn(Schema):
    loan_id = Id(required=True, doc="an approved or active loan the caller's bank leads")
    on = Day(required=True)


class ClaimIn(ConfirmIn):
    on = Day(required=True, doc="the claim date; recoveries until then reduce the loss")


# --- responses ------------------------------------------------------------------------------

class PoolOut(Reply):
    id = Id()
    name = Text()
    currency = Text(doc="ISO 4217")
    is_manager = Bool(doc="the caller's organisation manages the pool")
    leverage_k = Rate(nullable=True, doc="null: no leverage cap")
    cap_per_loan = Amount(nullable=True)
    cap_per_company = Amount(nullable=True)
    cap_per_year = Amount(nullable=True)
    enrolled_amount = Amount(doc="principal of the loans enrolled")
    source = Text()
    created_at = Timestamp()


class PoolsOut(Reply):
    pools = Lines(PoolOut)


class PartyOut(Reply):
    seq = Int()
    name = Text()
    role = Choice(PARTY_ROLES)
    share = Rate()
    cap = Amount(nullable=True)


class FunderOut(Reply):
    funder = Text()
    amount = Amount(doc="paid in by this funder, in total")


class ClaimShareOut(Reply):
    party = Text()
    role = Choice(PARTY_ROLES)
    pro_rata = Amount(doc="the party's share of the loss before caps")
    borne = Amount(doc="what the party bears after the caps")
    returned = Amount(doc="handed back to the party by recoveries since")


class ClaimOut(Reply):
    id = Id()
    pool_id = Id()
    loan_id = Id()
    company_id = Id()
    claimed_on = Day()
    principal_outstanding = Amount()
    recoveries = Amount(doc="recovered before the claim date")
    loss = Amount()
    pool_paid = Amount()
    binding = Text(doc="the limit that cut the pool's part (empty when none did)")
    recorded_at = Timestamp()
    shares = Lines(ClaimShareOut)


class PoolDetailOut(PoolOut):
    """The pool with its scheme, position and the claims the caller may see."""

    parties = Lines(PartyOut)
    contributions = Lines(FunderOut)
    contributed = Amount()
    claims_paid = Amount()
    recoveries_back = Amount()
    balance = Amount()
    enrolled_loans = Int()
    leverage_limit = Amount(nullable=True, doc="k × balance; null without a cap")
    leverage_headroom = Amount(nullable=True, doc="null without a cap")
    claim_count = Int()
    claims = Lines(ClaimOut, doc="all for the manager, its own loans' for a member bank")
    member_bank_ids = Lines(Id(), doc="to the pool's manager only (absent for a member bank)")

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        super().on_bind_field(field_name, field_obj)
        field_obj.required = field_name != "member_bank_ids"


class ContributionOut(Reply):
    id = Id()
    pool_id = Id()
    funder = Text()
    amount = Amount()
    contributed_on = Day()
    recorded_at = Timestamp()
    balance = Amount(doc="the pool's balance after it")


class EnrolmentOut(Reply):
    id = Id()
    pool_id = Id()
    loan_id = Id()
    amount = Amount(doc="the loan's principal enrolled")
    enrolled_on = Day()
    pool_enrolled_amount = Amount(doc="all loans enrolled in the pool")
    leverage_headroom = Amount(nullable=True, doc="null without a cap")


class RecoveryShareOut(Reply):
    """What a recovery on a claimed loan handed back to one party of the claim."""

    party = Text()
    amount = Amount()

