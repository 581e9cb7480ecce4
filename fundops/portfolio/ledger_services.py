"""Use cases that post to the append-only ledger: calls, distributions, fund flows,
valuations, investments and reversals.

Amounts are positive yuan (or the fund's currency) with at most 2 decimal places; the
stored sign convention is described in :mod:`fundops.portfolio.ledger`. A capital call
or distribution is split among LPs as :mod:`fundops.portfolio.allocation_plans` plans it
(pro rata to commitments on the value date, largest remainder, or an explicit split that
sums exactly to the total). Nothing is ever updated or deleted:
:func:`reverse_entry` posts the negated entry with mirrored allocations.

Every posting takes the fund's row lock first in its unit of work (:func:`lock_fund`),
then reads what its checks depend on, then writes: postings to one fund are serialised,
and the fund lock always precedes the audit trail's ``data_version`` lock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.errors import ConflictError, ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount
from fundops.portfolio.access import get_company, get_fund
from fundops.portfolio.allocation_plans import (  # the planning half, importable from here too
    AllocationLine,
    committed_by_investor,
    lp_position_totals,
    plan_allocation,
    plan_call,
    preview_allocation,
    recallable_totals,
    uncalled_by_investor,
)
from fundops.portfolio.enums import (
    COMPANY_KINDS,
    CallPurpose,
    CashFlowKind,
    DistributionType,
    Instrument,
)
from fundops.portfolio.ledger import (
    CashFlow,
    CashFlowAllocation,
    FundValuation,
    HoldingValuation,
    Investment,
)
from fundops.portfolio.models import Fund
from fundops.portfolio.services import (
    check_in_life,
    fund_currency,
    parse_enum,
    require_date,
    require_text,
)
from fundops.uow import Actor, lock_row, unit_of_work

__all__ = [
    "AllocationLine", "committed_by_investor", "entry_basics", "lock_fund",
    "lp_position_totals", "plan_allocation", "plan_call", "post_entry", "preview_allocation",
    "recallable_totals", "record_capital_call", "record_distribution", "record_fund_flow",
    "record_holding_valuation", "record_investment", "record_valuation",
    "register_reversal_owner", "reverse_entry",
]


def lock_fund(fund_id: int) -> None:
    """Queue behind other postings to the fund until commit; call it first in the unit
    of work (before the reads a check needs and any audit record); re-taking is harmless."""
    lock_row(Fund, fund_id)


def post_entry(
    fund: Fund, actor: Actor, entry: CashFlow, lines: list[AllocationLine] | None
) -> CashFlow:
    """Insert ``entry`` and its allocations, under the fund lock; a source reference
    already used in the fund is a :class:`ConflictError` (``source_ref_exists``)."""
    lock_fund(fund.id)  # the caller's lock (no-op then) or taken now, before the check
    if entry.source_ref and db.session.scalar(
        sa.select(CashFlow.id).where(
            CashFlow.fund_id == fund.id, CashFlow.source_ref == entry.source_ref
        )
    ):
        raise ConflictError("source_ref_exists", source_ref=entry.source_ref)
    db.session.add(entry)
    db.session.flush()
    for line in lines or []:
        db.session.add(CashFlowAllocation(cash_flow_id=entry.id, investor_id=line.investor_id,
                                          amount=line.amount, currency=entry.currency))
    record_by(actor, f"cash_flow.{entry.kind.value}", "cash_flow", entry.id, {
        "fund_id": fund.id, "amount": entry.amount, "currency": entry.currency,
        "value_on": entry.value_on,
        "allocations": {line.investor_id: line.amount for line in lines or []},
    })
    return entry


def entry_basics(
    fund: Fund, value_on: object, amount: object, currency: str | None
) -> tuple[date, Decimal, str]:
    when = require_date(value_on, "value_on")
    check_in_life(fund, when, "value_on")
    total = parse_amount(amount, "amount")
    cur = fund_currency(fund, currency)
    return when, total, cur


def record_capital_call(
    actor: Actor, fund_id: int, *, value_on: object, amount: object, purpose: str,
    currency: str | None = None, counterparty: str = "", source_ref: str | None = None,
    memo: str = "", split: Mapping[int, object] | None = None,
) -> CashFlow:
    """Post a capital call (LPs → fund) and its exact per-LP allocation.

    Refused if any LP's share exceeds its uncalled capital (commitment − called +
    recallable distributions).
    """
    fund, _ = get_fund(actor, fund_id, write=True)
    when, total, cur = entry_basics(fund, value_on, amount, currency)
    call_purpose = parse_enum(CallPurpose, purpose, "purpose")
    with unit_of_work():
        lock_fund(fund.id)  # concurrent calls queue here: each plans what the last one left
        lines = plan_call(fund, when, total, split)
        return post_entry(fund, actor, CashFlow(
            fund_id=fund.id, kind=CashFlowKind.CAPITAL_CALL, call_purpose=call_purpose,
            value_on=when, amount=total, currency=cur, counterparty=counterparty.strip(),
            source_ref=(source_ref or "").strip() or None, memo=memo.strip(),
            recorded_by_id=actor.user_id,
        ), lines)


def record_distribution(
    actor: Actor, fund_id: int, *, value_on: object, amount: object, distribution_type: str,
    recallable: bool = False, currency: str | None = None, counterparty: str = "",
    source_ref: str | None = None, memo: str = "", split: Mapping[int, object] | None = None,
) -> CashFlow:
    """Post a distribution (fund → LPs) and its exact per-LP allocation."""
    fund, _ = get_fund(actor, fund_id, write=True)
    when, total, cur = entry_basics(fund, value_on, amount, currency)
    dtype = parse_enum(DistributionType, distribution_type, "distribution_type")
    with unit_of_work():
        lock_fund(fund.id)
        lines = plan_allocation(fund, when, total, split)
        return post_entry(fund, actor, CashFlow(
            fund_id=fund.id, kind=CashFlowKind.DISTRIBUTION, distribution_type=dtype,
            recallable=bool(recallable), value_on=when, amount=total, currency=cur,
            counterparty=counterparty.strip(), source_ref=(source_ref or "").strip() or None,
            memo=memo.strip(), recorded_by_id=actor.user_id,
        ), lines)


def record_fund_flow(
    actor: Actor, fund_id: int, *, kind: str, value_on: object, amount: object,
    currency: str | None = None, counterparty: str = "", company_id: int | None = None,
    source_ref: str | None = None, memo: str = "",
) -> CashFlow:
    """Post a fund-level flow: proceeds from a company, a management fee or an expense.

    Investments go through :func:`record_investment`, which also records the round.
    """
    fund, _ = get_fund(actor, fund_id, write=True)
    flow_kind = parse_enum(CashFlowKind, kind, "kind")
    allowed = {CashFlowKind.PROCEEDS, CashFlowKind.MANAGEMENT_FEE, CashFlowKind.EXPENSE}
    if flow_kind not in allowed:
        raise ValidationError("kind", "use_dedicated_form", kind=flow_kind)
    when, total, cur = entry_basics(fund, value_on, amount, currency)
    if flow_kind in COMPANY_KINDS:
        if company_id is None:
            raise ValidationError("company_id", "company_required_for_proceeds")
        company_id = get_company(actor, int(company_id)).id
    with unit_of_work():
        lock_fund(fund.id)
        return post_entry(fund, actor, CashFlow(
            fund_id=fund.id, kind=flow_kind, value_on=when, amount=total, currency=cur,
            counterparty=counterparty.strip(), company_id=company_id,
            source_ref=(source_ref or "").strip() or None, memo=memo.strip(),
            recorded_by_id=actor.user_id,
        ), None)


def record_investment(
    actor: Actor, fund_id: int, *, company_id: int, round_name: str, instrument: str,
    invested_on: object, amount: object, currency: str | None = None,
    shares: object | None = None, ownership_rate: object | None = None,
    source_ref: str | None = None,
) -> Investment:
    """Record a fund → company investment and the ledger entry that paid it.

    ``ownership_rate`` is a fraction (0.05 = 5 %), at most 8 decimal places.
    """
    fund, _ = get_fund(actor, fund_id, write=True)
    company = get_company(actor, int(company_id))
    when, total, cur = entry_basics(fund, invested_on, amount, currency)
    round_label = require_text(round_name, "round_name", 50)
    inst = parse_enum(Instrument, instrument, "instrument")
    share_count = parse_amount(shares, "shares", places=4) if shares not in (None, "") else None
    rate = None
    if ownership_rate not in (None, ""):
        rate = parse_amount(ownership_rate, "ownership_rate", places=8)
        if rate > 1:
            raise ValidationError("ownership_rate", "ownership_above_one")
    with unit_of_work():
        lock_fund(fund.id)
        entry = post_entry(fund, actor, CashFlow(
            fund_id=fund.id, kind=CashFlowKind.INVESTMENT, value_on=when, amount=total,
            currency=cur, counterparty=company.name, company_id=company.id,
            source_ref=(source_ref or "").strip() or None, memo=round_label,
            recorded_by_id=actor.user_id,
        ), None)
        investment = Investment(
            fund_id=fund.id, company_id=company.id, round_name=round_label, instrument=inst,
            invested_on=when, amount=total, currency=cur, shares=share_count,
            ownership_rate=rate, cash_flow_id=entry.id, recorded_by_id=actor.user_id,
        )
        db.session.add(investment)
        db.session.flush()
        record_by(actor, "investment.create", "investment", investment.id,
                  {"company_id": company.id, "round": round_label, "amount": total})
    return investment


def record_valuation(
    actor: Actor, fund_id: int, *, as_of: object, nav_amount: object,
    currency: str | None = None, source: str = "gp_report",
) -> FundValuation:
    """Record the fund's NAV at a date as reported; a later record for the date supersedes."""
    fund, _ = get_fund(actor, fund_id, write=True)
    when = require_date(as_of, "as_of")
    check_in_life(fund, when, "as_of")
    nav = parse_amount(nav_amount, "nav_amount", allow_zero=True)
    cur = fund_currency(fund, currency)
    with unit_of_work():
        lock_fund(fund.id)
        val = FundValuation(fund_id=fund.id, as_of=when, nav_amount=nav, currency=cur,
                            source=source, recorded_by_id=actor.user_id)
        db.session.add(val)
        db.session.flush()
        record_by(actor, "valuation.nav", "fund_valuation", val.id,
                  {"fund_id": fund.id, "as_of": when, "nav": nav, "currency": cur})
    return val


def record_holding_valuation(
    actor: Actor, fund_id: int, *, company_id: int, as_of: object, fair_value_amount: object,
    currency: str | None = None, method: str = "",
) -> HoldingValuation:
    """Record the fair value of the fund's holding in a company it has invested in."""
    fund, _ = get_fund(actor, fund_id, write=True)
    company = get_company(actor, int(company_id))
    held = db.session.scalar(sa.select(Investment.id).where(
        Investment.fund_id == fund.id, Investment.company_id == company.id).limit(1))
    if held is None:
        raise ValidationError("company_id", "no_investment_in_company", company=company.name)
    when = require_date(as_of, "as_of")
    check_in_life(fund, when, "as_of")
    value = parse_amount(fair_value_amount, "fair_value_amount", allow_zero=True)
    cur = fund_currency(fund, currency)
    with unit_of_work():
        lock_fund(fund.id)
        hv = HoldingValuation(fund_id=fund.id, company_id=company.id, as_of=when,
                              fair_value_amount=value, currency=cur, method=method.strip(),
                              recorded_by_id=actor.user_id)
        db.session.add(hv)
        db.session.flush()
        record_by(actor, "valuation.holding", "holding_valuation", hv.id,
                  {"company_id": company.id, "as_of": when, "fair_value": value})
    return hv


def _check_recallable_reversal(fund: Fund, original: CashFlow) -> None:
    """Refuse to reverse a recallable distribution that was already called again.

    Its allocations are part of each LP's room for calls (commitment − called +
    recallable); taking them back must not leave any LP called beyond what remains
    (reverse the later call first). Runs under the fund lock.
    """
    if original.kind is not CashFlowKind.DISTRIBUTION or not original.recallable:
        return
    room = uncalled_by_investor(fund)
    for alloc in original.allocations:
        short = alloc.amount - room.get(alloc.investor_id, Decimal(0))
        if alloc.amount > 0 and short > 0:
            raise ConflictError("recallable_already_called", entry_id=original.id,
                                investor=alloc.investor.name,
                                amount=Money(short, original.currency))


ReversalOwner = Callable[[CashFlow], "ValidationError | None"]
_reversal_owners: dict[str, ReversalOwner] = {}


def register_reversal_owner(name: str, owner: ReversalOwner) -> None:
    """Let a feature claim ledger entries it posted: ``owner(entry)`` returns the refusal
    when the entry must be reversed through that feature (a waterfall run), else None.
    Registered by the feature (portfolio imports no feature); re-registering replaces."""
    _reversal_owners[name] = owner


def reverse_entry(actor: Actor, fund_id: int, entry_id: int, reason: str, *,
                  through_transfer: bool = False, through_owner: bool = False) -> CashFlow:
    """Post the reversal of a ledger entry: same kind and date, negated amount and
    allocations, linked by ``reverses_id``. An entry can be reversed once; a reversal
    cannot itself be reversed (post a new entry instead). An LP-interest transfer's entry
    is reversed only with its transfer (``through_transfer``, by
    :func:`fundops.exits.transfers.reverse_transfer`), which also restores the register;
    an entry a registered owner claims (a waterfall run's distribution) only through that
    owner (``through_owner``, by :func:`fundops.exits.waterfalls.reverse_run`)."""
    fund, _ = get_fund(actor, fund_id, write=True)
    original = db.session.get(CashFlow, entry_id)
    if original is None or original.fund_id != fund.id:
        from fundops.errors import NotFound

        raise NotFound("entry_not_found", entry_id=entry_id)
    why = require_text(reason, "reason", 500)
    if original.reverses_id is not None:
        raise ValidationError("entry_id", "reversal_of_reversal")
    if original.kind is CashFlowKind.LP_TRANSFER and not through_transfer:
        raise ValidationError("entry_id", "reverse_the_transfer")
    if not through_owner:
        for owner in _reversal_owners.values():
            refusal = owner(original)
            if refusal is not None:
                raise refusal
    with unit_of_work():
        lock_fund(fund.id)  # concurrent reversals (and other postings) queue here
        if db.session.scalar(sa.select(CashFlow.id).where(CashFlow.reverses_id == original.id)):
            raise ConflictError("entry_already_reversed", entry_id=original.id)
        _check_recallable_reversal(fund, original)
        reversal = CashFlow(
            fund_id=fund.id, kind=original.kind, call_purpose=original.call_purpose,
            distribution_type=original.distribution_type, recallable=original.recallable,
            value_on=original.value_on, amount=-original.amount, currency=original.currency,
            counterparty=original.counterparty, company_id=original.company_id,
            memo=why, reverses_id=original.id, recorded_by_id=actor.user_id,
        )
        db.session.add(reversal)
        db.session.flush()
        for alloc in original.allocations:
            db.session.add(
                CashFlowAllocation(
                    cash_flow_id=reversal.id,
                    investor_id=alloc.investor_id,
                    amount=-alloc.amount,
                    currency=alloc.currency,
                )
            )
        record_by(actor, "cash_flow.reverse", "cash_flow", reversal.id,
                  {"reverses_id": original.id, "amount": reversal.amount}, why)
    return reversal
