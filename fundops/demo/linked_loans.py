"""The demo's investment-linked lending stories (fictional names, seed-like figures).

1. 芯算科技 Series B (1.5亿, post-money 7.5亿), led by 启明芯创二期 (9,000万) with an
   outside VC (6,000万): a verification code, the bank's 2,000万 投联贷 approved on the
   lead's equity, released when the outside money arrived, first instalments repaid, a
   5 % warrant; then a 1,000万 joint loan (联合贷) with a partner bank on the same round,
   which fills the product's 3,000万 limit for the round.
2. 瞳析医疗 angel round (3,000万, all from 合创生物医药二期): a 500万 credit loan enrolled
   in the high-tech zone's 1亿 risk-compensation pool (province : city 1 : 1, 80 % of the
   principal loss, k = 10); it defaults, 50万 is recovered, the pool pays 320万 of the
   400万 loss and takes 80 % of a later 30万 recovery.
Everything goes through the services, like user input.
"""

from __future__ import annotations

import random
from datetime import date

from fundops.demo.model import random_uscc
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.models import Fund
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import products
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import services as pools
from fundops.syndication.term_sheets import fundings, verification
from fundops.syndication.term_sheets import services as term_sheets
from fundops.syndication.term_sheets.services import AllocationInput
from fundops.uow import Actor


def _company(actor: Actor, rng: random.Random, codes: set[str], name: str, sector: str,
             stage: str, region: str) -> int:
    uscc = random_uscc(rng, "91", region, codes)
    codes.add(uscc)
    return services.create_company(actor, name=name, uscc=uscc, sector=sector, stage=stage,
                                   region_code=region, is_hard_tech=True, is_sme=True,
                                   tags=["srdi"]).id


def load_linked_loans(actors: dict[str, Actor], funds: dict[str, Fund], rng: random.Random,
                      codes: set[str]) -> list[str]:
    """Write the two stories; returns lines for the load summary (the live codes)."""
    gp1, gp2, bank, bank2 = actors["gp1"], actors["gp2"], actors["bank"], actors["bank2"]
    platform = actors["platform"]
    fund_b, fund_angel = funds["HTZ-SF11"], funds["HTZ-SF12"]

    # -- story 1: a term sheet turned into a linked loan, released with the equity ------
    chip = _company(gp1, rng, codes, "示例芯算科技有限公司", "半导体", "growth", "320500")
    ts = term_sheets.create_term_sheet(
        gp1, company_id=chip, lead_fund_id=fund_b.id, round_name="B轮",
        instrument="preferred_equity", round_size="150000000", pre_money="600000000",
        post_money="750000000", long_stop_on="2025-12-31", lead_amount="90000000",
        co_investors=[AllocationInput(amount="60000000", investor_name="示例创新资本（外部）")],
        price_per_share="18.7500", ownership_rate="0.2", liquidation_preference="1",
        redemption_rate="0.08", use_of_proceeds="7nm 算力芯片流片与量产", is_binding=True,
        expected_funding_on="2025-04-30")
    term_sheets.change_status(gp1, ts.id, "signed", signed_on="2025-03-10")
    term_sheets.change_status(gp1, ts.id, "ic_approved", reason="投委会 2025-03-20 通过")
    term_sheets.change_status(gp1, ts.id, "closing")
    lead = next(a for a in ts.allocations if a.is_lead)
    outside = next(a for a in ts.allocations if not a.is_lead)
    paid = ledger.record_investment(gp1, fund_b.id, company_id=chip, round_name="B轮",
                                    instrument="preferred_equity", invested_on="2025-04-02",
                                    amount="90000000", shares="4800000", ownership_rate="0.12")
    fundings.link_investment(gp1, ts.id, lead.id, paid.cash_flow_id)
    _, code = verification.issue_code(gp1, ts.id)
    quick = products.create_product(
        bank, name="科创投联贷", alpha="0.3", beta="0.05", cap_amount="30000000",
        tenor_months=24, rate_type="lpr_spread", spread="0.005",
        repayment_type="equal_instalment", collateral="equity_pledge",
        required_status="ic_approved", equity_rule="share", required_share="1",
        subsidy_share="0.5", subsidy_max_rate="0.01", warrant_coverage="0.05",
        risk_scheme="银行自担")
    loan = lending.apply_for_loan(bank, code=code, product_id=quick.id, amount="20000000",
                                  first_due_on="2025-05-20")
    lending.approve_loan(bank, loan.id, "基于领投方尽调，额度 = 0.3 × 已到位股权")
    loan_events.add_warrant(bank, loan.id, holder_name="示例科创投资（银行指定第三方）",
                            window_from="2025-04-20", window_to="2028-04-19")
    fundings.record_outside_funding(gp1, ts.id, outside.id, amount="60000000",
                                       arrived_on="2025-04-15", evidence_ref="验资报告 2025-0415")
    lending.disburse(bank, loan.id, amount="20000000", value_on="2025-04-20", memo="股权到位后放款")
    for due in ("2025-05-20", "2025-06-20", "2025-07-20"):
        lending.record_repayment(bank, loan.id, principal="800000", interest="60000",
                                 value_on=due, subsidy="15000")
    joint = lending.apply_for_loan(bank, code=code, product_id=quick.id, amount="10000000",
                                   first_due_on="2025-06-30",
                                   partners=[(bank2.organisation_id, "4000000")])
    lending.approve_loan(bank, joint.id, "联合贷：牵头行 600万，参贷行 400万")
    lending.disburse(bank, joint.id, amount="10000000", value_on="2025-05-30")

    # -- story 2: a pool with a default and a compensation claim ------------------------
    eye = _company(gp2, rng, codes, "示例瞳析医疗科技有限公司", "医疗器械", "start_up", "320500")
    angel = term_sheets.create_term_sheet(
        gp2, company_id=eye, lead_fund_id=fund_angel.id, round_name="天使轮",
        instrument="ordinary_equity", round_size="30000000", pre_money="90000000",
        post_money="120000000", long_stop_on="2024-12-31", lead_amount="30000000",
        is_binding=True)
    term_sheets.change_status(gp2, angel.id, "signed", signed_on="2024-02-01")
    term_sheets.change_status(gp2, angel.id, "ic_approved")
    seed = ledger.record_investment(gp2, fund_angel.id, company_id=eye, round_name="天使轮",
                                    instrument="ordinary_equity", invested_on="2024-03-01",
                                    amount="30000000")
    fundings.link_investment(gp2, angel.id, angel.allocations[0].id, seed.cash_flow_id)
    _, angel_code = verification.issue_code(gp2, angel.id)
    pool = pools.create_pool(
        platform, name="示例高新区科技信贷风险补偿资金池",
        parties=[{"name": "风险补偿资金池", "role": "pool", "share": "0.8"},
                 {"name": "合作银行", "role": "bank", "share": "0.2"}],
        member_bank_ids=[bank.organisation_id], leverage_k="10", cap_per_loan="8000000",
        source="省、市财政按1∶1出资，对不良贷款本金损失补偿80%（示例）")
    for funder in ("示例省财政厅", "示例市财政局"):
        pools.add_contribution(platform, pool.id, funder=funder, amount="50000000",
                               contributed_on=date(2024, 1, 5))
    credit = products.create_product(
        bank, name="风险池科创信用贷", alpha="0.5", beta="0.1", cap_amount="10000000",
        tenor_months=12, rate_type="fixed", fixed_rate="0.0385",
        repayment_type="equal_principal", collateral="credit", required_status="ic_approved",
        required_share="1", risk_scheme=pool.name)
    small = lending.apply_for_loan(bank, code=angel_code, product_id=credit.id, amount="5000000",
                                   first_due_on="2024-04-30")
    lending.approve_loan(bank, small.id, "纳入风险补偿资金池")
    pools.enrol_loan(bank, pool.id, small.id, "2024-03-20")
    lending.disburse(bank, small.id, amount="5000000", value_on="2024-03-30")
    lending.record_repayment(bank, small.id, principal="500000", interest="16000",
                             value_on="2024-04-30")
    loan_events.mark_overdue(bank, small.id, amount="430000", value_on="2024-07-31")
    loan_events.declare_default(bank, small.id, value_on="2024-10-31", reason="逾期超过90天")
    loan_events.record_recovery(bank, small.id, amount="500000", value_on="2024-12-15",
                                memo="设备抵押处置")
    pools.file_claim(bank, small.id, "2025-01-10")
    loan_events.record_recovery(bank, small.id, amount="300000", value_on="2025-06-30",
                                memo="创始人回购款")
    return [f"verification code of 芯算科技 B轮 (for bank@…): {code}",
            f"verification code of 瞳析医疗 天使轮: {angel_code}"]
