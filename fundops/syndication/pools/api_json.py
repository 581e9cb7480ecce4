"""JSON in and out of the risk-pool routes: request field lists (parsed by
:func:`fundops.syndication.api_json.parse_body`), response serialisers and the small
read-side loads they need. Amounts are yuan of the pool's currency, shares fractions.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundops.calc.loss_sharing import ROLES
from fundops.extensions import db
from fundops.syndication.api_json import CONFIRM, Field
from fundops.syndication.pools.models import (
    RiskPool,
    RiskPoolBank,
    RiskPoolClaim,
    RiskPoolContribution,
    RiskPoolEnrolment,
    RiskPoolRecovery,
)
from fundops.syndication.pools.services import PoolPosition
from fundops.uow import Actor

ZERO = Decimal("0.00")

PARTY = {
    "name": Field("text", True, "unique in the pool, at most 100 characters"),
    "role": Field("enum", True, values=tuple(sorted(ROLES))),
    "share": Field("rate", True, "of each loss, 0..1; the parties' shares sum exactly to 1"),
    "cap": Field("amount", doc="the most this party bears on one loan; never for the bank"),
}
POOL = {
    "name": Field("text", True, "unique among the caller's pools, at most 200 characters"),
    "parties": Field("list", True, "the loss-sharing scheme: exactly one bank party",
                     items=PARTY),
    "member_bank_ids": Field("ids", doc="banks whose loans may be enrolled"),
    "currency": Field("text", doc="ISO 4217; default CNY"),
    "leverage_k": Field("rate", doc="enrolled loans at most k × balance; absent: no cap"),
    "cap_per_loan": Field("amount", doc="the pool pays at most this per loan"),
    "cap_per_company": Field("amount", doc="... per company, over all its claims"),
    "cap_per_year": Field("amount", doc="... per calendar year of the claims"),
    "source": Field("text", doc="the policy it follows, at most 500 characters"),
}
CONTRIBUTION = {"funder": Field("text", True, "e.g. 省财政"), "amount": Field("amount", True),
                "contributed_on": Field("date", True)}
ENROLMENT = {"loan_id": Field("id", True, "an approved or active loan the caller's bank leads"),
             "on": Field("date", True)}
CLAIM = {"on": Field("date", True, "the claim date; recoveries until then reduce the loss"),
         **CONFIRM}


def pool_json(pool: RiskPool, actor: Actor) -> dict[str, Any]:
    return {
        "id": pool.id, "name": pool.name, "currency": pool.currency,
        "is_manager": pool.organisation_id == actor.organisation_id,
        "leverage_k": pool.leverage_k, "cap_per_loan": pool.cap_per_loan,
        "cap_per_company": pool.cap_per_company, "cap_per_year": pool.cap_per_year,
        "enrolled_amount": pool.enrolled_amount, "source": pool.source,
        "created_at": pool.created_at,
    }


def pool_detail_json(pool: RiskPool, actor: Actor, position: PoolPosition,
                     claims: list[RiskPoolClaim]) -> dict[str, Any]:
    """The pool, its scheme and position, and the claims the caller may see; the member
    banks are listed to the manager only (a member bank is not told who else is in)."""
    body = pool_json(pool, actor) | {
        "parties": [{"seq": p.seq, "name": p.name, "role": p.role, "share": p.share,
                     "cap": p.cap} for p in pool.parties],
        "contributions": [{"funder": funder, "amount": amount}
                          for funder, amount in position.contributions.items()],
        "contributed": sum(position.contributions.values(), ZERO),
        "claims_paid": position.claims_paid, "recoveries_back": position.recoveries_back,
        "balance": position.balance, "enrolled_loans": position.enrolled_loans,
        "enrolled_amount": position.enrolled_amount,
        "leverage_limit": position.leverage_limit,
        "leverage_headroom": position.leverage_headroom, "claim_count": position.claims,
        "claims": claims_json(claims),
    }
    if body["is_manager"]:
        body["member_bank_ids"] = list(db.session.scalars(
            sa.select(RiskPoolBank.bank_id).where(RiskPoolBank.pool_id == pool.id)
            .order_by(RiskPoolBank.bank_id)))
    return body


def claims_json(claims: Iterable[RiskPoolClaim]) -> list[dict[str, Any]]:
    """Claims with each party's share of the loss and what recoveries handed it back."""
    claims = list(claims)
    returned: dict[tuple[int, str], Decimal] = {
        (claim_id, party): amount for claim_id, party, amount in db.session.execute(
            sa.select(RiskPoolRecovery.claim_id, RiskPoolRecovery.party,
                      sa.func.sum(RiskPoolRecovery.amount))
            .where(RiskPoolRecovery.claim_id.in_([c.id for c in claims]))
            .group_by(RiskPoolRecovery.claim_id, RiskPoolRecovery.party))}
    return [{
        "id": c.id, "pool_id": c.pool_id, "loan_id": c.loan_id, "company_id": c.company_id,
        "claimed_on": c.claimed_on, "principal_outstanding": c.principal_outstanding,
        "recoveries": c.recoveries, "loss": c.loss, "pool_paid": c.pool_paid,
        "binding": c.binding, "recorded_at": c.recorded_at,
        "shares": [{"party": s.party, "role": s.role, "pro_rata": s.pro_rata,
                    "borne": s.borne, "returned": returned.get((c.id, s.party), ZERO)}
                   for s in c.shares],
    } for c in claims]


def contribution_json(row: RiskPoolContribution) -> dict[str, Any]:
    return {"id": row.id, "pool_id": row.pool_id, "funder": row.funder, "amount": row.amount,
            "contributed_on": row.contributed_on, "recorded_at": row.recorded_at}


def enrolment_json(row: RiskPoolEnrolment) -> dict[str, Any]:
    return {"id": row.id, "pool_id": row.pool_id, "loan_id": row.loan_id, "amount": row.amount,
            "enrolled_on": row.enrolled_on}


def recovery_shares_json(loan_entry_id: int) -> list[dict[str, Any]]:
    """What one recovery entry handed back to each party of the loan's claim."""
    return [{"party": r.party, "amount": r.amount} for r in db.session.scalars(
        sa.select(RiskPoolRecovery).where(RiskPoolRecovery.loan_entry_id == loan_entry_id)
        .order_by(RiskPoolRecovery.id))]


# Read-side checks the services do not offer (callers have already checked access).


