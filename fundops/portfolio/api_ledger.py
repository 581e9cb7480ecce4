"""Ledger routes of the portfolio JSON API: capital calls and distributions (preview the
per-LP split, then post; an explicit split allowed), fund flows, a parent fund's postings
to and from its sub-funds, NAVs, holding valuations, investments and reversals.

Each route calls the service its page calls, with the same arguments. Where the page
posts through the maker-checker flow (calls, distributions, NAVs, holding valuations,
investments, reversals) so does the route: 409 ``confirmation_required`` with the
plausibility warnings until ``confirm`` and ``confirm_reason`` are sent, 202 with the
pending item when the organisation's approval policy holds the post (investments are
never held: they are only plausibility-checked), else 201 with what
was posted and its address in ``Location``. Every posting requires ``Idempotency-Key``.
Amounts are exact decimal strings in yuan of the fund's currency.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.approvals.schemas import HELD
from fundops.errors import NotFound
from fundops.extensions import db
from fundops.portfolio import fof_services, queries
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import schemas_ledger as L
from fundops.portfolio.access import get_fund
from fundops.portfolio.api import submit
from fundops.portfolio.ledger import CashFlow
from fundops.uow import Actor

bp = Blueprint("portfolio_ledger_api", __name__,
               description="Fund ledgers: calls, distributions, flows, NAVs, valuations, "
                           "investments, reversals")

FUND = f"/funds/<{ID}:fund_id>"


def writable(who: Actor, fund_id: int, **_ids: Any) -> None:
    """A fund the caller manages, with a writer role (404 for anyone else's)."""
    get_fund(who, fund_id, write=True)


def _entry_of(fund_id: int, entry_id: int) -> CashFlow:
    entry = db.session.get(CashFlow, entry_id)
    if entry is None or entry.fund_id != fund_id:
        raise NotFound("entry_not_found", entry_id=entry_id)
    return entry


def writable_entry(who: Actor, fund_id: int, entry_id: int) -> None:
    """An entry of a fund the caller manages, with a writer role."""
    get_fund(who, fund_id, write=True)
    _entry_of(fund_id, entry_id)


def entry_url(entry: CashFlow) -> str:
    return url_for("portfolio_ledger_api.entry_detail", fund_id=entry.fund_id,
                   entry_id=entry.id)


def _nav_url(val: Any) -> str:
    return url_for("portfolio_ledger_api.navs", fund_id=val.fund_id)


def _holdings_url(val: Any) -> str:
    return url_for("portfolio_ledger_api.holdings", fund_id=val.fund_id)


def _company_url(investment: Any) -> str:
    return url_for("portfolio_api.company_detail", company_id=investment.company_id)


def _preview(fund_id: int, data: dict[str, Any], kind: str) -> dict[str, Any]:
    fund, _ = get_fund(actor(), fund_id, write=True)
    lines = ledger.preview_allocation(actor(), fund.id, data["value_on"], data["amount"],
                                      data.get("split"), kind=kind)
    return {"currency": fund.currency, "lines": lines}


@bp.route(f"{FUND}/calls/preview", methods=["POST"])
@guard(writable)
@bp.arguments(L.PreviewIn)
@bp.response(200, L.PreviewOut)
def call_preview(data: dict[str, Any], fund_id: int) -> Any:
    """The per-LP split that posting this capital call would make (within each LP's
    uncalled capital); writes nothing."""
    return _preview(fund_id, data, "capital_call")


@bp.route(f"{FUND}/calls", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(L.CallIn)
@bp.alt_response(202, **HELD)
@bp.response(201, L.EntryOut)
def call_create(data: dict[str, Any], fund_id: int) -> Any:
    """Post a capital call (LPs → fund), split pro rata to commitments or as given."""
    return submit("capital_call", {"fund_id": fund_id}, data, entry_url)


@bp.route(f"{FUND}/distributions/preview", methods=["POST"])
@guard(writable)
@bp.arguments(L.PreviewIn)
@bp.response(200, L.PreviewOut)
def distribution_preview(data: dict[str, Any], fund_id: int) -> Any:
    """The per-LP split that posting this distribution would make; writes nothing."""
    return _preview(fund_id, data, "distribution")


@bp.route(f"{FUND}/distributions", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(L.DistributionIn)
@bp.alt_response(202, **HELD)
@bp.response(201, L.EntryOut)
def distribution_create(data: dict[str, Any], fund_id: int) -> Any:
    """Post a distribution (fund → LPs), split pro rata to commitments or as given."""
    return submit("distribution", {"fund_id": fund_id}, data, entry_url)


@bp.route(f"{FUND}/flows", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(L.FundFlowIn)
@bp.response(201, L.EntryOut)
def flow_create(data: dict[str, Any], fund_id: int) -> Any:
    """Post proceeds from a company, a management fee or a fund expense."""
    entry = ledger.record_fund_flow(actor(), fund_id, **data)
    return entry, 201, {"Location": entry_url(entry)}


@bp.route(f"{FUND}/sub-fund-flows", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(L.SubFundFlowIn)
@bp.response(201, L.EntryOut)
def sub_fund_flow_create(data: dict[str, Any], fund_id: int) -> Any:
    """Post this (parent) fund's payment into a sub-fund it has committed to
    (``fund_contribution``) or its receipt from one (``fund_return``)."""
    entry = fof_services.record_sub_fund_flow(actor(), fund_id, **data)
    return entry, 201, {"Location": entry_url(entry)}


@bp.route(f"{FUND}/entries/<{ID}:entry_id>")
@bp.response(200, L.EntryOut)
def entry_detail(fund_id: int, entry_id: int) -> Any:
    """One ledger entry with the LP allocations the caller may see (an LP fund's manager:
    its own)."""
    who = actor()
    fund, access = get_fund(who, fund_id)
    entry = _entry_of(fund.id, entry_id)
    shown = {name: getattr(entry, name) for name in L.EntryOut().fields}
    shown["allocations"] = queries.visible_allocations(entry, access, who.organisation_id)
    return shown


@bp.route(f"{FUND}/entries/<{ID}:entry_id>/reverse", methods=["POST"])
@guard(writable_entry)
@idempotent
@bp.arguments(L.ReverseIn)
@bp.alt_response(202, **HELD)
@bp.response(201, L.EntryOut)
def entry_reverse(data: dict[str, Any], fund_id: int, entry_id: int) -> Any:
    """Post the reversal of an entry (negated amount and allocations), with the reason."""
    return submit("reversal", {"fund_id": fund_id, "entry_id": entry_id}, data, entry_url)


@bp.route(f"{FUND}/navs")
@bp.response(200, L.NavsOut)
def navs(fund_id: int) -> Any:
    """The fund's NAV history."""
    fund, _ = get_fund(actor(), fund_id)
    return {"navs": queries.list_nav_history(fund.id)}


@bp.route(f"{FUND}/navs", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(L.NavIn)
@bp.alt_response(202, **HELD)
@bp.response(201, L.NavRecordOut)
def nav_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record the fund's NAV at a date (a later record for the date supersedes)."""
    return submit("fund_valuation", {"fund_id": fund_id}, data, _nav_url)


@bp.route(f"{FUND}/holdings")
@bp.response(200, L.HoldingsOut)
def holdings(fund_id: int) -> Any:
    """The companies the fund invested in: net cost, proceeds, latest fair value."""
    fund, _ = get_fund(actor(), fund_id)
    return {"holdings": queries.list_holdings(fund.id)}


@bp.route(f"{FUND}/holdings/valuations", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(L.HoldingValuationIn)
@bp.alt_response(202, **HELD)
@bp.response(201, L.HoldingValuationOut)
def holding_valuation_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record the fair value of the fund's holding in a company it invested in."""
    return submit("holding_valuation", {"fund_id": fund_id}, data, _holdings_url)


@bp.route(f"{FUND}/investments", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(L.InvestmentIn)
@bp.response(201, L.InvestmentOut)
def investment_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record an investment in a company and the ledger entry that paid it. Location: the
    company, which lists its investments."""
    return submit("investment", {"fund_id": fund_id}, data, _company_url)
