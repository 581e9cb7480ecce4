"""Distribution waterfalls stored as terms of a fund: terms versions, runs through the
ledger (the §5.5 compound example end to end), cumulative runs, 让利 with a government
LP, refusals (nothing written), reversal, a real-thread race; both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, DomainError, ValidationError
from fundops.exits import waterfalls
from fundops.exits.models import WaterfallRun, WaterfallSlice, WaterfallTerms
from fundops.exits.waterfall_queries import liquidation, terms_on
from fundops.extensions import db
from fundops.models import CashFlow, Fund, Investor
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.uow import Actor
from tests.factories import make_fund, make_user, next_n
from tests.integration.test_ledger_races import outcomes

D = Decimal
T0 = "2020-01-01"
T5 = "2024-12-30"  # 1825 days after T0: 5.0 years on Actual/365


def build(gp: Actor, lp_amount: str = "1000000", gp_amount: str | None = None,
          kinds: tuple[str, ...] = ("private",)) -> tuple[Fund, list[Investor], Investor]:
    """A fund whose LPs commit on T0 and pay 1,000,000 (C = 100 万) on T0 in one call; the
    carry recipient is the GP's own LP record (committing ``gp_amount``, else 1 yuan never
    called: a dedicated GP record)."""
    fund = make_fund(gp)
    lps = []
    for kind in kinds:
        lp = services.create_investor(gp, f"LP {kind} {next_n()}", kind)
        services.add_commitment(gp, fund.id, lp.id, lp_amount, T0)
        lps.append(lp)
    rec = services.create_investor(gp, f"GP 普通合伙人 {next_n()}", "corporate")
    services.add_commitment(gp, fund.id, rec.id, gp_amount or "0.01", T0)
    total = D(lp_amount) * len(kinds)
    split = {lp.id: lp_amount for lp in lps}
    if gp_amount:
        total += D(gp_amount)
        split[rec.id] = gp_amount
    ledger.record_capital_call(gp, fund.id, value_on=T0, amount=str(total),
                               purpose="investment", split=split)
    return fund, lps, rec


def terms(gp: Actor, fund: Fund, rec: Investor, **changes: object) -> WaterfallTerms:
    fields: dict[str, object] = {"effective_on": T0, "carry_recipient_id": rec.id,
                                 "hurdle": "compound", "hurdle_rate": "0.08",
                                 "catch_up": "1", "carry": "0.2"}
    fields.update(changes)
    return waterfalls.set_terms(gp, fund.id, **fields)  # type: ignore[arg-type]


def allocations(run: WaterfallRun) -> dict[int, Decimal]:
    entry = db.session.get(CashFlow, run.cash_flow_id)
    assert entry is not None
    return {a.investor_id: a.amount for a in entry.allocations if a.amount}


def test_compound_example_through_the_ledger(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (lp,), rec = build(gp)
    terms(gp, fund, rec)
    run = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="1800000")
    assert run.carry_amount == D("160000.00") and run.escrow_amount == 0
    assert allocations(run) == {lp.id: D("1640000.00"), rec.id: D("160000.00")}
    lp_slice = next(s for s in run.slices if s.investor_id == lp.id)
    assert (lp_slice.capital, lp_slice.pref) == (D("1000000.00"), D("469328.08"))
    assert lp_slice.carry_catch_up + lp_slice.carry_split == D("160000.00")
    entry = db.session.get(CashFlow, run.cash_flow_id)
    assert entry is not None and entry.amount == D("1800000.00")


def test_two_runs_cumulative_match_one(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (lp,), rec = build(gp)
    terms(gp, fund, rec)
    first = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="1200000")
    second = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="600000")
    assert first.carry_amount + second.carry_amount == D("160000.00")
    paid = {k: allocations(first).get(k, 0) + allocations(second).get(k, 0)
            for k in (lp.id, rec.id)}
    assert paid == {lp.id: D("1640000.00"), rec.id: D("160000.00")}


def test_terms_versions_apply_by_date(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _, rec = build(gp)
    terms(gp, fund, rec)
    terms(gp, fund, rec, effective_on="2023-01-01", carry="0.3", catch_up="1")
    assert terms_on(fund.id, date(2022, 12, 31)).carry_rate == D("0.2")  # type: ignore[union-attr]
    assert terms_on(fund.id, date(2023, 1, 1)).carry_rate == D("0.3")  # type: ignore[union-attr]
    run = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="1800000")
    assert run.carry_amount == D("240000.00")  # 30 % of the 800,000 profit


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"carry": "1"}, "carry", "waterfall_carry_range"),
    ({"catch_up": "0.1"}, "catch_up", "waterfall_catch_up_below_carry"),
    ({"hurdle_rate": "-0.01"}, "hurdle_rate", "waterfall_rate_negative"),
    ({"carry_recipient_id": 2**31 - 1}, "carry_recipient_id", "waterfall_party_not_lp"),
])
def test_bad_terms_are_refused(app: Flask, changes: dict[str, object], field: str,
                               code: str) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _, rec = build(gp)
    with pytest.raises(ValidationError) as caught:
        terms(gp, fund, rec, **changes)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WaterfallTerms).where(
        WaterfallTerms.fund_id == fund.id)) == 0


def test_a_fund_without_terms_is_refused(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _, _ = build(gp)
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(CashFlow))
    with pytest.raises(ValidationError) as caught:
        waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="100")
    assert caught.value.code == "waterfall_no_terms"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CashFlow)) == entries
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WaterfallRun)) is not None


def test_holdback_stays_in_the_fund(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (lp,), rec = build(gp)
    terms(gp, fund, rec, holdback="0.25")
    run = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="1800000")
    assert run.escrow_amount == D("40000.00")
    assert allocations(run) == {lp.id: D("1640000.00"), rec.id: D("120000.00")}
    entry = db.session.get(CashFlow, run.cash_flow_id)
    assert entry is not None and entry.amount == D("1760000.00")


def test_concession_run_with_a_government_lp(app: Flask) -> None:
    """domain-rules §3.4 worked example scaled by 10,000: government and social LP each
    pay 1,000,000; 8 % simple pref; above 6 % the government cedes 50 % of its excess to
    the social LP (after carry) when 返投 is met."""
    _, gp = make_user(f"GP {next_n()}")
    fund, (gov, soc), rec = build(gp, kinds=("guidance_fund", "private"))
    tier = waterfalls.TierIn(gov.id, "0.06", "0.5", [(soc.id, "1")], "reinvestment")
    terms(gp, fund, rec, hurdle="simple", concessions=[tier])
    run = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="4000000",
                                                conditions_met=["reinvestment"])
    assert allocations(run) == {gov.id: D("1550000.00"), soc.id: D("2050000.00"),
                                rec.id: D("400000.00")}
    gov_slice = next(s for s in run.slices if s.investor_id == gov.id)
    assert gov_slice.concession_out == D("250000.00")


def test_reversal_only_of_the_latest_run(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _, rec = build(gp)
    terms(gp, fund, rec)
    first = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="1200000")
    second = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="600000")
    with pytest.raises(ConflictError) as caught:
        waterfalls.reverse_run(gp, fund.id, first.id, "wrong")
    assert caught.value.code == "waterfall_not_latest_run"
    with pytest.raises(ValidationError) as plain:
        ledger.reverse_entry(gp, fund.id, second.cash_flow_id, "plain")
    assert plain.value.code == "waterfall_reverse_the_run"
    waterfalls.reverse_run(gp, fund.id, second.id, "typo")
    with pytest.raises(ConflictError):
        waterfalls.reverse_run(gp, fund.id, second.id, "again")
    again = waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="600000")
    assert allocations(again) == allocations(second)


def test_as_if_liquidated(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (lp,), rec = build(gp)
    ledger.record_valuation(gp, fund.id, as_of=T5, nav_amount="1800000")
    assert liquidation(gp, fund.id, date(2024, 12, 30)) is None
    terms(gp, fund, rec)
    view = liquidation(gp, fund.id, date(2024, 12, 30))
    assert view is not None
    assert view.result.accrued_carry == D("160000.00")
    assert view.result.net_nav == {lp.id: D("1640000.00")}


def test_concurrent_runs_are_cumulative(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (lp,), rec = build(gp)
    terms(gp, fund, rec)
    fund_id, lp_id, rec_id = fund.id, lp.id, rec.id
    seen = outcomes(app, lambda i: waterfalls.run_waterfall_distribution(
        gp, fund_id, value_on=T5, amount="900000"), [1, 2])
    assert seen == {"ok": 2}
    runs = db.session.scalars(sa.select(WaterfallRun).where(WaterfallRun.fund_id == fund_id)
                              ).all()
    assert sum((r.carry_amount for r in runs), D(0)) == D("160000.00")
    total = {lp_id: D(0), rec_id: D(0)}
    for run in runs:
        for key, value in allocations(run).items():
            total[key] += value
    assert total == {lp_id: D("1640000.00"), rec_id: D("160000.00")}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WaterfallSlice).where(
        WaterfallSlice.run_id.in_([r.id for r in runs]))) == 4


def test_domain_errors_are_named(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _, rec = build(gp)
    terms(gp, fund, rec)
    with pytest.raises(DomainError):
        waterfalls.run_waterfall_distribution(gp, fund.id, value_on=T5, amount="0")


def waterfall_objects(gp: Actor, fund_id: int, recipient_id: int,
                      value_on: str = "2024-03-31") -> dict[str, int]:
    """Default terms (effective at the fund's inception) and one run of 1,000,000 on
    ``value_on`` in a fund with paid-in capital: the ids the route walks need."""
    fund = db.session.get(Fund, fund_id)
    assert fund is not None
    waterfalls.set_terms(gp, fund_id, effective_on=fund.inception_on,
                         carry_recipient_id=recipient_id)
    run = waterfalls.run_waterfall_distribution(gp, fund_id, value_on=value_on,
                                                amount="1000000")
    return {"run_id": run.id}


def test_deal_by_deal_carry_and_clawback(app: Flask) -> None:
    """domain-rules §5.5 scaled by 10,000: two deals of 500,000 at T0; A sold at 2.0 years
    for 1,000,000 and run through the waterfall (carry 100,000), B sold at 5.0 years for
    200,000: the whole-fund rerun has no carry, so the clawback is 100,000."""
    from fundops.exits import services as exit_services
    from fundops.exits.waterfall_queries import deal_clawback
    from tests.factories import make_company

    _, gp = make_user(f"GP {next_n()}")
    fund, (lp,), rec = build(gp)
    a, b = make_company(gp), make_company(gp)
    for company in (a, b):
        ledger.record_investment(gp, fund.id, company_id=company.id, round_name="A",
                                 instrument="ordinary_equity", invested_on=T0,
                                 amount="500000")
    exit_services.record_trade_sale(gp, fund.id, company_id=a.id, kind="trade_sale",
                                    value_on="2021-12-31", consideration="1000000")
    exit_services.record_trade_sale(gp, fund.id, company_id=b.id, kind="trade_sale",
                                    value_on=T5, consideration="200000")
    terms(gp, fund, rec, structure="deal_by_deal")
    with pytest.raises(ValidationError) as caught:
        waterfalls.run_waterfall_distribution(gp, fund.id, value_on="2021-12-31",
                                              amount="1000000")
    assert caught.value.code == "waterfall_deal_required"
    run = waterfalls.run_waterfall_distribution(gp, fund.id, value_on="2021-12-31",
                                                amount="1000000", company_id=a.id)
    assert run.carry_amount == D("100000.00")
    assert allocations(run) == {lp.id: D("900000.00"), rec.id: D("100000.00")}
    view = deal_clawback(fund.id, date(2024, 12, 30))
    assert view is not None
    assert view.result.deal_carry == {a.id: D("100000.00"), b.id: D("0.00")}
    assert view.result.amount == D("100000.00") and view.result.from_gp == D("100000.00")
