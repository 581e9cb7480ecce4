"""Risk pools, credit events and warrants over the JSON API (bearer tokens, real HTTP),
every response checked against the OpenAPI document.

The round and loans are those of ``test_risk_pools`` (a 1亿 round, fully funded; the
product's limit is 2,500万). The pool is Hubei's scheme: the pool bears 80 % of each
loss, the bank 20 %; province and city pay in 5亿 each (yuan throughout).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from fundops.auth.models import User
from fundops.extensions import db
from fundops.syndication.loans import services as lending
from fundops.syndication.pools.models import RiskPool
from tests.factories import make_user, next_n
from tests.integration.test_risk_pools import HUBEI, drawn_loan, funded_round
from tests.integration.test_syndication_api import Client, check, counts, refused


def _manager(app: Flask) -> tuple[Client, Any]:
    _, manager = make_user(f"科技金融平台 {next_n()}", kind="platform_operator")
    return Client(app, manager), manager


def _new_pool(client: Client, doc: dict[str, Any], bank_id: int, **rules: Any) -> dict[str, Any]:
    return check(doc, client.post("/pools", {
        "name": f"风险池 {next_n()}", "parties": HUBEI, "member_bank_ids": [bank_id],
        **rules}), 201, "PoolDetailOut")


def test_pool_story_over_http(app: Flask) -> None:
    r = funded_round()
    loan = drawn_loan(r, "10000000")
    m, _ = _manager(app)
    b, other = Client(app, r.bank), Client(app, r.other_bank)
    doc = m.get("/openapi.json").get_json()

    created = m.post("/pools", {
        "name": "湖北科技信贷风险补偿资金池", "member_bank_ids": [r.bank.organisation_id],
        "parties": [{"name": "资金池", "role": "pool", "share": "0.8"},
                    {"name": "银行", "role": "bank", "share": "0.2"}],
        "leverage_k": "10", "source": "省、市财政按1∶1比例设立"})
    pool = check(doc, created, 201, "PoolDetailOut")
    pool_url = f"/pools/{pool['id']}"
    assert created.headers["Location"].endswith("/api/v1" + pool_url)
    assert (pool["is_manager"], pool["leverage_k"], pool["balance"], pool["leverage_limit"]) == (
        True, "10.00000000", "0.00", "0.00")
    assert [(p["name"], p["role"], p["share"]) for p in pool["parties"]] == [
        ("资金池", "pool", "0.80000000"), ("银行", "bank", "0.20000000")]
    assert pool["member_bank_ids"] == [r.bank.organisation_id]
    for funder in ("湖北省财政", "武汉市财政"):
        paid = check(doc, m.post(pool_url + "/contributions", {
            "funder": funder, "amount": "500000000", "contributed_on": "2024-01-02"}),
            201, "ContributionOut")
    assert (paid["amount"], paid["balance"]) == ("500000000.00", "1000000000.00")

    # the member bank enrols its loan, it falls overdue, defaults, and the bank claims
    enrolled = check(doc, b.post(pool_url + "/enrolments",
                                 {"loan_id": loan.id, "on": "2024-07-10"}), 201, "EnrolmentOut")
    assert (enrolled["amount"], enrolled["pool_enrolled_amount"],
            enrolled["leverage_headroom"]) == ("10000000.00", "10000000.00", "9990000000.00")
    overdue = check(doc, b.post(f"/loans/{loan.id}/overdue", {
        "amount": "450000", "value_on": "2025-01-31", "memo": "首期未还"}), 201, "LoanEventOut")
    assert (overdue["kind"], overdue["amount"], overdue["loan_status"]) == (
        "overdue", "450000.00", "active")
    defaulted = check(doc, b.post(f"/loans/{loan.id}/default", {
        "value_on": "2025-03-31", "reason": "停止经营"}), 201, "LoanEventOut")
    assert (defaulted["kind"], defaulted["amount"], defaulted["loan_status"],
            defaulted["outstanding"]) == ("default", "10000000.00", "defaulted", "10000000.00")
    claim = check(doc, b.post(f"/loans/{loan.id}/claims", {"on": "2025-04-15"}), 201, "ClaimOut")
    assert (claim["pool_id"], claim["loss"], claim["pool_paid"], claim["binding"]) == (
        pool["id"], "10000000.00", "8000000.00", "")
    assert [(s["party"], s["pro_rata"], s["borne"], s["returned"]) for s in claim["shares"]] == [
        ("资金池", "8000000.00", "8000000.00", "0.00"),
        ("银行", "2000000.00", "2000000.00", "0.00"),
    ]
    assert m.get(pool_url).get_json()["balance"] == "992000000.00"

    # a recovery hands 80 % back to the pool
    recovered = check(doc, b.post(f"/loans/{loan.id}/recoveries", {
        "amount": "1000000", "value_on": "2025-09-30", "memo": "股权质押处置"}), 201, "RecoveryOut")
    assert recovered["shared"] == [{"party": "资金池", "amount": "800000.00"},
                                   {"party": "银行", "amount": "200000.00"}]
    position = check(doc, m.get(pool_url), 200, "PoolDetailOut")
    assert {k: position[k] for k in (
        "contributed", "claims_paid", "recoveries_back", "balance", "enrolled_loans",
        "enrolled_amount", "leverage_limit", "leverage_headroom", "claim_count")} == {
        "contributed": "1000000000.00", "claims_paid": "8000000.00",
        "recoveries_back": "800000.00", "balance": "992800000.00", "enrolled_loans": 1,
        "enrolled_amount": "10000000.00", "leverage_limit": "9928000000.00",
        "leverage_headroom": "9918000000.00", "claim_count": 1}
    assert position["contributions"] == [{"funder": "武汉市财政", "amount": "500000000.00"},
                                         {"funder": "湖北省财政", "amount": "500000000.00"}]
    assert [s["returned"] for s in position["claims"][0]["shares"]] == ["800000.00", "200000.00"]

    # the member bank sees the position and its claim, not who else is in; others see nothing
    seen = check(doc, b.get(pool_url), 200, "PoolDetailOut")
    assert (seen["is_manager"], seen["balance"], "member_bank_ids" in seen) == (
        False, "992800000.00", False)
    assert [c["id"] for c in seen["claims"]] == [claim["id"]]
    assert [p["id"] for p in check(doc, b.get("/pools"), 200, "PoolsOut")["pools"]] == [pool["id"]]
    assert other.get("/pools").get_json() == {"pools": []}
    refused(other.get(pool_url), 404)

    # write the rest off in two steps; a later recovery still goes 80 : 20
    written = check(doc, b.post(f"/loans/{loan.id}/write-offs", {
        "amount": "9000000", "value_on": "2025-12-31", "reason": "核销"}), 201, "LoanEventOut")
    assert (written["loan_status"], written["outstanding"]) == ("defaulted", "1000000.00")
    before = counts()
    refused(b.post(f"/loans/{loan.id}/write-offs", {
        "amount": "1000000.01", "value_on": "2025-12-31", "reason": "核销"}), 422, "amount")
    assert counts() == before
    written = b.post(f"/loans/{loan.id}/write-offs", {
        "amount": "1000000", "value_on": "2025-12-31", "reason": "核销"}).get_json()
    assert (written["loan_status"], written["outstanding"]) == ("written_off", "0.00")
    later = b.post(f"/loans/{loan.id}/recoveries", {"amount": "500000",
                                                    "value_on": "2026-03-31"}).get_json()
    assert [x["amount"] for x in later["shared"]] == ["400000.00", "100000.00"]
    assert m.get(pool_url).get_json()["balance"] == "993200000.00"
    detail = check(doc, b.get(f"/loans/{loan.id}"), 200, "LoanDetailOut")
    assert [e["kind"] for e in detail["entries"]] == [
        "disbursement", "overdue", "default", "recovery", "write_off", "write_off", "recovery"]


def test_pool_refusals_are_404_409_422_and_write_nothing(app: Flask) -> None:
    r = funded_round()
    m, manager = _manager(app)
    b, other = Client(app, r.bank), Client(app, r.other_bank)
    g = Client(app, r.gp)
    manager_org = db.session.get(User, manager.user_id).organisation  # type: ignore[union-attr]
    _, viewer = make_user(manager_org.name, kind="platform_operator", role="viewer")
    bank_org = db.session.get(User, r.bank.user_id).organisation  # type: ignore[union-attr]
    _, bank_viewer = make_user(bank_org.name, kind="bank", role="viewer")
    mv, bv = Client(app, viewer), Client(app, bank_viewer)
    doc = m.get("/openapi.json").get_json()
    pool = _new_pool(m, doc, r.bank.organisation_id, leverage_k="5")
    pool_url = f"/pools/{pool['id']}"
    m.post(pool_url + "/contributions", {"funder": "市财政", "amount": "1000000",
                                         "contributed_on": "2024-01-02"})  # room 500万
    small, big = drawn_loan(r, "3000000"), drawn_loan(r, "2000000.01")
    applied = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1")
    check(doc, b.post(pool_url + "/enrolments", {"loan_id": small.id, "on": "2024-07-10"}),
          201, "EnrolmentOut")
    good_pool = {"name": "新池", "parties": HUBEI}

    before = counts()
    # enrolment beyond leverage: 300万 + 200万 0.01 > 5 × 100万
    body = refused(b.post(pool_url + "/enrolments", {"loan_id": big.id, "on": "2024-07-11"}),
                   409, code="pool_leverage_no_room")
    assert "2000000.01 CNY" in body["message"]  # the API gives exact amounts
    assert db.session.get(RiskPool, pool["id"]).enrolled_amount == 3_000_000  # type: ignore[union-attr]
    refused(b.post(pool_url + "/enrolments", {"loan_id": small.id, "on": "2024-07-11"}), 409)
    refused(b.post(pool_url + "/enrolments", {"loan_id": applied.id, "on": "2024-07-11"}), 409)
    refused(b.post(f"/loans/{big.id}/claims", {"on": "2025-01-01"}), 409)  # not enrolled
    refused(b.post(f"/loans/{small.id}/claims", {"on": "2025-01-01"}), 409)  # not defaulted
    # 404: outsiders, the wrong side of the pool, and before any body is read
    for client, path, payload in [
        (other, pool_url, None), (g, pool_url, None),
        (other, pool_url + "/enrolments", {"loan_id": small.id, "on": "2024-07-11"}),
        (m, pool_url + "/enrolments", {"bogus": 1}),  # the manager enrols nothing
        (b, pool_url + "/contributions", {"bogus": 1}),  # a member does not manage
        (other, pool_url + "/contributions", {"funder": "x", "amount": "1"}),
        (b, "/pools", {"bogus": 1}), (b, "/pools", good_pool), (g, "/pools", good_pool),
        (other, f"/loans/{small.id}/claims", {"on": "2025-01-01"}),
        (m, f"/loans/{small.id}/claims", {"on": "2025-01-01"}),
        (b, "/pools/2147483647", None),
    ]:
        refused(client.get(path) if payload is None else client.post(path, payload), 404)
    refused(mv.post("/pools", {"bogus": 1}), 403)
    refused(mv.post(pool_url + "/contributions", {"bogus": 1}), 403)
    refused(bv.post(pool_url + "/enrolments", {"bogus": 1}), 403)
    refused(bv.post(f"/loans/{small.id}/claims", {"bogus": 1}), 403)
    # 422 naming the field
    gp_org = r.gp.organisation_id
    invalid: list[tuple[Client, str, Any, str]] = [
        (m, "/pools", {"parties": HUBEI}, "name"),
        (m, "/pools", {"name": "x"}, "parties"),
        (m, "/pools", good_pool | {"name": pool["name"]}, "name"),
        (m, "/pools", good_pool | {"parties": HUBEI[:1]}, "parties"),
        (m, "/pools", good_pool | {"parties": [HUBEI[0] | {"share": "0.7"}, HUBEI[1]]},
         "parties"),
        (m, "/pools", good_pool | {"parties": [HUBEI[0] | {"role": "state"}, HUBEI[1]]},
         "parties[0].role"),
        (m, "/pools", good_pool | {"parties": [HUBEI[0], HUBEI[1] | {"cap": "1"}]}, "parties"),
        (m, "/pools", good_pool | {"parties": [HUBEI[0] | {"share": 0.8}, HUBEI[1]]},
         "parties[0].share"),
        (m, "/pools", good_pool | {"member_bank_ids": [r.bank.organisation_id, "7"]},
         "member_bank_ids[1]"),
        (m, "/pools", good_pool | {"member_bank_ids": [gp_org]}, "member_bank_ids[0]"),
        (m, "/pools", good_pool | {"member_bank_ids": 7}, "member_bank_ids"),
        (m, "/pools", good_pool | {"leverage_k": 5.5}, "leverage_k"),
        (m, "/pools", good_pool | {"cap_per_loan": "-1"}, "cap_per_loan"),
        (m, "/pools", good_pool | {"currency": "yuan"}, "currency"),
        (m, "/pools", good_pool | {"source": "x" * 501}, "source"),
        (m, "/pools", good_pool | {"leverage": "5"}, "leverage"),
        (m, pool_url + "/contributions", {"funder": "x", "amount": "-1",
                                          "contributed_on": "2024-01-02"}, "amount"),
        (m, pool_url + "/contributions", {"funder": "x", "amount": "1"}, "contributed_on"),
        (b, pool_url + "/enrolments", {"loan_id": str(big.id), "on": "2024-07-11"}, "loan_id"),
        (b, pool_url + "/enrolments", {"loan_id": 2**31 - 1, "on": "2024-07-11"}, "loan_id"),
        (b, pool_url + "/enrolments", {"loan_id": big.id}, "on"),
        (b, f"/loans/{small.id}/claims", {}, "on"),
    ]
    for client, path, payload, field in invalid:
        refused(client.post(path, payload), 422, field)
    assert counts() == before


def test_credit_events_and_warrants_over_http(app: Flask) -> None:
    r = funded_round()
    loan = drawn_loan(r, "10000000")
    approved = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                      amount="2000000")
    lending.approve_loan(r.bank, approved.id)
    applied = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1")
    bank_org = db.session.get(User, r.bank.user_id).organisation  # type: ignore[union-attr]
    _, bank_viewer = make_user(bank_org.name, kind="bank", role="viewer")
    b, bv = Client(app, r.bank), Client(app, bank_viewer)
    doc = b.get("/openapi.json").get_json()
    url = f"/loans/{loan.id}"

    warrant = check(doc, b.post(url + "/warrants", {
        "holder_name": "银行投资子公司", "coverage": "0.1", "window_from": "2024-07-01",
        "window_to": "2027-06-30"}), 201, "WarrantOut")
    assert (warrant["amount"], warrant["exercise_price"], warrant["status"],
            warrant["closed_on"]) == ("1000000.00", "12.5000", "open", None)
    other = check(doc, b.post(f"/loans/{approved.id}/warrants", {
        "holder_name": "银行", "coverage": "0.05", "exercise_price": "15",
        "window_from": "2024-07-01", "window_to": "2025-06-30"}), 201, "WarrantOut")
    assert (other["amount"], other["exercise_price"]) == ("100000.00", "15.0000")
    assert check(doc, b.get(url), 200, "LoanDetailOut")["warrants"] == [warrant]

    before = counts()
    for path, payload, field in [
        (url + "/warrants", {"holder_name": "x", "window_from": "2024-07-01",
                             "window_to": "2027-06-30"}, "coverage"),  # the product's is 0
        (url + "/warrants", {"holder_name": "x", "coverage": "1.5", "window_from": "2024-07-01",
                             "window_to": "2027-06-30"}, "coverage"),
        (url + "/warrants", {"holder_name": "x", "coverage": "0.1", "window_from": "2024-07-01",
                             "window_to": "2024-06-30"}, "window_to"),
        (url + "/warrants", {"coverage": "0.1", "window_from": "2024-07-01",
                             "window_to": "2027-06-30"}, "holder_name"),
        (f"/warrants/{warrant['id']}/close", {"outcome": "sold", "on": "2025-01-01"}, "outcome"),
        (f"/warrants/{warrant['id']}/close", {"outcome": "exercised", "on": "2028-01-01"}, "on"),
        (f"/warrants/{warrant['id']}/close", {"outcome": "expired"}, "on"),
        (url + "/overdue", {"amount": "0", "value_on": "2025-01-31"}, "amount"),
        (url + "/overdue", {"amount": "1", "value_on": "2025-01-31", "note": "x"}, "note"),
        (url + "/default", {"value_on": "2025-03-31"}, "reason"),
        (url + "/default", {"value_on": "2025-03-31", "reason": "  "}, "reason"),
        (url + "/recoveries", {"amount": 1.5, "value_on": "2025-03-31"}, "amount"),
    ]:
        refused(b.post(path, payload), 422, field)
    for path, payload in [
        (f"/loans/{applied.id}/warrants", {"holder_name": "x", "coverage": "0.1",
                                           "window_from": "2024-07-01",
                                           "window_to": "2027-06-30"}),
        (f"/loans/{approved.id}/overdue", {"amount": "1", "value_on": "2025-01-31"}),
        (f"/loans/{approved.id}/default", {"value_on": "2025-03-31", "reason": "x"}),
        (url + "/write-offs", {"amount": "1", "value_on": "2025-03-31", "reason": "x"}),
        (url + "/recoveries", {"amount": "1", "value_on": "2025-03-31"}),
    ]:
        refused(b.post(path, payload), 409)
    refused(bv.post(url + "/default", {"bogus": 1}), 403)
    refused(bv.post(f"/warrants/{warrant['id']}/close", {"bogus": 1}), 403)
    refused(b.post("/warrants/2147483647/close", {"outcome": "expired", "on": "2025-01-01"}), 404)
    assert counts() == before

    closed = check(doc, b.post(f"/warrants/{warrant['id']}/close", {
        "outcome": "exercised", "on": "2026-05-20"}), 200, "WarrantOut")
    assert (closed["status"], closed["closed_on"]) == ("exercised", "2026-05-20")
    assert refused(b.post(f"/warrants/{warrant['id']}/close", {
        "outcome": "expired", "on": "2027-07-01"}), 409,
        code="warrant_already_exercised")["message"]
    expired = b.post(f"/warrants/{other['id']}/close", {"outcome": "expired",
                                                        "on": "2025-07-01"}).get_json()
    assert expired["status"] == "expired"
    assert db.session.scalar(sa.text("SELECT count(*) FROM warrant WHERE status = 'open'")) == 0
