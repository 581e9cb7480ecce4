"""Demo: distributions through the waterfall in two of 启明's (gp1) funds, through the
services like user input (illustrative data):

- a whole-fund (European) waterfall with carry: 20 % carry, 8 % compound hurdle on the
  contributed capital, 100 % catch-up, the GP's own LP record as carry recipient (its
  own paid-in takes no carry), effective at inception; one distribution on
  :data:`RUN_ON` large enough that the LPs' capital and pref are recovered and carry is
  paid;
- a 让利 case: the same terms plus a tier in which the government LP keeps its principal
  plus 3 % simple a year and cedes 50 % of its excess to the social LPs (weighted by
  commitment in 亿元; not the GP's record or state-owned LPs); one distribution on
  :data:`RUN_ON` in which the tier cedes.

The funds are gp1's, by code, whose life covers the run date, with no exit event and no
LP-interest transfer (the other stories' funds) and with the GP's own LP record: the
carry story in the first sub-fund, the 让利 story in the first other fund with a
government LP (fiscal or guidance fund; the M&A fund, whose pages the Chinese walk
reaches first). The
amount is the smallest in a deterministic sequence of whole-万 amounts (starting at
1.6 × paid-in, ×1.25 a step) whose preview pays carry (and cedes, in the 让利 case).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

import sqlalchemy as sa

from fundops.auth.models import Organisation
from fundops.calc.waterfall_terms import Slice
from fundops.clock import business_today
from fundops.exits import waterfalls
from fundops.exits.models import ExitEvent, InterestTransfer
from fundops.exits.transfer_enums import GOVERNMENT_TYPES
from fundops.extensions import db
from fundops.portfolio.allocation_plans import committed_by_investor
from fundops.portfolio.enums import CashFlowKind, FundKind, InvestorType
from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.models import Fund, Investor
from fundops.uow import Actor

RUN_ON = date(2026, 6, 30)
THRESHOLD_RATE = "0.03"
CEDED_SHARE = "0.5"
TEN_THOUSAND = Decimal(10000)
HUNDRED_MILLION = Decimal(100_000_000)  # weights: commitments in 亿元
_MAX_STEPS = 20


def _candidates(gp: Actor, on: date, kind: FundKind | None = None) -> list[Fund]:
    busy = set(db.session.scalars(sa.select(ExitEvent.fund_id))) | set(
        db.session.scalars(sa.select(InterestTransfer.fund_id)))
    funds = db.session.scalars(sa.select(Fund).where(
        Fund.organisation_id == gp.organisation_id).order_by(Fund.code))
    return [f for f in funds if f.inception_on < on <= f.life_end_on and f.id not in busy
            and kind in (None, f.kind)]


def _paid_in(fund: Fund) -> Decimal:
    total = db.session.scalar(sa.select(sa.func.sum(CashFlow.amount)).where(
        CashFlow.fund_id == fund.id, CashFlow.kind == CashFlowKind.CAPITAL_CALL))
    return Decimal(total or 0)


def _gp_record(gp: Actor, lps: list[Investor]) -> Investor | None:
    """The GP's own LP record in the fund (the demo names it after the organisation)."""
    org = db.session.get(Organisation, gp.organisation_id)
    name = f"{org.name}（普通合伙人）" if org else ""
    return next((lp for lp in lps if lp.name == name), None)


def _amount(gp: Actor, fund: Fund, ceded_by: int | None) -> Decimal:
    """The first whole-万 amount of the sequence whose preview pays carry (and, with
    ``ceded_by``, in which that government LP cedes a non-zero amount)."""
    amount = (_paid_in(fund) * Decimal("1.6") / TEN_THOUSAND).to_integral_value(
        ROUND_CEILING) * TEN_THOUSAND
    for _ in range(_MAX_STEPS):
        plan = waterfalls.preview_run(gp, fund.id, value_on=RUN_ON, amount=amount)
        piece: Slice | None = plan.run.slices.get(ceded_by) if ceded_by else None
        if plan.run.carry > 0 and (ceded_by is None or (piece and piece.concession_out > 0)):
            return amount
        amount = (amount * Decimal("1.25") / TEN_THOUSAND).to_integral_value(
            ROUND_CEILING) * TEN_THOUSAND
    raise RuntimeError(f"no demo waterfall amount pays carry in {fund.code}")


def _story(gp: Actor, fund: Fund, concession: bool) -> str | None:
    lps = [inv for inv, amount in committed_by_investor(fund.id, RUN_ON) if amount > 0]
    recipient = _gp_record(gp, lps)
    gov = next((lp for lp in lps if lp.investor_type in GOVERNMENT_TYPES), None)
    if recipient is None or (concession and gov is None):
        return None
    tiers: list[waterfalls.TierIn] = []
    if concession and gov is not None:
        social = [(lp.id, str((amount / HUNDRED_MILLION).quantize(Decimal("1E-8"))))
                  for lp, amount in committed_by_investor(fund.id, RUN_ON)
                  if lp.investor_type not in GOVERNMENT_TYPES
                  and lp.investor_type is not InvestorType.STATE_OWNED
                  and lp.id != recipient.id and amount > 0]
        tiers.append(waterfalls.TierIn(gov.id, THRESHOLD_RATE, CEDED_SHARE, social))
    memo = "示例：整体基金（欧式）瀑布，20%业绩报酬，8%复利门槛，100%追补"
    if concession:
        memo = "示例：政府出资让利——本金加年化3%单利以上部分的50%让渡社会出资人"
    waterfalls.set_terms(gp, fund.id, effective_on=fund.inception_on,
                         carry_recipient_id=recipient.id, hurdle="compound",
                         hurdle_rate="0.08", catch_up="1", carry="0.2",
                         concessions=tiers, memo=memo)
    amount = _amount(gp, fund, gov.id if concession and gov else None)
    run = waterfalls.run_waterfall_distribution(
        gp, fund.id, value_on=RUN_ON, amount=amount, distribution_type="gain",
        memo="示例：按分配瀑布分配退出收益")
    if concession and gov is not None:
        ceded = next(s.concession_out for s in run.slices if s.investor_id == gov.id)
        return (f"waterfall run #{run.id} in {fund.code} with 让利: {gov.name} cedes "
                f"{ceded:,} of {amount:,.2f}")
    return f"waterfall run #{run.id} in {fund.code}: carry {run.carry_amount:,} of {amount:,.2f}"


def load_waterfalls(actors: dict[str, Actor], funds: dict[str, Fund]) -> list[str]:
    """The whole-fund carry story, then the 让利 story, in two different gp1 funds."""
    del funds
    gp = actors["gp1"]
    if business_today() < RUN_ON:
        return []
    lines: list[str] = []
    used: set[int] = set()
    for concession, kind in ((False, FundKind.SUB_FUND), (True, None)):
        for fund in _candidates(gp, RUN_ON, kind):
            line = None if fund.id in used else _story(gp, fund, concession)
            if line is not None:
                lines.append(line)
                used.add(fund.id)
                break
    return lines
