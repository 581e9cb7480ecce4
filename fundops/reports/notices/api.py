"""Notices routes of the JSON API.

- ``GET  /funds/<fund_id>/notices`` — the notices the caller may see
- ``GET  /funds/<fund_id>/notices/<notice_id>`` — one notice
- ``POST /funds/<fund_id>/entries/<entry_id>/notices`` — issue an entry's notices
- ``GET  /funds/<fund_id>/notices/account`` — the receiving account in force and versions
- ``PUT  /funds/<fund_id>/notices/account`` — record a new account version

Reads: the managing organisation (every notice) or an LP organisation (its own records'
notices); writes: the manager with a writer role and an ``Idempotency-Key``. Another
organisation's fund, another LP's notice: 404.
"""

from __future__ import annotations

from typing import Any

from fundops.api.blueprint import ID, Blueprint, actor, guard, idempotent
from fundops.clock import business_today
from fundops.portfolio.access import get_fund
from fundops.reports.notices import queries, services
from fundops.reports.notices import schemas as S
from fundops.reports.notices.document import breakdown_rows
from fundops.reports.notices.models import Notice, ReceivingAccount
from fundops.reports.payments.queries import managed_fund
from fundops.uow import Actor

bp = Blueprint("reports_notices_api", __name__,
               description="Capital call and distribution notices per LP; the fund's "
                           "receiving account")

FUND = f"/funds/<{ID}:fund_id>"


def readable(who: Actor, fund_id: int, **ids: Any) -> None:
    """The fund (and the notice) is visible to the caller, before anything is read."""
    get_fund(who, fund_id)
    if "notice_id" in ids:
        queries.get_notice(who, fund_id, ids["notice_id"])


def writable(who: Actor, fund_id: int, **ids: Any) -> None:
    fund = managed_fund(who, fund_id, write=True)
    if "entry_id" in ids:
        queries.entry_of(fund.id, ids["entry_id"])


def account_out(a: ReceivingAccount) -> dict[str, Any]:
    return {k: getattr(a, k) for k in ("id", "fund_id", "effective_on", "bank_name", "branch",
                                       "account_name", "account_number", "recorded_at")}


def notice_out(n: Notice) -> dict[str, Any]:
    return {**{k: getattr(n, k) for k in (
        "id", "fund_id", "cash_flow_id", "investor_id", "kind", "number", "issued_on",
        "due_on", "amount", "currency", "carry_withheld", "committed", "paid_in", "unfunded",
        "distributed", "recorded_at")},
        "investor_name": n.investor.name, "value_on": n.cash_flow.value_on,
        "account": account_out(n.account) if n.account else None,
        "gross": n.gross if n.carry_withheld is not None else None,
        "breakdown": [{"item": item, "amount": amount} for item, amount in breakdown_rows(n)]}


@bp.route(f"{FUND}/notices")
@guard(readable)
@bp.response(200, S.NoticeListOut)
def notices_get(fund_id: int) -> Any:
    """The fund's notices the caller may see, calls then distributions, by number."""
    fund, _, rows = queries.list_notices(actor(), fund_id)
    return {"fund_id": fund.id, "count": len(rows), "notices": [notice_out(n) for n in rows]}


@bp.route(f"{FUND}/notices/<{ID}:notice_id>")
@guard(readable)
@bp.response(200, S.NoticeOut)
def notice_get(fund_id: int, notice_id: int) -> Any:
    """One notice with its breakdown and the LP's cumulative figures."""
    return notice_out(queries.get_notice(actor(), fund_id, notice_id)[2])


@bp.route(f"{FUND}/entries/<{ID}:entry_id>/notices", methods=["POST"])
@guard(writable)
@idempotent
@bp.arguments(S.NoticeIssueIn)
@bp.response(201, S.NoticeListOut)
def notices_issue(data: dict[str, Any], fund_id: int, entry_id: int) -> Any:
    """Issue the notices of a capital call or a distribution, one per LP line; a second
    issue of the same entry is a 409 (``notices_already_issued``)."""
    rows = services.issue_notices(actor(), fund_id, entry_id, **data)
    return {"fund_id": fund_id, "count": len(rows), "notices": [notice_out(n) for n in rows]}, 201


@bp.route(f"{FUND}/notices/account")
@guard(managed_fund)
@bp.response(200, S.NoticeAccountListOut)
def account_get(fund_id: int) -> Any:
    """The receiving account in force today (null: none) and every version, newest first."""
    fund = managed_fund(actor(), fund_id)
    current = queries.account_on(fund.id, business_today())
    return {"in_force": account_out(current) if current else None,
            "versions": [account_out(a) for a in queries.account_history(fund.id)]}


@bp.route(f"{FUND}/notices/account", methods=["PUT"])
@guard(writable)
@idempotent
@bp.arguments(S.NoticeAccountIn)
@bp.response(201, S.NoticeAccountOut)
def account_put(data: dict[str, Any], fund_id: int) -> Any:
    """Record a new version of the fund's receiving account (append-only)."""
    return account_out(services.set_receiving_account(actor(), fund_id, **data)), 201
