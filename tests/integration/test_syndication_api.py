"""Linked-loans JSON API over real HTTP (test client, bearer tokens), against its OpenAPI document.

The round is the one of ``test_linked_loans`` (yuan): 1亿 Series A, pre 4亿, post 5亿; the
lead fund 6,000万 from its ledger, an outside VC 4,000万 on evidence. The bank's product:
α 0.3 of equity arrived, β 0.05 of post-money, cap 5,000万, γ = 1 before any drawdown. With
the lead's money in, the headroom is min(5,000万, 1,800万, 2,500万) = 1,800万.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask

from fundops.auth.accounts import issue_token
from fundops.auth.models import User
from fundops.extensions import db
from fundops.messages import MESSAGES
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import services as pools
from fundops.syndication.term_sheets import verification
from fundops.uow import Actor
from tests.factories import make_company, make_fund, make_user, next_n
from tests.integration.test_linked_loans import build_round

API = "/api/v1"
TABLES = ("term_sheet", "term_sheet_allocation", "term_sheet_event", "term_sheet_funding",
          "verification_code", "loan_product", "loan", "loan_share", "loan_entry",
          "loan_schedule_row", "warrant", "risk_pool", "risk_pool_party", "risk_pool_bank",
          "risk_pool_contribution", "risk_pool_enrolment", "risk_pool_claim",
          "risk_pool_claim_share", "risk_pool_recovery", "audit_event")


MONEY_MOVING = {"term_sheet_funding", "loan_apply", "loan_approve", "loan_disburse", "loan_repay",
                "loan_write_off", "loan_recovery", "loan_claim", "pool_contribution",
                "pool_enrolment"}
"""Operations (by view name) that require the Idempotency-Key header."""
NOT_FOUND_WITHOUT_ID = {"term_sheet_verify", "product_list", "product_create", "loan_apply",
                        "pool_create"}
"""Operations without a path id that answer 404 (an unknown code; a caller that is not a
bank, or does not run pools)."""


def is_api(app: Flask, endpoint: str) -> bool:
    """A route of the linked-loans API: an API blueprint (the generated ``*_api`` ones, or
    the legacy ``api`` one while routes remain there) of fundops.syndication."""
    view = app.view_functions[endpoint]
    blueprint = endpoint.partition(".")[0]
    return ((blueprint == "api" or blueprint.endswith("_api"))
            and view.__module__.startswith("fundops.syndication."))


class Client:
    """One organisation's user talking to the API with its own bearer token."""

    def __init__(self, app: Flask, actor: Actor) -> None:
        user = db.session.get(User, actor.user_id)
        assert user is not None
        self.http = app.test_client()
        self.headers = {"Authorization": f"Bearer {issue_token(email=user.email, label='t')}"}

    def get(self, path: str) -> Any:
        return self.http.get(API + path, headers=self.headers)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        """POST with a fresh Idempotency-Key (money-moving routes require one; the others
        ignore it)."""
        headers = self.headers | {"Idempotency-Key": uuid.uuid4().hex}
        if "data" in kw:
            return self.http.post(API + path, headers=headers, **kw)
        return self.http.post(API + path, headers=headers, json=body)


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in TABLES)


def conforms(  # noqa: C901, PLR0912 - one branch per JSON Schema keyword
        doc: dict[str, Any], schema: dict[str, Any], value: Any, at: str = "$") -> None:
    """``value`` matches ``schema`` of the generated OpenAPI 3.1 document: types, enums,
    patterns, formats and exactly the documented object keys (a minimal JSON Schema check,
    no dependency). Nullable is ``type: [x, "null"]`` or ``anyOf`` with ``{"type": "null"}``."""
    if "$ref" in schema:
        node: Any = doc
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        conforms(doc, node, value, at)
        return
    if "anyOf" in schema:
        failures = []
        for option in schema["anyOf"]:
            try:
                conforms(doc, option, value, at)
                return
            except AssertionError as exc:
                failures.append(str(exc))
        raise AssertionError(f"{at}: {value!r} matches none of {failures}")
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    python = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list,
              "null": type(None)}
    assert not kinds or any(isinstance(value, python[k]) and not (k == "integer" and
                                                                  isinstance(value, bool))
                            for k in kinds), f"{at}: {value!r} is not {kinds}"
    if value is None:
        return
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    if isinstance(value, str):
        if "pattern" in schema:
            assert re.fullmatch(schema["pattern"], value), f"{at}: {value!r}"
        if schema.get("format") == "date":
            date.fromisoformat(value)
        if schema.get("format") == "date-time":
            assert datetime.fromisoformat(value).tzinfo is not None, at
    if isinstance(value, int) and not isinstance(value, bool):
        assert schema.get("minimum", value) <= value <= schema.get("maximum", value), at
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        assert set(value) <= set(props), f"{at}: undocumented {set(value) - set(props)}"
        required = set(schema.get("required", []))
        assert required <= set(value), f"{at}: missing {required - set(value)}"
        for key, item in value.items():
            conforms(doc, props[key], item, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            conforms(doc, schema["items"], item, f"{at}[{i}]")


def check(doc: dict[str, Any], response: Any, status: int, schema: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    conforms(doc, {"$ref": f"#/components/schemas/{schema}"}, body)
    return body  # type: ignore[no-any-return]


def refused(response: Any, status: int, field: str | None = None,
            code: str | None = None) -> dict[str, Any]:
    """The refusal's status, field and ``error`` code: ``code`` when given, else the
    generic one of a 404, else any registered message code (a 403 names the rule)."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    expected = code or {404: "not_found"}.get(status)
    if expected:
        assert body["error"] == expected, body
    else:
        assert body["error"] in MESSAGES, body
    assert body.get("field") == field, body
    return body  # type: ignore[no-any-return]


def test_the_whole_story_over_http(app: Flask) -> None:  # noqa: PLR0915 - one story, step by step
    n = next_n()
    _, gp = make_user(f"GP {n}")
    _, bank = make_user(f"银行甲 {n}", kind="bank")
    fund = make_fund(gp, registration_no=f"S{n}")
    lp = services.create_investor(gp, f"LP {n}", "private")
    services.add_commitment(gp, fund.id, lp.id, "500000000", "2020-03-01")
    ledger.record_capital_call(gp, fund.id, value_on="2024-06-01", amount="100000000",
                               purpose="investment")
    company = make_company(gp, f"芯片科技{n}有限公司")
    g, b = Client(app, gp), Client(app, bank)
    doc = g.get("/openapi.json").get_json()

    ts = check(doc, g.post("/term-sheets", {
        "company_id": company.id, "lead_fund_id": fund.id, "round_name": "A",
        "instrument": "preferred_equity", "round_size": "100000000", "pre_money": "400000000",
        "post_money": 500_000_000, "long_stop_on": "2024-12-31", "lead_amount": "60000000",
        "co_investors": [{"amount": "40000000", "investor_name": "外部VC"}],
        "tranches": [{"amount": "60000000", "expected_on": "2024-06-30"},
                     {"amount": "40000000", "condition": "工商变更后"}],
        "price_per_share": "12.5", "ownership_rate": "0.2", "is_binding": True,
        "use_of_proceeds": "研发与产线"}), 201, "TermSheetDetailOut")
    ts_url = f"/term-sheets/{ts['id']}"
    assert (ts["status"], ts["post_money"], ts["price_per_share"]) == ("draft", "500000000.00",
                                                                       "12.5000")
    lead, outside = ts["allocations"]
    assert (lead["is_lead"], lead["amount"], outside["investor_name"]) == (True, "60000000.00",
                                                                         "外部VC")
    assert [t["amount"] for t in ts["tranches"]] == ["60000000.00", "40000000.00"]
    check(doc, g.post(ts_url + "/status", {"status": "signed", "signed_on": "2024-06-10"}), 200,
          "TermSheetDetailOut")
    ts = check(
        doc, g.post(ts_url + "/status", {"status": "ic_approved"}), 200, "TermSheetDetailOut"
    )
    assert [e["to_status"] for e in ts["events"]] == ["draft", "signed", "ic_approved"]
    issued = check(doc, g.post(ts_url + "/codes"), 201, "IssuedCodeOut")
    assert issued["hint"] == issued["code"].replace("-", "")[-4:]
    codes = check(doc, g.get(ts_url + "/codes"), 200, "CodeListOut")["codes"]
    assert [c["id"] for c in codes] == [issued["id"]] and "code" not in codes[0]
    entry = ledger.record_investment(gp, fund.id, company_id=company.id, round_name="A",
                                     instrument="preferred_equity", invested_on="2024-06-20",
                                     amount="60000000")
    linked = check(doc, g.post(ts_url + "/fundings", {"allocation_id": lead["id"],
                                                      "cash_flow_id": entry.cash_flow_id}),
                   201, "FundingRecordedOut")
    assert (linked["source"], linked["amount"], linked["term_sheet_status"]) == (
        "ledger", "60000000.00", "ic_approved")

    # the bank: verify, define a product, apply, read the check
    facts = check(doc, b.post("/term-sheets/verify",
                              {"code": issued["code"].lower().replace("-", " ")}),
                  200, "VerifiedFactsOut")
    assert (facts["term_sheet_id"], facts["equity_arrived"], facts["lead_can_pay"]) == (
        ts["id"], "60000000.00", True)
    assert check(doc, b.get("/term-sheets"), 200, "TermSheetListOut") == {"term_sheets": []}
    product = check(doc, b.post("/loan-products", {
        "name": "投联贷", "alpha": "0.3", "beta": "0.05", "cap_amount": "50000000",
        "tenor_months": 24, "rate_type": "lpr_spread", "spread": "0.005",
        "repayment_type": "equal_instalment", "collateral": "equity_pledge"}),
        201, "ProductOut")
    assert (product["alpha"], product["required_status"]) == ("0.30000000", "ic_approved")
    assert check(doc, b.get("/loan-products"), 200, "ProductListOut")["products"] == [product]
    assert b.get(f"/loan-products/{product['id']}").get_json() == product
    loan = check(doc, b.post("/loans", {"code": issued["code"], "product_id": product["id"],
                                        "amount": "15000000", "first_due_on": "2024-08-31"}),
                 201, "LoanOut")
    loan_url = f"/loans/{loan['id']}"
    assert (loan["status"], loan["shares"]) == ("applied", [
        {"bank_id": bank.organisation_id, "is_lead": True, "amount": "15000000.00"}])
    got = check(doc, b.get(loan_url), 200, "LoanDetailOut")
    assert got["check"]["headroom"] == {
        "product_cap": "50000000.00", "equity_limit": "18000000.00",
        "valuation_limit": "25000000.00", "limit": "18000000.00", "binding": "equity_arrived",
        "reserved": "0.00", "headroom": "18000000.00"}
    equity = got["check"]["equity"]
    assert (equity["met"], equity["allowed"], equity["arrived_share"]) == (False, "0.00",
                                                                           "0.60000000")
    assert "60.00%" in equity["reason"]
    assert (got["check"]["other_reservations"], got["schedule"], got["entries"]) == ([], [], [])
    assert check(doc, b.get("/loans"), 200, "LoanListOut")["loans"] == [loan]

    approved = check(doc, b.post(loan_url + "/approve", {"note": "授信通过"}), 200, "LoanDetailOut")
    assert (approved["status"], approved["reserved_amount"], approved["annual_rate"]) == (
        "approved", "15000000.00", "0.03500000")
    schedule = approved["schedule"]
    assert len(schedule) == 24 and schedule[0]["due_on"] == "2024-08-31"
    assert sum(int(r["principal"].replace(".", "")) for r in schedule) == 1_500_000_000

    # a second application beyond what is left is refused, nothing written; then declined
    second = b.post("/loans", {"code": issued["code"], "product_id": product["id"],
                               "amount": "3000000.01"}).get_json()
    before = counts()
    assert "3000000.00 CNY" in refused(b.post(f"/loans/{second['id']}/approve"), 409,
                               code="loan_approve_beyond_headroom")["message"]
    assert counts() == before
    declined = b.post(f"/loans/{second['id']}/decline", {"note": "额度不足"}).get_json()
    assert declined["status"] == "declined"
    refused(b.post(f"/loans/{second['id']}/decline", {"note": "again"}), 409)
    assert b.get(loan_url).get_json()["check"]["other_reservations"] == []

    # disbursement waits for the equity: 409 and nothing written
    before = counts()
    body = refused(b.post(loan_url + "/disbursements",
                          {"amount": "5000000", "value_on": "2024-07-01"}), 409,
                   code="loan_disburse_equity_short")
    assert body["message"]
    assert counts() == before
    funded = check(doc, g.post(ts_url + "/fundings", {
        "allocation_id": outside["id"], "amount": "40000000", "arrived_on": "2024-07-05",
        "evidence_ref": "验资报告 2024-031"}), 201, "FundingRecordedOut")
    assert (funded["source"], funded["term_sheet_status"]) == ("evidence", "funded")
    ts = check(doc, g.get(ts_url), 200, "TermSheetDetailOut")
    assert [a["arrived_amount"] for a in ts["allocations"]] == ["60000000.00", "40000000.00"]
    assert (ts["equity_arrived"], ts["reserved_amount"]) == ("100000000.00", "15000000.00")

    paid = check(doc, b.post(loan_url + "/disbursements", {
        "amount": "10000000", "value_on": "2024-07-10", "memo": "首笔"}), 201, "LoanEventOut")
    assert (paid["kind"], paid["amount"], paid["loan_status"], paid["outstanding"]) == (
        "disbursement", "10000000.00", "active", "10000000.00")
    repaid = check(doc, b.post(loan_url + "/repayments", {
        "principal": "1000000", "interest": "29166.67", "value_on": "2024-08-31"}),
        201, "RepaymentOut")
    assert [(e["kind"], e["amount"]) for e in repaid["entries"]] == [
        ("principal_repayment", "1000000.00"), ("interest_payment", "29166.67")]
    assert (repaid["outstanding"], repaid["drawn"]) == ("9000000.00", "10000000.00")
    final = check(doc, b.get(loan_url), 200, "LoanDetailOut")
    assert [e["kind"] for e in final["entries"]] == [
        "disbursement", "principal_repayment", "interest_payment"]
    assert (final["check"]["drawn"], final["check"]["outstanding"]) == ("10000000.00",
                                                                        "9000000.00")
    assert final["check"]["equity"]["met"] is True
    revoked = check(doc, g.post(f"{ts_url}/codes/{issued['id']}/revoke", {"reason": "done"}),
                    200, "CodeOut")
    assert revoked["revoked_at"] is not None
    refused(b.post("/term-sheets/verify", {"code": issued["code"]}), 404)


def test_bad_requests_name_the_field_and_write_nothing(app: Flask) -> None:
    r = build_round()
    _, stranger = make_user(f"Other GP {next_n()}")
    foreign_company = make_company(stranger)
    gp_org = db.session.get(User, r.gp.user_id).organisation  # type: ignore[union-attr]
    _, gp_viewer = make_user(gp_org.name, role="viewer")
    bank_org = db.session.get(User, r.bank.user_id).organisation  # type: ignore[union-attr]
    _, bank_viewer = make_user(bank_org.name, kind="bank", role="viewer")
    other_product = Client(app, r.other_bank).post("/loan-products", {
        "name": "x", "alpha": "0.3", "beta": "0.05", "cap_amount": "1", "tenor_months": 12,
        "rate_type": "fixed", "fixed_rate": "0.04", "repayment_type": "interest_only",
        "collateral": "credit"}).get_json()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    lead, outside = r.ts.allocations
    g, b = Client(app, r.gp), Client(app, r.bank)
    gv, bv = Client(app, gp_viewer), Client(app, bank_viewer)  # tokens are audited: issue first
    ts_url, loan_url = f"/term-sheets/{r.ts.id}", f"/loans/{loan.id}"
    new_ts = {"company_id": r.ts.company_id, "lead_fund_id": r.ts.lead_fund_id,
              "round_name": "B", "instrument": "preferred_equity", "round_size": "100000000",
              "pre_money": "400000000", "post_money": "500000000", "long_stop_on": "2025-12-31",
              "lead_amount": "60000000"}
    product = {"name": "p", "alpha": "0.3", "beta": "0.05", "cap_amount": "50000000",
               "tenor_months": 24, "rate_type": "fixed", "fixed_rate": "0.04",
               "repayment_type": "equal_principal", "collateral": "credit"}
    apply = {"code": r.code, "product_id": r.product_id, "amount": "1000000"}
    cases: list[tuple[Client, str, Any, str]] = [
        (g, "/term-sheets", {k: v for k, v in new_ts.items() if k != "round_size"}, "round_size"),
        (g, "/term-sheets", new_ts | {"lead_ammount": "1"}, "lead_ammount"),
        (g, "/term-sheets", new_ts | {"post_money": "500000001"}, "post_money"),
        (g, "/term-sheets", new_ts | {"round_size": 100000000.5}, "round_size"),
        (g, "/term-sheets", new_ts | {"co_investors": [{"amount": 1.5, "investor_name": "x"}]},
         "co_investors[0].amount"),
        (g, "/term-sheets", new_ts | {"co_investors": [{"amount": "1"}]}, "co_investors[0]"),
        (g, "/term-sheets", new_ts | {"co_investors": [None]}, "co_investors[0]"),
        (g, "/term-sheets", new_ts | {"co_investors": "VC"}, "co_investors"),
        (g, "/term-sheets", new_ts | {"tranches": [{"amount": "50000000"}]}, "tranches"),
        (g, "/term-sheets", new_ts | {"is_binding": "yes"}, "is_binding"),
        (g, "/term-sheets", new_ts | {"instrument": "shares"}, "instrument"),
        (g, "/term-sheets", new_ts | {"long_stop_on": "2025-13-01"}, "long_stop_on"),
        (g, "/term-sheets", new_ts | {"company_id": foreign_company.id}, "company_id"),
        (g, "/term-sheets", new_ts | {"lead_fund_id": 2**40}, "lead_fund_id"),
        (g, "/term-sheets", [new_ts], "body"),
        (g, "/term-sheets", "not json", "body"),
        (g, ts_url + "/status", {}, "status"),
        (g, ts_url + "/status", {"status": "funded"}, "status"),
        (g, ts_url + "/status", {"status": "lapsed"}, "reason"),
        (g, ts_url + "/fundings", {"allocation_id": str(outside.id)}, "allocation_id"),
        (g, ts_url + "/fundings", {"allocation_id": outside.id}, "amount"),
        (g, ts_url + "/fundings", {"allocation_id": lead.id, "cash_flow_id": r.lead_entry,
                                   "amount": "1"}, "amount"),
        (g, ts_url + "/fundings", {"allocation_id": lead.id, "cash_flow_id": r.lead_entry},
         "cash_flow_id"),  # linked already by build_round
        (g, ts_url + "/fundings", {"allocation_id": 2**31 - 1, "amount": "1",
                                   "arrived_on": "2024-07-01", "evidence_ref": "x"},
         "allocation_id"),
        (g, ts_url + "/codes", {"count": 2}, "count"),
        (b, "/term-sheets/verify", {}, "code"),
        (b, "/term-sheets/verify", {"code": 123}, "code"),
        (b, "/loan-products", {k: v for k, v in product.items() if k != "alpha"}, "alpha"),
        (b, "/loan-products", product | {"tenor_months": 24.5}, "tenor_months"),
        (b, "/loan-products", product | {"fixed_rate": None}, "fixed_rate"),
        (b, "/loan-products", product | {"alpha": "1.5"}, "alpha"),
        (b, "/loans", {k: v for k, v in apply.items() if k != "product_id"}, "product_id"),
        (b, "/loans", apply | {"product_id": other_product["id"]}, "product_id"),
        (b, "/loans", apply | {"code": "AAAA-BBBB"}, "code"),
        (b, "/loans", apply | {"amount": 1000000.5}, "amount"),
        (b, "/loans", apply | {"partners": [{"amount": "1"}]}, "partners[0].bank_id"),
        (b, "/loans", apply | {"partners": [{"bank_id": r.gp.organisation_id, "amount": "1"}]},
         "partners[0]"),
        (b, loan_url + "/decline", {}, "note"),
        (b, loan_url + "/disbursements", {"amount": "-1", "value_on": "2024-07-01"}, "amount"),
        (b, loan_url + "/disbursements", {"amount": "1", "value_on": "soon"}, "value_on"),
        (b, loan_url + "/repayments", {"principal": "1", "interest": "0"}, "value_on"),
    ]
    before = counts()
    for client, path, body, field in cases:
        if isinstance(body, str):
            response = client.post(path, data=body, content_type="text/plain")
        else:
            response = client.post(path, body)
        assert response.status_code == 422, (path, body, response.get_data(as_text=True))
        assert response.get_json()["field"] == field, (path, body, response.get_json())
        assert response.get_json()["message"]
    refused(gv.post(ts_url + "/status", {"status": "closing"}), 403)
    refused(bv.post(loan_url + "/approve"), 403)
    refused(g.get("/loan-products"), 404)  # not a bank
    assert counts() == before


def test_every_id_route_is_404_for_a_foreign_gp_and_a_foreign_bank(app: Flask) -> None:
    r = build_round()
    _, stranger = make_user(f"Other GP {next_n()}")
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    lending.approve_loan(r.bank, loan.id)
    code_id = verification.list_codes(r.gp, r.ts.id)[0].id
    warrant = loan_events.add_warrant(r.bank, loan.id, holder_name="行", coverage="0.1",
                                      window_from="2024-07-01", window_to="2027-06-30")
    _, manager = make_user(f"平台 {next_n()}", kind="platform_operator")
    pool = pools.create_pool(manager, name="池", member_bank_ids=[r.bank.organisation_id],
                             parties=[{"name": "池", "role": "pool", "share": "0.8"},
                                      {"name": "银行", "role": "bank", "share": "0.2"}])
    pools.enrol_loan(r.bank, pool.id, loan.id, "2024-07-10")
    ids = {"term_sheet_id": r.ts.id, "code_id": code_id, "product_id": r.product_id,
           "loan_id": loan.id, "pool_id": pool.id, "warrant_id": warrant.id}
    missing = dict.fromkeys(ids, 2**31 - 1)
    body = {"status": "cancelled", "reason": "x", "note": "x", "amount": "1",
            "value_on": "2024-07-01", "principal": "1", "interest": "0",
            "allocation_id": r.ts.allocations[1].id, "arrived_on": "2024-07-01",
            "evidence_ref": "x", "on": "2024-07-01", "outcome": "expired", "loan_id": loan.id}
    secrets = (r.ts.company.name, r.ts.lead_fund.name_zh, "投联贷")
    clients = {name: Client(app, actor) for name, actor in (
        ("foreign gp", stranger), ("foreign bank", r.other_bank), ("gp", r.gp),
        ("bank", r.bank), ("pool manager", manager))}
    anonymous = app.test_client()
    before, walked = counts(), 0
    for rule in app.url_map.iter_rules():
        if not is_api(app, rule.endpoint):
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        params = set(rule.arguments)
        assert params <= set(ids), f"{rule.endpoint}: no object for {params - set(ids)}"
        url = rule.build({k: ids[k] for k in params}, append_unknown=False)[1]
        for method in methods:
            assert anonymous.open(url, method=method).status_code == 401, url
        if not params:
            continue
        # the lending bank is a stranger to the term sheet, its GP a stranger to the loan
        outsiders = ["foreign gp", "foreign bank",
                     "bank" if "term_sheet_id" in params else "gp"]
        if params & {"loan_id", "warrant_id"}:
            outsiders.append("pool manager")  # manages the loan's pool, not the loan
        gone = rule.build({k: missing[k] for k in params}, append_unknown=False)[1]
        for method in methods:
            for who in outsiders:
                for target in (url, gone):
                    response = clients[who].http.open(target, method=method, json=body,
                                                      headers=clients[who].headers)
                    assert response.status_code == 404, f"{who}: {method} {target}"
                    assert response.get_json() == {"error": "not_found", "message": "Not found"}
                    assert not any(s in response.get_data(as_text=True) for s in secrets)
                    walked += 1
            # an id beyond the columns fails routing (the converter's regex) instead of
            # overflowing the driver (500) — a 404 whatever the method
            huge = rule.build(dict.fromkeys(params, 2**63), append_unknown=False)[1]
            assert clients["bank"].http.open(huge, method=method, json=body,
                                             headers=clients["bank"].headers
                                             ).status_code == 404, huge
            if method == "GET":
                owner = clients["bank" if "term_sheet_id" not in params else "gp"]
                assert owner.http.get(url, headers=owner.headers).status_code == 200, url
    assert counts() == before
    assert walked >= 60


def test_openapi_documents_every_route(app: Flask) -> None:
    """Every route of the linked-lending API blueprints is an operation of the generated
    document, and nothing more: methods, path parameters, the Idempotency-Key header
    exactly on the money-moving operations, 400 iff that header, 404 iff a path id (or a
    refusal of the caller without one), 401 everywhere, a body's 413 and 422."""
    r = build_round()
    client = Client(app, r.bank)
    assert app.test_client().get(API + "/openapi.json").status_code == 401
    response = client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = {op["operationId"]: (path, method, {**item, **op})
                  for path, item in doc["paths"].items()
                  for method, op in item.items() if method != "parameters"}
    routed: set[str] = set()
    blueprints: set[str] = set()
    for rule in app.url_map.iter_rules():
        if not is_api(app, rule.endpoint) or rule.endpoint.startswith("api."):
            continue  # the legacy blueprint's routes are not generated (yet)
        blueprints.add(rule.endpoint.partition(".")[0])
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert rule.endpoint in operations, f"{method} {path} is not documented"
            documented_path, documented_method, op = operations[rule.endpoint]
            assert (documented_path, documented_method) == (path, method.lower())
            params = op.get("parameters", []) + doc["paths"][path].get("parameters", [])
            assert {p["name"] for p in params if p["in"] == "path"} == set(rule.arguments)
            headers = {p["name"] for p in params if p["in"] == "header"}
            view = rule.endpoint.partition(".")[2]
            assert headers == ({"Idempotency-Key"} if view in MONEY_MOVING else set()), path
            codes = set(op["responses"])
            assert ("400" in codes) == bool(headers), f"{method} {path}: 400"
            assert ("404" in codes) == bool(rule.arguments or view in NOT_FOUND_WITHOUT_ID), (
                f"{method} {path}: 404")
            assert "401" in codes and codes & {"200", "201"}, path
            assert ("202" in codes) == (view in {"loan_approve", "loan_disburse", "loan_claim"})
            assert method == "GET" or {"422", "requestBody"} <= codes | set(op), path
            assert ("413" in codes) == ("requestBody" in op), path
            routed.add(rule.endpoint)
    assert {"term_sheets_api", "loans_api"} <= blueprints
    documented = {op_id for op_id in operations if op_id.partition(".")[0] in blueprints}
    assert documented == routed, f"documented but not routed: {documented - routed}"
    assert len(routed) >= 25

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [x for v in node.values() for x in refs(v)]
        return [x for v in node for x in refs(v)] if isinstance(node, list) else []

    for target in refs(doc):
        node = doc
        for part in target.removeprefix("#/").split("/"):
            assert part in node, f"dangling {target}"
            node = node[part]
    errors = doc["components"]["responses"]
    assert {"NotFound", "Conflict", "Invalid", "Unauthorized", "Forbidden"} <= set(errors)
    conforms(doc, {"$ref": "#/components/schemas/Error"},
             client.get("/loans/2147483647").get_json())
    conforms(doc, {"$ref": "#/components/schemas/Error"},
             client.post("/loans", {"amount": "1"}).get_json())
