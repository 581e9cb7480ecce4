"""Distribution waterfalls as terms of a fund: set a terms version, run a distribution
through the waterfall (one ledger entry), reverse the latest run; domain rules §5.5, §3.4.

Conventions (printed beside every result, see
:func:`fundops.exits.waterfall_queries.stored_conventions`):

* **Terms** are versioned by ``effective_on`` and append-only: the version with the latest
  effective date on or before a run's date applies (a later row for the same date
  supersedes). They are validated by :class:`fundops.calc.waterfall_terms.WaterfallTerms`
  (carry ≥ 100 %, catch-up below the carry, a negative hurdle … are named errors).
* **Carry recipient**: an investor record committed to the fund (the GP's own LP record,
  or a dedicated GP record with a commitment); it is always a GP-commitment party, so its
  own paid-in takes no carry. Other GP-commitment parties may be listed.
* **让利 tiers**: government LP, threshold rate, share, beneficiaries (investors of the
  fund, by weight), optional condition (返投 / 投早投小 met): the caller says in each
  run which conditions are met (``conditions_met``).
* **A run** builds each party's history (:mod:`fundops.exits.waterfall_history`), runs
  :func:`fundops.calc.waterfall.run_distribution`, posts ONE distribution entry through
  :func:`fundops.portfolio.ledger_services.record_distribution` whose explicit split is
  the payment per investor (the carry to the carry recipient), and stores the run with
  every party's slice. The **holdback** of the carry stays in the fund as escrow: the
  entry's amount is the run's amount less the escrow. A run may not be dated before the
  fund's latest live run (the tiers are cumulative in date order). A deal-by-deal fund
  runs one deal (``company_id``) on that deal's flows.
* **Reversal**: only the fund's latest live run; its entry is reversed and an
  append-only reversal row makes later runs ignore its slices. A plain ledger reversal
  of the entry is refused (``waterfall_reverse_the_run``).

Everything is written in one unit of work under the fund lock, taken first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fundops.audit import record_by
from fundops.calc.waterfall import WaterfallRun as CalcRun
from fundops.calc.waterfall import run_distribution
from fundops.calc.waterfall_terms import (
    CapitalBasis,
    ConcessionPlacement,
    ConcessionTier,
    Hurdle,
    Structure,
)
from fundops.calc.waterfall_terms import WaterfallTerms as Terms
from fundops.errors import ConflictError, ValidationError
from fundops.exits.enums import ConcessionCondition
from fundops.exits.models import (
    WaterfallBeneficiary,
    WaterfallConcession,
    WaterfallGpParty,
    WaterfallRun,
    WaterfallRunReversal,
    WaterfallSlice,
    WaterfallTerms,
)
from fundops.exits.transfers import managed_fund
from fundops.exits.waterfall_history import SLICE_FIELDS, deal_histories, fund_histories
from fundops.exits.waterfall_queries import calc_terms, get_run, latest_live_run, terms_on
from fundops.extensions import db
from fundops.money import parse_amount
from fundops.portfolio.allocation_plans import committed_by_investor
from fundops.portfolio.ledger_services import (
    entry_basics,
    lock_fund,
    record_distribution,
    reverse_entry,
)
from fundops.portfolio.models import Fund
from fundops.portfolio.services import parse_enum, require_date, require_text
from fundops.uow import Actor, unit_of_work


@dataclass(frozen=True)
class TierIn:
    """A 让利 tier as given: ``beneficiaries`` = (investor id, weight) pairs."""

    government_id: int
    threshold_rate: object
    share: object
    beneficiaries: Sequence[tuple[int, object]]
    condition: str | None = None


def _rate(value: object, field: str) -> Decimal:
    """A fraction with at most 8 decimals; its range is the calculation's to check."""
    return parse_amount(value, field, places=8, allow_zero=True, allow_negative=True,
                        max_abs=Decimal(1000))


def _conditions(values: Iterable[object]) -> tuple[str, ...]:
    out = []
    for value in values:
        if str(value) not in {c.value for c in ConcessionCondition}:
            raise ValidationError("conditions_met", "waterfall_bad_condition", value=value)
        out.append(str(value))
    return tuple(sorted(set(out)))


def _lp_ids(fund: Fund, on: date) -> set[int]:
    return {inv.id for inv, _ in committed_by_investor(fund.id, max(on, fund.life_end_on))}


def _check_party(lps: set[int], investor_id: object, field: str) -> int:
    try:
        value = int(str(investor_id))
    except ValueError:
        value = -1
    if value not in lps:
        raise ValidationError(field, "waterfall_party_not_lp", investor_id=investor_id)
    return value


def _tiers(tiers: Sequence[TierIn], lps: set[int]) -> tuple[ConcessionTier, ...]:
    out = []
    for i, tier in enumerate(tiers):
        gov = _check_party(lps, tier.government_id, f"concessions[{i}].government_id")
        weights = tuple((_check_party(lps, p, f"concessions[{i}].beneficiaries"),
                         _rate(w, f"concessions[{i}].beneficiaries"))
                        for p, w in tier.beneficiaries)
        condition = None
        if tier.condition:
            condition = parse_enum(ConcessionCondition, tier.condition,
                                   f"concessions[{i}].condition").value
        out.append(ConcessionTier(gov, _rate(tier.threshold_rate, "threshold_rate"),
                                  _rate(tier.share, "share"), weights, condition))
    return tuple(out)


def set_terms(actor: Actor, fund_id: int, *, effective_on: object, carry_recipient_id: object,
              structure: str = "whole_fund", capital_basis: str = "with_fees",
              hurdle: str = "compound", hurdle_rate: object = "0.08",
              catch_up: object | None = "1", carry: object = "0.2", holdback: object = "0",
              concession_placement: str = "after_carry",
              gp_commitment_ids: Sequence[object] = (), concessions: Sequence[TierIn] = (),
              memo: str = "") -> WaterfallTerms:
    """Record a new version of the fund's waterfall terms (see the module); rates are
    fractions (0.2 = 20 %); ``catch_up`` None or "" = no catch-up tier."""
    fund = managed_fund(actor, fund_id, write=True)
    when = require_date(effective_on, "effective_on")
    lps = _lp_ids(fund, when)
    recipient = _check_party(lps, carry_recipient_id, "carry_recipient_id")
    gp_parties = {_check_party(lps, p, "gp_commitment_ids") for p in gp_commitment_ids}
    terms = Terms(
        structure=parse_enum(Structure, structure, "structure"),
        carry=_rate(carry, "carry"),
        catch_up=None if catch_up in (None, "") else _rate(catch_up, "catch_up"),
        hurdle=parse_enum(Hurdle, hurdle, "hurdle"), hurdle_rate=_rate(hurdle_rate, "hurdle_rate"),
        capital_basis=parse_enum(CapitalBasis, capital_basis, "capital_basis"),
        gp_commitment=frozenset({recipient, *gp_parties}), holdback=_rate(holdback, "holdback"),
        concessions=_tiers(concessions, lps),
        concession_placement=parse_enum(ConcessionPlacement, concession_placement,
                                        "concession_placement"))
    with unit_of_work():
        lock_fund(fund.id)
        row = WaterfallTerms(
            fund_id=fund.id, effective_on=when, structure=terms.structure,
            capital_basis=terms.capital_basis, hurdle=terms.hurdle,
            hurdle_rate=terms.hurdle_rate, catch_up_rate=terms.catch_up,
            carry_rate=terms.carry, holdback_rate=terms.holdback,
            concession_placement=terms.concession_placement, carry_recipient_id=recipient,
            memo=memo.strip()[:500], recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        for party in sorted(gp_parties - {recipient}):
            db.session.add(WaterfallGpParty(terms_id=row.id, investor_id=party))
        for position, tier in enumerate(terms.concessions):
            concession = WaterfallConcession(
                terms_id=row.id, position=position, government_id=tier.government,
                threshold_rate=tier.threshold_rate, share_rate=tier.share,
                condition=ConcessionCondition(tier.condition) if tier.condition else None)
            db.session.add(concession)
            db.session.flush()
            for beneficiary, weight in tier.beneficiaries:
                db.session.add(WaterfallBeneficiary(concession_id=concession.id,
                                                    investor_id=beneficiary, weight=weight))
        db.session.flush()
        db.session.refresh(row)
        record_by(actor, "waterfall_terms.create", "waterfall_terms", row.id, {
            "fund_id": fund.id, "effective_on": when, "structure": terms.structure.value,
            "carry": terms.carry, "catch_up": terms.catch_up, "hurdle": terms.hurdle.value,
            "hurdle_rate": terms.hurdle_rate, "holdback": terms.holdback,
            "carry_recipient_id": recipient, "concessions": len(terms.concessions)})
        return row


@dataclass(frozen=True)
class Plan:
    """A run computed but not written: the terms row, the calculation's run, the deal."""

    terms: WaterfallTerms
    run: CalcRun
    company_id: int | None


def _plan(fund: Fund, when: date, amount: Decimal, conditions: Sequence[str],
          company_id: object) -> Plan:
    """Compute the run under the lock the caller holds (reads what it depends on)."""
    row = terms_on(fund.id, when)
    if row is None:
        raise ValidationError("value_on", "waterfall_no_terms", on=when)
    latest = latest_live_run(fund.id)
    if latest is not None and latest.value_on > when:
        raise ValidationError("value_on", "waterfall_run_before_last", last=latest.value_on)
    deal = None if company_id in (None, "", 0) else int(str(company_id))
    if row.structure is Structure.DEAL_BY_DEAL:
        if deal is None:
            raise ValidationError("company_id", "waterfall_deal_required")
        histories = deal_histories(fund.id, deal, when)
        if not any(h.contributions for h in histories.values()):
            raise ValidationError("company_id", "waterfall_deal_not_held", on=when)
    else:
        if deal is not None:
            raise ValidationError("company_id", "waterfall_deal_not_allowed")
        histories = fund_histories(fund.id, when)
    run = run_distribution(calc_terms(row), histories, row.carry_recipient_id, amount, when,
                           conditions)
    return Plan(row, run, deal)


def preview_run(actor: Actor, fund_id: int, *, value_on: object, amount: object,
                conditions_met: Iterable[object] = (), company_id: object = None) -> Plan:
    """The split a run would give; writes nothing."""
    fund = managed_fund(actor, fund_id, write=True)
    when, total, _ = entry_basics(fund, value_on, amount, None)
    return _plan(fund, when, total, _conditions(conditions_met), company_id)


def run_waterfall_distribution(
        actor: Actor, fund_id: int, *, value_on: object, amount: object,
        distribution_type: str = "gain", conditions_met: Iterable[object] = (),
        memo: str = "", source_ref: str | None = None, company_id: object = None,
) -> WaterfallRun:
    """Run ``amount`` (yuan distributable, > 0) on ``value_on`` through the fund's
    waterfall, post its one distribution entry and store the run (see the module)."""
    fund = managed_fund(actor, fund_id, write=True)
    when, total, currency = entry_basics(fund, value_on, amount, None)
    conditions = _conditions(conditions_met)
    with unit_of_work():
        lock_fund(fund.id)
        plan = _plan(fund, when, total, conditions, company_id)
        run = plan.run
        payments: dict[int, object] = {int(str(p)): v for p, v in run.payments.items() if v > 0}
        entry = record_distribution(
            actor, fund.id, value_on=when, amount=total - run.escrow,
            distribution_type=distribution_type, source_ref=source_ref, memo=memo,
            split=payments)
        row = WaterfallRun(
            fund_id=fund.id, terms_id=plan.terms.id, cash_flow_id=entry.id,
            company_id=plan.company_id, value_on=when, amount=total, carry_amount=run.carry,
            escrow_amount=run.escrow, currency=currency, conditions=",".join(conditions),
            memo=memo.strip()[:500], recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        _store_slices(row, run)
        record_by(actor, "waterfall_run.create", "waterfall_run", row.id, {
            "fund_id": fund.id, "cash_flow_id": entry.id, "value_on": when, "amount": total,
            "carry": run.carry, "escrow": run.escrow, "terms_id": plan.terms.id,
            "conditions": list(conditions), "payments": dict(run.payments)})
        db.session.flush()
        db.session.refresh(row)
        return row


def _store_slices(row: WaterfallRun, run: CalcRun) -> None:
    zero = Decimal("0.00")
    parties: Mapping[Any, Any] = {**run.slices, **({} if run.gp in run.slices
                                                   else {run.gp: None})}
    for party, piece in parties.items():
        values = {name: getattr(piece, name) if piece else zero for name in SLICE_FIELDS}
        db.session.add(WaterfallSlice(run_id=row.id, investor_id=party,
                                      payment_amount=run.payments.get(party, zero), **values))


def reverse_run(actor: Actor, fund_id: int, run_id: int, reason: str) -> WaterfallRunReversal:
    """Reverse the fund's latest live run: its ledger entry and an append-only reversal
    row (later runs ignore its slices)."""
    fund = managed_fund(actor, fund_id, write=True)
    why = require_text(reason, "reason", 500)
    with unit_of_work():
        lock_fund(fund.id)
        run = get_run(fund.id, run_id)
        if db.session.query(WaterfallRunReversal.id).filter_by(run_id=run.id).first():
            raise ConflictError("waterfall_run_reversed", run_id=run.id)
        latest = latest_live_run(fund.id)
        if latest is not None and latest.id != run.id:
            raise ConflictError("waterfall_not_latest_run", latest_id=latest.id)
        entry = reverse_entry(actor, fund.id, run.cash_flow_id, why, through_owner=True)
        reversal = WaterfallRunReversal(run_id=run.id, cash_flow_id=entry.id, reason=why,
                                        recorded_by_id=actor.user_id)
        db.session.add(reversal)
        db.session.flush()
        record_by(actor, "waterfall_run.reverse", "waterfall_run", run.id,
                  {"reversal_id": reversal.id, "cash_flow_id": entry.id}, why)
        return reversal
