"""Races and edge cases found in review: each would over-lend, over-repay, overdraw a pool,
leak a company or 500 without the row locks and checks now in the services."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, ValidationError
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import services as pools
from fundops.syndication.term_sheets import fundings
from fundops.syndication.term_sheets import services as term_sheets
from fundops.uow import Actor
from tests.factories import make_user, next_n
from tests.integration.test_idempotency import funded_loan
from tests.integration.test_linked_loans import build_round
from tests.integration.test_syndication_api import Client
from tests.threads import race


def test_concurrent_disbursements_exceed_reservation(app: Flask) -> None:
    r, loan_id = funded_loan()  # reserved 5,000,000
    bank = r.bank
    db.session.remove()
    race(app, lambda i: lending.disburse(bank, loan_id, amount="3000000",
                                                    value_on="2024-07-10"),
                    list(range(8)), ConflictError)
    drawn = lending.drawn_amount(loan_id)
    assert drawn <= Decimal("5000000.00"), f"drawn {drawn} > reservation 5,000,000"


def test_concurrent_disbursements_via_api_distinct_keys(app: Flask) -> None:
    r, loan_id = funded_loan()
    bank = Client(app, r.bank)
    db.session.remove()
    statuses = []

    def post(_: int) -> None:
        statuses.append(bank.post(f"/loans/{loan_id}/disbursements",
                                  {"amount": "3000000", "value_on": "2024-07-10"}).status_code)

    race(app, post, list(range(8)), Exception)
    drawn = lending.drawn_amount(loan_id)
    assert drawn <= Decimal("5000000.00"), f"drawn {drawn} > reservation 5,000,000"


def test_concurrent_repayments_overpay_principal(app: Flask) -> None:
    r, loan_id = funded_loan()
    lending.disburse(r.bank, loan_id, amount="5000000", value_on="2024-07-10")
    bank = r.bank
    db.session.remove()
    race(app, lambda i: lending.record_repayment(bank, loan_id, principal="5000000",
                                                 interest="0", value_on="2024-08-10"),
         list(range(6)), (ConflictError, ValidationError))
    out = lending.outstanding_principal(loan_id)
    assert out >= 0, f"outstanding principal {out}"


def _pool_with_loan(r, loan_id: int, contribution: str = "10000000"):
    n = next_n()
    _, mgr = make_user(f"引导基金管理 {n}", kind="guidance_fund_manager")
    pool = pools.create_pool(mgr, name=f"池 {n}", parties=[
        {"name": "pool", "role": "pool", "share": "0.8"},
        {"name": "bank", "role": "bank", "share": "0.2"}],
        member_bank_ids=[r.bank.organisation_id], leverage_k="10")
    pools.add_contribution(mgr, pool.id, funder="省财政", amount=contribution,
                           contributed_on="2024-01-01")
    pools.enrol_loan(r.bank, pool.id, loan_id, "2024-07-01")
    return mgr, pool


def test_money_back_after_a_default_is_a_recovery_and_reduces_the_claim(app: Flask) -> None:
    r, loan_id = funded_loan()
    _, _pool = _pool_with_loan(r, loan_id)
    lending.disburse(r.bank, loan_id, amount="5000000", value_on="2024-07-10")
    loan_events.declare_default(r.bank, loan_id, value_on="2025-01-10", reason="停止经营")
    # the borrower (or a guarantor) pays 3,000,000 principal after the default; the bank
    # books it as a repayment, which record_repayment accepts on a DEFAULTED loan
    with pytest.raises(ConflictError, match="record a recovery after a default"):
        lending.record_repayment(r.bank, loan_id, principal="3000000", interest="0",
                                 value_on="2025-02-01")
    loan_events.record_recovery(r.bank, loan_id, amount="3000000", value_on="2025-02-01")
    claim = pools.file_claim(r.bank, loan_id, "2025-03-01")
    assert claim.loss == Decimal("2000000.00")


def test_concurrent_claims_overdraw_pool(app: Flask) -> None:
    # two defaulted loans enrolled in a pool holding 1,000,000;
    # each loss 5,000,000 → pool part 4,000,000
    r, loan_a = funded_loan()
    loan_b = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="5000000")
    lending.approve_loan(r.bank, loan_b.id)
    loan_b = loan_b.id
    _, pool = _pool_with_loan(r, loan_a, contribution="1000000")
    pools.enrol_loan(r.bank, pool.id, loan_b, "2024-07-01")
    for lid in (loan_a, loan_b):
        lending.disburse(r.bank, lid, amount="5000000", value_on="2024-07-10")
        loan_events.declare_default(r.bank, lid, value_on="2025-01-10", reason="x")
    bank, pool_id = r.bank, pool.id
    db.session.remove()
    race(app, lambda lid: pools.file_claim(bank, lid, "2025-03-01"), [loan_a, loan_b],
         ConflictError)
    bal = pools.balance(pool_id)
    assert bal >= 0, f"pool balance {bal}"


def test_long_approval_note_is_a_500_on_postgres(app: Flask) -> None:
    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    bank = Client(app, r.bank)
    resp = bank.post(f"/loans/{loan.id}/approve", {"note": "审" * 600})
    assert resp.status_code < 500


def test_a_reversal_cannot_be_linked_as_equity(app: Flask) -> None:
    r = build_round(link_lead=False)
    fund_id = r.ts.lead_fund_id
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    reversal = ledger.reverse_entry(r.gp, fund_id, r.lead_entry, "录入错误")
    lead = next(a for a in r.ts.allocations if a.is_lead)
    with pytest.raises(ValidationError, match="is a reversal"):
        fundings.link_investment(r.gp, r.ts.id, lead.id, reversal.id)
    assert Client(app, r.bank).get(f"/loans/{loan.id}").status_code == 200


def test_a_company_seen_as_an_lp_cannot_be_put_in_a_term_sheet(app: Flask) -> None:
    from fundops.portfolio import services
    from fundops.portfolio.access import list_companies
    from fundops.syndication.term_sheets.services import AllocationInput
    from tests.factories import make_company, make_fund

    n = next_n()
    _, x = make_user(f"X GP {n}")
    _, a = make_user(f"A GP {n}")
    _, b = make_user(f"B GP {n}")
    fund_x = make_fund(x)
    fund_a = make_fund(a, registration_no=f"SA{n}")
    make_fund(b, registration_no=f"SB{n}")
    company = make_company(x, f"X的被投企业{n}")
    # A's fund is an LP of X's fund (X registers it by its filing number)
    lp = services.create_investor(x, f"A fund as LP {n}", "private", fund_registration_no=f"SA{n}")
    services.add_commitment(x, fund_x.id, lp.id, "100000000", "2020-03-01")
    other = services.create_investor(x, f"other LP {n}", "private")
    services.add_commitment(x, fund_x.id, other.id, "100000000", "2020-03-01")
    ledger.record_capital_call(x, fund_x.id, value_on="2021-01-01", amount="50000000",
                               purpose="investment")
    ledger.record_investment(x, fund_x.id, company_id=company.id, round_name="A",
                             instrument="preferred_equity", invested_on="2021-02-01",
                             amount="10000000")
    assert company.id not in {c.id for c in list_companies(b)}
    # A (an LP of X's fund) may not name X's portfolio company in a term sheet with B's fund
    with pytest.raises(ValidationError) as err:
        term_sheets.create_term_sheet(
            a, company_id=company.id, lead_fund_id=fund_a.id, round_name="B",
            instrument="preferred_equity", round_size="2000000", pre_money="8000000",
            post_money="10000000", long_stop_on="2030-01-01", lead_amount="1000000",
            co_investors=[AllocationInput(amount="1000000", fund_registration_no=f"SB{n}")])
    assert err.value.field == "company_id"
    assert company.id not in {c.id for c in list_companies(b)}


def test_backdated_claim_ignores_a_recovery_made_before_it(app: Flask) -> None:
    r, loan_id = funded_loan()
    _, _pool = _pool_with_loan(r, loan_id)
    lending.disburse(r.bank, loan_id, amount="5000000", value_on="2024-07-10")
    loan_events.declare_default(r.bank, loan_id, value_on="2025-01-10", reason="停止经营")
    loan_events.record_recovery(r.bank, loan_id, amount="1000000", value_on="2025-02-15")
    claim = pools.file_claim(r.bank, loan_id, "2025-02-01")  # dated before the recovery
    assert claim.loss == Decimal("4000000.00")


def test_daily_job_lapses_a_round_funded_meanwhile(app: Flask) -> None:
    from sqlalchemy import event

    from fundops.jobs.runner import run_daily
    from fundops.syndication.enums import TermSheetStatus
    from fundops.syndication.term_sheets.models import TermSheet

    r1 = build_round()
    r2 = build_round()
    ids = (r1.ts.id, r2.ts.id)
    db.session.remove()
    commits = {"n": 0}

    def after_commit(session):  # another request funds round 2 right after round 1 lapsed
        commits["n"] += 1
        if commits["n"] == 2:
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE term_sheet SET status='funded' WHERE id=:i"),
                             {"i": ids[1]})

    sess = db.session()
    event.listen(sess, "after_commit", after_commit)
    try:
        from datetime import date
        run_daily(date(2025, 6, 1))
    finally:
        event.remove(sess, "after_commit", after_commit)
    db.session.remove()
    status = db.session.get(TermSheet, ids[1]).status
    assert status is TermSheetStatus.FUNDED


def test_concurrent_claims_same_loan_via_api(app: Flask) -> None:
    r, loan_id = funded_loan()
    _pool_with_loan(r, loan_id)
    lending.disburse(r.bank, loan_id, amount="5000000", value_on="2024-07-10")
    loan_events.declare_default(r.bank, loan_id, value_on="2025-01-10", reason="x")
    bank = Client(app, r.bank)
    db.session.remove()
    statuses = []

    def post(_: int) -> None:
        try:
            statuses.append(bank.post(f"/loans/{loan_id}/claims", {"on": "2025-03-01"}).status_code)
        except Exception as exc:  # noqa: BLE001 - TESTING propagates exceptions: a 500 in production
            statuses.append(type(exc).__name__)

    race(app, post, list(range(4)), Exception)
    assert all(isinstance(s, int) and s < 500 for s in statuses)


def test_approve_and_decline_race_leaves_a_declined_loan_holding_headroom(app: Flask) -> None:
    from fundops.syndication.loans.models import Loan
    from fundops.syndication.term_sheets.models import TermSheet
    r = build_round()
    bank, code, product_id, ts_id = r.bank, r.code, r.product_id, r.ts.id
    bad = 0
    for _ in range(60):
        loan_id = lending.apply_for_loan(bank, code=code, product_id=product_id,
                                         amount="100000").id
        db.session.remove()

        def act(i: int, loan_id: int = loan_id) -> None:
            if i == 0:
                lending.approve_loan(bank, loan_id)
            else:
                lending.decline_loan(bank, loan_id, "风险过高")

        race(app, act, [0, 1], ConflictError)
        db.session.remove()
        loan = db.session.get(Loan, loan_id)
        if loan.status.value == "declined" and loan.reserved_amount > 0:
            bad += 1
    db.session.get(TermSheet, ts_id)
    db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Loan.reserved_amount), 0)).where(
        Loan.term_sheet_id == ts_id, Loan.status.in_(["approved", "active"])))
    assert bad == 0


def test_record_as_first_statement_of_a_session_does_not_bump(app: Flask) -> None:
    from fundops.audit import data_version, record
    from fundops.uow import unit_of_work
    before = data_version()
    db.session.remove()  # a fresh session: no transaction, empty info
    with unit_of_work():
        record(organisation_id=None, user_id=None, action="x", object_type="y", object_id=1,
               changes={}, auth_method="system")
    db.session.remove()
    after = data_version()
    assert after == before + 1


def test_concurrent_arrivals_never_mark_the_round_funded(app: Flask) -> None:
    from fundops.syndication.term_sheets.models import TermSheet
    misses = 0
    for _ in range(5):
        r = build_round(link_lead=False)
        gp, ts_id, entry = r.gp, r.ts.id, r.lead_entry
        lead_id = next(a.id for a in r.ts.allocations if a.is_lead)
        out_id = next(a.id for a in r.ts.allocations if not a.is_lead)
        db.session.remove()

        def act(i: int, gp: Actor = gp, ts_id: int = ts_id, lead_id: int = lead_id,
                entry: int = entry, out_id: int = out_id) -> None:
            if i == 0:
                fundings.link_investment(gp, ts_id, lead_id, entry)
            else:
                fundings.record_outside_funding(gp, ts_id, out_id, amount="40000000",
                                                   arrived_on="2024-07-05", evidence_ref="验资")

        race(app, act, [0, 1], Exception)
        db.session.remove()
        ts = db.session.get(TermSheet, ts_id)
        arrived = fundings.equity_arrived(ts_id)
        if arrived >= ts.round_size and ts.status.value != "funded":
            misses += 1
    assert misses == 0
