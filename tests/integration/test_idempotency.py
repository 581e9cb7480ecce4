"""Idempotency-Key on money-moving API POSTs (reliability.md §4 and test 19)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent
from fundops.extensions import db
from fundops.idempotency import IdempotencyKey
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import LoanEntry
from fundops.syndication.term_sheets import fundings
from tests.integration.test_linked_loans import Round, build_round
from tests.integration.test_syndication_api import API, Client
from tests.threads import race


def funded_loan() -> tuple[Round, int]:
    r = build_round()
    outside = next(a for a in r.ts.allocations if not a.is_lead)
    fundings.record_outside_funding(r.gp, r.ts.id, outside.id, amount="40000000",
                                       arrived_on="2024-07-05", evidence_ref="验资报告")
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="5000000")
    lending.approve_loan(r.bank, loan.id)
    return r, loan.id


def written() -> tuple[int, int, int]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))  # type: ignore[return-value]
                 for m in (LoanEntry, AuditEvent, IdempotencyKey))


def test_ten_concurrent_identical_requests_disburse_once(app: Flask) -> None:
    r, loan_id = funded_loan()
    bank = Client(app, r.bank)
    headers = bank.headers | {"Idempotency-Key": "disburse-2024-07-10-a"}
    body = {"amount": "1000000", "value_on": "2024-07-10", "memo": "first tranche"}
    db.session.remove()
    replies: list[tuple[int, str, str | None]] = []

    def post(_: int) -> None:
        response = app.test_client().post(f"{API}/loans/{loan_id}/disbursements", json=body,
                                          headers=headers)
        replies.append((response.status_code, response.get_data(as_text=True),
                        response.headers.get("Idempotent-Replayed")))

    outcomes = race(app, post, list(range(10)), Exception)
    assert outcomes == ["ok"] * 10 and len(replies) == 10
    assert {status for status, _, _ in replies} == {201}
    assert len({text for _, text, _ in replies}) == 1  # every reply is the first response
    assert sorted(flag or "" for _, _, flag in replies) == [""] + ["true"] * 9
    amounts = db.session.scalars(sa.select(LoanEntry.amount).where(LoanEntry.loan_id == loan_id))
    assert list(amounts) == [Decimal("1000000.00")]
    assert lending.drawn_amount(loan_id) == Decimal("1000000.00")


def test_missing_key_reused_key_and_refusals(app: Flask) -> None:
    r, loan_id = funded_loan()
    bank = Client(app, r.bank)
    url = f"{API}/loans/{loan_id}/disbursements"
    body = {"amount": "1000000", "value_on": "2024-07-10"}
    before = written()
    no_key = bank.http.post(url, json=body, headers=bank.headers)
    assert no_key.status_code == 400 and no_key.get_json()["error"] == "idempotency_key_required"
    too_long = bank.http.post(url, json=body, headers=bank.headers | {"Idempotency-Key": "k" * 256})
    assert too_long.status_code == 400
    assert written() == before

    keyed = bank.headers | {"Idempotency-Key": "k-1"}
    first = bank.http.post(url, json=body, headers=keyed)
    assert first.status_code == 201
    after_first = written()
    changed = bank.http.post(url, json=body | {"amount": "2000000"}, headers=keyed)
    assert changed.status_code == 422 and changed.get_json()["field"] == "Idempotency-Key"
    assert written() == after_first

    # a refused request stores nothing: the same key may be used again once it is fixed
    too_much = {"amount": "4000000.01", "value_on": "2024-07-11"}
    retry = bank.headers | {"Idempotency-Key": "k-2"}
    assert bank.http.post(url, json=too_much, headers=retry).status_code == 409
    assert written() == after_first
    fixed = bank.http.post(url, json={"amount": "4000000", "value_on": "2024-07-11"}, headers=retry)
    assert fixed.status_code == 201
    assert lending.drawn_amount(loan_id) == Decimal("5000000.00")


def test_keys_belong_to_one_organisation(app: Flask) -> None:
    r, _ = funded_loan()
    a, b = Client(app, r.bank), Client(app, r.other_bank)
    from fundops.syndication.loans import products

    other_product = products.create_product(
        r.other_bank, name="乙行投联贷", alpha="0.3", beta="0.05", cap_amount="50000000",
        tenor_months=12, rate_type="fixed", fixed_rate="0.04", repayment_type="interest_only",
        collateral="credit")
    same = {"Idempotency-Key": "apply-1"}
    first = a.http.post(f"{API}/loans", json={"code": r.code, "product_id": r.product_id,
                                              "amount": "1000000"}, headers=a.headers | same)
    second = b.http.post(f"{API}/loans", json={"code": r.code, "product_id": other_product.id,
                                               "amount": "1000000"}, headers=b.headers | same)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["id"] != second.get_json()["id"]
    replay = a.http.post(f"{API}/loans", json={"code": r.code, "product_id": r.product_id,
                                               "amount": "1000000"}, headers=a.headers | same)
    assert replay.get_json() == first.get_json() and replay.headers["Location"]
