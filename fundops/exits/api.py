"""Exit routes of the JSON API: a fund's holdings with their position (average cost),
its exit events and buy-back claims; trade sales, liquidations and write-offs, escrow
releases, claims (open, settle, withdraw) and reversals.

Each route calls the service its page calls, with the same arguments; every posting
requires ``Idempotency-Key`` and answers 201 with what was posted. Objects are addressed
through their fund (another organisation's: 404 before the body is read). Amounts are
exact decimal strings in yuan of the fund's currency.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.exits import claims, queries, services
from fundops.exits import schemas as S
from fundops.exits.access import claim_of, exit_of, release_of
from fundops.exits.models import BuybackClaim, ExitEvent
from fundops.exits.positions import business_today
from fundops.portfolio.access import get_fund
from fundops.uow import Actor

bp = Blueprint("exits_api", __name__,
               description="Exits: holdings at average cost, trade sales, escrow, buy-back "
                           "claims, liquidations, write-offs, reversals")

FUND = f"/funds/<{ID}:fund_id>"
EXIT = f"{FUND}/exits/<{ID}:exit_id>"
CLAIM = f"{FUND}/buyback-claims/<{ID}:claim_id>"


def writable(who: Actor, fund_id: int, **_ids: Any) -> None:
    """A fund the caller manages, with a writer role (404 for anyone else's)."""
    get_fund(who, fund_id, write=True)


def writable_exit(who: Actor, fund_id: int, exit_id: int) -> None:
    exit_of(who, fund_id, exit_id, write=True)


def writable_release(who: Actor, fund_id: int, release_id: int) -> None:
    release_of(who, fund_id, release_id, write=True)


def writable_claim(who: Actor, fund_id: int, claim_id: int) -> None:
    claim_of(who, fund_id, claim_id, write=True)


def _exits_url(fund_id: int) -> dict[str, str]:
    return {"Location": url_for("exits_api.exit_list", fund_id=fund_id)}


def _claims_url(fund_id: int) -> dict[str, str]:
    return {"Location": url_for("exits_api.claim_list", fund_id=fund_id)}


def _line(line: queries.ExitLine) -> dict[str, Any]:
    shown = {name: getattr(line.event, name) for name in S.ExitOut().fields}
    return shown | {"reversed": line.reversed, "escrow_outstanding": line.escrow_outstanding,
                    "realised_net_amount": line.realised_net, "releases": line.releases}


def _claim(line: queries.ClaimLine) -> dict[str, Any]:
    c = line.claim
    shown = {name: getattr(c, name) for name in S.BuybackClaimOut().fields
             if name not in ("accrued_on", "accrued_amount")}
    return shown | {"accrued_on": line.on if line.accrued is not None else None,
                    "accrued_amount": line.accrued}


@bp.route(f"{FUND}/exits/holdings")
@bp.response(200, S.ExitPositionsOut)
def holding_list(fund_id: int) -> Any:
    """The fund's holdings today: shares held, remaining cost (average cost), value rolled
    forward, realised gain to date, escrow outstanding, open or closed."""
    fund, _ = get_fund(actor(), fund_id)
    rows = []
    for h in queries.list_holding_positions(fund.id, business_today()):
        p = h.position
        rows.append({
            "company_id": h.company.id, "company_name": h.company.name, "on": p.on,
            "shares_held": p.shares_held, "invested_amount": p.invested,
            "remaining_cost_amount": p.remaining_cost, "value_amount": p.value,
            "value_on": p.value_on, "proceeds_amount": p.proceeds,
            "realised_gain_amount": p.realised_gain, "escrow_outstanding": p.escrow_outstanding,
            "status": "closed" if p.closed else "open", "closed_on": p.closed_on})
    return {"method": "average_cost", "holdings": rows}


@bp.route(f"{FUND}/exits")
@bp.response(200, S.ExitsOut)
def exit_list(fund_id: int) -> Any:
    """The fund's exit events, newest first, with reversals and escrow releases."""
    fund, _ = get_fund(actor(), fund_id)
    return {"exits": [_line(x) for x in queries.list_exits(fund.id)]}


@bp.route(f"{FUND}/exits/trade-sales", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.ExitTradeSaleIn)
@bp.response(201, S.ExitOut)
def trade_sale_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record a trade sale or equity transfer (老股转让) of all or part of a holding."""
    event: ExitEvent = services.record_trade_sale(actor(), fund_id, **data)
    return event, 201, _exits_url(fund_id)


@bp.route(f"{FUND}/exits/liquidations", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.ExitLiquidationIn)
@bp.response(201, S.ExitOut)
def liquidation_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record a liquidation (清算) or write-off (核销) of a whole holding (closes it)."""
    event = services.record_liquidation(actor(), fund_id, **data)
    return event, 201, _exits_url(fund_id)


@bp.route(f"{EXIT}/escrow-releases", methods=["POST"])
@guard(writable_exit)
@idempotent
@bp.arguments(S.ExitEscrowReleaseIn)
@bp.response(201, S.ExitEscrowReleaseOut)
def escrow_release_create(data: dict[str, Any], fund_id: int, exit_id: int) -> Any:
    """Release (paid) or forfeit part of an exit's outstanding escrow."""
    release = services.release_escrow(actor(), exit_id, **data)
    return release, 201, _exits_url(fund_id)


@bp.route(f"{EXIT}/reverse", methods=["POST"])
@guard(writable_exit)
@idempotent
@bp.arguments(S.ExitReasonIn)
@bp.response(201, S.ExitOut)
def exit_reverse(data: dict[str, Any], fund_id: int, exit_id: int) -> Any:
    """Reverse an exit event (its ledger entry too; the holding's value is restored)."""
    event = services.reverse_exit(actor(), exit_id, data["reason"])
    return event, 201, _exits_url(fund_id)


@bp.route(f"{FUND}/escrow-releases/<{ID}:release_id>/reverse", methods=["POST"])
@guard(writable_release)
@idempotent
@bp.arguments(S.ExitReasonIn)
@bp.response(201, S.ExitEscrowReleaseOut)
def escrow_release_reverse(data: dict[str, Any], fund_id: int, release_id: int) -> Any:
    """Reverse an escrow release (its proceeds entry too): the escrow is outstanding again."""
    release = services.reverse_escrow_release(actor(), release_id, data["reason"])
    return release, 201, _exits_url(fund_id)


@bp.route(f"{FUND}/buyback-claims")
@bp.response(200, S.BuybackClaimsOut)
def claim_list(fund_id: int) -> Any:
    """The fund's buy-back claims; open ones with the price accrued today."""
    fund, _ = get_fund(actor(), fund_id)
    return {"claims": [_claim(c) for c in queries.list_claims(fund.id, business_today())]}


def _claim_reply(claim: BuybackClaim) -> dict[str, Any]:
    line = next(c for c in queries.list_claims(claim.fund_id, business_today())
                if c.claim.id == claim.id)
    return _claim(line)


@bp.route(f"{FUND}/buyback-claims", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.BuybackClaimIn)
@bp.response(201, S.BuybackClaimOut)
def claim_create(data: dict[str, Any], fund_id: int) -> Any:
    """Open a buy-back claim (回购) on a holding: 8 % simple from the first investment on
    the net investment unless given."""
    claim = claims.open_claim(actor(), fund_id, **data)
    return _claim_reply(claim), 201, _claims_url(fund_id)


@bp.route(f"{CLAIM}/settle", methods=["POST"])
@guard(writable_claim)
@idempotent
@bp.arguments(S.BuybackSettleIn)
@bp.response(201, S.ExitOut)
def claim_settle(data: dict[str, Any], fund_id: int, claim_id: int) -> Any:
    """The obligor paid: a buy-back exit of the whole holding; the claim is settled."""
    event = claims.settle_claim(actor(), claim_id, **data)
    return event, 201, _exits_url(fund_id)


@bp.route(f"{CLAIM}/withdraw", methods=["POST"])
@guard(writable_claim)
@idempotent
@bp.arguments(S.ExitReasonIn)
@bp.response(201, S.BuybackClaimOut)
def claim_withdraw(data: dict[str, Any], fund_id: int, claim_id: int) -> Any:
    """Withdraw (waive) an open claim."""
    claim = claims.withdraw_claim(actor(), claim_id, data["reason"])
    return _claim_reply(claim), 201, _claims_url(fund_id)
