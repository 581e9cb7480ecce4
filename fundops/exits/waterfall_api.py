"""Waterfall routes of the JSON API (distribution waterfall as terms of a fund).

- ``GET  /funds/<fund_id>/waterfall/terms`` — the terms in force today and every version
- ``PUT  /funds/<fund_id>/waterfall/terms`` — record a new version (append-only)
- ``GET  /funds/<fund_id>/waterfall/runs`` — the runs with their tier-by-tier breakdown
- ``POST /funds/<fund_id>/waterfall/runs`` — run a distribution through the waterfall
- ``POST /funds/<fund_id>/waterfall/runs/<run_id>/reverse`` — reverse the latest run
- ``GET  /funds/<fund_id>/waterfall/as-if-liquidated?as_of=`` — accrued carry, net NAV

Reads and writes are the managing organisation's (another's fund is 404); postings require
``Idempotency-Key``. Conventions: :mod:`fundops.exits.waterfalls` (in every reply).
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.clock import business_today
from fundops.exits import waterfall_schemas as S
from fundops.exits import waterfalls
from fundops.exits.transfers import managed_fund
from fundops.exits.waterfall_out import liquidation_out, run_out, terms_out
from fundops.exits.waterfall_queries import (
    get_run,
    liquidation,
    list_runs,
    terms_history,
    terms_on,
)
from fundops.portfolio.services import require_date
from fundops.uow import Actor

bp = Blueprint("exits_waterfall_api", __name__,
               description="Distribution waterfall: terms, runs, as if liquidated")

FUND = f"/funds/<{ID}:fund_id>/waterfall"


def writable(who: Actor, fund_id: int, **_ids: Any) -> None:
    managed_fund(who, fund_id, write=True)


def writable_run(who: Actor, fund_id: int, run_id: int) -> None:
    managed_fund(who, fund_id, write=True)
    get_run(fund_id, run_id)


@bp.route(f"{FUND}/terms")
@bp.response(200, S.TermsListOut)
def terms_get(fund_id: int) -> Any:
    """The terms in force today (null: none) and every version, newest first."""
    fund = managed_fund(actor(), fund_id)
    current = terms_on(fund.id, business_today())
    return {"in_force": terms_out(current) if current else None,
            "versions": [terms_out(t) for t in terms_history(fund.id)]}


@bp.route(f"{FUND}/terms", methods=["PUT"])
@guard(writable)
@idempotent
@bp.arguments(S.TermsIn)
@bp.response(201, S.TermsOut)
def terms_put(data: dict[str, Any], fund_id: int) -> Any:
    """Record a new version of the terms (effective from ``effective_on``)."""
    tiers = [waterfalls.TierIn(
        c["government_id"], c["threshold_rate"], c["share"],
        [(b["investor_id"], b["weight"]) for b in c["beneficiaries"]], c.get("condition"))
        for c in data.pop("concessions", [])]
    row = waterfalls.set_terms(actor(), fund_id, concessions=tiers, **data)
    return terms_out(row), 201, {"Location": url_for("exits_waterfall_api.terms_get",
                                                     fund_id=fund_id)}


@bp.route(f"{FUND}/runs")
@bp.response(200, S.RunsOut)
def runs_get(fund_id: int) -> Any:
    """The fund's runs, newest first, each with its breakdown per party."""
    fund = managed_fund(actor(), fund_id)
    return {"runs": [run_out(r) for r in list_runs(fund.id)]}


@bp.route(f"{FUND}/runs", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.RunIn)
@bp.response(201, S.RunOut)
def runs_post(data: dict[str, Any], fund_id: int) -> Any:
    """Run a distribution through the waterfall: one ledger entry, the run stored."""
    row = waterfalls.run_waterfall_distribution(actor(), fund_id, **data)
    return run_out(row), 201, {"Location": url_for("exits_waterfall_api.runs_get",
                                                   fund_id=fund_id)}


@bp.route(f"{FUND}/runs/<{ID}:run_id>/reverse", methods=["POST"])
@guard(writable_run)
@idempotent
@bp.arguments(S.ReverseRunIn)
@bp.response(201, S.RunOut)
def run_reverse(data: dict[str, Any], fund_id: int, run_id: int) -> Any:
    """Reverse the fund's latest run (its ledger entry too)."""
    reversal = waterfalls.reverse_run(actor(), fund_id, run_id, data["reason"])
    return run_out(get_run(fund_id, reversal.run_id)), 201


@bp.route(f"{FUND}/as-if-liquidated")
@bp.arguments(S.AsOfQuery, location="query")
@bp.response(200, S.LiquidationOut)
def as_if_liquidated(query: dict[str, Any], fund_id: int) -> Any:
    """Accrued carry and each party's net NAV if the NAV on ``as_of`` (default today)
    were distributed through the waterfall; nothing is written."""
    who = actor()
    fund = managed_fund(who, fund_id)
    on = require_date(query["as_of"], "as_of") if query.get("as_of") else business_today()
    return liquidation_out(fund.id, on, liquidation(who, fund.id, on))
