"""Writes of the management-fee engine (domain rules §3.8): set a fee-terms version,
prepare a period's fee call as a draft, post it or discard it, and the scheduler's
finder and action.

* **Terms** are versioned and append-only; a new version supersedes for the periods it
  governs (:func:`fundops.reports.fees.queries.terms_for`). Tiers carry their own dates: a
  step-down (2 % on commitments in the investment period, then 1.5 % on invested cost) is
  two tiers meeting at ``fund.investment_period_end_on``.
* **A draft** stores the period, the terms version, every calculation line, the fee, the
  offset, the net fee and the per-LP split (:mod:`fundops.reports.fees.plan`). At most one
  live draft (draft or posted) per fund and period: checked under the fund lock and
  backed by UNIQUE (fund_id, live_period). The transaction and monitoring fees received
  in the period are an input of the draft: to change them, discard and prepare again.
* **Posting** (a person): source *principal* → a capital call with purpose
  ``management_fee`` and the draft's split, plus the ``management_fee`` entry paying the
  manager; source *income* → only the ``management_fee`` entry. Both dated ``value_on``
  (default the draft's ``due_on``) and of the net fee; a net fee of 0 posts nothing. The
  draft's status and the entries' ids are recorded; posting twice is a conflict.
* **Discarding** (a person, with a reason) frees the period for a new draft.

Every write runs in one unit of work under the fund lock (taken first), re-reads what it
depends on, writes and audits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fundops.audit import record_by
from fundops.calc.fees import (
    Basis,
    FeePeriod,
    Frequency,
    PaymentSource,
    Tier,
    Timing,
    check_tiers,
    periods_between,
)
from fundops.clock import business_today
from fundops.db import utcnow
from fundops.errors import ConflictError, ValidationError
from fundops.exits.transfers import managed_fund
from fundops.extensions import db
from fundops.money import parse_amount
from fundops.portfolio.ledger_services import (
    lock_fund,
    record_capital_call,
    record_fund_flow,
)
from fundops.portfolio.models import Fund
from fundops.portfolio.services import check_in_life, parse_enum, require_date, require_text
from fundops.reports.fees.enums import DraftStatus, LineKind
from fundops.reports.fees.models import (
    FeeDraft,
    FeeDraftLine,
    FeeDraftShare,
    FeeTerms,
    FeeTier,
)
from fundops.reports.fees.plan import DraftPlan, charged_span, due_from, plan_draft
from fundops.reports.fees.queries import (
    funds_with_terms,
    get_draft,
    live_draft,
    periods_with_drafts,
    terms_for,
    terms_history,
)
from fundops.roles import Role
from fundops.uow import Actor, unit_of_work

SIX = Decimal("0.000001")


@dataclass(frozen=True)
class TierIn:
    """A tier as given: rate an annual fraction; ``to_on`` None/"" = open-ended."""

    basis: object
    rate: object
    from_on: object
    to_on: object = None


def _tiers(fund: Fund, given: Sequence[TierIn]) -> list[Tier]:
    out = []
    for i, tier in enumerate(given):
        where = f"tiers[{i}]"
        if str(tier.basis) not in {b.value for b in Basis}:
            raise ValidationError(f"{where}.basis", "fee_basis_unknown", value=tier.basis)
        rate = parse_amount(tier.rate, f"{where}.rate", places=8, allow_zero=True,
                            allow_negative=True, max_abs=Decimal(1000))
        start = require_date(tier.from_on, f"{where}.from_on")
        if start < fund.inception_on:
            raise ValidationError(f"{where}.from_on", "fee_tier_before_inception", tier=i + 1,
                                  start=start, inception=fund.inception_on)
        end = None if tier.to_on in (None, "") else require_date(tier.to_on, f"{where}.to_on")
        out.append(Tier(Basis(str(tier.basis)), rate, start, end))
    check_tiers(out)
    return out


def set_terms(actor: Actor, fund_id: int, *, effective_on: object, tiers: Sequence[TierIn],
              frequency: str = "quarterly", timing: str = "advance",
              source: str = "principal", offset_rate: object = "0",
              charge_in_extension: bool = False, memo: str = "") -> FeeTerms:
    """Record a new version of the fund's fee terms (append-only; see the module). Rates
    are annual fractions (0.02 = 2 %); ``offset_rate`` the share (0 … 1) of the
    transaction and monitoring fees received that reduces the fee."""
    fund = managed_fund(actor, fund_id, write=True)
    when = require_date(effective_on, "effective_on")
    check_in_life(fund, when, "effective_on")
    freq = parse_enum(Frequency, frequency, "frequency")
    when_due = parse_enum(Timing, timing, "timing")
    paid_from = parse_enum(PaymentSource, source, "source")
    offset = parse_amount(offset_rate, "offset_rate", places=8, allow_zero=True,
                          allow_negative=True, max_abs=Decimal(1000))
    if not 0 <= offset <= 1:
        raise ValidationError("offset_rate", "fee_offset_rate_range")
    checked = _tiers(fund, tiers)
    with unit_of_work():
        lock_fund(fund.id)
        row = FeeTerms(fund_id=fund.id, effective_on=when, frequency=freq, timing=when_due,
                       source=paid_from, offset_rate=offset,
                       charge_in_extension=bool(charge_in_extension),
                       memo=str(memo or "").strip()[:500], recorded_by_id=actor.user_id)
        db.session.add(row)
        db.session.flush()
        for position, tier in enumerate(sorted(checked, key=lambda t: t.start)):
            db.session.add(FeeTier(terms_id=row.id, position=position, basis=tier.basis,
                                   rate=tier.rate, from_on=tier.start, to_on=tier.end))
        db.session.flush()
        db.session.refresh(row)
        record_by(actor, "fee_terms.create", "fee_terms", row.id, {
            "fund_id": fund.id, "effective_on": when, "frequency": freq.value,
            "timing": when_due.value, "source": paid_from.value, "offset_rate": offset,
            "charge_in_extension": row.charge_in_extension,
            "tiers": [f"{t.basis.value} {t.rate} {t.start}…{t.end or ''}" for t in checked]})
        return row


def _check_free(fund_id: int, period: FeePeriod) -> None:
    """Refuse a period that has a live draft (a draft or posted)."""
    existing = live_draft(fund_id, period)
    if existing is not None and existing.status is DraftStatus.POSTED:
        raise ConflictError("fee_period_posted", period=str(period), draft_id=existing.id)
    if existing is not None:
        raise ConflictError("fee_draft_exists", period=str(period), draft_id=existing.id)


def _store(actor: Actor, fund: Fund, plan: DraftPlan) -> FeeDraft:
    """Insert the draft, its lines and shares, and audit (under the caller's lock)."""
    period = str(plan.period)
    _check_free(fund.id, plan.period)
    draft = FeeDraft(
        fund_id=fund.id, terms_id=plan.terms.id, period=period, period_start=plan.start,
        period_end=plan.end, due_on=plan.due_on, timing=plan.terms.timing,
        source=plan.terms.source, regular_amount=plan.regular, catch_up_amount=plan.catch_up,
        fee_amount=plan.fee, income_amount=plan.income, offset_rate=plan.terms.offset_rate,
        offset_amount=plan.offset, net_amount=plan.net, currency=fund.currency,
        status=DraftStatus.DRAFT, live_period=period, prepared_by_id=actor.user_id)
    db.session.add(draft)
    db.session.flush()
    position = 0
    batches = [(LineKind.REGULAR, None, plan.lines)] + [
        (LineKind.CATCH_UP, c.investor_id, c.lines) for c in plan.catch_ups]
    for kind, investor_id, lines in batches:
        for line in lines:
            db.session.add(FeeDraftLine(
                draft_id=draft.id, position=position, kind=kind, investor_id=investor_id,
                basis=line.basis, rate=line.rate, from_on=line.start, to_on=line.end,
                days=line.days, base_amount=line.base, amount=line.amount.quantize(SIX)))
            position += 1
    for share in plan.shares:
        db.session.add(FeeDraftShare(
            draft_id=draft.id, investor_id=share.investor_id, weight_amount=share.weight,
            regular_amount=share.regular, catch_up_amount=share.catch_up,
            amount=share.amount))
    db.session.flush()
    db.session.refresh(draft)
    record_by(actor, "fee_draft.prepare", "fee_draft", draft.id, {
        "fund_id": fund.id, "period": period, "terms_id": plan.terms.id,
        "fee": plan.fee, "offset": plan.offset, "net": plan.net,
        "split": {s.investor_id: s.amount for s in plan.shares}})
    return draft


def prepare_draft(actor: Actor, fund_id: int, period: object, *, fee_income: object = "0",
                  today: date | None = None) -> FeeDraft:
    """Prepare the fee call of ``period`` ("2025Q1" / "2025H1") as a draft; ``fee_income``:
    the transaction and monitoring fees received (yuan, ≥ 0) that the terms' offset
    applies to. A live draft of the period already → :class:`ConflictError`."""
    fund = managed_fund(actor, fund_id, write=True)
    parsed = FeePeriod.parse(period)
    income = parse_amount(fee_income if fee_income not in (None, "") else "0", "fee_income",
                          allow_zero=True)
    with unit_of_work():
        lock_fund(fund.id)  # two preparations of a period queue here; the second sees the first
        _check_free(fund.id, parsed)
        return _store(actor, fund, plan_draft(actor, fund, parsed, income,
                                              today or business_today()))


def post_draft(actor: Actor, fund_id: int, draft_id: int, *,
               value_on: object = None) -> FeeDraft:
    """Post a draft (see the module); a draft no longer live → ``fee_draft_not_live``."""
    fund = managed_fund(actor, fund_id, write=True)
    when = None if value_on in (None, "") else require_date(value_on, "value_on")
    with unit_of_work():
        lock_fund(fund.id)  # concurrent posts queue here; the second sees it posted
        draft = get_draft(fund.id, draft_id, fresh=True)
        if draft.status is not DraftStatus.DRAFT:
            raise ConflictError("fee_draft_not_live", draft_id=draft.id, status=draft.status)
        day = when or draft.due_on
        check_in_life(fund, day, "value_on")
        call_id = fee_id = None
        memo = f"管理费 {draft.period}"
        if draft.net_amount > 0:
            if draft.source is PaymentSource.PRINCIPAL:
                split: dict[int, object] = {s.investor_id: s.amount for s in draft.shares
                                            if s.amount > 0}
                call = record_capital_call(actor, fund.id, value_on=day,
                                           amount=draft.net_amount, purpose="management_fee",
                                           memo=memo, split=split)
                call_id = call.id
            fee_id = record_fund_flow(actor, fund.id, kind="management_fee", value_on=day,
                                      amount=draft.net_amount, counterparty="基金管理人",
                                      memo=memo).id
        draft.status = DraftStatus.POSTED
        draft.call_cash_flow_id, draft.fee_cash_flow_id = call_id, fee_id
        draft.decided_at, draft.decided_by_id = utcnow(), actor.user_id
        db.session.flush()
        record_by(actor, "fee_draft.post", "fee_draft", draft.id, {
            "fund_id": fund.id, "period": draft.period, "value_on": day,
            "net": draft.net_amount, "source": draft.source.value,
            "call_cash_flow_id": call_id, "fee_cash_flow_id": fee_id})
        return draft


def discard_draft(actor: Actor, fund_id: int, draft_id: int, reason: str) -> FeeDraft:
    """Discard a live draft (the period may be prepared again); audited with ``reason``."""
    fund = managed_fund(actor, fund_id, write=True)
    why = require_text(reason, "reason", 500)
    with unit_of_work():
        lock_fund(fund.id)
        draft = get_draft(fund.id, draft_id, fresh=True)
        if draft.status is not DraftStatus.DRAFT:
            raise ConflictError("fee_draft_not_live", draft_id=draft.id, status=draft.status)
        draft.status, draft.live_period, draft.reason = DraftStatus.DISCARDED, None, why
        draft.decided_at, draft.decided_by_id = utcnow(), actor.user_id
        db.session.flush()
        record_by(actor, "fee_draft.discard", "fee_draft", draft.id,
                  {"fund_id": fund.id, "period": draft.period}, why)
        return draft


def due_periods(fund: Fund, when: date) -> list[FeePeriod]:
    """Periods of the fund that are due on ``when`` (see :mod:`.plan`) and have no draft
    of any status (a discarded period is left to the person who discarded it)."""
    versions = terms_history(fund.id)
    if not versions:
        return []
    first = max(fund.inception_on, min(t.from_on for v in versions for t in v.tiers))
    done = periods_with_drafts(fund.id)
    out = []
    for frequency in Frequency:
        for period in periods_between(frequency, first, when):
            terms = terms_for(fund.id, period)
            if (terms is None or terms.frequency is not frequency or str(period) in done
                    or when < due_from(terms.timing, period)
                    or charged_span(fund, terms, period) is None):
                continue
            out.append(period)
    return sorted(out, key=lambda p: (p.start, p.frequency))


def system_actor(fund: Fund) -> Actor:
    """The scheduler acting for the fund's managing organisation (audited as "system")."""
    return Actor(user_id=None, organisation_id=fund.organisation_id, role=Role.ADMIN,
                 auth_method="system")


def funds_with_due_fees(when: date) -> list[int]:
    """The daily job's finder: funds with fee terms and a period due on business date
    ``when`` without a draft."""
    out = []
    for fund_id in funds_with_terms():
        fund = db.session.get(Fund, fund_id)
        if fund is not None and due_periods(fund, when):
            out.append(fund_id)
    return out


def prepare_due_fees(fund_id: int, when: date) -> bool:
    """The daily job's action for one fund: prepare a draft of every due period without
    one (under the fund lock, re-read); False if there was none (another run did them).
    Idempotent: a period with a draft is never prepared again by the job."""
    fund = db.session.get(Fund, fund_id)
    if fund is None:
        return False
    actor = system_actor(fund)
    with unit_of_work():
        lock_fund(fund.id)
        due = due_periods(fund, when)
        for period in due:
            _store(actor, fund, plan_draft(actor, fund, period, Decimal("0.00"), when))
    return bool(due)
