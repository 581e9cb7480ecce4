"""Capital account statements (ILPA): every LP's account of a fund over a period.

The roll-forward and its lines are defined in :mod:`fundops.calc.capital_account`. This
module reads them from the books:

* **opening / closing**: the LP's share of the fund NAV at the end of the day before the
  period and at its last day (:func:`fundops.metrics.engine.compute`, the figure the LP
  position shows);
* **contributions** and **distributions**: the LP's own capital-call and distribution
  allocations dated in the period, with the call purpose and distribution type breakdown;
* **management fees**, **fund expenses**: the fund's ``management_fee`` and ``expense``
  entries; **realised gain/loss**: the exit events' realised gains and forfeited escrow
  (:mod:`fundops.exits`); **change in unrealised gain/loss**: the rest of the NAV's
  change (NAV change − calls + distributions + fees + expenses − realised; the NAV the
  LPs hold, i.e. the sum of their shares, which is the NAV once anyone has paid in).
  These are the fund's figures per sub-period (the period cut at every calendar quarter
  end), allocated to the LPs pro rata to paid-in at each sub-period's end;
* **carried interest**: the carry of the fund's standing waterfall runs dated in the
  period — each party's carry taken from its pool (−), the run's carry to its recipient (+);
* **transfers**: an LP interest changing hands moves the NAV share that the moved paid-in
  carried on the transfer date (the seller −, the buyer +);
* **reallocation**: the remainder (see :mod:`fundops.calc.capital_account`).

Amounts are exact Decimals in the fund's currency (yuan), computed in integer fen.
Below the account: commitment, paid-in, unfunded commitment (commitment − paid-in in the
register) and recallable distributions received, all on the period's last day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import sqlalchemy as sa

from fundops.calc.capital_account import Account, Line, allocate, allocate_result, totals
from fundops.calc.periods import Period
from fundops.exits.enums import EscrowOutcome
from fundops.exits.models import EscrowRelease, ExitEvent
from fundops.exits.waterfall_models import (
    WaterfallRun,
    WaterfallRunReversal,
    WaterfallSlice,
    WaterfallTerms,
)
from fundops.extensions import db
from fundops.metrics.engine import compute
from fundops.metrics.frames import K, Ledger, cents_to_decimal, load_ledger, to_day
from fundops.metrics.perspectives import fund_metrics
from fundops.metrics.snapshots import cut, quarter_ends
from fundops.portfolio.access import Access, get_fund
from fundops.portfolio.enums import CallPurpose, CashFlowKind, DistributionType
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.models import Commitment, Fund, Investor
from fundops.uow import Actor

FEN = 100
WEIGHT_KINDS = (K[CashFlowKind.CAPITAL_CALL], K[CashFlowKind.LP_TRANSFER])


@dataclass(frozen=True, slots=True)
class Register:
    """An LP's register figures on the period's last day (yuan)."""

    committed: Decimal
    paid_in: Decimal
    unfunded: Decimal
    recallable: Decimal


@dataclass(frozen=True, slots=True)
class LpStatement:
    """One LP's capital account over the period (yuan, signed as its effect on the
    account); ``contributions_by`` and ``distributions_by`` break the two lines down by
    call purpose and distribution type (same signs)."""

    investor: Investor
    account: Account
    contributions_by: dict[CallPurpose, int]
    distributions_by: dict[DistributionType, int]
    register: Register

    def amount(self, line: Line) -> Decimal:
        return cents_to_decimal(self.account.lines[line])

    @property
    def opening(self) -> Decimal:
        return cents_to_decimal(self.account.opening)

    @property
    def closing(self) -> Decimal:
        return cents_to_decimal(self.account.closing)


@dataclass(frozen=True, slots=True)
class FundStatement:
    """Every visible LP's statement and the fund's total column. ``nav_opening`` /
    ``nav_closing`` are the fund NAV on the opening and closing dates; ``unallocated``
    the part of the closing NAV no LP holds (a NAV with no paid-in yet; else 0)."""

    fund: Fund
    period: Period
    lps: list[LpStatement]
    total: Account
    nav_opening: Decimal
    nav_closing: Decimal

    @property
    def unallocated(self) -> Decimal:
        return self.nav_closing - cents_to_decimal(self.total.closing)


def _shares(ledger: Ledger, fund_id: int, on: date) -> tuple[int, dict[int, int]]:
    """(fund NAV in fen, every LP's NAV share in fen) at the end of ``on``."""
    metrics = compute(cut(ledger, on), focus={fund_id}, deals=False)
    net = metrics.fund_net.get(fund_id)
    nav = 0 if net is None else int(net.value * FEN)
    return nav, {inv: int(p.value * FEN) for (fid, inv), p in metrics.lp_net.items()
                 if fid == fund_id}


def _weights(ledger: Ledger, fund_id: int, on: date) -> dict[int, int]:
    """Paid-in in the register per LP at the end of ``on`` (the NAV-share weights)."""
    a = ledger.allocations
    rows = (a[:, 0] == fund_id) & np.isin(a[:, 2], WEIGHT_KINDS) & (a[:, 3] <= to_day(on))
    out: dict[int, int] = defaultdict(int)
    for inv, fen in zip(a[rows, 1].tolist(), a[rows, 4].tolist(), strict=True):
        out[inv] += fen
    return {inv: max(w, 0) for inv, w in out.items()}


def _fund_sums(fund_id: int, start: date, end: date) -> dict[CashFlowKind, int]:
    rows = db.session.execute(
        sa.select(CashFlow.kind, sa.func.sum(CashFlow.amount))
        .where(CashFlow.fund_id == fund_id, CashFlow.value_on >= start,
               CashFlow.value_on <= end).group_by(CashFlow.kind))
    return {CashFlowKind(k): int(Decimal(v) * FEN) for k, v in rows}


def _realised(fund_id: int, start: date, end: date) -> int:
    """Realised gain (fen) of exit events (reversals negate) and forfeited escrow (a loss)."""
    gain = db.session.scalar(sa.select(sa.func.sum(ExitEvent.realised_gain_amount)).where(
        ExitEvent.fund_id == fund_id, ExitEvent.value_on >= start, ExitEvent.value_on <= end))
    forfeited = db.session.scalar(sa.select(sa.func.sum(EscrowRelease.amount)).join(
        ExitEvent, ExitEvent.id == EscrowRelease.exit_event_id).where(
        ExitEvent.fund_id == fund_id, EscrowRelease.outcome == EscrowOutcome.FORFEITED,
        EscrowRelease.value_on >= start, EscrowRelease.value_on <= end))
    return int((gain or 0) * FEN) - int((forfeited or 0) * FEN)


def _sub_periods(period: Period) -> list[Period]:
    ends = quarter_ends(period.start, period.end)
    out, start = [], period.start
    for end in ends:
        out.append(Period(start, end))
        start = date.fromordinal(end.toordinal() + 1)
    return out


def _allocate_results(ledger: Ledger, fund_id: int, period: Period,
                      accounts: defaultdict[int, Account]) -> None:
    nav_before = sum(_shares(ledger, fund_id, period.opening_on)[1].values())
    for sub in _sub_periods(period):
        nav_after = sum(_shares(ledger, fund_id, sub.end)[1].values())
        flows = _fund_sums(fund_id, sub.start, sub.end)
        fees = flows.get(CashFlowKind.MANAGEMENT_FEE, 0)
        expenses = flows.get(CashFlowKind.EXPENSE, 0)
        revaluation = (nav_after - nav_before - flows.get(CashFlowKind.CAPITAL_CALL, 0)
                       + flows.get(CashFlowKind.DISTRIBUTION, 0) + fees + expenses)
        realised = _realised(fund_id, sub.start, sub.end)
        weights = _weights(ledger, fund_id, sub.end)
        allocate_result({Line.MANAGEMENT_FEES: -fees, Line.FUND_EXPENSES: -expenses,
                         Line.REALISED: realised, Line.UNREALISED: revaluation - realised},
                        weights, accounts)
        nav_before = nav_after


CallSplit = dict[int, dict[CallPurpose, int]]
DistributionSplit = dict[int, dict[DistributionType, int]]


def _own_flows(fund_id: int, period: Period,
               accounts: defaultdict[int, Account]) -> tuple[CallSplit, DistributionSplit]:
    rows = db.session.execute(
        sa.select(CashFlowAllocation.investor_id, CashFlow.kind, CashFlow.call_purpose,
                  CashFlow.distribution_type, sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlow.value_on >= period.start,
               CashFlow.value_on <= period.end,
               CashFlow.kind.in_([CashFlowKind.CAPITAL_CALL, CashFlowKind.DISTRIBUTION]))
        .group_by(CashFlowAllocation.investor_id, CashFlow.kind, CashFlow.call_purpose,
                  CashFlow.distribution_type))
    calls: CallSplit = defaultdict(dict)
    dists: DistributionSplit = defaultdict(dict)
    for inv, kind, purpose, dtype, amount in rows:
        fen = int(Decimal(amount) * FEN)
        if CashFlowKind(kind) is CashFlowKind.CAPITAL_CALL:
            accounts[inv].add(Line.CONTRIBUTIONS, fen)
            key = CallPurpose(purpose or CallPurpose.OTHER)
            calls[inv][key] = calls[inv].get(key, 0) + fen
        else:
            accounts[inv].add(Line.DISTRIBUTIONS, -fen)
            dkey = DistributionType(dtype or DistributionType.RETURN_OF_CAPITAL)
            dists[inv][dkey] = dists[inv].get(dkey, 0) - fen
    return calls, dists


def _carry(fund_id: int, period: Period, accounts: defaultdict[int, Account]) -> None:
    reversed_runs = sa.select(WaterfallRunReversal.run_id)
    rows = db.session.execute(
        sa.select(WaterfallSlice.investor_id, WaterfallTerms.carry_recipient_id,
                  WaterfallSlice.carry_catch_up, WaterfallSlice.carry_split)
        .join(WaterfallRun, WaterfallRun.id == WaterfallSlice.run_id)
        .join(WaterfallTerms, WaterfallTerms.id == WaterfallRun.terms_id)
        .where(WaterfallRun.fund_id == fund_id, WaterfallRun.value_on >= period.start,
               WaterfallRun.value_on <= period.end, WaterfallRun.id.not_in(reversed_runs)))
    for inv, recipient, catch_up, split in rows:
        fen = int((catch_up + split) * FEN)
        accounts[inv].add(Line.CARRY, -fen)
        accounts[recipient].add(Line.CARRY, fen)


def _transfers(ledger: Ledger, fund_id: int, period: Period,
               accounts: defaultdict[int, Account]) -> None:
    entries = db.session.execute(
        sa.select(CashFlow.id, CashFlow.value_on, CashFlowAllocation.investor_id,
                  CashFlowAllocation.amount)
        .join(CashFlowAllocation, CashFlowAllocation.cash_flow_id == CashFlow.id)
        .where(CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.LP_TRANSFER,
               CashFlow.value_on >= period.start, CashFlow.value_on <= period.end)
        .order_by(CashFlow.id, CashFlowAllocation.investor_id))
    moves: dict[tuple[int, date], dict[int, int]] = defaultdict(dict)
    for entry_id, on, inv, amount in entries:
        moves[(entry_id, on)][inv] = int(Decimal(amount) * FEN)
    for (_, on), moved in moves.items():
        nav, _ = _shares(ledger, fund_id, on)
        weight = sum(_weights(ledger, fund_id, on).values())
        out = sum(-m for m in moved.values() if m < 0)
        if not weight or not out:
            continue
        value = (2 * out * nav + weight) // (2 * weight)  # half up, fen
        for inv, part in allocate(value, {i: m for i, m in moved.items() if m > 0}).items():
            accounts[inv].add(Line.TRANSFERS, part)
        for inv, part in allocate(-value, {i: -m for i, m in moved.items() if m < 0}).items():
            accounts[inv].add(Line.TRANSFERS, part)


def registers_on(fund_id: int, on: date) -> dict[int, Register]:
    """Every LP's register (committed, paid-in, unfunded, recallable) at the end of ``on``,
    by investor id (the statements and the notices read it)."""
    committed: dict[int, Decimal] = dict(db.session.execute(
        sa.select(Commitment.investor_id, sa.func.sum(Commitment.amount))
        .where(Commitment.fund_id == fund_id, Commitment.committed_on <= on)
        .group_by(Commitment.investor_id)).all())
    rows = db.session.execute(
        sa.select(CashFlowAllocation.investor_id, CashFlow.kind, CashFlow.recallable,
                  sa.func.sum(CashFlowAllocation.amount))
        .join(CashFlow, CashFlow.id == CashFlowAllocation.cash_flow_id)
        .where(CashFlow.fund_id == fund_id, CashFlow.value_on <= on)
        .group_by(CashFlowAllocation.investor_id, CashFlow.kind, CashFlow.recallable))
    paid: dict[int, Decimal] = defaultdict(Decimal)
    recallable: dict[int, Decimal] = defaultdict(Decimal)
    for inv, kind, is_recallable, amount in rows:
        if CashFlowKind(kind) in (CashFlowKind.CAPITAL_CALL, CashFlowKind.LP_TRANSFER):
            paid[inv] += Decimal(amount)
        elif CashFlowKind(kind) is CashFlowKind.DISTRIBUTION and is_recallable:
            recallable[inv] += Decimal(amount)
    out = {}
    for inv in set(committed) | set(paid):
        c = Decimal(committed.get(inv) or 0).quantize(Decimal("0.01"))
        p = paid[inv].quantize(Decimal("0.01"))
        out[inv] = Register(c, p, max(c - p, Decimal("0.00")),
                            recallable[inv].quantize(Decimal("0.01")))
    return out


def capital_accounts(actor: Actor, fund_id: int, period: Period) -> FundStatement:
    """Every LP's capital account of the fund over ``period`` that the viewer may see (the
    manager: all; an LP's organisation: its own records), with the fund's totals over
    all LPs. 404 for a fund the viewer may not see."""
    fund, access = get_fund(actor, fund_id)
    ledger = load_ledger(period.end, [fund.id])  # its own NAV and LP shares need no other
    accounts: defaultdict[int, Account] = defaultdict(Account)
    nav_open, opening = _shares(ledger, fund.id, period.opening_on)
    nav_close, closing = _shares(ledger, fund.id, period.end)
    _allocate_results(ledger, fund.id, period, accounts)
    calls, dists = _own_flows(fund.id, period, accounts)
    _carry(fund.id, period, accounts)
    _transfers(ledger, fund.id, period, accounts)
    registers = registers_on(fund.id, period.end)
    for inv in set(opening) | set(closing) | set(registers):
        accounts.setdefault(inv, Account())
    for inv, account in accounts.items():
        account.opening = opening.get(inv, 0)
        account.close(closing.get(inv, 0))
    visible = _visible(actor, fund, access, period.end, set(accounts))
    investors = {i.id: i for i in db.session.scalars(
        sa.select(Investor).where(Investor.id.in_(visible)))}
    zero = Register(*(Decimal("0.00"),) * 4)
    lps = [LpStatement(investors[inv], accounts[inv], calls.get(inv, {}), dists.get(inv, {}),
                       registers.get(inv, zero)) for inv in sorted(visible)]
    return FundStatement(fund, period, lps, totals(accounts.values()),
                         cents_to_decimal(nav_open), cents_to_decimal(nav_close))


def _visible(actor: Actor, fund: Fund, access: Access, on: date, ids: set[int]) -> set[int]:
    if access is Access.MANAGER:
        return ids
    return {line.investor_id for line in fund_metrics(actor, fund.id, on).lps} & ids
