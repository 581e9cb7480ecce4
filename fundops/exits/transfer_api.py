"""LP-interest transfer routes of the JSON API (份额转让) and the guidance fund's buy-out
options and early exits.

- ``GET  /funds/<fund_id>/transfers`` — the fund's transfers (reversals included)
- ``POST /funds/<fund_id>/transfers`` — an S-fund transfer (formula or typed price)
- ``GET  /funds/<fund_id>/transfers/<transfer_id>`` — one transfer
- ``POST /funds/<fund_id>/transfers/<transfer_id>/reverse`` — reverse it
- ``POST /funds/<fund_id>/early-exits`` — early exit of the guidance capital (Art. 20)
- ``GET|POST /funds/<fund_id>/buyout-options`` — buy-out option terms
- ``POST /funds/<fund_id>/buyout-options/<option_id>/exercise`` — exercise one

Postings require ``Idempotency-Key``; another organisation's fund is 404 before the body is
read. Conventions: :mod:`fundops.exits.transfers` (``conventions`` in every reply).
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.errors import ValidationError
from fundops.exits import transfer_options as options
from fundops.exits import transfer_schemas as S
from fundops.exits import transfers
from fundops.exits.models import BuyoutOption, InterestTransfer
from fundops.exits.transfer_queries import list_transfers
from fundops.portfolio.access import get_fund
from fundops.uow import Actor

bp = Blueprint("exits_transfers_api", __name__,
               description="LP-interest transfers (S fund), buy-out options, early exits")

FUND = f"/funds/<{ID}:fund_id>"


def writable(who: Actor, fund_id: int, **_ids: Any) -> None:
    get_fund(who, fund_id, write=True)


def writable_transfer(who: Actor, fund_id: int, transfer_id: int) -> None:
    transfers.get_transfer(who, fund_id, transfer_id, write=True)


def writable_option(who: Actor, fund_id: int, option_id: int) -> None:
    options.get_option(who, fund_id, option_id, write=True)


def _out(transfer: InterestTransfer) -> dict[str, Any]:
    shown = {name: getattr(transfer, name) for name in S.TransferOut().fields
             if name != "conventions"}
    return {**shown, "conventions": S.CONVENTIONS}


def _option_out(option: BuyoutOption) -> dict[str, Any]:
    shown = {name: getattr(option, name) for name in S.OptionOut().fields
             if name != "conventions"}
    return {**shown, "conventions": S.CONVENTIONS}


def _created(transfer: InterestTransfer) -> Any:
    url = url_for("exits_transfers_api.transfer_detail", fund_id=transfer.fund_id,
                  transfer_id=transfer.id)
    return _out(transfer), 201, {"Location": url}


def _buyer(data: dict[str, Any]) -> dict[str, Any]:
    new = data.pop("new_buyer", None)
    if (new is None) == ("buyer_id" not in data):
        raise ValidationError("buyer_id", "buyer_one_of")
    if new is not None:
        data["new_buyer"] = transfers.NewBuyer(new["name"], new["investor_type"],
                                               new.get("uscc"))
    return data


@bp.route(f"{FUND}/transfers")
@bp.response(200, S.TransfersOut)
def transfer_list(fund_id: int) -> Any:
    """The fund's LP-interest transfers, newest first (reversals are rows too)."""
    fund = transfers.managed_fund(actor(), fund_id)
    return {"transfers": [_out(t) for t in list_transfers(fund.id)]}


@bp.route(f"{FUND}/transfers", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.TransferIn)
@bp.response(201, S.TransferOut)
def transfer_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record an S-fund transfer of (part of) an LP's interest to a buyer."""
    return _created(transfers.record_transfer(actor(), fund_id, **_buyer(data)))


@bp.route(f"{FUND}/transfers/<{ID}:transfer_id>")
@bp.response(200, S.TransferOut)
def transfer_detail(fund_id: int, transfer_id: int) -> Any:
    """One transfer with its price terms."""
    return _out(transfers.get_transfer(actor(), fund_id, transfer_id))


@bp.route(f"{FUND}/transfers/<{ID}:transfer_id>/reverse", methods=["POST"])
@guard(writable_transfer)
@idempotent
@bp.arguments(S.ReverseTransferIn)
@bp.response(201, S.TransferOut)
def transfer_reverse(data: dict[str, Any], fund_id: int, transfer_id: int) -> Any:
    """Reverse a transfer: the register as before it (refused once used by later entries)."""
    return _created(transfers.reverse_transfer(actor(), fund_id, transfer_id, data["reason"]))


@bp.route(f"{FUND}/early-exits", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.EarlyExitIn)
@bp.response(201, S.TransferOut)
def early_exit_create(data: dict[str, Any], fund_id: int) -> Any:
    """Early exit of the guidance capital on an Art. 20 trigger, as a transfer."""
    return _created(options.record_early_exit(actor(), fund_id, **_buyer(data)))


@bp.route(f"{FUND}/buyout-options")
@bp.response(200, S.OptionsOut)
def option_list(fund_id: int) -> Any:
    """The buy-out options on the fund's guidance LPs' interests."""
    fund = transfers.managed_fund(actor(), fund_id)
    return {"options": [_option_out(o) for o in options.list_options(fund.id)]}


@bp.route(f"{FUND}/buyout-options", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.OptionIn)
@bp.response(201, S.OptionOut)
def option_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record buy-out option terms on a guidance LP's interest."""
    option = options.create_option(actor(), fund_id, **data)
    return _option_out(option), 201, {"Location": url_for(
        "exits_transfers_api.option_list", fund_id=fund_id)}


@bp.route(f"{FUND}/buyout-options/<{ID}:option_id>/exercise", methods=["POST"])
@guard(writable_option)
@idempotent
@bp.arguments(S.ExerciseIn)
@bp.response(201, S.TransferOut)
def option_exercise(data: dict[str, Any], fund_id: int, option_id: int) -> Any:
    """Exercise a buy-out option: a transfer at cost plus interest inside the window."""
    return _created(options.exercise_option(actor(), fund_id, option_id, **data))
