"""Equalisation of a later closer (后续募集的出资均衡): a commitment of a closing after the
first, admitted after earlier capital calls, pays what it would have paid had it been in
from the start, plus a premium; the earlier closers get their excess back.

The calculation is :func:`fundops.calc.lp_payments.equalise` (its docstring states the
conventions: pro rata to the commitments on the admission date, largest remainder to the
fen; premium at the equalisation rate of the payment terms in force on the equalisation
date, Actual/365, simple or compounded annually, from each call's date). An earlier call
is a capital call dated before the admission (not reversed, not posted by an
equalisation); what each LP paid towards it includes the changes of equalisations posted
before.

Posting writes, in ONE unit of work under the fund lock (taken first), through
:mod:`fundops.portfolio.ledger_services` with explicit splits:

1. a capital call (purpose investment) of the catch-ups, on the payers (the later closer);
2. a capital call (purpose other) of the premium, on the same payers;
3. a recallable return-of-capital distribution of the excesses to the earlier closers;
4. an income distribution of the premium to the earlier closers (their shares);

so the total called in equals the total distributed out, and each LP's paid-in (capital
calls less recallable returns, the premium call left out: it is interest, not capital) is
pro rata to its commitment. The ledger counts the premium call against the later
closer's uncalled commitment like any call. A commitment is equalised once
(``equalisation_already_posted``); the four entries are reversed only together (a plain
reversal of one is refused: ``equalisation_entry``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record_by
from fundops.calc.lp_payments import EarlierCall, EqualisationPlan, PremiumCompounding, equalise
from fundops.errors import ConflictError, ValidationError
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio.allocation_plans import committed_by_investor
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, CashFlowAllocation
from fundops.portfolio.models import Commitment, Fund, Investor
from fundops.portfolio.services import check_in_life
from fundops.reports.payments.models import Equalisation, EqualisationLine, PaymentTerms
from fundops.reports.payments.queries import managed_fund, reversed_ids, terms_on
from fundops.uow import Actor, unit_of_work
from fundops.validation import require_date, require_id


@dataclass(frozen=True)
class EqualisationPreview:
    """An equalisation computed, not written: the later closer's commitment, the terms
    whose rate applies, the plan and the LPs' names."""

    fund: Fund
    commitment: Commitment
    equalised_on: date
    terms: PaymentTerms
    plan: EqualisationPlan[int]
    names: dict[int, str]


def equalisation_entry_ids(fund_id: int) -> set[int]:
    """Ledger entries posted by the fund's equalisations."""
    ids: set[int] = set()
    for row in db.session.execute(sa.select(
            Equalisation.call_id, Equalisation.premium_call_id, Equalisation.refund_id,
            Equalisation.premium_distribution_id).where(Equalisation.fund_id == fund_id)):
        ids.update(i for i in row if i is not None)
    return ids


def equalisation_of(commitment_id: int) -> Equalisation | None:
    return db.session.scalars(sa.select(Equalisation).where(
        Equalisation.commitment_id == commitment_id)).first()


def list_equalisations(fund_id: int) -> list[Equalisation]:
    return list(db.session.scalars(sa.select(Equalisation).where(
        Equalisation.fund_id == fund_id).order_by(Equalisation.id.desc())))


def later_commitments(fund_id: int) -> list[tuple[Commitment, Investor]]:
    """The fund's commitments of a closing after the first, in date order."""
    return [(c, i) for c, i in db.session.execute(
        sa.select(Commitment, Investor).join(Investor, Investor.id == Commitment.investor_id)
        .where(Commitment.fund_id == fund_id, Commitment.closing > 1, Commitment.amount > 0)
        .order_by(Commitment.committed_on, Commitment.id)).all()]


def earlier_calls(fund_id: int, before: date) -> list[EarlierCall[int]]:
    """Capital calls dated before ``before`` that count (module docstring), each with
    what every LP paid towards it, earlier equalisations included."""
    skip = reversed_ids(fund_id) | equalisation_entry_ids(fund_id)
    rows = db.session.execute(
        sa.select(CashFlow.id, CashFlow.value_on, CashFlow.amount,
                  CashFlowAllocation.investor_id, CashFlowAllocation.amount)
        .join(CashFlowAllocation, CashFlowAllocation.cash_flow_id == CashFlow.id)
        .where(CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.CAPITAL_CALL,
               CashFlow.reverses_id.is_(None), CashFlow.value_on < before)
        .order_by(CashFlow.value_on, CashFlow.id)).all()
    calls: dict[int, tuple[date, Decimal, dict[int, Decimal]]] = {}
    for call_id, value_on, amount, investor_id, share in rows:
        if call_id not in skip:
            calls.setdefault(call_id, (value_on, amount, {}))[2][investor_id] = share
    for line in db.session.scalars(sa.select(EqualisationLine).join(
            Equalisation, Equalisation.id == EqualisationLine.equalisation_id).where(
            Equalisation.fund_id == fund_id)):
        if line.earlier_call_id in calls:
            paid = calls[line.earlier_call_id][2]
            paid[line.investor_id] = paid.get(line.investor_id, Decimal(0)) + line.delta
    return [EarlierCall(cid, v, a, p) for cid, (v, a, p) in calls.items()]


def _commitment(fund: Fund, commitment_id: object) -> Commitment:
    cid = require_id(commitment_id, "commitment_id")
    row = db.session.get(Commitment, cid)
    if row is None or row.fund_id != fund.id:
        raise ValidationError("commitment_id", "commitment_not_in_fund", commitment_id=cid)
    if row.closing <= 1 or row.amount <= 0:
        raise ValidationError("commitment_id", "equalisation_first_closing")
    return row


def _check_order(fund: Fund, commitment: Commitment) -> None:
    """Earlier later closers with calls before their admission are equalised first."""
    for other, investor in later_commitments(fund.id):
        if (other.committed_on < commitment.committed_on and equalisation_of(other.id) is None
                and earlier_calls(fund.id, other.committed_on)):
            raise ValidationError("commitment_id", "equalisation_earlier_first",
                                  investor=investor.name, committed_on=other.committed_on)


def _plan(fund: Fund, commitment_id: object, equalised_on: object) -> EqualisationPreview:
    commitment = _commitment(fund, commitment_id)
    on = require_date(equalised_on, "equalised_on")
    check_in_life(fund, on, "equalised_on")
    if on < commitment.committed_on:
        raise ValidationError("equalised_on", "equalisation_before_admission", on=on,
                              committed_on=commitment.committed_on)
    terms = terms_on(fund.id, on)
    if terms is None:
        raise ValidationError("equalised_on", "equalisation_no_terms", on=on)
    _check_order(fund, commitment)
    calls = earlier_calls(fund.id, commitment.committed_on)
    if not calls:
        raise ValidationError("commitment_id", "equalisation_nothing_earlier",
                              on=commitment.committed_on)
    lps = committed_by_investor(fund.id, commitment.committed_on)
    plan = equalise(calls, [(inv.id, amt) for inv, amt in lps], on, terms.equalisation_rate,
                    terms.equalisation_compounding)
    if plan.catch_up_total == 0:
        raise ValidationError("commitment_id", "equalisation_nothing_earlier",
                              on=commitment.committed_on)
    return EqualisationPreview(fund, commitment, on, terms, plan,
                               {inv.id: inv.name for inv, _ in lps})


def preview_equalisation(actor: Actor, fund_id: int, *, commitment_id: object,
                         equalised_on: object) -> EqualisationPreview:
    """The equalisation a commitment would get on ``equalised_on``; writes nothing (any
    role of the managing organisation may read it)."""
    fund = managed_fund(actor, fund_id)
    return _plan(fund, commitment_id, equalised_on)


def post_equalisation(actor: Actor, fund_id: int, *, commitment_id: object,
                      equalised_on: object, memo: str = "") -> Equalisation:
    """Post the equalisation of a later closer's commitment (module docstring)."""
    fund = managed_fund(actor, fund_id, write=True)
    with unit_of_work():
        ledger.lock_fund(fund.id)
        cid = require_id(commitment_id, "commitment_id")
        done = equalisation_of(cid)
        if done is not None:
            raise ConflictError("equalisation_already_posted", on=done.equalised_on)
        p = _plan(fund, cid, equalised_on)
        plan, on, ref = p.plan, p.equalised_on, f"EQ-{p.commitment.id}"
        note = (memo or "").strip()[:500]
        call = ledger.record_capital_call(
            actor, fund.id, value_on=on, amount=plan.catch_up_total, purpose="investment",
            split=dict(plan.catch_up), source_ref=f"{ref}-catch-up", memo=note)
        refund = ledger.record_distribution(
            actor, fund.id, value_on=on, amount=sum(plan.refund.values(), Decimal(0)),
            distribution_type="return_of_capital", recallable=True, split=dict(plan.refund),
            source_ref=f"{ref}-refund", memo=note)
        premium_call = premium_out = None
        if plan.premium_total > 0:
            premium_call = ledger.record_capital_call(
                actor, fund.id, value_on=on, amount=plan.premium_total, purpose="other",
                split=dict(plan.premium_paid), source_ref=f"{ref}-premium", memo=note)
            premium_out = ledger.record_distribution(
                actor, fund.id, value_on=on, amount=plan.premium_total,
                distribution_type="income", split=dict(plan.premium_received),
                source_ref=f"{ref}-premium-out", memo=note)
        row = Equalisation(
            fund_id=fund.id, commitment_id=p.commitment.id, investor_id=p.commitment.investor_id,
            equalised_on=on, rate=p.terms.equalisation_rate,
            compounding=PremiumCompounding(p.terms.equalisation_compounding),
            catch_up_amount=plan.catch_up_total, premium_amount=plan.premium_total,
            currency=fund.currency, call_id=call.id,
            premium_call_id=premium_call.id if premium_call else None, refund_id=refund.id,
            premium_distribution_id=premium_out.id if premium_out else None,
            recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        for c in plan.calls:
            for inv, delta in c.delta.items():
                paid, got = c.premium_paid.get(inv), c.premium_received.get(inv)
                if delta or paid or got:
                    db.session.add(EqualisationLine(
                        equalisation_id=row.id, earlier_call_id=c.call_id, investor_id=inv,
                        delta=delta, premium_paid=paid or Decimal("0.00"),
                        premium_received=got or Decimal("0.00")))
        db.session.flush()
        record_by(actor, "equalisation.create", "equalisation", row.id, {
            "fund_id": fund.id, "commitment_id": p.commitment.id, "equalised_on": on,
            "catch_up": plan.catch_up_total, "premium": plan.premium_total,
            "entries": [call.id, refund.id, *(e.id for e in (premium_call, premium_out) if e)]})
        return row


def equalisation_owner(entry: CashFlow) -> ValidationError | None:
    """The reversal refusal for an entry an equalisation posted (registered with the
    ledger: :func:`fundops.portfolio.ledger_services.register_reversal_owner`)."""
    hit = db.session.scalar(sa.select(Equalisation.id).where(sa.or_(
        Equalisation.call_id == entry.id, Equalisation.premium_call_id == entry.id,
        Equalisation.refund_id == entry.id, Equalisation.premium_distribution_id == entry.id)))
    if hit is None:
        return None
    return ValidationError("entry_id", "equalisation_entry", entry_id=entry.id)
