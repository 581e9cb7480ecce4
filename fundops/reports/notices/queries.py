"""Reads of notices for pages, the API and the documents: who may see which notice, the
fund's receiving account in force on a date, the entries still without notices, and the
figures a notice is issued with (a waterfall run's carry per LP, the LP's cumulative
register after the entry).

Visibility: the managing organisation sees every notice of its fund; an organisation whose
own fund is an LP of it (LP access) sees the notices of its own investor records only
(another LP's notice is a 404, like another organisation's fund).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.errors import NotFound
from fundops.exits.waterfall_models import WaterfallRun, WaterfallSlice
from fundops.extensions import db
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.models import Fund, Investor
from fundops.reports.notices.models import Notice, NoticeKind, ReceivingAccount
from fundops.reports.payments.queries import reversed_ids
from fundops.reports.statements import registers_on
from fundops.uow import Actor

ZERO = Decimal("0.00")
NOTICE_KINDS = {CashFlowKind.CAPITAL_CALL: NoticeKind.CALL,
                CashFlowKind.DISTRIBUTION: NoticeKind.DISTRIBUTION}


def own_investor_ids(actor: Actor, fund: Fund, access: Access) -> set[int] | None:
    """The investor records whose notices the actor may see: None = all (the manager);
    else the LP organisation's own funds' records."""
    if access is Access.MANAGER:
        return None
    own = sa.select(Fund.id).where(Fund.organisation_id == actor.organisation_id)
    return set(db.session.scalars(sa.select(Investor.id).where(Investor.fund_id.in_(own))))


def list_notices(actor: Actor, fund_id: int) -> tuple[Fund, Access, list[Notice]]:
    """The fund's notices the actor may see, calls then distributions, by number."""
    fund, access = get_fund(actor, fund_id)
    query = sa.select(Notice).where(Notice.fund_id == fund.id)
    own = own_investor_ids(actor, fund, access)
    if own is not None:
        query = query.where(Notice.investor_id.in_(own))
    rows = db.session.scalars(query.order_by(Notice.kind, Notice.seq))
    return fund, access, list(rows)


def get_notice(actor: Actor, fund_id: int, notice_id: int) -> tuple[Fund, Access, Notice]:
    """One notice of the fund the actor may see, else 404 (``notice_not_found``)."""
    fund, access = get_fund(actor, fund_id)
    notice = db.session.get(Notice, notice_id)
    own = own_investor_ids(actor, fund, access)
    if (notice is None or notice.fund_id != fund.id
            or (own is not None and notice.investor_id not in own)):
        raise NotFound("notice_not_found", notice_id=notice_id)
    return fund, access, notice


def notices_of_entry(cash_flow_id: int) -> list[Notice]:
    return list(db.session.scalars(sa.select(Notice).where(
        Notice.cash_flow_id == cash_flow_id).order_by(Notice.seq)))


def account_on(fund_id: int, on: date) -> ReceivingAccount | None:
    """The receiving account in force on ``on`` (latest effective date; later row wins)."""
    return db.session.scalars(
        sa.select(ReceivingAccount).where(ReceivingAccount.fund_id == fund_id,
                                          ReceivingAccount.effective_on <= on)
        .order_by(ReceivingAccount.effective_on.desc(), ReceivingAccount.id.desc())
        .limit(1)).first()


def account_history(fund_id: int) -> list[ReceivingAccount]:
    return list(db.session.scalars(
        sa.select(ReceivingAccount).where(ReceivingAccount.fund_id == fund_id)
        .order_by(ReceivingAccount.effective_on.desc(), ReceivingAccount.id.desc())))


def entry_of(fund_id: int, entry_id: int) -> CashFlow:
    """A ledger entry of the fund (any kind), else 404."""
    entry = db.session.get(CashFlow, entry_id)
    if entry is None or entry.fund_id != fund_id:
        raise NotFound("entry_not_found", entry_id=entry_id)
    return entry


def pending_entries(fund_id: int) -> list[CashFlow]:
    """The fund's capital calls and distributions (neither a reversal nor reversed) that
    have no notices yet, newest first."""
    done = sa.select(Notice.cash_flow_id).where(Notice.fund_id == fund_id)
    rows = db.session.scalars(
        sa.select(CashFlow).where(CashFlow.fund_id == fund_id,
                                  CashFlow.kind.in_(list(NOTICE_KINDS)),
                                  CashFlow.reverses_id.is_(None), CashFlow.id.not_in(done))
        .order_by(CashFlow.value_on.desc(), CashFlow.id.desc()))
    gone = reversed_ids(fund_id)
    return [e for e in rows if e.id not in gone]


def carry_withheld(cash_flow_id: int) -> dict[int, Decimal] | None:
    """Per investor, the carry withheld from its share in the waterfall run posted as this
    entry (slice ``carry_catch_up + carry_split``); None when no run posted the entry."""
    run_id = db.session.scalar(
        sa.select(WaterfallRun.id).where(WaterfallRun.cash_flow_id == cash_flow_id))
    if run_id is None:
        return None
    rows = db.session.execute(
        sa.select(WaterfallSlice.investor_id, WaterfallSlice.carry_catch_up,
                  WaterfallSlice.carry_split).where(WaterfallSlice.run_id == run_id))
    return {inv: catch_up + split for inv, catch_up, split in rows}


@dataclass(frozen=True, slots=True)
class Cumulative:
    """An LP's register at the end of a date (yuan): committed, paid-in (calls and
    transfers of interest), unfunded (committed − paid-in, not below 0) and distributions
    received (reversals net)."""

    committed: Decimal
    paid_in: Decimal
    unfunded: Decimal
    distributed: Decimal


def cumulative_on(fund_id: int, on: date) -> dict[int, Cumulative]:
    """Every LP's :class:`Cumulative` at the end of ``on``, by investor id."""
    registers = registers_on(fund_id, on)
    rows = db.session.execute(
        sa.select(CashFlowAllocation.investor_id, sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.DISTRIBUTION,
               CashFlow.value_on <= on)
        .group_by(CashFlowAllocation.investor_id))
    distributed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for inv, amount in rows:
        distributed[inv] = Decimal(amount).quantize(Decimal("0.01"))
    out = {}
    for inv in set(registers) | set(distributed):
        r = registers.get(inv)
        out[inv] = Cumulative(r.committed if r else ZERO, r.paid_in if r else ZERO,
                              r.unfunded if r else ZERO, distributed[inv])
    return out
