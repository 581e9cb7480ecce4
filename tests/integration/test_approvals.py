"""Maker-checker and plausibility warnings: a held post writes nothing until a different
person approves it; approval posts it in the same transaction; rejection and refusals
write nothing; the 90亿 distribution on a 7.3亿 fund needs a confirmation and a checker."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.approvals import services as approvals
from fundops.approvals.actions import today as business_today
from fundops.approvals.models import ApprovalRequest, ApprovalStatus
from fundops.audit import AuditEvent, verify_chain
from fundops.errors import ConfirmationRequired, ConflictError, Forbidden, ValidationError
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, FundValuation, HoldingValuation
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import LoanEntry
from fundops.uow import Actor
from tests.factories import make_fund, make_user, make_world, next_n
from tests.integration.test_idempotency import funded_loan
from tests.integration.test_races import _pool_with_loan
from tests.integration.test_syndication_api import Client, conforms
from tests.threads import race

NINE_BN = "9000000000"


def ledger_rows() -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(CashFlow)) or 0)


def distributions(fund_id: int) -> list[CashFlow]:
    return list(db.session.scalars(sa.select(CashFlow).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.DISTRIBUTION)))


def team(org_name: str) -> tuple[Actor, Actor, Actor, Actor]:
    """admin, maker and two checkers of one GP organisation."""
    _, admin = make_user(org_name, role="admin")
    _, maker = make_user(org_name, role="maker")
    _, checker = make_user(org_name, role="checker")
    _, checker2 = make_user(org_name, role="checker")
    return admin, maker, checker, checker2


def fund_730m(admin: Actor):  # type: ignore[no-untyped-def]
    """A fund with 7.3亿 paid in (commitments 10亿, target size 10亿)."""
    from fundops.portfolio import services

    fund = make_fund(admin)
    for i, amount in enumerate(("500000000", "300000000", "200000000")):
        lp = services.create_investor(admin, f"LP {i} {next_n()}", "private")
        services.add_commitment(admin, fund.id, lp.id, amount, date(2020, 3, 1))
    ledger.record_capital_call(admin, fund.id, value_on="2021-06-30", amount="730000000",
                               purpose="investment")
    return fund


def big_distribution(fund_id: int) -> dict[str, object]:
    return {"fund_id": fund_id, "value_on": "2023-06-30", "amount": NINE_BN,
            "distribution_type": "return_of_capital"}


def test_ninety_yi_distribution_needs_confirmation_then_a_checker(app: Flask) -> None:
    admin, maker, checker, _ = team(f"GP {next_n()}")
    fund = fund_730m(admin)
    approvals.set_policy(admin, "distribution", "0")
    before = ledger_rows()
    with pytest.raises(ConfirmationRequired) as caught:
        approvals.submit(maker, "distribution", big_distribution(fund.id))
    codes = [c for c, _ in caught.value.warnings]
    assert "plausible_distribution_above_gains" in codes
    assert "plausible_above_fund_size" in codes
    params = dict(caught.value.warnings)["plausible_distribution_above_gains"]
    assert params["paid_in"].amount == Decimal("730000000.00")
    with pytest.raises(ValidationError) as no_reason:
        approvals.submit(maker, "distribution", big_distribution(fund.id), confirm=True)
    assert no_reason.value.field == "confirm_reason"
    assert ledger_rows() == before

    held = approvals.submit(maker, "distribution", big_distribution(fund.id), confirm=True,
                            confirm_reason="清算回款，已核对银行回单")
    assert approvals.is_held(held) and held.status is ApprovalStatus.PENDING
    assert held.amount == Decimal("9000000000.00") and held.confirm_reason.startswith("清算")
    assert ledger_rows() == before and distributions(fund.id) == []

    done = approvals.approve(checker, held.id)
    assert done.status is ApprovalStatus.APPROVED and done.checker_id == checker.user_id
    [entry] = distributions(fund.id)
    assert entry.amount == Decimal("9000000000.00") and entry.recorded_by_id == maker.user_id
    assert done.result_type == "cash_flow" and done.result_id == entry.id
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "approval.approve", AuditEvent.object_id == str(held.id)))
    assert event is not None and event.user_id == checker.user_id
    changes = json.loads(event.changes)
    assert changes["maker_id"] == maker.user_id and changes["checker_id"] == checker.user_id
    posted = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "cash_flow.distribution", AuditEvent.object_id == str(entry.id)))
    assert posted is not None and posted.user_id == maker.user_id
    assert posted.auth_method == "approval"
    assert verify_chain(admin.organisation_id)
    with pytest.raises(ConflictError) as again:
        approvals.approve(checker, held.id)
    assert again.value.code == "approval_not_pending"


def test_rejection_writes_nothing_to_the_ledger(app: Flask) -> None:
    admin, maker, checker, _ = team(f"GP {next_n()}")
    fund = fund_730m(admin)
    approvals.set_policy(admin, "capital_call", "100000000")
    small = approvals.submit(
        maker,
        "capital_call",
        {
            "fund_id": fund.id,
            "value_on": "2022-01-10",
            "amount": "1000000",
            "purpose": "management_fee",
        },
    )
    assert not approvals.is_held(small) and small.amount == Decimal("1000000.00")
    before = ledger_rows()
    held = approvals.submit(maker, "capital_call", {
        "fund_id": fund.id, "value_on": "2022-01-10", "amount": "200000000",
        "purpose": "investment"})
    assert approvals.is_held(held)
    with pytest.raises(ValidationError):
        approvals.reject(checker, held.id, "  ")
    rejected = approvals.reject(checker, held.id, "金额与投决会纪要不符")
    assert rejected.status is ApprovalStatus.REJECTED
    assert rejected.decision_reason == "金额与投决会纪要不符"
    assert ledger_rows() == before
    with pytest.raises(ConflictError):
        approvals.approve(checker, held.id)
    assert ledger_rows() == before


def test_self_approval_is_refused_and_audited(app: Flask) -> None:
    admin, maker, checker, _ = team(f"GP {next_n()}")
    fund = fund_730m(admin)
    approvals.set_policy(admin, "fund_valuation", "0")
    held = approvals.submit(admin, "fund_valuation",
                            {"fund_id": fund.id, "as_of": "2022-12-31", "nav_amount": "800000000"})
    with pytest.raises(Forbidden) as caught:
        approvals.approve(admin, held.id)
    assert caught.value.code == "approval_self"
    db.session.rollback()
    refused = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "approval.self_approval_refused"))
    assert refused is not None and refused.user_id == admin.user_id
    assert refused.object_id == str(held.id)
    assert db.session.get(ApprovalRequest, held.id).status is ApprovalStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundValuation)) == 0
    with pytest.raises(Forbidden) as maker_try:  # a maker is no checker
        approvals.approve(maker, held.id)
    assert maker_try.value.code == "approval_role"
    assert approvals.approve(checker, held.id).status is ApprovalStatus.APPROVED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundValuation)) == 1


def test_reversal_held_then_refused_when_the_entry_changed(app: Flask) -> None:
    admin, maker, checker, _ = team(f"GP {next_n()}")
    fund = fund_730m(admin)
    call = db.session.scalar(sa.select(CashFlow).where(CashFlow.fund_id == fund.id))
    approvals.set_policy(admin, "reversal", "0")
    held = approvals.submit(maker, "reversal",
                            {"fund_id": fund.id, "entry_id": call.id, "reason": "录入错误"})
    with pytest.raises(ConflictError):  # the same item twice
        approvals.submit(maker, "reversal",
                         {"fund_id": fund.id, "entry_id": call.id, "reason": "录入错误"})
    ledger.reverse_entry(admin, fund.id, call.id, "直接冲销")  # someone reversed it meanwhile
    rows = ledger_rows()
    with pytest.raises(ConflictError):  # the executor refuses: everything rolls back
        approvals.approve(checker, held.id)
    db.session.rollback()
    assert ledger_rows() == rows
    assert db.session.get(ApprovalRequest, held.id).status is ApprovalStatus.PENDING
    with pytest.raises(ValidationError) as late:  # a new item for it is refused up front
        approvals.submit(maker, "reversal",
                         {"fund_id": fund.id, "entry_id": call.id, "reason": "再次冲销"})
    assert late.value.code == "approval_entry_reversed"


def test_two_checkers_racing_post_once(app: Flask) -> None:
    admin, maker, checker, checker2 = team(f"GP {next_n()}")
    fund = fund_730m(admin)
    approvals.set_policy(admin, "distribution", "0")
    held = approvals.submit(maker, "distribution", {
        "fund_id": fund.id, "value_on": "2023-06-30", "amount": "50000000",
        "distribution_type": "gain"})
    fund_id, request_id, checkers = fund.id, held.id, [checker, checker2]
    db.session.remove()
    outcomes = race(app, lambda i: approvals.approve(checkers[i], request_id), [0, 1],
                    ConflictError)
    assert sorted(outcomes) == ["ok", "refused"]
    assert len(distributions(fund_id)) == 1
    assert db.session.get(ApprovalRequest, request_id).status is ApprovalStatus.APPROVED


def test_no_policy_posts_directly_once_a_future_date_is_confirmed(app: Flask) -> None:
    world = make_world()
    far = make_fund(world.gp, term_end_on="2099-12-31", extension_end_on="2099-12-31")
    from fundops.portfolio import services

    services.add_commitment(world.gp, far.id, world.lps[0].id, "100000000", date(2020, 3, 1))
    later = (business_today() + timedelta(days=40)).isoformat()
    call = {"fund_id": far.id, "value_on": later, "amount": "1000000", "purpose": "management_fee"}
    with pytest.raises(ConfirmationRequired) as caught:
        approvals.submit(world.gp, "capital_call", call)
    assert [c for c, _ in caught.value.warnings] == ["plausible_future_date"]
    posted = approvals.submit(world.gp, "capital_call", call, confirm=True,
                              confirm_reason="按协议预先登记")
    assert isinstance(posted, CashFlow) and posted.value_on.isoformat() == later
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApprovalRequest)) == 0


def test_each_warning_triggers(app: Flask) -> None:
    world = make_world(("300000000", "200000000"))
    gp, fund = world.gp, world.fund
    ledger.record_capital_call(gp, fund.id, value_on="2020-06-30", amount="400000000",
                               purpose="investment")
    ledger.record_investment(gp, fund.id, company_id=world.company.id, round_name="A",
                             instrument="preferred_equity", invested_on="2020-07-15",
                             amount="32600000")
    ledger.record_valuation(gp, fund.id, as_of="2021-12-31", nav_amount="400000000")

    def codes(action: str, payload: dict[str, object]) -> list[str]:
        with pytest.raises(ConfirmationRequired) as caught:
            approvals.submit(gp, action, payload)
        return [c for c, _ in caught.value.warnings]

    fid = fund.id
    # a distribution within paid-in is plausible; above max(paid-in, NAV + distributions) is not
    ok = approvals.submit(gp, "distribution", {"fund_id": fid, "value_on": "2022-03-01",
                                               "amount": "100000000", "distribution_type": "gain"})
    assert ok.amount == Decimal("100000000.00")
    assert codes("distribution", {"fund_id": fid, "value_on": "2022-03-01",
                                  "amount": "450000000", "distribution_type": "gain"}) == [
        "plausible_distribution_above_gains"]
    # above the fund's target size (10亿): a call, an investment
    assert "plausible_above_fund_size" in codes("investment", {
        "fund_id": fid, "company_id": world.company.id, "round_name": "B",
        "instrument": "preferred_equity", "invested_on": "2022-01-01", "amount": "1200000000"})
    # NAV move > 50 %
    assert codes("fund_valuation", {"fund_id": fid, "as_of": "2022-12-31",
                                    "nav_amount": "100000000"}) == ["plausible_nav_move"]
    ok_nav = approvals.submit(gp, "fund_valuation", {"fund_id": fid, "as_of": "2022-12-31",
                                                     "nav_amount": "380000000"})
    assert ok_nav.nav_amount == Decimal("380000000.00")
    # fair value 1e9 on a 3,260万 cost: exponent form and > 10× cost
    assert codes("holding_valuation", {"fund_id": fid, "company_id": world.company.id,
                                       "as_of": "2022-12-31", "fair_value_amount": "1e9"}) == [
        "plausible_exponent_amount", "plausible_fair_value_far_from_cost"]
    assert codes("holding_valuation", {"fund_id": fid, "company_id": world.company.id,
                                       "as_of": "2022-12-31", "fair_value_amount": "1000000"}) == [
        "plausible_fair_value_far_from_cost"]
    # a date after today (within the fund's life)
    far = make_fund(gp, term_end_on="2099-12-31", extension_end_on="2099-12-31")
    assert codes("fund_valuation", {"fund_id": far.id, "as_of": "2098-06-30",
                                    "nav_amount": "1000"}) == ["plausible_future_date"]
    # a vintage of more than a year ahead, on fund creation
    vintage = business_today().year + 10
    assert codes("fund_creation", {
        "code": f"V{next_n()}", "name_zh": "未来基金", "kind": "sub_fund", "currency": "CNY",
        "vintage": vintage, "target_size_amount": "1000000000", "inception_on": "2020-01-01",
        "investment_period_end_on": "2024-12-31", "term_end_on": "2027-12-31",
        "region_code": "440300"}) == ["plausible_vintage_future"]
    # confirmed: posted, and the reason is in the audit trail
    hv = approvals.submit(gp, "holding_valuation", {
        "fund_id": fid, "company_id": world.company.id, "as_of": "2022-12-31",
        "fair_value_amount": "1000000"}, confirm=True, confirm_reason="公司经营失败，按清算价值")
    assert isinstance(hv, HoldingValuation)
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "plausibility.confirmed"))
    assert event is not None and event.reason == "公司经营失败，按清算价值"
    assert event.object_type == "holding_valuation" and event.object_id == str(hv.id)


def test_loan_disbursement_and_pool_claim_under_policy(app: Flask) -> None:
    r, loan_id = funded_loan()
    _, bank_checker = make_user(_org_name(r.bank), kind="bank", role="checker")
    approvals.set_policy(r.bank, "loan_disbursement", "1000000")
    held = approvals.submit(r.bank, "loan_disbursement",
                            {"loan_id": loan_id, "amount": "5000000", "value_on": "2024-07-10"})
    assert approvals.is_held(held) and lending.drawn_amount(loan_id) == 0
    approvals.approve(bank_checker, held.id)
    assert lending.drawn_amount(loan_id) == Decimal("5000000.00")
    _pool_with_loan(r, loan_id)
    loan_events.declare_default(r.bank, loan_id, value_on="2025-01-10", reason="停止经营")
    approvals.set_policy(r.bank, "pool_claim", "0")
    claim = approvals.submit(r.bank, "pool_claim", {"loan_id": loan_id, "on": "2025-03-01"})
    assert approvals.is_held(claim)  # nothing filed yet
    assert db.session.scalar(sa.select(sa.func.count()).select_from(
        db.metadata.tables["risk_pool_claim"])) == 0
    done = approvals.approve(bank_checker, claim.id)
    assert done.result_type == "risk_pool_claim" and done.result_id is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoanEntry)) > 0


def _org_name(actor: Actor) -> str:
    from fundops.auth.models import Organisation

    org = db.session.get(Organisation, actor.organisation_id)
    assert org is not None
    return org.name


def test_api_202_flow_and_checker_endpoints(app: Flask) -> None:
    r, loan_id = funded_loan()
    _, bank_checker = make_user(_org_name(r.bank), kind="bank", role="checker")
    approvals.set_policy(r.bank, "loan_disbursement", "0")
    maker, checker = Client(app, r.bank), Client(app, bank_checker)
    later = (business_today() + timedelta(days=30)).isoformat()
    warned = maker.post(f"/loans/{loan_id}/disbursements", {"amount": "1000000", "value_on": later})
    assert warned.status_code == 409
    body = warned.get_json()
    assert body["error"] == "confirmation_required"
    assert [w["code"] for w in body["warnings"]] == ["plausible_future_date"]
    missing = maker.post(f"/loans/{loan_id}/disbursements",
                         {"amount": "1000000", "value_on": later, "confirm": True})
    assert missing.status_code == 422 and missing.get_json()["field"] == "confirm_reason"
    held = maker.post(f"/loans/{loan_id}/disbursements", {
        "amount": "1000000", "value_on": later, "confirm": True, "confirm_reason": "提前放款安排"})
    assert held.status_code == 202, held.get_data(as_text=True)
    item = held.get_json()
    assert item["status"] == "pending" and item["action"] == "loan_disbursement"
    assert item["amount"] == "1000000.00" and item["confirm_reason"] == "提前放款安排"
    assert held.headers["Location"].endswith(f"/api/v1/approvals/{item['id']}")
    doc = maker.get("/openapi.json").get_json()
    op = doc["paths"]["/api/v1/loans/{loan_id}/disbursements"]["post"]
    conforms(doc, op["responses"]["202"]["content"]["application/json"]["schema"], item)
    body_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert {"confirm", "confirm_reason"} <= set(
        doc["components"]["schemas"][body_ref.rpartition("/")[2]]["properties"])
    assert lending.drawn_amount(loan_id) == 0
    listed = checker.get("/approvals").get_json()["approvals"]
    assert [x["id"] for x in listed] == [item["id"]]
    assert maker.post(f"/approvals/{item['id']}/approve").status_code == 403  # maker's role
    self_try = checker.get(f"/approvals/{item['id']}")
    assert self_try.status_code == 200
    done = checker.post(f"/approvals/{item['id']}/approve")
    assert done.status_code == 200 and done.get_json()["status"] == "approved"
    assert lending.drawn_amount(loan_id) == Decimal("1000000.00")
    assert checker.post(f"/approvals/{item['id']}/approve").get_json()["error"] == \
        "approval_not_pending"
    other = Client(app, make_user(f"Other {next_n()}", kind="bank", role="checker")[1])
    assert other.get(f"/approvals/{item['id']}").status_code == 404
    # rejection through the API writes nothing
    again = maker.post(f"/loans/{loan_id}/disbursements",
                       {"amount": "500000", "value_on": "2024-08-01"})
    assert again.status_code == 202
    rid = again.get_json()["id"]
    assert checker.post(f"/approvals/{rid}/reject", {}).status_code == 422
    rejected = checker.post(f"/approvals/{rid}/reject", {"reason": "重复申请"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert lending.drawn_amount(loan_id) == Decimal("1000000.00")


def test_policy_is_per_organisation_and_admin_only(app: Flask) -> None:
    admin, maker, checker, _ = team(f"GP {next_n()}")
    with pytest.raises(Forbidden):
        approvals.set_policy(checker, "distribution", "0")
    with pytest.raises(ValidationError):
        approvals.set_policy(admin, "no_such_action", "0")
    approvals.set_policy(admin, "distribution", "0")
    assert approvals.needs_approval(admin.organisation_id, "distribution", Decimal(1), "CNY")
    other_admin = make_user(f"GP {next_n()}")[1]
    assert not approvals.needs_approval(other_admin.organisation_id, "distribution",
                                        Decimal(10**12), "CNY")
    approvals.set_policy(admin, "distribution", "5000000")
    assert not approvals.needs_approval(admin.organisation_id, "distribution",
                                        Decimal("4999999.99"), "CNY")
    assert approvals.needs_approval(admin.organisation_id, "distribution", Decimal(5000000), "CNY")
    assert approvals.needs_approval(admin.organisation_id, "distribution", Decimal(1), "USD")
    approvals.remove_policy(admin, "distribution")
    assert not approvals.needs_approval(admin.organisation_id, "distribution", Decimal(1), "CNY")
    del maker


def test_identical_submissions_at_once_are_held_once(app: Flask) -> None:
    """Two tabs (or a retry under a new key) submitting the same held call at once: one
    pending item, the other refused — a checker cannot post it twice."""
    admin, maker, _checker, _ = team(f"GP {next_n()}")
    fund = fund_730m(admin)
    approvals.set_policy(admin, "distribution", "0")
    payload = {"fund_id": fund.id, "value_on": "2023-06-30", "amount": "50000000",
               "distribution_type": "gain"}
    db.session.remove()
    outcomes = race(app, lambda i: approvals.submit(maker, "distribution", payload),
                    list(range(4)), ConflictError)
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApprovalRequest).where(
        ApprovalRequest.status == ApprovalStatus.PENDING)) == 1
