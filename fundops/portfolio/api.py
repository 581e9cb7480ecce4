"""Portfolio routes of the JSON API: funds, their LP positions and ledgers, companies.
Thin: check access, call a query or service, return what the schema serialises."""

from __future__ import annotations

from typing import Any

from fundops.api.blueprint import ID, Blueprint, actor
from fundops.portfolio import queries
from fundops.portfolio import schemas as S
from fundops.portfolio.access import get_company, get_fund, list_funds, visible_fund_ids

bp = Blueprint("portfolio_api", __name__, description="Funds, LP positions, ledgers, companies")


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
    return {**{k: getattr(fund, k) for k in S.FundOut().fields},
            "access": access.value, "committed_amount": totals.committed_amount,
            "paid_in_amount": totals.paid_in_amount,
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
