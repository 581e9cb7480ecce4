"""Token-authenticated JSON of the investment-linked lending feature, on the ``api``
blueprint (/api/v1); described by ``GET /api/v1/openapi.json`` (see
:mod:`fundops.syndication.openapi`, which a test keeps in step with these routes).

Risk pools are in :mod:`fundops.syndication.pools.api`, credit events and warrants in
:mod:`fundops.syndication.loans.events_api` (same rules, helpers from here).

Views are thin: parse the body (:mod:`fundops.syndication.api_json`), call one service,
serialise. Amounts are exact decimal strings in yuan of the record's currency; fractions
are decimal strings (0.035 = 3.5 %); dates ISO 8601. Errors are JSON
``{"error": code, "message": text[, "field": name]}`` (:mod:`fundops.web.errors`):

- 401 ``unauthorized``: no or bad bearer token (every route, the document included);
- 403 ``forbidden``: the caller's role may not record changes;
- 404 ``not_found``: an object in the path that does not exist or belongs to another
  organisation (same body either way), an unknown or revoked code at ``verify``,
  every lending route for a caller that is not a bank, and creating a pool for one
  that does not run pools;
- 409: the service refused in the current state (approval beyond the headroom,
  ``loan_approve_beyond_headroom``; disbursement before the equity arrived,
  ``loan_disburse_equity_short``; a decided loan; enrolment beyond a pool's leverage cap,
  ``pool_leverage_no_room``), ``error`` naming the rule (a code of
  :mod:`fundops.messages.syndication`) and ``message`` its text;
- 422: a missing, unknown or malformed field, or a reference in the body
  (``company_id``, ``lead_fund_id``, ``product_id``, ``code`` when applying,
  ``loan_id`` when enrolling, ``member_bank_ids[i]``) that the caller cannot use;
  ``field`` names it.

For a route with an id, access is checked before the body is read, so another
organisation gets 404 whatever it sends; an id beyond the 32-bit columns never reaches
the database (404 ``http_error`` from routing, instead of a 500). Nothing is written when a request fails.
Money-moving POSTs (fundings, apply, approve, disbursements, repayments, write-offs,
recoveries, claims, contributions, enrolments) require an ``Idempotency-Key`` header
(:mod:`fundops.idempotency`): 400 without it, a replay of the first response for a retry,
422 for the same key with a different request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, url_for

from fundops.api.legacy import bp
from fundops.approvals.api_json import submit_json
from fundops.auth.current import current_actor
from fundops.errors import NotFound, ValidationError
from fundops.idempotency import once
from fundops.portfolio.access import get_company, get_fund, require_writer
from fundops.syndication import api_json as J
from fundops.syndication.loans import services as lending
from fundops.syndication.loans import products
from fundops.syndication.term_sheets import services as term_sheets
from fundops.syndication.term_sheets import verification
from fundops.syndication.api_json import MAX_ID
from fundops.syndication.openapi import build_document
from fundops.syndication.term_sheets.services import AllocationInput
from fundops.uow import Actor

ID = f"int(max={MAX_ID})"  # an id beyond the 32-bit columns is a routing 404, not a 500


def _reply(body: Any, status: int = 200, location: str | None = None) -> Response:
    response = jsonify(J.dump(body))
    response.status_code = status
    if location is not None:
        response.headers["Location"] = location
    return response


def _usable(lookup: Callable[[], object], field: str, code: str) -> None:
    """A reference given in the body: one the caller cannot use is a 422 on that field
    (the same message whether it does not exist or belongs to someone else)."""
    try:
        lookup()
    except NotFound:
        raise ValidationError(field, code) from None


def _term_sheet_detail(actor: Actor, term_sheet_id: int) -> dict[str, Any]:
    ts = term_sheets.get_term_sheet(actor, term_sheet_id)
    return J.term_sheet_detail_json(ts, actor, term_sheets.arrived_by_allocation(ts.id),
                                    term_sheets.list_events(ts.id))


def _loan_detail(actor: Actor, loan_id: int) -> dict[str, Any]:
    loan = lending.get_loan(actor, loan_id)
    check = lending.check_loan(actor, loan.id)
    return J.loan_json(loan) | {
        "check": J.check_json(check, lending.outstanding_principal(loan.id)),
        "schedule": [J.schedule_json(r) for r in J.list_schedule(loan.id)],
        "entries": [J.entry_json(e) for e in J.list_entries(loan.id)],
        "warrants": [J.warrant_json(w) for w in J.list_warrants(loan.id)],
    }


# --- term sheets (the GP side) -------------------------------------------------------

@bp.post("/term-sheets/verify")
def term_sheet_verify() -> Response:
    """The verified facts behind a live code; any signed-in organisation, normally a bank."""
    data = J.parse_body(J.VERIFY)
    return _reply(J.facts_json(verification.verify(current_actor(), data["code"])))


@bp.get("/term-sheets")
def term_sheet_list() -> Response:
    actor = current_actor()
    return _reply({"term_sheets": [J.term_sheet_json(ts, actor)
                                   for ts in term_sheets.list_term_sheets(actor)]})


@bp.post("/term-sheets")
def term_sheet_create() -> Response:
    actor = current_actor()
    require_writer(actor)
    data = J.parse_body(J.TERM_SHEET)
    _usable(lambda: get_fund(actor, data["lead_fund_id"], write=True), "lead_fund_id",
            "syn_not_your_fund")
    _usable(lambda: get_company(actor, data["company_id"]), "company_id",
            "syn_company_not_visible")
    co_investors = [AllocationInput(**line) for line in data.pop("co_investors", [])]
    ts = term_sheets.create_term_sheet(actor, co_investors=co_investors, **data)
    return _reply(_term_sheet_detail(actor, ts.id), 201,
                  url_for("api.term_sheet_detail", term_sheet_id=ts.id))


@bp.get(f"/term-sheets/<{ID}:term_sheet_id>")
def term_sheet_detail(term_sheet_id: int) -> Response:
    """The full record: allocations with the equity arrived, tranches, fundings, events."""
    return _reply(_term_sheet_detail(current_actor(), term_sheet_id))


@bp.post(f"/term-sheets/<{ID}:term_sheet_id>/status")
def term_sheet_status(term_sheet_id: int) -> Response:
    actor = current_actor()
    term_sheets.get_term_sheet(actor, term_sheet_id, write=True)
    data = J.parse_body(J.STATUS)
    term_sheets.change_status(actor, term_sheet_id, data["status"], data.get("reason", ""),
                              data.get("signed_on"))
    return _reply(_term_sheet_detail(actor, term_sheet_id))


@bp.post(f"/term-sheets/<{ID}:term_sheet_id>/fundings")
def term_sheet_funding(term_sheet_id: int) -> Response:
    """Equity arrived on an allocation: a fund's ledger entry (``cash_flow_id``, by the
    fund's manager) or an outside investor's payment on evidence (by the owner)."""
    actor = current_actor()
    term_sheets.get_term_sheet(actor, term_sheet_id)
    return once(actor, lambda: _funding(actor, term_sheet_id))


def _funding(actor: Actor, term_sheet_id: int) -> Response:
    data = J.parse_body(J.FUNDING)
    evidence = [k for k in J.EVIDENCE_FIELDS if k in data]
    if "cash_flow_id" in data:
        if evidence:
            raise ValidationError(evidence[0], "syn_funding_either")
        funding = term_sheets.link_investment(actor, term_sheet_id, data["allocation_id"],
                                              data["cash_flow_id"])
    else:
        missing = [k for k in J.EVIDENCE_FIELDS if k not in data]
        if missing:
            raise ValidationError(missing[0], "syn_funding_evidence_required")
        funding = term_sheets.record_outside_funding(
            actor, term_sheet_id, data["allocation_id"], amount=data["amount"],
            arrived_on=data["arrived_on"], evidence_ref=data["evidence_ref"])
    status = term_sheets.get_term_sheet(actor, term_sheet_id).status.value
    return _reply(J.funding_json(funding) | {"term_sheet_status": status}, 201)


@bp.get(f"/term-sheets/<{ID}:term_sheet_id>/codes")
def code_list(term_sheet_id: int) -> Response:
    """The term sheet's codes by hint (the owner's writers); the code text is never shown again."""
    codes = verification.list_codes(current_actor(), term_sheet_id)
    return _reply({"codes": [J.code_json(c) for c in codes]})


@bp.post(f"/term-sheets/<{ID}:term_sheet_id>/codes")
def code_issue(term_sheet_id: int) -> Response:
    """A new verification code; its text is in this response only (not cacheable)."""
    actor = current_actor()
    term_sheets.get_term_sheet(actor, term_sheet_id, write=True)
    J.parse_body(J.NO_FIELDS)
    code, text = verification.issue_code(actor, term_sheet_id)
    response = _reply(J.code_json(code) | {"code": text}, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(f"/term-sheets/<{ID}:term_sheet_id>/codes/<{ID}:code_id>/revoke")
def code_revoke(term_sheet_id: int, code_id: int) -> Response:
    actor = current_actor()
    term_sheets.get_term_sheet(actor, term_sheet_id, write=True)
    data = J.parse_body(J.REVOKE)
    code = verification.revoke_code(actor, term_sheet_id, code_id, data.get("reason", ""))
    return _reply(J.code_json(code))


# --- bank products ---------------------------------------------------------------------

@bp.get("/loan-products")
def product_list() -> Response:
    return _reply({"products": [J.product_json(p)
                                for p in products.list_products(current_actor())]})


@bp.post("/loan-products")
def product_create() -> Response:
    actor = current_actor()
    lending.require_bank(actor)
    require_writer(actor)
    product = products.create_product(actor, **J.parse_body(J.PRODUCT))
    return _reply(J.product_json(product), 201,
                  url_for("api.product_detail", product_id=product.id))


@bp.get(f"/loan-products/<{ID}:product_id>")
def product_detail(product_id: int) -> Response:
    return _reply(J.product_json(lending.get_product(current_actor(), product_id)))


# --- loans (the bank side) -------------------------------------------------------------

@bp.post("/loans")
def loan_apply() -> Response:
    """Apply under one of the caller's products on the round behind ``code``; a joint
    loan lists the partner banks' shares, the caller's share is the rest."""
    actor = current_actor()
    lending.require_bank(actor)
    require_writer(actor)
    return once(actor, lambda: _apply(actor))


def _apply(actor: Actor) -> Response:
    data = J.parse_body(J.APPLY)
    _usable(lambda: lending.get_product(actor, data["product_id"]), "product_id",
            "syn_not_your_product")
    _usable(lambda: verification.term_sheet_for_code(data["code"]), "code",
            "syn_code_unknown")
    partners = [(p["bank_id"], p["amount"]) for p in data.pop("partners", [])]
    loan = lending.apply_for_loan(actor, partners=partners, **data)
    return _reply(J.loan_json(lending.get_loan(actor, loan.id)), 201,
                  url_for("api.loan_detail", loan_id=loan.id))


@bp.get("/loans")
def loan_list() -> Response:
    """Loans the caller's bank leads or shares in, newest first (empty for non-banks)."""
    return _reply({"loans": [J.loan_json(x) for x in lending.list_loans(current_actor())]})


@bp.get(f"/loans/<{ID}:loan_id>")
def loan_detail(loan_id: int) -> Response:
    """The loan, its shares, the check as of now, the stored schedule and the entries."""
    return _reply(_loan_detail(current_actor(), loan_id))


@bp.post(f"/loans/<{ID}:loan_id>/approve")
def loan_approve(loan_id: int) -> Response:
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)

    def approve() -> Response:
        return submit_json(actor, "loan_approval", {"loan_id": loan_id}, J.parse_body(J.APPROVE),
                           lambda _loan: _reply(_loan_detail(actor, loan_id)))

    return once(actor, approve)


@bp.post(f"/loans/<{ID}:loan_id>/decline")
def loan_decline(loan_id: int) -> Response:
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)
    data = J.parse_body(J.DECLINE)
    lending.decline_loan(actor, loan_id, data["note"])
    return _reply(_loan_detail(actor, loan_id))


@bp.post(f"/loans/<{ID}:loan_id>/disbursements")
def loan_disburse(loan_id: int) -> Response:
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)

    def disburse() -> Response:
        return submit_json(actor, "loan_disbursement", {"loan_id": loan_id},
                           J.parse_body(J.DISBURSE),
                           lambda entry: _reply(J.entry_json(entry) | _balances(actor, loan_id), 201))

    return once(actor, disburse)


@bp.post(f"/loans/<{ID}:loan_id>/repayments")
def loan_repay(loan_id: int) -> Response:
    actor = current_actor()
    lending.get_loan(actor, loan_id, write=True)

    def repay() -> Response:
        entries = lending.record_repayment(actor, loan_id, **J.parse_body(J.REPAY))
        return _reply({"entries": [J.entry_json(e) for e in entries]}
                      | _balances(actor, loan_id), 201)

    return once(actor, repay)


def _balances(actor: Actor, loan_id: int) -> dict[str, Any]:
    loan = lending.get_loan(actor, loan_id)
    return {"loan_status": loan.status.value, "drawn": lending.drawn_amount(loan.id),
            "outstanding": lending.outstanding_principal(loan.id)}


# --- the contract --------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 document of these routes. It sits behind the bearer token like
    every /api/v1 route: banks receive the contract with their token, and keeping the
    one authenticator of the blueprint beats a public exception."""
    return jsonify(build_document())


# Risk pools and credit events live beside this module and share its helpers; importing
# them here registers their routes with the blueprint (document each one in openapi.py,
# or test_openapi_documents_every_route fails).
from fundops.syndication.loans import events_api as _events_api  # noqa: F401
from fundops.syndication.pools import api as _pool_api  # noqa: F401
