"""Portfolio routes of the JSON API: funds, their LP positions and ledgers, companies,
investors and commitments (the ledger's postings are in :mod:`fundops.portfolio.api_ledger`).
Thin: check access, call a query or service, return what the schema serialises.

Writes call the pages' services with the same arguments; a fund is created through the
maker-checker flow as on its page (:func:`submit`): plausibility warnings answer 409
``confirmation_required`` until ``confirm`` and ``confirm_reason`` are sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import url_for

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.approvals.api import submit_json
from fundops.portfolio import queries, services
from fundops.portfolio import schemas as S
from fundops.portfolio.access import (
    get_company,
    get_fund,
    get_investor,
    list_funds,
    require_writer,
    visible_fund_ids,
)
from fundops.portfolio.models import Investor

bp = Blueprint("portfolio_api", __name__,
               description="Funds, LP positions, ledgers, companies, investors, commitments")

def submit(action: str, payload: Mapping[str, Any], data: Mapping[str, Any],
           made: Callable[[Any], str]) -> Any:
    """Post ``payload`` + the body ``data`` through the maker-checker flow, as the page does
    (:func:`fundops.approvals.api.submit_json`): the result with 201 and
    ``Location: made(result)``, or the held item with 202."""

    def reply(result: Any) -> Any:
        return result, 201, {"Location": made(result)}

    return submit_json(actor(), action, payload, dict(data), reply)


def writer(who: Any, **_ids: Any) -> None:
    """Access check of a route creating an organisation's own object: a writer role."""
    require_writer(who)


@bp.route("/funds")
@bp.response(200, S.FundsOut)
def funds() -> Any:
    """The funds the caller may see."""
    return {"funds": list_funds(actor())}


@bp.route(f"/funds/<{ID}:fund_id>")
@bp.response(200, S.FundDetailOut)
def fund_detail(fund_id: int) -> Any:
    """A fund with its totals and the LP positions the caller may see."""
    who = actor()
    fund, access = get_fund(who, fund_id)
    totals = queries.get_fund_totals(fund)
    return {**S.fund_data(fund), "access": access.value,
            "committed_amount": totals.committed_amount, "paid_in_amount": totals.paid_in_amount,
            "distributed_amount": totals.distributed_amount, "latest_nav": totals.latest_nav,
            "lps": queries.list_lp_positions(fund, access, who.organisation_id)}


@bp.route(f"/funds/<{ID}:fund_id>/ledger")
@bp.response(200, S.LedgerOut)
def fund_ledger(fund_id: int) -> Any:
    """Every ledger entry of the fund, reversals included, oldest first."""
    fund, _ = get_fund(actor(), fund_id)
    return {"entries": queries.list_ledger(fund.id)}


@bp.route(f"/companies/<{ID}:company_id>")
@bp.response(200, S.CompanyOut)
def company_detail(company_id: int) -> Any:
    """A company the caller may see, with the investments of funds it may see."""
    who = actor()
    company = get_company(who, company_id)
    investments = queries.list_company_investments(company.id,
                                                   visible_fund_ids(who.organisation_id))
    return {**{k: getattr(company, k) for k in ("id", "name", "uscc", "sector", "stage",
                                                 "region_code", "is_hard_tech")},
            "tags": [t.value for t in company.tag_values], "investments": investments}


@bp.route("/funds", methods=["POST"])
@guard(writer)
@bp.arguments(S.FundIn)
@bp.response(201, S.FundOut)
def fund_create(data: dict[str, Any]) -> Any:
    """Create a fund managed by the caller's organisation (as the "new fund" page)."""
    return submit("fund_creation", {}, data,
                  lambda fund: url_for("portfolio_api.fund_detail", fund_id=fund.id))


def _investor_row(inv: Investor, total: Any, count: int) -> dict[str, Any]:
    return {"id": inv.id, "name": inv.name, "investor_type": inv.investor_type,
            "uscc": inv.uscc, "is_fund": inv.fund_id is not None,
            "committed_amount": total or queries.ZERO, "fund_count": count}


@bp.route("/investors")
@bp.response(200, S.InvestorsOut)
def investors() -> Any:
    """The caller's organisation's investors (LPs), by name, with their commitments' total."""
    rows = queries.list_investor_rows(actor().organisation_id)
    return {"investors": [_investor_row(*row) for row in rows]}


@bp.route(f"/investors/<{ID}:investor_id>")
@bp.response(200, S.InvestorOut)
def investor_detail(investor_id: int) -> Any:
    """An investor of the caller's organisation with its commitments."""
    inv = get_investor(actor(), investor_id)
    commitments = queries.list_commitments(inv.id)
    total = sum((c.amount for c in commitments), queries.ZERO)
    return {**_investor_row(inv, total, len({c.fund_id for c in commitments})),
            "commitments": commitments}


@bp.route("/investors", methods=["POST"])
@guard(writer)
@bp.arguments(S.InvestorIn)
@bp.response(201, S.InvestorOut)
def investor_create(data: dict[str, Any]) -> Any:
    """Register an LP (as the "new investor" page); a fund investing as an LP is named by
    ``fund_id`` or by its registration number."""
    inv = services.create_investor(actor(), data.pop("name"), data.pop("investor_type"), **data)
    return ({**_investor_row(inv, None, 0), "commitments": []}, 201,
            {"Location": url_for("portfolio_api.investor_detail", investor_id=inv.id)})


@bp.route(f"/funds/<{ID}:fund_id>/commitments", methods=["POST"])
@guard(lambda who, fund_id: get_fund(who, fund_id, write=True))
@idempotent
@bp.arguments(S.CommitmentIn)
@bp.response(201, S.CommitmentOut)
def commitment_create(data: dict[str, Any], fund_id: int) -> Any:
    """Record an investor's commitment to the fund (as the "new commitment" page). A parent
    fund's commitment to a sub-fund is this, posted by the sub-fund's manager for its
    investor record of the parent fund (``POST /investors`` with ``fund_registration_no``).
    Location: the investor, which lists its commitments."""
    commitment = services.add_commitment(actor(), fund_id, data.pop("investor_id"),
                                         data.pop("amount"), data.pop("committed_on"), **data)
    return commitment, 201, {"Location": url_for("portfolio_api.investor_detail",
                                                 investor_id=commitment.investor_id)}
