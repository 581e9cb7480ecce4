"""Risk-pool routes of the linked-loans API (/api/v1): a pool's manager (guidance-fund
manager, platform operator or guarantor) sets it up and records the money paid in; a
member bank enrols the loans it leads and claims on a default.

404 before the body is read for a pool or loan the caller cannot act on (a member bank
reads a pool but does not manage it; a manager reads and manages it but enrols nothing),
409 when the service refuses in the current state (the leverage cap, a loan already
enrolled or not yet in default), 422 naming the field, nothing written on failure. The
money-moving POSTs take an Idempotency-Key; a claim may be held for approval (202).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.approvals.api import submit_json
from fundops.approvals.schemas import HELD
from fundops.errors import NotFound, ValidationError
from fundops.portfolio.access import require_writer
from fundops.syndication import queries
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import schemas as S
from fundops.syndication.pools import services as pools
from fundops.syndication.pools.models import RiskPool, RiskPoolClaim
from fundops.uow import Actor

bp = Blueprint("pools_api", __name__, description="Risk-compensation pools")

ZERO = Decimal("0.00")


def columns(row: Any) -> dict[str, Any]:
    """A model row's column values by name (a reply adds its computed keys to these)."""
    return {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}


def claim_lines(claims: Iterable[RiskPoolClaim]) -> list[dict[str, Any]]:
    """Each claim with its ``shares``: per party its pro-rata loss, what it bore and what
    recoveries since returned to it (``returned``, 0.00 when none)."""
    claims = list(claims)
    returned = queries.claim_returns(c.id for c in claims)
    return [columns(c) | {
        "shares": [{"party": s.party, "role": s.role, "pro_rata": s.pro_rata,
                    "borne": s.borne, "returned": returned.get((c.id, s.party), ZERO)}
                   for s in c.shares],
    } for c in claims]


def _pool(pool: RiskPool, who: Actor) -> dict[str, Any]:
    return columns(pool) | {"is_manager": pool.organisation_id == who.organisation_id}


def _detail(who: Actor, pool_id: int) -> dict[str, Any]:
    """The pool, its scheme and position, and the claims the caller may see; the member
    banks are listed to the manager only (a member bank is not told who else is in)."""
    pool = pools.get_pool(who, pool_id)
    position = pools.pool_position(who, pool_id)
    body = _pool(pool, who) | {
        "parties": pool.parties,
        "contributions": [{"funder": funder, "amount": amount}
                          for funder, amount in position.contributions.items()],
        "contributed": sum(position.contributions.values(), ZERO),
        "claims_paid": position.claims_paid, "recoveries_back": position.recoveries_back,
        "balance": position.balance, "enrolled_loans": position.enrolled_loans,
        "enrolled_amount": position.enrolled_amount,
        "leverage_limit": position.leverage_limit,
        "leverage_headroom": position.leverage_headroom, "claim_count": position.claims,
        "claims": claim_lines(pools.list_claims(who, pool_id)),
    }
    if body["is_manager"]:
        body["member_bank_ids"] = queries.member_bank_ids(pool.id)
    return body


def _manager_writer(who: Actor) -> None:
    pools.require_manager(who)  # 404 for anyone else
    require_writer(who)


def _pool_manager(who: Actor, pool_id: int) -> None:
    pools.get_pool(who, pool_id, manage=True)
    require_writer(who)


def _member_bank(who: Actor, pool_id: int) -> None:
    pools.get_pool(who, pool_id)
    lending.require_bank(who)  # a member is a bank; the (non-bank) manager enrols nothing
    require_writer(who)


def _lead_bank(who: Actor, loan_id: int) -> None:
    lending.get_loan(who, loan_id, write=True)


@bp.route("/pools")
@bp.response(200, S.PoolsOut)
def pool_list() -> Any:
    """Pools the caller manages or is a member bank of (empty for anyone else)."""
    who = actor()
    return {"pools": [_pool(p, who) for p in pools.list_pools(who)]}


@bp.route("/pools", methods=["POST"])
@bp.doc(responses={"404": "NotFound"})  # the caller is not a pool manager
@guard(_manager_writer)
@bp.arguments(S.PoolIn)
@bp.response(201, S.PoolDetailOut)
def pool_create(data: dict[str, Any]) -> Any:
    """Set up a pool with its scheme, rules and member banks (managers' writers only)."""
    who = actor()
    pool = pools.create_pool(who, **data)
    return (_detail(who, pool.id), 201,
            {"Location": url_for("pools_api.pool_detail", pool_id=pool.id)})


@bp.route(f"/pools/<{ID}:pool_id>")
@bp.response(200, S.PoolDetailOut)
def pool_detail(pool_id: int) -> Any:
    """The pool's rules and scheme, its position (money in by funder, claims paid,
    recoveries back, balance, enrolled loans, leverage limit and headroom) and the
    claims the caller may see: all for the manager, its own loans' for a member bank."""
    return _detail(actor(), pool_id)


@bp.route(f"/pools/<{ID}:pool_id>/contributions", methods=["POST"])
@guard(_pool_manager)
@idempotent
@bp.arguments(S.ContributionIn)
@bp.response(201, S.ContributionOut)
def pool_contribution(data: dict[str, Any], pool_id: int) -> Any:
    """Money paid into the pool by a funder (the manager's writers)."""
    row = pools.add_contribution(actor(), pool_id, **data)
    return columns(row) | {"balance": pools.balance(pool_id)}


@bp.route(f"/pools/<{ID}:pool_id>/enrolments", methods=["POST"])
@guard(_member_bank)
@idempotent
@bp.arguments(S.EnrolmentIn)
@bp.response(201, S.EnrolmentOut)
def pool_enrolment(data: dict[str, Any], pool_id: int) -> Any:
    """A member bank enrols a loan it leads; 409 beyond ``leverage_k × balance``."""
    who = actor()
    try:
        lending.get_loan(who, data["loan_id"], write=True)
    except NotFound:  # the same answer whether it does not exist or is someone else's
        raise ValidationError("loan_id", "syn_not_your_loan") from None
    row = pools.enrol_loan(who, pool_id, data["loan_id"], data["on"])
    position = pools.pool_position(who, pool_id)
    return columns(row) | {"pool_enrolled_amount": position.enrolled_amount,
                                   "leverage_headroom": position.leverage_headroom}


@bp.route(f"/loans/<{ID}:loan_id>/claims", methods=["POST"])
@guard(_lead_bank)
@idempotent
@bp.arguments(S.ClaimIn)
@bp.response(201, S.ClaimOut)
@bp.alt_response(202, **HELD)
def loan_claim(data: dict[str, Any], loan_id: int) -> Any:
    """The lead bank claims on the loan's pool after its default (once per loan); the
    claim comes back with each party's share of the loss."""
    return submit_json(actor(), "pool_claim", {"loan_id": loan_id}, data,
                       lambda filed: claim_lines([filed])[0])
