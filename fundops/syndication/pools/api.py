"""Risk-pool routes of the linked-loans API (on the ``api`` blueprint, /api/v1): a pool's
manager (guidance-fund manager, platform operator or guarantor) sets it up and records
the money paid in; a member bank enrols the loans it leads and claims on a default.

Same rules as :mod:`fundops.syndication.api`: strict bodies, 404 before the body is
read for a pool or loan the caller cannot act on (a member bank reads a pool but does
not manage it; a manager reads and manages it but enrols nothing), 409 when the service
refuses in the current state (the leverage cap, a loan already enrolled or not yet in
default), 422 naming the field, nothing written on failure.
"""

from __future__ import annotations

from flask import Response, url_for

from fundops.api.legacy import bp
from fundops.approvals.api_json import submit_json
from fundops.auth.current import current_actor
from fundops.idempotency import once
from fundops.portfolio.access import require_writer
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import services as pools
from fundops.syndication.pools import api_json as P
from fundops.syndication.api import ID, _reply, _usable
from fundops.syndication.api_json import parse_body
from fundops.uow import Actor


def _detail(actor: Actor, pool_id: int) -> Response:
    position = pools.pool_position(actor, pool_id)
    return _reply(P.pool_detail_json(pools.get_pool(actor, pool_id), actor, position,
                                     pools.list_claims(actor, pool_id)))


@bp.get("/pools")
def pool_list() -> Response:
    """Pools the caller manages or is a member bank of (empty for anyone else)."""
    actor = current_actor()
    return _reply({"pools": [P.pool_json(p, actor) for p in pools.list_pools(actor)]})


@bp.post("/pools")
def pool_create() -> Response:
    """Set up a pool with its scheme, rules and member banks (managers' writers only)."""
    actor = current_actor()
    pools.require_manager(actor)  # 404 for anyone else, before the body is read
    require_writer(actor)
    pool = pools.create_pool(actor, **parse_body(P.POOL))
    response = _detail(actor, pool.id)
    response.status_code = 201
    response.headers["Location"] = url_for("api.pool_detail", pool_id=pool.id)
    return response


@bp.get(f"/pools/<{ID}:pool_id>")
def pool_detail(pool_id: int) -> Response:
    """The pool's rules and scheme, its position (money in by funder, claims paid,
    recoveries back, balance, enrolled loans, leverage limit and headroom) and the
    claims the caller may see: all for the manager, its own loans' for a member bank."""
    return _detail(current_actor(), pool_id)


@bp.post(f"/pools/<{ID}:pool_id>/contributions")
def pool_contribution(pool_id: int) -> Response:
    """Money paid into the pool by a funder (the manager's writers)."""
    actor = current_actor()
    pools.get_pool(actor, pool_id, manage=True)
    require_writer(actor)

    def contribute() -> Response:
        row = pools.add_contribution(actor, pool_id, **parse_body(P.CONTRIBUTION))
        return _reply(P.contribution_json(row) | {"balance": pools.balance(pool_id)}, 201)

    return once(actor, contribute)


@bp.post(f"/pools/<{ID}:pool_id>/enrolments")
def pool_enrolment(pool_id: int) -> Response:
    """A member bank enrols a loan it leads; 409 beyond ``leverage_k × balance``."""
    actor = current_actor()
    pools.get_pool(actor, pool_id)
    lending.require_bank(actor)  # a member is a bank; the (non-bank) manager enrols nothing
    require_writer(actor)
    return once(actor, lambda: _enrol(actor, pool_id))


def _enrol(actor: Actor, pool_id: int) -> Response:
    data = parse_body(P.ENROLMENT)
    _usable(lambda: lending.get_loan(actor, data["loan_id"], write=True), "loan_id",
            "syn_not_your_loan")
    row = pools.enrol_loan(actor, pool_id, data["loan_id"], data["on"])
    position = pools.pool_position(actor, pool_id)
    return _reply(P.enrolment_json(row) | {
        "pool_enrolled_amount": position.enrolled_amount,
        "leverage_headroom": position.leverage_headroom}, 201)


@bp.post(f"/loans/<{ID}:loan_id>/claims")
def loan_claim(loan_id: int) -> Response:
    """The lead bank claims on the loan's pool after its default (once per loan); the
    claim comes back with each party's share of the loss."""
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)

    def claim() -> Response:
        return submit_json(actor, "pool_claim", {"loan_id": loan_id}, parse_body(P.CLAIM),
                           lambda filed: _reply(P.claims_json([filed])[0], 201))

    return once(actor, claim)
