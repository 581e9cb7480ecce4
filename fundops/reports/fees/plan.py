"""A period's fee call computed without writing: which terms govern it, whether it is
charged and due, its calculation lines, the late closers' catch-ups, the offset and the
per-LP split. :mod:`fundops.reports.fees.services` stores what is planned here.

Rules (beside :mod:`fundops.calc.fees` for the arithmetic and
:mod:`fundops.reports.fees.bases` for the bases):

* **Terms**: the version effective on or before the period's last day
  (:func:`fundops.reports.fees.queries.terms_for`); its frequency must be the period's.
* **Charged days**: the period's days from the fund's inception, up to the fund's term end
  (``term_end_on``) — or up to the end of its life when the terms say
  ``charge_in_extension`` — that a tier covers. A period with none is not charged.
* **Due**: in advance, from the period's first day; in arrears, from the day after its
  last day. ``due_on`` (the ledger date of the posting, by default) is the first charged
  day (advance) or the last (arrears).
* **Regular fee**: the lines of the charged days, bases read as :func:`bases.base_steps`
  says (frozen on the first charged day in advance), quantised once.
* **Late closers**: a commitment of a later closing (``closing`` ≥ 2) dated after the fee
  start (the first tier's start) joins the commitment base from the first period starting
  on or after its date; that period's draft charges it ALONE a catch-up: for every
  earlier period of the terms' frequency from the fee start, the lines that period would
  have charged it had it joined at the first close — on a commitment tier its commitment;
  on another base, the fund's base × its commitment ÷ the fund's commitments on the day the
  base is read (without the late closers being caught up), to the fen ROUND_HALF_UP —
  under the draft's terms, quantised once per late closer.
* **Offset**: the terms' ``offset_rate`` × the transaction and monitoring fees received
  (given when the draft is prepared), capped at the regular fee (not carried forward).
* **Split**: the regular fee less the offset, pro rata to the LPs' commitments on the
  first charged day (largest remainder, exact to the fen); each catch-up to its LP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from fundops.calc.fees import (
    FEN,
    Basis,
    FeeLine,
    FeePeriod,
    Share,
    Tier,
    Timing,
    charged,
    fee_lines,
    fee_of,
    offset_of,
    periods_between,
    split_fee,
)
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.portfolio.allocation_plans import committed_by_investor
from fundops.portfolio.models import Commitment, Fund, Investor
from fundops.reports.fees.bases import base_steps, commitments_on
from fundops.reports.fees.models import FeeTerms
from fundops.reports.fees.queries import calc_tiers, terms_for
from fundops.uow import Actor


@dataclass(frozen=True, slots=True)
class CatchUp:
    """A late closer's catch-up: its commitment rows, their sum and its lines."""

    investor_id: int
    commitment: Decimal
    lines: list[FeeLine]
    amount: Decimal


@dataclass(frozen=True)
class DraftPlan:
    """A period's fee call, computed (amounts in yuan, see the module for each)."""

    period: FeePeriod
    terms: FeeTerms
    start: date
    end: date
    due_on: date
    lines: list[FeeLine]
    regular: Decimal
    catch_ups: list[CatchUp]
    income: Decimal
    offset: Decimal
    shares: list[Share]

    @property
    def catch_up(self) -> Decimal:
        return sum((c.amount for c in self.catch_ups), Decimal("0.00"))

    @property
    def fee(self) -> Decimal:
        return self.regular + self.catch_up

    @property
    def net(self) -> Decimal:
        return self.fee - self.offset


def last_charged_day(fund: Fund, terms: FeeTerms) -> date:
    """The fund's term end, or the end of its life if the terms charge in the extension."""
    return fund.life_end_on if terms.charge_in_extension else min(fund.term_end_on,
                                                                   fund.life_end_on)


def charged_span(fund: Fund, terms: FeeTerms, period: FeePeriod) -> tuple[date, date] | None:
    """(first, last) charged day of ``period`` under ``terms``, or None if none is."""
    lo = max(period.start, fund.inception_on)
    hi = min(period.end, last_charged_day(fund, terms))
    if hi < lo or not charged(calc_tiers(terms), lo, hi):
        return None
    return lo, hi


def due_from(timing: Timing, period: FeePeriod) -> date:
    """The first business date on which the period's fee may be prepared."""
    return period.start if timing is Timing.ADVANCE else period.end + timedelta(days=1)


def resolve(fund: Fund, period: FeePeriod, today: date) -> tuple[FeeTerms, date, date]:
    """(terms, first charged day, last charged day) of a period that may be prepared on
    ``today``, or the named refusal (field ``period``)."""
    name = str(period)
    if period.end < fund.inception_on:
        raise ValidationError("period", "fee_period_before_inception", period=name,
                              inception=fund.inception_on)
    terms = terms_for(fund.id, period)
    if terms is None:
        raise ValidationError("period", "fee_no_terms", period=name)
    if terms.frequency is not period.frequency:
        raise ValidationError("period", "fee_period_kind_mismatch", period=name,
                              frequency=terms.frequency)
    span = charged_span(fund, terms, period)
    if span is None:
        raise ValidationError("period", "fee_period_not_charged", period=name)
    if today < due_from(terms.timing, period):
        raise ValidationError("period", "fee_period_not_due", period=name,
                              due=due_from(terms.timing, period))
    return terms, span[0], span[1]


def _bases(actor: Actor, fund: Fund, tiers: list[Tier], lo: date, hi: date,
           frozen: bool) -> dict[Basis, list[tuple[date, Decimal]]]:
    return {basis: list(base_steps(actor, fund, basis, lo, hi, frozen))
            for basis in {t.basis for t in tiers}}


def period_lines(actor: Actor, fund: Fund, terms: FeeTerms, period: FeePeriod
                 ) -> tuple[list[FeeLine], dict[Basis, list[tuple[date, Decimal]]]]:
    """The period's lines under ``terms`` (none if it is not charged) and the bases read."""
    span = charged_span(fund, terms, period)
    if span is None:
        return [], {}
    tiers = calc_tiers(terms)
    bases = _bases(actor, fund, tiers, *span, frozen=terms.timing is Timing.ADVANCE)
    return fee_lines(tiers, *span, bases), bases


def fee_start(fund: Fund, terms: FeeTerms) -> date:
    return max(fund.inception_on, min(t.from_on for t in terms.tiers))


def late_closings(fund: Fund, terms: FeeTerms, period: FeePeriod, start: date
                  ) -> list[Commitment]:
    """Commitment rows of later closings that join the base with this period (dated after
    the previous period's first day, on or before ``start``, after the fee start)."""
    after = max(period.previous().start, fee_start(fund, terms))
    return list(db.session.scalars(sa.select(Commitment).where(
        Commitment.fund_id == fund.id, Commitment.closing >= 2, Commitment.amount > 0,
        Commitment.committed_on > after, Commitment.committed_on <= start)
        .order_by(Commitment.investor_id, Commitment.id)))


def _scaled(line: FeeLine, own: Decimal, fund_commitment: Decimal) -> FeeLine:
    if line.basis is Basis.COMMITMENT:
        base = own
    elif fund_commitment <= 0:
        base = Decimal("0.00")
    else:
        base = (line.base * own / fund_commitment).quantize(FEN, rounding=ROUND_HALF_UP)
    return FeeLine(line.basis, line.rate, line.start, line.end, base)


def catch_ups(actor: Actor, fund: Fund, terms: FeeTerms, period: FeePeriod,
              start: date) -> list[CatchUp]:
    """The late closers' catch-ups charged with ``period`` (see the module)."""
    rows = late_closings(fund, terms, period, start)
    if not rows:
        return []
    batch = {r.id for r in rows}
    own: dict[int, Decimal] = {}
    for row in rows:
        own[row.investor_id] = own.get(row.investor_id, Decimal("0.00")) + row.amount
    past = [p for p in periods_between(terms.frequency, fee_start(fund, terms),
                                       period.start - timedelta(days=1)) if p < period]
    fund_lines: list[tuple[FeeLine, Decimal]] = []
    for earlier in past:
        lines, _ = period_lines(actor, fund, terms, earlier)
        for line in lines:
            read_on = line.start if terms.timing is Timing.ARREARS else max(
                earlier.start, fund.inception_on)
            fund_lines.append((line, commitments_on(fund.id, read_on, batch)))
    out = []
    for investor_id, amount in own.items():
        lines = [_scaled(line, amount, total) for line, total in fund_lines]
        out.append(CatchUp(investor_id, amount, lines, fee_of(lines)))
    return out


def plan_draft(actor: Actor, fund: Fund, period: FeePeriod, income: Decimal,
               today: date) -> DraftPlan:
    """Compute the period's fee call (nothing written); a refusal is a named
    :class:`ValidationError` (see :func:`resolve`)."""
    terms, start, end = resolve(fund, period, today)
    lines, _ = period_lines(actor, fund, terms, period)
    regular = fee_of(lines)
    extra = catch_ups(actor, fund, terms, period, start)
    offset = offset_of(regular, income, terms.offset_rate)
    weights = [(inv.id, total) for inv, total in committed_by_investor(fund.id, start)
               if total > 0]
    shares = split_fee(regular - offset, weights, {c.investor_id: c.amount for c in extra})
    due_on = start if terms.timing is Timing.ADVANCE else end
    return DraftPlan(period, terms, start, end, due_on, lines, regular, extra, income,
                     offset, shares)


def investor_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Investor.id, Investor.name).where(
        Investor.id.in_(ids))).tuples().all())
