"""Each party's dated history in a fund, read from the ledger and the stored runs, as the
waterfall calculation takes it (:class:`fundops.calc.waterfall_terms.PartyHistory`).

Conventions (printed as ``wf_conv_history`` and ``wf_conv_deal_flows``):

* **Contributions** = the LP's capital-call allocations (entries reversed, and reversals,
  left out), on the call's date; a call whose purpose is management fees or fund expenses
  is wholly fees and expenses (``Contribution.fees``).
* **Earlier runs**: the stored slices of the fund's runs not reversed, dated on or before
  the date (a whole-fund run's for the fund; a deal's runs for that deal).
* **Distributions posted outside the waterfall** (a plain ledger distribution) count as
  tier-1 capital returned to the LP on their date.
* **LP-interest transfers**: on the transfer date the buyer takes over the transferred
  fraction (paid-in moved ÷ the seller's contributions to date) of the seller's
  contributions and earlier slices, with their dates; the seller keeps the rest.
* **Deal by deal**: a deal's contributions are the fund's investments in the company
  (not reversed), each split among the LPs pro rata to their paid-in on its date
  (largest remainder, fen); its proceeds are the exit events' consideration (reversed
  events left out).

Amounts are exact Decimal yuan of the fund's currency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.calc.allocation import allocate_pro_rata
from fundops.calc.waterfall_terms import Contribution, Party, PartyHistory, Slice
from fundops.exits.models import ExitEvent, WaterfallRun, WaterfallRunReversal, WaterfallSlice
from fundops.extensions import db
from fundops.portfolio.enums import CallPurpose, CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation, Investment

FEE_PURPOSES = frozenset({CallPurpose.MANAGEMENT_FEE, CallPurpose.FUND_EXPENSES})
SLICE_FIELDS = tuple(f.name for f in fields(Slice) if f.name != "on")
ZERO = Decimal(0)


def _reversed_entries(fund_ids: Sequence[int]) -> set[int]:
    return set(db.session.scalars(sa.select(CashFlow.reverses_id).where(
        CashFlow.fund_id.in_(fund_ids), CashFlow.reverses_id.is_not(None))))


def live_runs(fund_id: int, on: date | None = None) -> list[WaterfallRun]:
    """The fund's runs not reversed (dated on or before ``on``), in date then id order."""
    return _live_runs([fund_id], on)


def _live_runs(fund_ids: Sequence[int], on: date | None = None) -> list[WaterfallRun]:
    query = (sa.select(WaterfallRun).where(
        WaterfallRun.fund_id.in_(fund_ids),
        ~sa.exists().where(WaterfallRunReversal.run_id == WaterfallRun.id))
        .order_by(WaterfallRun.value_on, WaterfallRun.id))
    if on is not None:
        query = query.where(WaterfallRun.value_on <= on)
    return list(db.session.scalars(query))


def stored_slice(row: WaterfallSlice, on: date) -> Slice:
    """A stored slice row back as the calculation's :class:`Slice`."""
    return Slice(on, **{name: getattr(row, name) for name in SLICE_FIELDS})


def _daily(fund_ids: Sequence[int], kind: CashFlowKind, on: date
           ) -> list[tuple[int, int, date, bool, Decimal]]:
    """(fund, investor, date, fee call?, net amount) of ``kind``'s allocations, summed per
    day: a reversal (same date, negated) cancels its entry exactly. Distributions leave
    out the runs' own entries and their reversals (their slices stand for them)."""
    fee = CashFlow.call_purpose.in_(sorted(FEE_PURPOSES))
    is_fee = sa.case((fee, 1), else_=0)
    query = (sa.select(CashFlow.fund_id, CashFlowAllocation.investor_id, CashFlow.value_on,
                       is_fee, sa.func.sum(CashFlowAllocation.amount))
             .join(CashFlowAllocation, CashFlowAllocation.cash_flow_id == CashFlow.id)
             .where(CashFlow.fund_id.in_(fund_ids), CashFlow.kind == kind,
                    CashFlow.value_on <= on)
             .group_by(CashFlow.fund_id, CashFlowAllocation.investor_id, CashFlow.value_on,
                       is_fee)
             .order_by(CashFlow.value_on))
    if kind is CashFlowKind.DISTRIBUTION:
        run_entries = sa.select(WaterfallRun.cash_flow_id)
        query = query.where(CashFlow.id.not_in(run_entries),
                            sa.or_(CashFlow.reverses_id.is_(None),
                                   CashFlow.reverses_id.not_in(run_entries)))
    rows = db.session.execute(query).all()
    return [(r[0], r[1], r[2], bool(r[3]), Decimal(r[4])) for r in rows if r[4]]


def _transfers(fund_ids: Sequence[int], on: date
               ) -> list[tuple[int, int, date, int, Decimal]]:
    """(fund, entry, date, investor, amount) of the LP-transfer allocations in effect."""
    skip = _reversed_entries(fund_ids)
    rows = db.session.execute(
        sa.select(CashFlow.fund_id, CashFlow.id, CashFlow.value_on,
                  CashFlowAllocation.investor_id, CashFlowAllocation.amount)
        .join(CashFlowAllocation, CashFlowAllocation.cash_flow_id == CashFlow.id)
        .where(CashFlow.fund_id.in_(fund_ids), CashFlow.kind == CashFlowKind.LP_TRANSFER,
               CashFlow.value_on <= on, CashFlow.reverses_id.is_(None))
        .order_by(CashFlow.value_on, CashFlow.id, CashFlowAllocation.investor_id)).all()
    return [(r[0], r[1], r[2], r[3], Decimal(r[4])) for r in rows
            if r[1] not in skip and r[4] != 0]


def fund_histories(fund_id: int, on: date) -> dict[Party, PartyHistory]:
    """Every party's whole-fund history on ``on`` (see the module), by investor id; only
    parties that paid in or received something appear, in investor-id order."""
    return funds_histories([fund_id], on).get(fund_id, {})


def funds_histories(fund_ids: Sequence[int], on: date
                    ) -> dict[int, dict[Party, PartyHistory]]:
    """:func:`fund_histories` of several funds from one query per kind of flow."""
    paid: dict[int, dict[int, list[Contribution]]] = defaultdict(lambda: defaultdict(list))
    got: dict[int, dict[int, list[Slice]]] = defaultdict(lambda: defaultdict(list))
    for fund, investor, when, fees, amount in _daily(fund_ids, CashFlowKind.CAPITAL_CALL, on):
        paid[fund][investor].append(Contribution(when, amount, amount if fees else ZERO))
    for run in _live_runs(fund_ids, on):
        if run.company_id is None:
            for row in run.slices:
                got[run.fund_id][row.investor_id].append(stored_slice(row, run.value_on))
    for fund, investor, when, _f, amount in _daily(fund_ids, CashFlowKind.DISTRIBUTION, on):
        got[fund][investor].append(Slice(when, capital=amount))
    moves: dict[int, list[tuple[int, date, CallPurpose | None, int, Decimal]]] = defaultdict(list)
    for fund, entry, when, investor, amount in _transfers(fund_ids, on):
        moves[fund].append((entry, when, None, investor, amount))
    out: dict[int, dict[Party, PartyHistory]] = {}
    for fund in set(paid) | set(got):
        fund_paid, fund_got = paid[fund], got[fund]
        _apply_transfers(fund_paid, fund_got, moves.get(fund, []))
        parties = sorted(set(fund_paid) | set(fund_got))
        out[fund] = {p: PartyHistory(tuple(sorted(fund_paid.get(p, []), key=lambda c: c.on)),
                                     tuple(sorted(fund_got.get(p, []), key=lambda s: s.on)))
                     for p in parties}
    return out


def _paid(item: Contribution, factor: Decimal) -> Contribution:
    return Contribution(item.on, item.amount * factor, item.fees * factor)


def _got(item: Slice, factor: Decimal) -> Slice:
    return replace(item, **{name: getattr(item, name) * factor for name in SLICE_FIELDS})


def _apply_transfers(paid: dict[int, list[Contribution]], got: dict[int, list[Slice]],
                     transfers: list[tuple[int, date, CallPurpose | None, int, Decimal]]
                     ) -> None:
    """Move the transferred fraction of each seller's history to its buyer (in place)."""
    by_entry: dict[int, list[tuple[date, int, Decimal]]] = defaultdict(list)
    for entry_id, when, _p, investor, amount in transfers:
        by_entry[entry_id].append((when, investor, amount))
    for lines in by_entry.values():
        sellers = [(w, i, -a) for w, i, a in lines if a < 0]
        buyers = [(i, a) for _w, i, a in lines if a > 0]
        for when, seller, moved in sellers:
            before = [c for c in paid.get(seller, []) if c.on <= when]
            total = sum((c.amount for c in before), ZERO)
            if total <= 0:
                continue
            share = min(Decimal(1), moved / total)
            for buyer, _ in buyers:
                paid[buyer].extend(_paid(c, share) for c in before)
                got[buyer].extend(_got(s, share) for s in got.get(seller, []) if s.on <= when)
            keep = 1 - share
            paid[seller] = [_paid(c, keep) if c.on <= when else c for c in paid[seller]]
            got[seller] = [_got(s, keep) if s.on <= when else s for s in got.get(seller, [])]


def deal_histories(fund_id: int, company_id: int, on: date) -> dict[Party, PartyHistory]:
    """Each LP's history in one deal on ``on`` (see the module), by investor id."""
    reversed_ids = _reversed_entries([fund_id])
    investments = db.session.execute(
        sa.select(Investment.invested_on, Investment.amount, Investment.cash_flow_id)
        .where(Investment.fund_id == fund_id, Investment.company_id == company_id,
               Investment.invested_on <= on)
        .order_by(Investment.invested_on, Investment.id)).all()
    whole = fund_histories(fund_id, on)
    paid: dict[Party, list[Contribution]] = defaultdict(list)
    for when, amount, entry_id in investments:
        if entry_id in reversed_ids:
            continue
        weights = [(p, sum((c.amount for c in h.contributions if c.on <= when), ZERO))
                   for p, h in whole.items()]
        if not any(w > 0 for _, w in weights):
            continue
        for party, share in allocate_pro_rata(Decimal(amount), weights).items():
            if share > 0:
                paid[party].append(Contribution(when, share))
    got: dict[Party, list[Slice]] = defaultdict(list)
    for run in live_runs(fund_id, on):
        if run.company_id == company_id:
            for row in run.slices:
                got[row.investor_id].append(stored_slice(row, run.value_on))
    parties = sorted(set(paid) | set(got), key=lambda p: int(str(p)))
    return {p: PartyHistory(tuple(paid.get(p, [])), tuple(got.get(p, []))) for p in parties}


def deal_proceeds(fund_id: int, on: date) -> dict[int, list[tuple[date, Decimal]]]:
    """Per company, the exit events' consideration (date, yuan) on or before ``on``,
    reversed events and reversals left out."""
    reversed_events = set(db.session.scalars(sa.select(ExitEvent.reverses_id).where(
        ExitEvent.fund_id == fund_id, ExitEvent.reverses_id.is_not(None))))
    rows = db.session.execute(
        sa.select(ExitEvent.id, ExitEvent.company_id, ExitEvent.value_on,
                  ExitEvent.proceeds_amount)
        .where(ExitEvent.fund_id == fund_id, ExitEvent.reverses_id.is_(None),
               ExitEvent.value_on <= on)
        .order_by(ExitEvent.value_on, ExitEvent.id)).all()
    out: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for event_id, company_id, when, amount in rows:
        if event_id not in reversed_events and amount > 0:
            out[company_id].append((when, Decimal(amount)))
    return dict(out)
