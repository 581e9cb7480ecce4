"""Management-fee routes of the JSON API.

- ``GET  /funds/<fund_id>/fees/terms`` — the terms in force today and every version
- ``PUT  /funds/<fund_id>/fees/terms`` — record a new version (append-only)
- ``GET  /funds/<fund_id>/fees/drafts`` — the drafts (live, posted, discarded), with lines
- ``POST /funds/<fund_id>/fees/drafts`` — prepare a period's draft
- ``GET  /funds/<fund_id>/fees/drafts/<draft_id>`` — one draft
- ``POST /funds/<fund_id>/fees/drafts/<draft_id>/post`` — post it to the ledger
- ``POST /funds/<fund_id>/fees/drafts/<draft_id>/discard`` — discard it

The managing organisation only (another's fund or an LP's view: 404); writes require a
writer role and ``Idempotency-Key``. Rules: :mod:`fundops.reports.fees.services`.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.clock import business_today
from fundops.exits.transfers import managed_fund
from fundops.reports.fees import schemas as S
from fundops.reports.fees import services
from fundops.reports.fees.out import draft_out, terms_out
from fundops.reports.fees.queries import get_draft, list_drafts, terms_history, terms_on
from fundops.uow import Actor

bp = Blueprint("reports_fees_api", __name__,
               description="Management fees: terms, drafts of each period's fee call, posting")

FUND = f"/funds/<{ID}:fund_id>/fees"


def writable(who: Actor, fund_id: int, **_ids: Any) -> None:
    managed_fund(who, fund_id, write=True)


def writable_draft(who: Actor, fund_id: int, draft_id: int) -> None:
    managed_fund(who, fund_id, write=True)
    get_draft(fund_id, draft_id)


@bp.route(f"{FUND}/terms")
@bp.response(200, S.FeeTermsListOut)
def terms_get(fund_id: int) -> Any:
    """The fee terms in force today (null: none) and every version, newest first."""
    fund = managed_fund(actor(), fund_id)
    current = terms_on(fund.id, business_today())
    return {"in_force": terms_out(current) if current else None,
            "versions": [terms_out(t) for t in terms_history(fund.id)]}


@bp.route(f"{FUND}/terms", methods=["PUT"])
@guard(writable)
@idempotent
@bp.arguments(S.FeeTermsIn)
@bp.response(201, S.FeeTermsOut)
def terms_put(data: dict[str, Any], fund_id: int) -> Any:
    """Record a new version of the fee terms (effective from ``effective_on``)."""
    tiers = [services.TierIn(t["basis"], t["rate"], t["from_on"], t.get("to_on"))
             for t in data.pop("tiers")]
    row = services.set_terms(actor(), fund_id, tiers=tiers, **data)
    return terms_out(row), 201, {"Location": url_for("reports_fees_api.terms_get",
                                                     fund_id=fund_id)}


@bp.route(f"{FUND}/drafts")
@bp.response(200, S.FeeDraftsOut)
def drafts_get(fund_id: int) -> Any:
    """The fund's fee drafts, newest period first, with their lines and split."""
    fund = managed_fund(actor(), fund_id)
    return {"drafts": [draft_out(d) for d in list_drafts(fund.id)]}


@bp.route(f"{FUND}/drafts", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.FeePrepareIn)
@bp.response(201, S.FeeDraftOut)
def drafts_post(data: dict[str, Any], fund_id: int) -> Any:
    """Prepare the fee call of a period as a draft (nothing is posted)."""
    row = services.prepare_draft(actor(), fund_id, data["period"],
                                 fee_income=data.get("fee_income", "0"))
    return draft_out(row), 201, {"Location": url_for(
        "reports_fees_api.draft_get", fund_id=fund_id, draft_id=row.id)}


@bp.route(f"{FUND}/drafts/<{ID}:draft_id>")
@bp.response(200, S.FeeDraftOut)
def draft_get(fund_id: int, draft_id: int) -> Any:
    """One fee draft with its calculation lines and per-LP split."""
    fund = managed_fund(actor(), fund_id)
    return draft_out(get_draft(fund.id, draft_id))


@bp.route(f"{FUND}/drafts/<{ID}:draft_id>/post", methods=["POST"])
@guard(writable_draft)
@idempotent
@bp.arguments(S.FeePostIn)
@bp.response(200, S.FeeDraftOut)
def draft_post(data: dict[str, Any], fund_id: int, draft_id: int) -> Any:
    """Post the draft: the capital call (source principal) and the management-fee entry."""
    return draft_out(services.post_draft(actor(), fund_id, draft_id, **data))


@bp.route(f"{FUND}/drafts/<{ID}:draft_id>/discard", methods=["POST"])
@guard(writable_draft)
@idempotent
@bp.arguments(S.FeeDiscardIn)
@bp.response(200, S.FeeDraftOut)
def draft_discard(data: dict[str, Any], fund_id: int, draft_id: int) -> Any:
    """Discard the draft; the period may be prepared again."""
    return draft_out(services.discard_draft(actor(), fund_id, draft_id, data["reason"]))
