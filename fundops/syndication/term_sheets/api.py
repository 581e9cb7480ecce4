"""Term-sheet routes of the JSON API (the GP side, and a bank's verification of a code):
term sheets, their status, the equity arrived on each allocation, verification codes.

Thin: check access (before the body is read, so another organisation gets 404 whatever
it sends), parse with :mod:`.schemas`, call one service, return what the response schema
serialises. Amounts are exact decimal strings in yuan of the round's currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.portfolio.access import get_company, get_fund, require_writer
from fundops.syndication import queries
from fundops.syndication.api_support import Seen, usable
from fundops.syndication.term_sheets import fundings, verification
from fundops.syndication.term_sheets import schemas as S
from fundops.syndication.term_sheets import services as term_sheets
from fundops.syndication.term_sheets.models import TermSheet
from fundops.syndication.term_sheets.services import AllocationInput
from fundops.uow import Actor

bp = Blueprint("term_sheets_api", __name__,
               description="Term sheets, the equity arrived on them, verification codes")

ZERO = Decimal("0.00")
TERM_SHEET = f"/term-sheets/<{ID}:term_sheet_id>"


def _seen(ts: TermSheet, who: Actor, **extra: Any) -> Seen:
    return Seen(ts, is_owner=ts.organisation_id == who.organisation_id, **extra)


def _detail(who: Actor, term_sheet_id: int) -> Seen:
    """The full record as the caller sees it; ``arrived_amount`` per allocation (yuan)."""
    ts = term_sheets.get_term_sheet(who, term_sheet_id)
    arrived = fundings.arrived_by_allocation(ts.id)
    return _seen(ts, who, equity_arrived=sum(arrived.values(), ZERO),
                 allocations=[Seen(a, arrived_amount=arrived.get(a.id, ZERO))
                              for a in ts.allocations],
                 fundings=queries.list_fundings(ts.id, as_recorded=True),
                 events=term_sheets.list_events(ts.id))


def _writable(who: Actor, term_sheet_id: int) -> None:
    term_sheets.get_term_sheet(who, term_sheet_id, write=True)


@bp.route("/term-sheets/verify", methods=["POST"])
@bp.doc(responses={"404": "NotFound"})
@bp.arguments(S.VerifyIn)
@bp.response(200, S.VerifiedFactsOut)
def term_sheet_verify(data: dict[str, Any]) -> Any:
    """The verified facts behind a live code (404 for an unknown or revoked one); any
    signed-in organisation, normally a bank. Each look-up is audited."""
    return verification.verify(actor(), data["code"])


@bp.route("/term-sheets")
@bp.response(200, S.TermSheetListOut)
def term_sheet_list() -> Any:
    """Term sheets the caller owns or whose syndicate has one of its funds, newest first."""
    who = actor()
    return {"term_sheets": [_seen(ts, who) for ts in term_sheets.list_term_sheets(who)]}


@bp.route("/term-sheets", methods=["POST"])
@guard(require_writer)
@bp.arguments(S.TermSheetIn)
@bp.response(201, S.TermSheetDetailOut)
def term_sheet_create(data: dict[str, Any]) -> Any:
    """A draft term sheet led by one of the caller's funds, with its syndicate and tranches."""
    who = actor()
    usable(lambda: get_fund(who, data["lead_fund_id"], write=True), "lead_fund_id",
           "syn_not_your_fund")
    usable(lambda: get_company(who, data["company_id"]), "company_id", "syn_company_not_visible")
    co_investors = [AllocationInput(**line) for line in data.pop("co_investors", [])]
    ts = term_sheets.create_term_sheet(who, co_investors=co_investors, **data)
    return _detail(who, ts.id), 201, {
        "Location": url_for("term_sheets_api.term_sheet_detail", term_sheet_id=ts.id)}


@bp.route(TERM_SHEET)
@bp.response(200, S.TermSheetDetailOut)
def term_sheet_detail(term_sheet_id: int) -> Any:
    """The full record: allocations with the equity arrived, tranches, fundings, events."""
    return _detail(actor(), term_sheet_id)


@bp.route(f"{TERM_SHEET}/status", methods=["POST"])
@guard(_writable)
@bp.arguments(S.TermSheetStatusIn)
@bp.response(200, S.TermSheetDetailOut)
def term_sheet_status(data: dict[str, Any], term_sheet_id: int) -> Any:
    """Move the term sheet along its workflow (the owner's writers)."""
    who = actor()
    term_sheets.change_status(who, term_sheet_id, data["status"], data.get("reason", ""),
                              data.get("signed_on"))
    return _detail(who, term_sheet_id)


@bp.route(f"{TERM_SHEET}/fundings", methods=["POST"])
@guard(term_sheets.get_term_sheet)
@idempotent
@bp.arguments(S.FundingIn)
@bp.response(201, S.FundingRecordedOut)
def term_sheet_funding(data: dict[str, Any], term_sheet_id: int) -> Any:
    """Equity arrived on an allocation: a fund's ledger entry (``cash_flow_id``, by the
    fund's manager) or an outside investor's payment on evidence (by the owner)."""
    who = actor()
    if "cash_flow_id" in data:
        funding = fundings.link_investment(who, term_sheet_id, data["allocation_id"],
                                              data["cash_flow_id"])
    else:
        funding = fundings.record_outside_funding(
            who, term_sheet_id, data["allocation_id"], amount=data["amount"],
            arrived_on=data["arrived_on"], evidence_ref=data["evidence_ref"])
    status = term_sheets.get_term_sheet(who, term_sheet_id).status
    return Seen(funding, term_sheet_status=status)


@bp.route(f"{TERM_SHEET}/codes")
@bp.response(200, S.CodeListOut)
def code_list(term_sheet_id: int) -> Any:
    """The term sheet's codes by hint (its owner); the code text is never shown again."""
    return {"codes": verification.list_codes(actor(), term_sheet_id)}


@bp.route(f"{TERM_SHEET}/codes", methods=["POST"])
@guard(_writable)
@bp.arguments(S.CodeIssueIn, required=False)
@bp.response(201, S.IssuedCodeOut)
def code_issue(data: dict[str, Any], term_sheet_id: int) -> Any:
    """A new verification code; its text is in this response only (not cacheable)."""
    code, text = verification.issue_code(actor(), term_sheet_id)
    return Seen(code, code=text), 201, {"Cache-Control": "no-store"}


@bp.route(f"{TERM_SHEET}/codes/<{ID}:code_id>/revoke", methods=["POST"])
@guard(lambda who, term_sheet_id, code_id: _writable(who, term_sheet_id))
@bp.arguments(S.CodeRevokeIn, required=False)
@bp.response(200, S.CodeOut)
def code_revoke(data: dict[str, Any], term_sheet_id: int, code_id: int) -> Any:
    """Revoke a code; banks that applied with it keep their applications."""
    return verification.revoke_code(actor(), term_sheet_id, code_id, data.get("reason", ""))
