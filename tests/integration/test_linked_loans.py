"""Linked loans: term sheet workflow, verification, headroom, race-free approval, disbursement.

The round (amounts in yuan): 1亿 Series A of a chip company, pre-money 4亿, post 5亿;
lead fund 6,000万 (paid from its ledger), outside VC 4,000万 (on evidence). The bank's
product: α = 0.3 of equity arrived, β = 0.05 of post-money (2,500万), cap 5,000万, at
least IC-approved, the whole round (γ = 1) before any disbursement.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.syndication.enums import LoanStatus, TermSheetStatus
from fundops.syndication.loans import products
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import Loan, LoanEntry
from fundops.syndication.term_sheets import fundings, verification
from fundops.syndication.term_sheets import services as term_sheets
from fundops.syndication.term_sheets.models import TermSheet
from fundops.syndication.term_sheets.services import AllocationInput
from fundops.uow import Actor
from tests.factories import make_company, make_fund, make_user, next_n
from tests.threads import race

WAN = Decimal(10_000)


@dataclass
class Round:
    gp: Actor
    bank: Actor
    other_bank: Actor
    ts: TermSheet
    code: str
    product_id: int
    lead_entry: int


def build_round(*, link_lead: bool = True) -> Round:
    n = next_n()
    _, gp = make_user(f"GP {n}")
    _, bank = make_user(f"银行甲 {n}", kind="bank")
    _, other_bank = make_user(f"银行乙 {n}", kind="bank")
    fund = make_fund(gp, registration_no=f"S{n}")
    lp = services.create_investor(gp, f"LP {n}", "private")
    services.add_commitment(gp, fund.id, lp.id, "500000000", "2020-03-01")
    ledger.record_capital_call(gp, fund.id, value_on="2024-06-01", amount="100000000",
                               purpose="investment")
    company = make_company(gp, f"芯片科技{n}有限公司")
    ts = term_sheets.create_term_sheet(
        gp, company_id=company.id, lead_fund_id=fund.id, round_name="A",
        instrument="preferred_equity", round_size="100000000", pre_money="400000000",
        post_money="500000000", long_stop_on="2024-12-31", lead_amount="60000000",
        co_investors=[AllocationInput(amount="40000000", investor_name="外部VC")],
        price_per_share="12.5000", ownership_rate="0.2", liquidation_preference="1",
        redemption_rate="0.08", use_of_proceeds="研发与产线", is_binding=True)
    term_sheets.change_status(gp, ts.id, "signed", signed_on="2024-06-10")
    term_sheets.change_status(gp, ts.id, "ic_approved")
    entry = ledger.record_investment(gp, fund.id, company_id=company.id, round_name="A",
                                     instrument="preferred_equity", invested_on="2024-06-20",
                                     amount="60000000")
    if link_lead:
        lead = next(a for a in ts.allocations if a.is_lead)
        fundings.link_investment(gp, ts.id, lead.id, entry.cash_flow_id)
    _, code = verification.issue_code(gp, ts.id)
    product = products.create_product(
        bank, name="投联贷", alpha="0.3", beta="0.05", cap_amount="50000000", tenor_months=24,
        rate_type="lpr_spread", spread="0.005", repayment_type="equal_instalment",
        collateral="equity_pledge", required_status="ic_approved", required_share="1")
    return Round(gp, bank, other_bank, ts, code, product.id, entry.cash_flow_id)


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
                 for t in ("loan_entry", "audit_event", "term_sheet_funding"))


def test_verified_facts_and_headroom_terms(app: Flask) -> None:
    r = build_round()
    facts = verification.verify(r.bank, r.code.lower().replace("-", " "))
    assert facts.status == "ic_approved" and facts.round_size == 100_000_000
    assert facts.equity_arrived == 60_000_000 and facts.lead_arrived == 60_000_000
    assert facts.lead_uncalled == 400_000_000 and facts.lead_can_pay
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="10000000")
    check = lending.check_loan(r.bank, loan.id)
    h = check.headroom
    assert (h.product_cap, h.equity_limit, h.valuation_limit) == (
        50_000_000,
        18_000_000,
        25_000_000,
    )
    assert h.binding == "equity_arrived" and h.headroom == 18_000_000
    assert not check.equity.met and check.other_reservations == ()


def test_fifty_threads_approving_against_one_round_never_exceed_headroom(app: Flask) -> None:
    r = build_round()
    loans = [lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                    amount="1000000").id for _ in range(50)]
    ts_id, bank = r.ts.id, r.bank
    db.session.remove()
    outcomes = race(app, lambda loan_id: lending.approve_loan(bank, loan_id), loans,
                    ConflictError)
    assert len(outcomes) == 50
    assert outcomes.count("ok") == 18  # 0.3 × 6,000万 arrived = 1,800万
    ts = db.session.get(TermSheet, ts_id)
    reserved = db.session.scalar(sa.select(sa.func.sum(Loan.reserved_amount))
                                 .where(Loan.term_sheet_id == ts_id))
    assert ts.reserved_amount == reserved == Decimal("18000000.00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Loan).where(
        Loan.term_sheet_id == ts_id, Loan.status == LoanStatus.APPROVED)) == 18


def test_disbursement_waits_for_equity_stays_within_reservation_and_stops_on_lapse(
    app: Flask,
) -> None:
    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="15000000")
    lending.approve_loan(r.bank, loan.id)
    before = _counts()
    with pytest.raises(ConflictError, match="equity condition not met"):
        lending.disburse(r.bank, loan.id, amount="5000000", value_on="2024-07-01")
    assert _counts() == before
    outside = next(a for a in r.ts.allocations if not a.is_lead)
    fundings.record_outside_funding(r.gp, r.ts.id, outside.id, amount="40000000",
                                       arrived_on="2024-07-05", evidence_ref="验资报告 2024-031")
    assert db.session.get(TermSheet, r.ts.id).status is TermSheetStatus.FUNDED
    lending.disburse(r.bank, loan.id, amount="10000000", value_on="2024-07-10")
    before = _counts()
    with pytest.raises(ConflictError, match="beyond its reservation"):
        lending.disburse(r.bank, loan.id, amount="5000000.01", value_on="2024-07-11")
    assert _counts() == before
    assert lending.outstanding_principal(loan.id) == 10_000_000


def test_lapsed_round_blocks_disbursement_and_flags_the_loan(app: Flask) -> None:
    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="5000000")
    lending.approve_loan(r.bank, loan.id)
    term_sheets.change_status(r.gp, r.ts.id, "lapsed", reason="long-stop date passed")
    assert "lapsed" in db.session.get(Loan, loan.id).flag
    before = _counts()
    with pytest.raises(ConflictError, match="term sheet is lapsed"):
        lending.disburse(r.bank, loan.id, amount="1000000", value_on="2025-01-05")
    assert _counts() == before


def test_joint_loan_shares_count_against_the_round(app: Flask) -> None:
    r = build_round()
    joint = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="12000000",
                                   partners=[(r.other_bank.organisation_id, "4000000")])
    assert [(s.is_lead, s.amount) for s in joint.shares] == [(True, 8_000_000), (False, 4_000_000)]
    lending.approve_loan(r.bank, joint.id)
    second = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="6000001")
    assert lending.check_loan(r.bank, second.id).other_reservations == (Decimal("12000000.00"),)
    with pytest.raises(ConflictError, match="leaving 6000000"):
        lending.approve_loan(r.bank, second.id)
    # the partner bank sees the joint loan, cannot decide it, and never sees the other loan
    assert lending.get_loan(r.other_bank, joint.id).id == joint.id
    with pytest.raises(NotFound):
        lending.disburse(r.other_bank, joint.id, amount="1", value_on="2024-07-01")
    with pytest.raises(NotFound):
        lending.check_loan(r.other_bank, second.id)


def test_scoping_codes_and_workflow_rules(app: Flask) -> None:
    r = build_round(link_lead=False)
    _, stranger = make_user(f"Other GP {next_n()}")
    with pytest.raises(NotFound):
        term_sheets.get_term_sheet(stranger, r.ts.id)
    with pytest.raises(NotFound):
        term_sheets.get_term_sheet(r.bank, r.ts.id)
    with pytest.raises(NotFound):
        products.list_products(r.gp)  # not a bank
    with pytest.raises(NotFound):
        lending.get_product(r.other_bank, r.product_id)
    with pytest.raises(ValidationError, match="set by the system"):
        term_sheets.change_status(r.gp, r.ts.id, "funded")
    code_row = verification.list_codes(r.gp, r.ts.id)[0]
    verification.revoke_code(r.gp, r.ts.id, code_row.id, "sent to the wrong bank")
    with pytest.raises(NotFound):
        verification.verify(r.bank, r.code)
    with pytest.raises(NotFound):
        verification.verify(r.bank, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")


def test_bad_term_sheets_name_the_field_and_write_nothing(app: Flask) -> None:
    r = build_round()
    base = {
        "company_id": r.ts.company_id,
        "lead_fund_id": r.ts.lead_fund_id,
        "round_name": "B",
        "instrument": "preferred_equity",
        "round_size": "100000000",
        "pre_money": "400000000",
        "post_money": "500000000",
        "long_stop_on": "2025-12-31",
        "lead_amount": "60000000",
    }
    before = db.session.scalar(sa.select(sa.func.count()).select_from(TermSheet))
    cases = [
        ({"post_money": "500000001"}, "post_money"),
        (
            {"co_investors": [AllocationInput(amount="40000001", investor_name="VC")]},
            "co_investors",
        ),
        (
            {"co_investors": [AllocationInput(amount="1", fund_registration_no="NOPE")]},
            "co_investors[0]",
        ),
        ({"tranches": [{"amount": "50000000"}]}, "tranches"),
        ({"signed_on": "2026-01-01"}, "long_stop_on"),
        ({"round_size": "-5"}, "round_size"),
        ({"is_binding": "maybe"}, "is_binding"),
        ({"company_id": "abc"}, "company_id"),
        ({"lead_fund_id": 2**40}, "lead_fund_id"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationError) as err:
            term_sheets.create_term_sheet(r.gp, **(base | change))  # type: ignore[arg-type]
        assert err.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TermSheet)) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoanEntry)) == 0
    for months in (24.9, "24.5", 0, 361, True):
        with pytest.raises(ValidationError) as err:
            products.create_product(r.bank, name="x", alpha="0.3", beta="0.05", cap_amount="1",
                                    tenor_months=months, rate_type="fixed", fixed_rate="0.04",
                                    repayment_type="interest_only", collateral="credit")
        assert err.value.field == "tenor_months"


def test_approval_stores_the_schedule_principal_exact(app: Flask) -> None:
    from fundops.syndication.loans.models import LoanScheduleRow

    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                  amount="12345678.91", first_due_on="2024-08-31")
    approved = lending.approve_loan(r.bank, loan.id)
    assert approved.annual_rate == Decimal("0.035")  # LPR 3.00 % + 0.5 %
    rows = list(db.session.scalars(sa.select(LoanScheduleRow).where(
        LoanScheduleRow.loan_id == loan.id).order_by(LoanScheduleRow.period)))
    assert len(rows) == 24 and rows[0].due_on.isoformat() == "2024-08-31"
    assert rows[1].due_on.isoformat() == "2024-09-30"
    assert sum(x.principal for x in rows) == Decimal("12345678.91")
    assert rows[-1].closing_balance == 0 and all(x.subsidy == 0 for x in rows)


def test_warrant_defaults_to_product_coverage_and_round_price(app: Flask) -> None:
    from fundops.syndication.loans import events as loan_events

    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="8000000")
    lending.approve_loan(r.bank, loan.id)
    with pytest.raises(ValidationError, match="coverage"):
        loan_events.add_warrant(r.bank, loan.id, holder_name="银行指定第三方",
                                window_from="2024-07-01", window_to="2027-06-30")  # product: 0
    w = loan_events.add_warrant(r.bank, loan.id, holder_name="银行指定第三方", coverage="0.1",
                                window_from="2024-07-01", window_to="2027-06-30")
    assert (w.amount, w.exercise_price, w.status) == (Decimal("800000.00"), Decimal("12.5"), "open")
    with pytest.raises(ValidationError, match="outside the exercise window"):
        loan_events.close_warrant(r.bank, w.id, outcome="exercised", on="2027-07-01")
    loan_events.close_warrant(r.bank, w.id, outcome="exercised", on="2026-03-01")
    with pytest.raises(ConflictError):
        loan_events.close_warrant(r.bank, w.id, outcome="expired", on="2027-07-01")
    with pytest.raises(NotFound):
        loan_events.close_warrant(r.other_bank, w.id, outcome="expired", on="2027-07-01")


def test_default_then_write_off_leaves_nothing_outstanding(app: Flask) -> None:
    from fundops.syndication.loans import events as loan_events

    r = build_round()
    outside = next(a for a in r.ts.allocations if not a.is_lead)
    fundings.record_outside_funding(r.gp, r.ts.id, outside.id, amount="40000000",
                                       arrived_on="2024-07-05", evidence_ref="银行流水")
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="6000000")
    lending.approve_loan(r.bank, loan.id)
    lending.disburse(r.bank, loan.id, amount="6000000", value_on="2024-07-10")
    lending.record_repayment(r.bank, loan.id, principal="1000000", interest="52500",
                             value_on="2024-10-10")
    loan_events.mark_overdue(r.bank, loan.id, amount="300000", value_on="2025-01-10")
    entry = loan_events.declare_default(r.bank, loan.id, value_on="2025-04-10", reason="停产")
    assert entry.amount == Decimal("5000000.00")
    with pytest.raises(ValidationError, match="exceeds the outstanding"):
        loan_events.write_off(r.bank, loan.id, amount="5000000.01", value_on="2025-06-30",
                              reason="核销")
    loan_events.write_off(r.bank, loan.id, amount="5000000", value_on="2025-06-30", reason="核销")
    assert db.session.get(Loan, loan.id).status is LoanStatus.WRITTEN_OFF
    assert lending.outstanding_principal(loan.id) == 0


def test_a_co_investing_gp_sees_the_company_and_links_its_own_investment(app: Flask) -> None:
    from fundops.audit import AuditEvent
    from fundops.portfolio.access import get_company

    n = next_n()
    _, co_gp = make_user(f"Co-GP {n}")
    co_fund = make_fund(co_gp, registration_no=f"C{n}")
    lp = services.create_investor(co_gp, f"LP {n}", "private")
    services.add_commitment(co_gp, co_fund.id, lp.id, "100000000", "2020-03-01")
    r = build_round()
    with pytest.raises(NotFound):
        get_company(co_gp, r.ts.company_id)
    ts = term_sheets.create_term_sheet(
        r.gp, company_id=r.ts.company_id, lead_fund_id=r.ts.lead_fund_id, round_name="A+",
        instrument="preferred_equity", round_size="30000000", pre_money="600000000",
        post_money="630000000", long_stop_on="2025-12-31", lead_amount="20000000",
        co_investors=[AllocationInput(amount="10000000", fund_registration_no=f"C{n}")])
    term_sheets.change_status(r.gp, ts.id, "signed", signed_on="2024-08-01")
    assert get_company(co_gp, r.ts.company_id).id == r.ts.company_id
    assert term_sheets.get_term_sheet(co_gp, ts.id).id == ts.id  # syndicate member reads
    entry = ledger.record_investment(co_gp, co_fund.id, company_id=r.ts.company_id,
                                     round_name="A+", instrument="preferred_equity",
                                     invested_on="2024-08-10", amount="10000000")
    co_line = next(a for a in ts.allocations if a.fund_id == co_fund.id)
    fundings.link_investment(co_gp, ts.id, co_line.id, entry.cash_flow_id)
    assert fundings.arrived_by_allocation(ts.id) == {co_line.id: Decimal("10000000.00")}
    with pytest.raises(NotFound):  # codes are the owner's
        verification.list_codes(co_gp, ts.id)
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    verification.verify(r.bank, r.code)
    last = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert (last.action, last.organisation_id) == ("verification_code.verify",
                                                   r.bank.organisation_id)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before + 1


def test_a_warrant_closed_twice_at_once_closes_once(app: Flask) -> None:
    """Exercise and expiry racing on one warrant: exactly one wins, one audit event."""
    from fundops.audit import AuditEvent
    from fundops.syndication.loans import events as loan_events
    from fundops.syndication.loans.models import Warrant
    from tests.threads import race

    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="8000000")
    lending.approve_loan(r.bank, loan.id)
    w = loan_events.add_warrant(r.bank, loan.id, holder_name="银行指定第三方", coverage="0.1",
                                window_from="2024-07-01", window_to="2027-06-30")
    warrant_id, bank = w.id, r.bank
    db.session.remove()
    closes = [("exercised", "2026-03-01"), ("expired", "2027-07-01")]
    outcomes = race(app, lambda i: loan_events.close_warrant(
        bank, warrant_id, outcome=closes[i][0], on=closes[i][1]), [0, 1], ConflictError)
    assert sorted(outcomes) == ["ok", "refused"]
    closed = db.session.get(Warrant, warrant_id)
    assert closed is not None and closed.status in ("exercised", "expired")
    events = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.in_(["warrant.exercised", "warrant.expired"]))).all()
    assert events == [f"warrant.{closed.status}"]
