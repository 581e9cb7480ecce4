"""Risk-compensation pools on real loans: the seeds' schemes with exact figures.

Every loan comes from ``build_round`` (a 1亿 round, fully funded here so disbursement is
allowed; the product's limit is min(5,000万, 0.3 × 1亿, 0.05 × 5亿) = 2,500万).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.syndication.enums import LoanStatus
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import Loan
from fundops.syndication.pools import services as pools
from fundops.syndication.pools.models import RiskPool, RiskPoolClaim, RiskPoolRecovery
from fundops.syndication.term_sheets import fundings
from fundops.uow import Actor
from tests.factories import make_user, next_n
from tests.integration.test_linked_loans import Round, build_round
from tests.threads import race

WAN = Decimal(10_000)


def funded_round() -> Round:
    r = build_round()
    outside = next(a for a in r.ts.allocations if not a.is_lead)
    fundings.record_outside_funding(r.gp, r.ts.id, outside.id, amount="40000000",
                                       arrived_on="2024-07-05", evidence_ref="验资报告")
    return r


def drawn_loan(r: Round, amount: str) -> Loan:
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount=amount)
    lending.approve_loan(r.bank, loan.id)
    lending.disburse(r.bank, loan.id, amount=amount, value_on="2024-07-10")
    return db.session.get(Loan, loan.id)


def pool_for(r: Round, parties: list[dict[str, object]], **rules: object) -> tuple[Actor, RiskPool]:
    _, manager = make_user(f"科技金融平台 {next_n()}", kind="guidance_fund_manager")
    pool = pools.create_pool(manager, name=f"风险池 {next_n()}", parties=parties,
                             member_bank_ids=[r.bank.organisation_id], **rules)  # type: ignore[arg-type]
    return manager, pool


HUBEI = [{"name": "资金池", "role": "pool", "share": "0.8"},
         {"name": "银行", "role": "bank", "share": "0.2"}]


def test_hubei_pool_pays_80_percent_and_gets_its_share_of_recoveries(app: Flask) -> None:
    r = funded_round()
    manager, pool = pool_for(r, HUBEI, leverage_k="10")
    pools.add_contribution(manager, pool.id, funder="湖北省财政", amount="500000000",
                           contributed_on="2024-01-02")
    pools.add_contribution(manager, pool.id, funder="武汉市财政", amount="500000000",
                           contributed_on="2024-01-02")
    loan = drawn_loan(r, "10000000")
    pools.enrol_loan(r.bank, pool.id, loan.id, "2024-07-10")
    loan_events.declare_default(r.bank, loan.id, value_on="2025-03-31", reason="停止经营")
    claim = pools.file_claim(r.bank, loan.id, "2025-04-15")
    assert (claim.loss, claim.pool_paid) == (1000 * WAN, 800 * WAN)
    assert {s.party: s.borne for s in claim.shares} == {"资金池": 800 * WAN, "银行": 200 * WAN}
    assert pools.balance(pool.id) == Decimal("992000000.00")
    loan_events.record_recovery(r.bank, loan.id, amount="1000000", value_on="2025-09-30",
                                memo="股权质押处置")
    pos = pools.pool_position(manager, pool.id)
    assert pos.balance == Decimal("992800000.00") and pos.recoveries_back == 80 * WAN
    assert pos.contributions == {"武汉市财政": 50_000 * WAN, "湖北省财政": 50_000 * WAN}
    assert pos.leverage_limit == Decimal("9928000000.00") and pos.claims == 1


def test_recoveries_before_the_claim_reduce_the_loss_and_caps_shift_it_to_the_bank(
    app: Flask,
) -> None:
    r = funded_round()
    manager, pool = pool_for(
        r, [{"name": "省级资金池", "role": "pool", "share": "0.9"},
            {"name": "银行", "role": "bank", "share": "0.1"}],
        cap_per_loan="3000000")
    pools.add_contribution(manager, pool.id, funder="广东省财政", amount="100000000",
                           contributed_on="2024-01-02")
    loan = drawn_loan(r, "5000000")
    pools.enrol_loan(r.bank, pool.id, loan.id, "2024-07-10")
    loan_events.declare_default(r.bank, loan.id, value_on="2025-03-31", reason="逾期90天")
    loan_events.record_recovery(r.bank, loan.id, amount="1000000", value_on="2025-04-01")
    claim = pools.file_claim(r.bank, loan.id, "2025-04-15")
    # loss 400万: 90 % would be 360万, the per-loan cap of 300万 binds; the bank bears 100万
    assert (claim.loss, claim.pool_paid, claim.binding) == (400 * WAN, 300 * WAN, "per_loan")
    assert {s.party: (s.pro_rata, s.borne) for s in claim.shares} == {
        "省级资金池": (360 * WAN, 300 * WAN), "银行": (40 * WAN, 100 * WAN)}


def test_four_party_model_splits_the_loss_without_a_pool_payment(app: Flask) -> None:
    r = funded_round()
    _, pool = pool_for(r, [
        {"name": "政府贴息", "role": "government", "share": "0"},
        {"name": "省科投", "role": "tech_investment", "share": "0.4"},
        {"name": "担保公司", "role": "guarantor", "share": "0.4"},
        {"name": "兰州银行", "role": "bank", "share": "0.2"}])
    loan = drawn_loan(r, "10000000")
    pools.enrol_loan(r.bank, pool.id, loan.id, "2024-07-10")
    loan_events.declare_default(r.bank, loan.id, value_on="2025-03-31", reason="违约")
    claim = pools.file_claim(r.bank, loan.id, "2025-04-15")
    assert claim.pool_paid == 0
    assert {s.party: s.borne for s in claim.shares} == {
        "政府贴息": 0, "省科投": 400 * WAN, "担保公司": 400 * WAN, "兰州银行": 200 * WAN}
    loan_events.record_recovery(r.bank, loan.id, amount="500000", value_on="2025-06-30")
    rows = dict(
        db.session.execute(sa.select(RiskPoolRecovery.party, RiskPoolRecovery.amount)).all()
    )
    assert rows == {"省科投": 20 * WAN, "担保公司": 20 * WAN, "兰州银行": 10 * WAN}


def test_fund_of_2000_wan_enhances_credit_1_to_5_and_refuses_beyond(app: Flask) -> None:
    r = funded_round()
    manager, pool = pool_for(r, [
        {"name": "科创引导基金", "role": "pool", "share": "0.8", "cap": "20000000"},
        {"name": "银行", "role": "bank", "share": "0.2"}], leverage_k="5")
    pools.add_contribution(manager, pool.id, funder="县财政", amount="20000000",
                           contributed_on="2024-01-02")
    loans = [lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                    amount=a) for a in ("15000000", "10000000")]
    for loan in loans:
        lending.approve_loan(r.bank, loan.id)
    pools.enrol_loan(r.bank, pool.id, loans[0].id, "2024-07-10")  # 1,500万 of 1亿
    assert pools.pool_position(manager, pool.id).leverage_headroom == 8500 * WAN
    # a second product and round would be needed to reach 1亿; here check the exact edge
    pool_row = db.session.get(RiskPool, pool.id)
    assert pool_row.enrolled_amount == 1500 * WAN
    pools.enrol_loan(r.bank, pool.id, loans[1].id, "2024-07-11")
    assert pools.pool_position(manager, pool.id).leverage_headroom == 7500 * WAN


def test_leverage_cap_holds_under_concurrent_enrolments(app: Flask) -> None:
    r = funded_round()
    manager, pool = pool_for(r, HUBEI, leverage_k="5")
    pools.add_contribution(manager, pool.id, funder="市财政", amount="1000000",
                           contributed_on="2024-01-02")  # room 500万
    ids = []
    for _ in range(12):
        loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                      amount="1000000")
        lending.approve_loan(r.bank, loan.id)
        ids.append(loan.id)
    pool_id, bank = pool.id, r.bank
    db.session.remove()
    results = race(app, lambda loan_id: pools.enrol_loan(bank, pool_id, loan_id, "2024-07-10"),
                   ids, ConflictError)
    assert sorted(results) == ["ok"] * 5 + ["refused"] * 7
    assert db.session.get(RiskPool, pool_id).enrolled_amount == 500 * WAN


def test_scoping_and_refusals(app: Flask) -> None:
    r = funded_round()
    manager, pool = pool_for(r, HUBEI)
    loan = drawn_loan(r, "1000000")
    with pytest.raises(NotFound):
        pools.get_pool(r.other_bank, pool.id)  # not a member
    with pytest.raises(NotFound):
        pools.create_pool(r.bank, name="x", parties=HUBEI)  # banks do not run pools
    with pytest.raises(NotFound):
        pools.enrol_loan(r.other_bank, pool.id, loan.id, "2024-07-10")
    with pytest.raises(ValidationError, match="sum"):
        pools.create_pool(manager, name="坏池", parties=[
            {"name": "池", "role": "pool", "share": "0.7"},
            {"name": "银行", "role": "bank", "share": "0.2"}])
    with pytest.raises(ConflictError, match="not enrolled"):
        pools.file_claim(r.bank, loan.id, "2025-01-01")
    assert pools.list_claims(r.bank, pool.id) == []
    assert db.session.get(Loan, loan.id).status is LoanStatus.ACTIVE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RiskPoolClaim)) == 0


@pytest.mark.parametrize("table", ["risk_pool_contribution", "loan_entry", "term_sheet_event"])
def test_new_ledgers_are_append_only_in_sql(app: Flask, table: str) -> None:
    r = funded_round()
    manager, pool = pool_for(r, HUBEI)
    pools.add_contribution(manager, pool.id, funder="财政", amount="1", contributed_on="2024-01-02")
    drawn_loan(r, "1000000")
    row = db.session.scalar(sa.text(f"SELECT min(id) FROM {table}"))
    for sql in (
        f"UPDATE {table} SET id = id WHERE id = {row}",
        f"DELETE FROM {table} WHERE id = {row}",
    ):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(sa.text(sql))
        db.session.rollback()
