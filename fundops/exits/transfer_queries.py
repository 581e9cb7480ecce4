"""Reads for the transfer pages and API (no writes): the fund's transfers, and one
transfer's register before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from fundops.exits.models import InterestTransfer
from fundops.exits.transfer_register import Interest, interests_on
from fundops.extensions import db


def list_transfers(fund_id: int) -> list[InterestTransfer]:
    return list(db.session.scalars(sa.select(InterestTransfer).where(
        InterestTransfer.fund_id == fund_id).order_by(InterestTransfer.transfer_on.desc(),
                                                      InterestTransfer.id.desc())))


def reversed_ids(fund_id: int) -> set[int]:
    return {i for i in db.session.scalars(sa.select(InterestTransfer.reverses_id).where(
        InterestTransfer.fund_id == fund_id, InterestTransfer.reverses_id.is_not(None)))
        if i is not None}


@dataclass(frozen=True, slots=True)
class RegisterChange:
    """The seller's and the buyer's interest the day before and on the transfer date."""

    seller_before: Interest
    seller_after: Interest
    buyer_before: Interest
    buyer_after: Interest


def register_change(transfer: InterestTransfer) -> RegisterChange:
    ids = [transfer.seller_id, transfer.buyer_id]
    before = interests_on(transfer.fund_id, ids, transfer.transfer_on - timedelta(days=1))
    after = interests_on(transfer.fund_id, ids, transfer.transfer_on)
    return RegisterChange(before[transfer.seller_id], after[transfer.seller_id],
                          before[transfer.buyer_id], after[transfer.buyer_id])
