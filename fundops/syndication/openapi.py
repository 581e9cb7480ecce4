"""OpenAPI 3.1 document of the linked-loans API (served at ``GET /api/v1/openapi.json``).

Written by hand as a dict, no generator: request bodies are rendered from the very field
lists the views validate with (:mod:`fundops.syndication.api_json`,
:mod:`fundops.syndication.pools.api_json`), responses are spelled out below. Tests check
that every route of :mod:`fundops.syndication.api` and its companions (``pool_api``,
``events_api``) is here with its methods and that real responses have exactly the
documented keys.
Amounts are decimal strings in yuan (2 places); fractions are decimal strings.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from fundops.syndication import api_json as J
from fundops.syndication.pools import api_json as P
from fundops.syndication.api_json import MAX_ID, Field
from fundops.syndication.enums import (
    Collateral,
    EquityRule,
    FundingSource,
    LoanEntryKind,
    LoanStatus,
    RateType,
    RepaymentType,
    TermSheetStatus,
)

DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
Schema = dict[str, Any]


def _nullable(schema: Schema) -> Schema:
    out = dict(schema)
    out["type"] = [*([schema["type"]] if isinstance(schema["type"], str) else schema["type"]),
                   "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


S: Schema = {"type": "string"}
I: Schema = {"type": "integer"}
B: Schema = {"type": "boolean"}
A: Schema = {"type": "string", "pattern": DECIMAL, "description": "yuan, exact, 2 places"}
R: Schema = {"type": "string", "pattern": DECIMAL, "description": "fraction, 0.035 = 3.5 %"}
D: Schema = {"type": "string", "format": "date"}
T: Schema = {"type": "string", "format": "date-time"}


def E(enum_cls: type[Any]) -> Schema:
    return {"type": "string", "enum": [m.value for m in enum_cls]}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(props: Mapping[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """An object with exactly ``props``; all present in responses except ``optional``."""
    return {"type": "object", "additionalProperties": False, "properties": dict(props),
            "required": [k for k in props if k not in optional]}


# --- requests, from the views' own field lists ------------------------------------------

def _field(f: Field) -> Schema:
    if f.kind == "list":
        assert f.items is not None
        schema: Schema = arr(request_schema(f.items))
    elif f.kind == "ids":
        schema = arr({"type": "integer", "minimum": 1, "maximum": MAX_ID})
    else:
        schema = dict({"id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                       "int": I, "text": S, "enum": {"type": "string", "enum": list(f.values)},
                       "amount": {"type": ["string", "integer"], "pattern": DECIMAL},
                       "rate": {"type": ["string", "integer"], "pattern": DECIMAL},
                       "date": D, "bool": B}[f.kind])
    if f.doc:
        schema["description"] = f.doc
    return schema if f.required else _nullable(schema)


def request_schema(spec: Mapping[str, Field]) -> Schema:
    return {"type": "object", "additionalProperties": False,
            "properties": {k: _field(f) for k, f in spec.items()},
            "required": [k for k, f in spec.items() if f.required]}


# --- responses ----------------------------------------------------------------------------

TERM_SHEET = {
    "id": I, "is_owner": B, "company_id": I, "company_name": S, "lead_fund_id": I,
    "lead_fund_name": S, "round_name": S, "instrument": S, "currency": S, "round_size": A,
    "pre_money": A, "post_money": A, "price_per_share": _nullable(A),
    "ownership_rate": _nullable(R), "liquidation_preference": _nullable(R),
    "redemption_rate": _nullable(R), "use_of_proceeds": S, "is_binding": B,
    "signed_on": _nullable(D), "long_stop_on": D, "expected_funding_on": _nullable(D),
    "status": E(TermSheetStatus), "reserved_amount": A, "created_at": T,
}
FUNDING = {"id": I, "allocation_id": I, "source": E(FundingSource), "cash_flow_id": _nullable(I),
           "evidence_ref": S, "arrived_on": D, "amount": A, "currency": S, "recorded_at": T}
CODE = {"id": I, "term_sheet_id": I, "hint": S, "created_at": T, "revoked_at": _nullable(T)}
LOAN = {
    "id": I, "term_sheet_id": I, "product_id": I, "lead_bank_id": I, "company_id": I,
    "currency": S, "requested_amount": A, "reserved_amount": A, "annual_rate": _nullable(R),
    "first_due_on": _nullable(D), "status": E(LoanStatus), "flag": S, "applied_at": T,
    "decided_at": _nullable(T), "decision_note": S,
    "shares": arr(obj({"bank_id": I, "is_lead": B, "amount": A})),
}
ENTRY = {"id": I, "kind": E(LoanEntryKind), "value_on": D, "amount": A, "currency": S,
         "memo": S, "reverses_id": _nullable(I), "recorded_at": T}
BALANCES = {"loan_status": E(LoanStatus), "drawn": A, "outstanding": A}
WARRANT = {"id": I, "loan_id": I, "holder_name": S, "coverage": R, "amount": A,
           "exercise_price": _nullable({"type": "string", "pattern": DECIMAL,
                                        "description": "per share, 4 places"}),
           "window_from": D, "window_to": D,
           "status": {"type": "string", "enum": ["open", "exercised", "expired"]},
           "closed_on": _nullable(D)}
POOL = {"id": I, "name": S, "currency": S, "is_manager": B, "leverage_k": _nullable(R),
        "cap_per_loan": _nullable(A), "cap_per_company": _nullable(A),
        "cap_per_year": _nullable(A), "enrolled_amount": A, "source": S, "created_at": T}
CLAIM = {"id": I, "pool_id": I, "loan_id": I, "company_id": I, "claimed_on": D,
         "principal_outstanding": A, "recoveries": A, "loss": A, "pool_paid": A,
         "binding": {"type": "string", "description": "the limit that cut the pool's part: "
                     "balance, per_loan, per_company, per_year, party_cap; empty if none"},
         "recorded_at": T,
         "shares": arr(obj({"party": S, "role": S, "pro_rata": A, "borne": A,
                            "returned": {**A, "description": "handed back by recoveries"}}))}

SCHEMAS: dict[str, Schema] = {
    "Error": obj({"error": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": (
                      "a stable code; each error response lists its codes in "
                      "x-error-codes (a 422 may also carry a field's own code)")},
                  "message": S, "field": {"type": "string", "description": "422 only"}},
                 optional=("field",)),
    "TermSheet": obj(TERM_SHEET),
    "TermSheetList": obj({"term_sheets": arr(ref("TermSheet"))}),
    "TermSheetDetail": obj(TERM_SHEET | {
        "equity_arrived": A,
        "allocations": arr(obj({"id": I, "fund_id": _nullable(I), "investor_name": S,
                                "is_lead": B, "amount": A, "currency": S,
                                "arrived_amount": A})),
        "tranches": arr(obj({"seq": I, "amount": A, "expected_on": _nullable(D),
                             "condition": S})),
        "fundings": arr(ref("Funding")),
        "events": arr(obj({"id": I, "from_status": _nullable(E(TermSheetStatus)),
                           "to_status": E(TermSheetStatus), "reason": S, "at": T,
                           "by_user_id": _nullable(I)})),
    }),
    "Funding": obj(FUNDING),
    "FundingRecorded": obj(FUNDING | {"term_sheet_status": E(TermSheetStatus)}),
    "Code": obj(CODE),
    "CodeList": obj({"codes": arr(ref("Code"))}),
    "IssuedCode": obj(CODE | {"code": {"type": "string",
                                       "description": "shown this once; only a hash is kept"}}),
    "VerifiedFacts": obj({
        "term_sheet_id": I, "status": E(TermSheetStatus), "company_name": S, "company_uscc": S,
        "round_name": S, "instrument": S, "currency": S, "round_size": A, "pre_money": A,
        "post_money": A, "price_per_share": _nullable(A), "is_binding": B,
        "signed_on": _nullable(D), "long_stop_on": D, "lead_fund_name": S,
        "lead_fund_registration_no": _nullable(S), "lead_manager": S, "lead_allocation": A,
        "lead_arrived": A, "lead_uncalled": A, "lead_can_pay": B, "allocated": A,
        "equity_arrived": A, "reserved_by_banks": A,
        "tranches": arr(obj({"seq": I, "amount": A, "expected_on": _nullable(D)})),
    }),
    "Product": obj({
        "id": I, "name": S, "currency": S, "alpha": R, "beta": R, "cap_amount": A,
        "required_status": E(TermSheetStatus), "equity_rule": E(EquityRule),
        "required_share": R, "tenor_months": I, "rate_type": E(RateType),
        "fixed_rate": _nullable(R), "spread": _nullable(R), "repayment_type": E(RepaymentType),
        "subsidy_share": R, "subsidy_max_rate": _nullable(R),
        "subsidy_annual_cap": _nullable(A), "warrant_coverage": R, "collateral": E(Collateral),
        "risk_scheme": S, "active": B, "created_at": T,
    }),
    "ProductList": obj({"products": arr(ref("Product"))}),
    "Loan": obj(LOAN),
    "LoanList": obj({"loans": arr(ref("Loan"))}),
    "LoanCheck": obj({
        "facts": ref("VerifiedFacts"),
        "headroom": obj({"product_cap": A, "equity_limit": A, "valuation_limit": A, "limit": A,
                         "binding": {"type": "string",
                                     "enum": ["product_cap", "equity_arrived", "post_money"]},
                         "reserved": A, "headroom": A}),
        "equity": obj({"allowed": A, "met": B, "arrived_share": R, "counted": A,
                       "reason": _nullable(S)}),
        "other_reservations": arr(A), "status_ok": B, "status_reason": _nullable(S),
        "drawn": A, "outstanding": A,
    }),
    "LoanDetail": obj(LOAN | {
        "check": ref("LoanCheck"),
        "schedule": arr(obj({"period": I, "due_on": D, "opening_balance": A, "principal": A,
                             "interest": A, "subsidy": A, "closing_balance": A})),
        "entries": arr(ref("LoanEntry")),
        "warrants": arr(ref("Warrant")),
    }),
    "LoanEntry": obj(ENTRY),
    "Disbursement": obj(ENTRY | BALANCES),
    "Repayment": obj({"entries": arr(ref("LoanEntry"))} | BALANCES),
    "LoanEvent": obj(ENTRY | BALANCES),
    "Recovery": obj(ENTRY | BALANCES | {"shared": arr(obj({"party": S, "amount": A}))}),
    "Warrant": obj(WARRANT),
    "Pool": obj(POOL),
    "PoolList": obj({"pools": arr(ref("Pool"))}),
    "PoolDetail": obj(POOL | {
        "parties": arr(obj({"seq": I, "name": S, "role": S, "share": R, "cap": _nullable(A)})),
        "contributions": arr(obj({"funder": S, "amount": A})), "contributed": A,
        "claims_paid": A, "recoveries_back": A, "balance": A, "enrolled_loans": I,
        "leverage_limit": _nullable(A), "leverage_headroom": _nullable(A), "claim_count": I,
        "claims": arr(ref("Claim")),
        "member_bank_ids": {**arr(I), "description": "to the pool's manager only"},
    }, optional=("member_bank_ids",)),
    "Claim": obj(CLAIM),
    "Contribution": obj({"id": I, "pool_id": I, "funder": S, "amount": A, "contributed_on": D,
                         "recorded_at": T, "balance": A}),
    "Enrolment": obj({"id": I, "pool_id": I, "loan_id": I, "amount": A, "enrolled_on": D,
                      "pool_enrolled_amount": A, "leverage_headroom": _nullable(A)}),
    "OpenApiDocument": {"type": "object"},
    "ApprovalItem": obj({
        "id": I, "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
        "action": S, "amount": A, "currency": S, "fund_id": _nullable(I), "object_type": S,
        "object_id": _nullable(I), "payload": {"type": "object"}, "maker_id": I,
        "submitted_at": T, "checker_id": _nullable(I), "decided_at": _nullable(T),
        "decision_reason": S, "confirm_reason": S,
        "warnings": arr(obj({"code": S, "message": S})),
        "result_type": _nullable(S), "result_id": _nullable(I)}),
}

ERRORS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "400": ("BadRequest", "the Idempotency-Key header is missing or malformed",
            ("idempotency_key_required", "bad_idempotency_key")),
    "401": ("Unauthorized", "no, invalid or expired bearer token", ("unauthorized",)),
    "403": ("Forbidden", "the caller's role may not record changes", ("forbidden",)),
    "404": ("NotFound", "no such object for the caller (another organisation's is the same)",
            ("not_found",)),
    "409": ("Conflict", "refused in the current state; ``message`` says why",
            ("conflict", "duplicate", "confirmation_required")),
    "413": ("TooLarge", "the body is larger than the JSON limit (2 MB) or the request limit",
            ("json_body_too_large", "body_too_large")),
    "422": ("Invalid", ("a field is missing, unknown or invalid (a NUL character, an unpaired "
                        "surrogate, text that is not UTF-8, JSON nested more than 64 deep), or "
                        "the Idempotency-Key was used for a different request; ``field`` names "
                        "it"),
            ("invalid", "text_nul", "text_surrogate", "text_not_utf8", "json_too_deep")),
}
"""Error answers: status → (component name, description, the generic ``error`` codes)."""


IDEMPOTENT = {"term_sheet_funding", "loan_apply", "loan_approve", "loan_disburse",
              "loan_repay", "loan_write_off", "loan_recovery", "loan_claim", "pool_contribution",
              "pool_enrolment"}
"""Money-moving operations: they require the Idempotency-Key header (400 without it)."""

HELD = {"loan_approve", "loan_disburse", "loan_claim"}
"""Operations an approval policy of the caller's organisation may hold for a checker: they
answer 202 with the pending item (fundops.approvals; ``GET /approvals/{id}``)."""

IDEMPOTENCY_HEADER: Schema = {
    "name": "Idempotency-Key", "in": "header", "required": True,
    "description": ("a unique value per operation (≤ 255 printable characters); the same key "
                    "with the same request replays the first response (Idempotent-Replayed: "
                    "true), with a different request it is a 422"),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255}}


def _op(op_id: str, summary: str, result: str, *, status: str = "200",
        body: Mapping[str, Field] | None = None, ids: tuple[str, ...] = (), errors: str = "",
        tag: str) -> Schema:
    """One operation, its ``operationId`` the view's name (the endpoint without ``api.``);
    ``errors`` lists the statuses besides 401 (``404`` for path ids, ``413`` and ``422`` for
    bodies and ``400`` for idempotent operations are added), e.g. ``"403 409"``."""
    codes = {"401", *errors.split()} | ({"404"} if ids else set()) | (
        {"413", "422"} if body is not None else set())
    codes |= {"400"} if op_id in IDEMPOTENT else set()
    op: Schema = {
        "summary": summary, "tags": [tag], "operationId": op_id,
        "parameters": [{"name": n, "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}} for n in ids]
        + ([IDEMPOTENCY_HEADER] if op_id in IDEMPOTENT else []),
        "responses": {status: {"description": "OK", "content": {"application/json": {
            "schema": ref(result)}}}} | {
            code: {"$ref": f"#/components/responses/{ERRORS[code][0]}"} for code in sorted(codes)},
    }
    if op_id in HELD:
        op["responses"]["202"] = {
            "description": "held for approval: nothing posted until a checker approves",
            "content": {"application/json": {"schema": ref("ApprovalItem")}}}
    if body is not None:
        op["requestBody"] = {"required": any(f.required for f in body.values()), "content": {
            "application/json": {"schema": request_schema(body)}}}
    return op


TS, CODES, BANK, LOANS = "term sheets", "verification codes", "loan products", "loans"
EVENTS, WARRANTS, POOLS = "credit events", "warrants", "risk pools"
TS_ID, LOAN_ID, POOL_ID = ("term_sheet_id",), ("loan_id",), ("pool_id",)


def _paths() -> dict[str, Schema]:
    return {
        "/term-sheets/verify": {"post": _op(
            "term_sheet_verify", "verify a code", "VerifiedFacts", body=J.VERIFY, errors="404", tag=TS)},
        "/term-sheets": {
            "get": _op("term_sheet_list", "list term sheets", "TermSheetList", tag=TS),
            "post": _op("term_sheet_create", "create a term sheet", "TermSheetDetail", status="201",
                        body=J.TERM_SHEET, errors="403", tag=TS)},
        "/term-sheets/{term_sheet_id}": {"get": _op(
            "term_sheet_detail", "get a term sheet", "TermSheetDetail", ids=TS_ID, tag=TS)},
        "/term-sheets/{term_sheet_id}/status": {"post": _op(
            "term_sheet_status", "change the status", "TermSheetDetail", ids=TS_ID, body=J.STATUS, errors="403",
            tag=TS)},
        "/term-sheets/{term_sheet_id}/fundings": {"post": _op(
            "term_sheet_funding", "record equity arrived", "FundingRecorded", status="201", ids=TS_ID,
            body=J.FUNDING, errors="403", tag=TS)},
        "/term-sheets/{term_sheet_id}/codes": {
            "get": _op("code_list", "list codes", "CodeList", ids=TS_ID, errors="403", tag=CODES),
            "post": _op("code_issue", "issue a code", "IssuedCode", status="201", ids=TS_ID,
                        body=J.NO_FIELDS, errors="403", tag=CODES)},
        "/term-sheets/{term_sheet_id}/codes/{code_id}/revoke": {"post": _op(
            "code_revoke", "revoke a code", "Code", ids=(*TS_ID, "code_id"), body=J.REVOKE, errors="403",
            tag=CODES)},
        "/loan-products": {
            "get": _op("product_list", "list products", "ProductList", errors="404", tag=BANK),
            "post": _op("product_create", "create a product", "Product", status="201", body=J.PRODUCT,
                        errors="403 404", tag=BANK)},
        "/loan-products/{product_id}": {"get": _op(
            "product_detail", "get a product", "Product", ids=("product_id",), tag=BANK)},
        "/loans": {
            "get": _op("loan_list", "list loans", "LoanList", tag=LOANS),
            "post": _op("loan_apply", "apply for a loan", "Loan", status="201", body=J.APPLY,
                        errors="403 404", tag=LOANS)},
        "/loans/{loan_id}": {"get": _op("loan_detail", "get a loan", "LoanDetail", ids=LOAN_ID, tag=LOANS)},
        "/loans/{loan_id}/approve": {"post": _op(
            "loan_approve", "approve", "LoanDetail", ids=LOAN_ID, body=J.APPROVE, errors="403 409", tag=LOANS)},
        "/loans/{loan_id}/decline": {"post": _op(
            "loan_decline", "decline", "LoanDetail", ids=LOAN_ID, body=J.DECLINE, errors="403 409", tag=LOANS)},
        "/loans/{loan_id}/disbursements": {"post": _op(
            "loan_disburse", "disburse", "Disbursement", status="201", ids=LOAN_ID, body=J.DISBURSE,
            errors="403 409", tag=LOANS)},
        "/loans/{loan_id}/repayments": {"post": _op(
            "loan_repay", "record a repayment", "Repayment", status="201", ids=LOAN_ID, body=J.REPAY,
            errors="403 409", tag=LOANS)},
        "/openapi.json": {"get": _op("openapi_document", "this document", "OpenApiDocument", tag="contract")},
        **_event_paths(), **_pool_paths(),
    }


def _event_paths() -> dict[str, Schema]:
    def event(op_id: str, summary: str, body: Mapping[str, Field], result: str = "LoanEvent",
              tag: str = EVENTS) -> Schema:
        return {"post": _op(op_id, summary, result, status="201", ids=LOAN_ID, body=body,
                            errors="403 409", tag=tag)}

    return {
        "/loans/{loan_id}/overdue": event("loan_overdue", "record an amount overdue", J.OVERDUE),
        "/loans/{loan_id}/default": event("loan_default", "declare a default", J.DEFAULT),
        "/loans/{loan_id}/write-offs": event("loan_write_off", "write principal off",
                                             J.WRITE_OFF),
        "/loans/{loan_id}/recoveries": event("loan_recovery", "record a recovery", J.RECOVERY,
                                             "Recovery"),
        "/loans/{loan_id}/warrants": event("loan_warrant", "add a warrant", J.WARRANT, "Warrant",
                                           WARRANTS),
        "/warrants/{warrant_id}/close": {"post": _op(
            "warrant_close", "record exercise or expiry", "Warrant", ids=("warrant_id",),
            body=J.CLOSE_WARRANT, errors="403 409", tag=WARRANTS)},
    }


def _pool_paths() -> dict[str, Schema]:
    return {
        "/pools": {
            "get": _op("pool_list", "list the caller's pools", "PoolList", tag=POOLS),
            "post": _op("pool_create", "set up a pool (managers only)", "PoolDetail", status="201",
                        body=P.POOL, errors="403 404", tag=POOLS)},
        "/pools/{pool_id}": {"get": _op(
            "pool_detail", "the pool, its position and claims", "PoolDetail", ids=POOL_ID,
            tag=POOLS)},
        "/pools/{pool_id}/contributions": {"post": _op(
            "pool_contribution", "record money paid in", "Contribution", status="201",
            ids=POOL_ID, body=P.CONTRIBUTION, errors="403", tag=POOLS)},
        "/pools/{pool_id}/enrolments": {"post": _op(
            "pool_enrolment", "enrol a loan", "Enrolment", status="201", ids=POOL_ID,
            body=P.ENROLMENT, errors="403 409", tag=POOLS)},
        "/loans/{loan_id}/claims": {"post": _op(
            "loan_claim", "claim on the pool after a default", "Claim", status="201",
            ids=LOAN_ID, body=P.CLAIM, errors="403 409", tag=POOLS)},
    }


def build_document() -> Schema:
    """The whole document, built afresh (callers may keep or change it)."""
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "fundops investment-linked loans (投联贷) and risk pools API", "version": "1",
                 "description": (
                     "Amounts are exact decimal strings in yuan of the record's currency; "
                     "send them as strings (integers are accepted, numbers with a fraction "
                     "are refused as binary floats). Fractions are decimal strings "
                     "(0.035 = 3.5 %). Dates are YYYY-MM-DD, timestamps ISO 8601 UTC. "
                     "Unknown body fields are refused. Another organisation's object is a "
                     "404, exactly like one that does not exist. Money-moving POSTs require "
                     "an Idempotency-Key header: a retry with the same key and request "
                     "replays the first response instead of acting twice.")},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "tags": [{"name": t} for t in (TS, CODES, BANK, LOANS, EVENTS, WARRANTS, POOLS,
                                        "contract")],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "an API token issued to a user (`flask create-token`)"}},
            "schemas": SCHEMAS,
            "responses": {name: {"description": text, "x-error-codes": list(codes),
                                 "content": {"application/json": {"schema": ref("Error")}}}
                          for name, text, codes in ERRORS.values()},
        },
    })
