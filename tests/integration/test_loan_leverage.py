"""Loan leverage of a guidance fund: bank credit on its portfolio's rounds, any depth.

On the three-level fixture of test_lookthrough (P → A, B → C): C leads a round in X
(1亿, post-money 5亿) and links its 8,000万 investment; a bank approves 1,000万 and
disburses 500万. P's contribution: 300m committed (A 200m + B 100m), 250m paid in.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask

from fundops.errors import NotFound
from fundops.metrics.asof import business_today
from fundops.metrics.loan_leverage import loan_leverage
from fundops.metrics.parent import parent_overview
from fundops.portfolio.queries import list_ledger
from fundops.syndication.loans import products
from fundops.syndication.loans import services as lending
from fundops.syndication.term_sheets import fundings, verification
from fundops.syndication.term_sheets import services as term_sheets
from tests.factories import make_user, next_n
from tests.integration.test_lookthrough import build_fof


def test_credit_on_a_sub_sub_fund_round_counts_for_the_guidance_fund(app: Flask) -> None:
    f = build_fof()
    ts = term_sheets.create_term_sheet(
        f.gp_c, company_id=f.x.id, lead_fund_id=f.c.id, round_name="B",
        instrument="preferred_equity", round_size="100000000", pre_money="400000000",
        post_money="500000000", long_stop_on="2021-12-31", lead_amount="80000000",
        signed_on="2021-07-01")
    term_sheets.change_status(f.gp_c, ts.id, "signed")
    entry = next(e for e in list_ledger(f.c.id) if e.kind.value == "investment")
    fundings.link_investment(f.gp_c, ts.id, ts.allocations[0].id, entry.id)
    _, code = verification.issue_code(f.gp_c, ts.id)
    _, bank = make_user(f"银行 {next_n()}", kind="bank")
    product = products.create_product(
        bank, name="投联贷", alpha="0.3", beta="0.05", cap_amount="50000000", tenor_months=12,
        rate_type="fixed", fixed_rate="0.04", repayment_type="interest_only",
        collateral="credit", required_status="signed", required_share="0.8")
    loan = lending.apply_for_loan(bank, code=code, product_id=product.id, amount="10000000")
    lending.approve_loan(bank, loan.id)
    lending.disburse(bank, loan.id, amount="5000000", value_on=business_today())

    rep = loan_leverage(f.guidance, f.p.id, business_today())
    assert (rep.rounds, rep.loans, rep.approved, rep.disbursed) == (1, 1, 10_000_000, 5_000_000)
    values = {(r.definition, r.basis): (r.numerator, r.denominator, r.value) for r in rep.ratios}
    M = Decimal(1_000_000)
    assert values == {
        ("loan_leverage", "subscribed"): (10 * M, 300 * M, Decimal("0.0333333333")),
        ("loan_leverage", "paid_in"): (10 * M, 250 * M, Decimal("0.0400")),
        ("loan_leverage_disbursed", "subscribed"): (5 * M, 300 * M, Decimal("0.0166666667")),
        ("loan_leverage_disbursed", "paid_in"): (5 * M, 250 * M, Decimal("0.0200")),
    }
    assert parent_overview(f.guidance, f.p.id, business_today()).loan_leverage == rep
    before = loan_leverage(f.guidance, f.p.id, date(2021, 6, 30))  # before any decision
    assert (before.loans, before.approved) == (0, 0)
    with pytest.raises(NotFound):
        loan_leverage(f.outsider, f.p.id, business_today())
