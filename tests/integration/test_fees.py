"""The management-fee engine on both databases: terms versions, drafts with the worked
examples exact to the fen (commitment basis, step-down to invested cost, a late closer's
catch-up), offsets, extension, posting (principal and income), discarding, refusals
(nothing written), the daily job's drafts, and real-thread races."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, ValidationError
from fundops.extensions import db
from fundops.models import CashFlow, Fund, Investor
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.enums import CallPurpose, CashFlowKind
from fundops.reports.fees import services as fees
from fundops.reports.fees.enums import DraftStatus
from fundops.reports.fees.models import FeeDraft, FeeDraftLine, FeeTerms, FeeTier
from fundops.uow import Actor
from tests.factories import make_company, make_fund, make_user, next_n
from tests.integration.test_ledger_races import outcomes

D = Decimal
TODAY = date(2026, 6, 30)


def fee_fund(gp: Actor, commitments: tuple[str, ...] = ("60000000", "40000000"),
             inception: str = "2025-01-01", **dates: str) -> tuple[Fund, list[Investor]]:
    """A fund whose first-close LPs commit on its inception; the investment period ends
    on 14 Feb 2025 and the term on 31 Dec 2029 (extension to 2031) unless ``dates``
    say otherwise."""
    fields = {"inception_on": inception, "investment_period_end_on": "2025-02-14",
              "term_end_on": "2029-12-31", "extension_end_on": "2031-12-31", **dates}
    fund = make_fund(gp, **fields)
    lps = []
    for amount in commitments:
        lp = services.create_investor(gp, f"LP {next_n()}", "private")
        services.add_commitment(gp, fund.id, lp.id, amount, inception)
        lps.append(lp)
    return fund, lps


def commitment_terms(gp: Actor, fund: Fund, **kw: object) -> FeeTerms:
    fields: dict[str, object] = {"effective_on": fund.inception_on,
                                 "tiers": [fees.TierIn("commitment", "0.02", fund.inception_on)]}
    fields.update(kw)
    return fees.set_terms(gp, fund.id, **fields)  # type: ignore[arg-type]


def count(model: type) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def shares(draft: FeeDraft) -> dict[int, Decimal]:
    return {s.investor_id: s.amount for s in draft.shares}


def test_a_commitment_basis_exact_to_the_fen(app: Flask) -> None:
    """100,000,000 × 2 % × 90 / 365 = 493,150.68, split 3 : 2 (A .408 → .41 by the
    largest remainder, B .272 → .27)."""
    _, gp = make_user(f"GP {next_n()}")
    fund, (a, b) = fee_fund(gp)
    commitment_terms(gp, fund)
    draft = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    assert (draft.period, draft.period_start, draft.period_end, draft.due_on) == (
        "2025Q1", date(2025, 1, 1), date(2025, 3, 31), date(2025, 1, 1))
    assert [(x.base_amount, x.rate, x.days) for x in draft.lines] == [
        (D("100000000.00"), D("0.02"), 90)]
    assert draft.lines[0].amount == D("493150.684932")
    assert (draft.fee_amount, draft.offset_amount, draft.net_amount) == (
        D("493150.68"), D("0.00"), D("493150.68"))
    assert shares(draft) == {a.id: D("295890.41"), b.id: D("197260.27")}
    assert draft.status is DraftStatus.DRAFT and draft.prepared_by_id == gp.user_id


@pytest.mark.parametrize("timing", ["advance", "arrears"])
def test_b_step_down_to_invested_cost(app: Flask, timing: str) -> None:
    """The investment period ends on 14 Feb 2025; 60,000,000 invested on 30 Sep 2024 is
    still held: 100,000,000 × 2 % × 45 / 365 + 60,000,000 × 1.5 % × 45 / 365
    = 130,500,000 / 365 = 357,534.246575… → 357,534.25 (see the unit test)."""
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp, inception="2024-07-01")
    company = make_company(gp)
    ledger.record_investment(gp, fund.id, company_id=company.id, round_name="A",
                             instrument="ordinary_equity", invested_on="2024-09-30",
                             amount="60000000")
    fees.set_terms(gp, fund.id, effective_on="2024-07-01", timing=timing, tiers=[
        fees.TierIn("commitment", "0.02", "2024-07-01", "2025-02-14"),
        fees.TierIn("invested_cost", "0.015", "2025-02-15", "2029-12-31")])
    draft = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    assert [(x.basis.value, x.base_amount, x.from_on, x.to_on, x.days) for x in draft.lines] == [
        ("commitment", D("100000000.00"), date(2025, 1, 1), date(2025, 2, 14), 45),
        ("invested_cost", D("60000000.00"), date(2025, 2, 15), date(2025, 3, 31), 45)]
    assert draft.fee_amount == D("357534.25")
    assert draft.due_on == (date(2025, 1, 1) if timing == "advance" else date(2025, 3, 31))


def test_c_late_closer_pays_its_catch_up_alone(app: Flask) -> None:
    """C commits 20,000,000 at the second closing on 15 May 2025: the Q2 draft does not
    include it; the Q3 draft charges the period fee 604,931.51 on 120,000,000 split
    3 : 2 : 1, and C alone its catch-up for Q1 and Q2: 198,356.16 (see the unit test)."""
    _, gp = make_user(f"GP {next_n()}")
    fund, (a, b) = fee_fund(gp)
    commitment_terms(gp, fund)
    c = services.create_investor(gp, f"LP late {next_n()}", "private")
    services.add_commitment(gp, fund.id, c.id, "20000000", "2025-05-15", closing=2)
    q2 = fees.prepare_draft(gp, fund.id, "2025Q2", today=TODAY)
    assert q2.catch_up_amount == 0 and c.id not in shares(q2)
    assert q2.fee_amount == D("498630.14")  # 100,000,000 × 2 % × 91 / 365 = 498,630.136…
    q3 = fees.prepare_draft(gp, fund.id, "2025Q3", today=TODAY)
    assert (q3.regular_amount, q3.catch_up_amount, q3.fee_amount) == (
        D("604931.51"), D("198356.16"), D("803287.67"))
    assert shares(q3) == {a.id: D("302465.75"), b.id: D("201643.84"), c.id: D("299178.08")}
    catch = [x for x in q3.lines if x.investor_id is not None]
    assert [(x.investor_id, x.base_amount, x.from_on, x.days) for x in catch] == [
        (c.id, D("20000000.00"), date(2025, 1, 1), 90),
        (c.id, D("20000000.00"), date(2025, 4, 1), 91)]
    q4 = fees.prepare_draft(gp, fund.id, "2025Q4", today=TODAY)
    assert q4.catch_up_amount == 0  # caught up once


def test_paid_in_in_arrears_splits_at_each_call(app: Flask) -> None:
    """Paid-in moves on 15 Feb (a call of 30,000,000 on top of 10,000,000 on 1 Jan): in
    arrears two lines, 10,000,000 × 1 % × 45 / 365 + 40,000,000 × 1 % × 45 / 365
    = 22,500,000 / 365 = 61,643.835616… → 61,643.84; in advance one line on 1 Jan's
    10,000,000: 10,000,000 × 1 % × 90 / 365 = 24,657.534246… → 24,657.53."""
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    for on, amount in (("2025-01-01", "10000000"), ("2025-02-15", "30000000")):
        ledger.record_capital_call(gp, fund.id, value_on=on, amount=amount, purpose="investment")
    fees.set_terms(gp, fund.id, effective_on="2025-01-01", timing="arrears",
                   tiers=[fees.TierIn("paid_in", "0.01", "2025-01-01")])
    draft = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    assert [(x.base_amount, x.days) for x in draft.lines] == [
        (D("10000000.00"), 45), (D("40000000.00"), 45)]
    assert draft.fee_amount == D("61643.84")
    fees.set_terms(gp, fund.id, effective_on="2025-01-01", timing="advance",
                   tiers=[fees.TierIn("paid_in", "0.01", "2025-01-01")])
    fees.discard_draft(gp, fund.id, draft.id, "advance now")
    again = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    assert again.fee_amount == D("24657.53") and len(again.lines) == 1


def test_nav_basis_reads_the_funds_nav(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    ledger.record_capital_call(gp, fund.id, value_on="2025-01-01", amount="50000000",
                               purpose="investment")
    ledger.record_valuation(gp, fund.id, as_of="2025-01-01", nav_amount="73000000")
    fees.set_terms(gp, fund.id, effective_on="2025-01-01", frequency="semi_annual",
                   tiers=[fees.TierIn("nav", "0.01", "2025-01-01")])
    draft = fees.prepare_draft(gp, fund.id, "2025H1", today=TODAY)
    # 73,000,000 × 1 % × 181 / 365 = 362,000.00 exactly
    assert [(x.base_amount, x.days) for x in draft.lines] == [(D("73000000.00"), 181)]
    assert draft.fee_amount == D("362000.00")


def test_offset_reduces_the_fee_and_the_split(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (a, b) = fee_fund(gp)
    commitment_terms(gp, fund, offset_rate="0.8")
    draft = fees.prepare_draft(gp, fund.id, "2025Q1", fee_income="100000", today=TODAY)
    assert (draft.fee_amount, draft.income_amount, draft.offset_amount, draft.net_amount) == (
        D("493150.68"), D("100000.00"), D("80000.00"), D("413150.68"))
    assert shares(draft) == {a.id: D("247890.41"), b.id: D("165260.27")}
    assert sum(shares(draft).values()) == draft.net_amount


def test_no_fee_in_the_extension_unless_the_terms_say_so(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp, term_end_on="2025-02-14", extension_end_on="2026-12-31")
    commitment_terms(gp, fund)
    q1 = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    assert (q1.period_end, q1.lines[0].days) == (date(2025, 2, 14), 45)
    assert q1.fee_amount == D("246575.34")  # 90,000,000 / 365
    with pytest.raises(ValidationError) as caught:
        fees.prepare_draft(gp, fund.id, "2025Q2", today=TODAY)
    assert caught.value.code == "fee_period_not_charged"
    commitment_terms(gp, fund, effective_on="2025-04-01", charge_in_extension=True)
    assert fees.prepare_draft(gp, fund.id, "2025Q2", today=TODAY).fee_amount == D("498630.14")


def test_posting_principal_calls_the_split_and_pays_the_manager(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund)
    draft = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    posted = fees.post_draft(gp, fund.id, draft.id)
    assert posted.status is DraftStatus.POSTED and posted.decided_by_id == gp.user_id
    call = db.session.get(CashFlow, posted.call_cash_flow_id)
    fee = db.session.get(CashFlow, posted.fee_cash_flow_id)
    assert call is not None and fee is not None
    assert (call.kind, call.call_purpose, call.amount, call.value_on) == (
        CashFlowKind.CAPITAL_CALL, CallPurpose.MANAGEMENT_FEE, D("493150.68"), date(2025, 1, 1))
    assert {x.investor_id: x.amount for x in call.allocations} == shares(draft)
    assert (fee.kind, fee.amount) == (CashFlowKind.MANAGEMENT_FEE, D("493150.68"))
    with pytest.raises(ConflictError) as caught:
        fees.post_draft(gp, fund.id, draft.id)
    assert caught.value.code == "fee_draft_not_live"
    with pytest.raises(ConflictError) as again:
        fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    assert again.value.code == "fee_period_posted"


def test_posting_income_pays_the_manager_without_a_call(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund, source="income", timing="arrears")
    draft = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    posted = fees.post_draft(gp, fund.id, draft.id, value_on="2025-04-10")
    assert posted.call_cash_flow_id is None
    fee = db.session.get(CashFlow, posted.fee_cash_flow_id)
    assert fee is not None and (fee.value_on, fee.amount) == (date(2025, 4, 10), D("493150.68"))
    calls = db.session.scalar(sa.select(sa.func.count(CashFlow.id)).where(
        CashFlow.fund_id == fund.id, CashFlow.kind == CashFlowKind.CAPITAL_CALL))
    assert calls == 0


def test_discarding_frees_the_period(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund, offset_rate="1")
    first = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    with pytest.raises(ConflictError) as caught:
        fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    assert caught.value.code == "fee_draft_exists"
    gone = fees.discard_draft(gp, fund.id, first.id, "fees received were left out")
    assert (gone.status, gone.live_period, gone.reason) == (
        DraftStatus.DISCARDED, None, "fees received were left out")
    second = fees.prepare_draft(gp, fund.id, "2025Q1", fee_income="500000", today=TODAY)
    assert second.net_amount == 0  # the offset capped at the fee
    posted = fees.post_draft(gp, fund.id, second.id)
    assert posted.call_cash_flow_id is None and posted.fee_cash_flow_id is None
    with pytest.raises(ConflictError):
        fees.discard_draft(gp, fund.id, first.id, "again")


@pytest.mark.parametrize(("tiers", "field", "code"), [
    ([fees.TierIn("commitment", "-0.02", "2025-01-01")], "tiers[0].rate", "fee_rate_negative"),
    ([fees.TierIn("commitment", "0.02", "2025-01-01", "2025-06-30"),
      fees.TierIn("nav", "0.01", "2025-06-01")], "tiers", "fee_tiers_overlap"),
    ([fees.TierIn("gross_asset_value", "0.02", "2025-01-01")], "tiers[0].basis",
     "fee_basis_unknown"),
    ([fees.TierIn("commitment", "0.02", "2024-12-31")], "tiers[0].from_on",
     "fee_tier_before_inception"),
    ([], "tiers", "fee_tiers_required"),
])
def test_bad_terms_are_named_and_nothing_is_written(app: Flask, tiers: list[fees.TierIn],
                                                     field: str, code: str) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    before = (count(FeeTerms), count(FeeTier))
    with pytest.raises(ValidationError) as caught:
        fees.set_terms(gp, fund.id, effective_on="2025-01-01", tiers=tiers)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert (count(FeeTerms), count(FeeTier)) == before


@pytest.mark.parametrize(("period", "code"), [
    ("2024Q4", "fee_period_before_inception"),
    ("2025H1", "fee_period_kind_mismatch"),
    ("2027Q1", "fee_period_not_due"),
    ("2025Q5", "fee_period_invalid"),
])
def test_bad_periods_are_named_and_nothing_is_written(app: Flask, period: str,
                                                       code: str) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund)
    before = (count(FeeDraft), count(FeeDraftLine), count(CashFlow))
    with pytest.raises(ValidationError) as caught:
        fees.prepare_draft(gp, fund.id, period, today=TODAY)
    assert (caught.value.field, caught.value.code) == ("period", code)
    assert (count(FeeDraft), count(FeeDraftLine), count(CashFlow)) == before


def test_a_fund_without_terms_is_refused(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    with pytest.raises(ValidationError) as caught:
        fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    assert caught.value.code == "fee_no_terms"


def test_the_daily_job_prepares_each_due_period_once(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund, frequency="semi_annual", timing="arrears")
    assert fund.id not in fees.funds_with_due_fees(date(2025, 6, 30))  # H1 not ended
    assert fund.id in fees.funds_with_due_fees(date(2025, 7, 1))
    assert fees.prepare_due_fees(fund.id, date(2025, 7, 1)) is True
    assert fees.prepare_due_fees(fund.id, date(2025, 7, 1)) is False  # idempotent
    assert fund.id not in fees.funds_with_due_fees(date(2025, 7, 1))
    drafts = db.session.scalars(sa.select(FeeDraft).where(FeeDraft.fund_id == fund.id)).all()
    assert [(d.period, d.prepared_by_id, d.fee_amount) for d in drafts] == [
        ("2025H1", None, D("991780.82"))]  # 100,000,000 × 2 % × 181 / 365 = 991,780.821…
    fees.discard_draft(gp, fund.id, drafts[0].id, "recompute by hand")
    assert fees.prepare_due_fees(fund.id, date(2026, 1, 2)) is True  # H2 only
    periods = db.session.scalars(sa.select(FeeDraft.period).where(
        FeeDraft.fund_id == fund.id).order_by(FeeDraft.id)).all()
    assert periods == ["2025H1", "2025H2"]


def test_the_daily_job_in_advance_prepares_started_periods(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund)
    assert fees.prepare_due_fees(fund.id, date(2025, 4, 1)) is True
    periods = db.session.scalars(sa.select(FeeDraft.period).where(
        FeeDraft.fund_id == fund.id).order_by(FeeDraft.period_start)).all()
    assert periods == ["2025Q1", "2025Q2"]


def test_two_threads_preparing_one_period_make_one_draft(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund)
    fund_id = fund.id
    seen = outcomes(app, lambda _: fees.prepare_draft(gp, fund_id, "2025Q1", today=TODAY),
                    [1, 2])
    assert seen == {"ok": 1, "ConflictError:fee_draft_exists": 1}
    assert db.session.scalar(sa.select(sa.func.count(FeeDraft.id)).where(
        FeeDraft.fund_id == fund_id)) == 1


def test_two_runners_of_the_job_make_one_draft_per_period(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund)
    fund_id = fund.id
    seen = outcomes(app, lambda _: fees.prepare_due_fees(fund_id, date(2025, 4, 1)), [1, 2])
    assert seen == {"ok": 2}
    assert db.session.scalar(sa.select(sa.func.count(FeeDraft.id)).where(
        FeeDraft.fund_id == fund_id)) == 2  # Q1 and Q2, once each


def test_posting_twice_concurrently_posts_once(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund)
    draft = fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    fund_id, draft_id = fund.id, draft.id
    seen = outcomes(app, lambda _: fees.post_draft(gp, fund_id, draft_id), [1, 2])
    assert seen == {"ok": 1, "ConflictError:fee_draft_not_live": 1}
    kinds = db.session.scalars(sa.select(CashFlow.kind).where(CashFlow.fund_id == fund_id)).all()
    assert sorted(kinds) == [CashFlowKind.CAPITAL_CALL, CashFlowKind.MANAGEMENT_FEE]


def test_terms_and_lines_are_append_only(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = fee_fund(gp)
    commitment_terms(gp, fund)
    fees.prepare_draft(gp, fund.id, "2025Q1", today=TODAY)
    for table in ("fee_terms", "fee_tier", "fee_draft_line", "fee_draft_share"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(f"DELETE FROM {table}"))
        db.session.rollback()


def fee_objects(gp: Actor, fund_id: int) -> dict[str, int]:
    """Fee terms (2 % on commitments from the fund's inception, quarterly in advance) and
    a live draft of the first quarter after the inception: the ids the route walks need."""
    fund = db.session.get(Fund, fund_id)
    assert fund is not None
    fees.set_terms(gp, fund_id, effective_on=fund.inception_on,
                   tiers=[fees.TierIn("commitment", "0.02", fund.inception_on)])
    draft = fees.prepare_draft(gp, fund_id, "2020Q2", today=TODAY)
    return {"draft_id": draft.id}
