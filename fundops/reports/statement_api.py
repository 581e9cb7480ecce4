"""Capital account statements in the JSON API (/api/v1).

``GET /funds/<fund_id>/capital-accounts?period=qtd|ytd|itd&end=…`` (or ``start``/``end``):
every LP's account the token's organisation may see, with the fund's total column. Every
line is an exact decimal string in yuan, signed as its effect on the account; opening +
the lines = closing (fundops.calc.capital_account). 404 for a fund the caller may not
see; 422 naming ``period``, ``start`` or ``end`` for a period that cannot be stated.
"""

from __future__ import annotations

from typing import Any

from fundops.api.blueprint import ID, Blueprint, actor
from fundops.api.fields import Amount, Day, Id, Lines, Object, Reply, Schema, Text
from fundops.calc.capital_account import Account, Line
from fundops.metrics.frames import cents_to_decimal
from fundops.portfolio.access import get_fund
from fundops.reports.statement_doc import statement_period
from fundops.reports.statements import capital_accounts

bp = Blueprint("reports_statements_api", __name__, description="Capital account statements")


class PeriodQuery(Schema):
    period = Text(doc="qtd, ytd or itd ending on `end` (default qtd)")
    start = Text(doc="explicit first day (ISO 8601); overrides `period`")
    end = Text(doc="last day (ISO 8601; default today)")


class AccountOut(Reply):
    opening = Amount(doc="NAV share at the end of the day before the period")
    contributions = Amount()
    management_fees = Amount()
    fund_expenses = Amount()
    realised = Amount()
    unrealised = Amount()
    carry = Amount()
    distributions = Amount()
    transfers = Amount()
    reallocation = Amount(doc="sums to zero over the LPs")
    closing = Amount(doc="NAV share on the period's last day")


class LpAccountOut(AccountOut):
    investor_id = Id()
    investor = Text()
    committed = Amount()
    paid_in = Amount()
    unfunded = Amount()
    recallable = Amount()


class StatementOut(Reply):
    fund_id = Id()
    currency = Text()
    start = Day()
    end = Day()
    nav_opening = Amount()
    nav_closing = Amount()
    lps = Lines(LpAccountOut)
    total = Object(AccountOut, metadata={"description": "the sum over every LP of the fund"})


def account_data(account: Account) -> dict[str, Any]:
    return {"opening": cents_to_decimal(account.opening),
            **{line.value: cents_to_decimal(account.lines[line]) for line in Line},
            "closing": cents_to_decimal(account.closing)}


@bp.route(f"/funds/<{ID}:fund_id>/capital-accounts")
@bp.arguments(PeriodQuery, location="query")
@bp.response(200, StatementOut)
def statements(query: dict[str, Any], fund_id: int) -> Any:
    """Every visible LP's capital account for the period."""
    who = actor()
    fund, _ = get_fund(who, fund_id)
    statement = capital_accounts(who, fund.id, statement_period(fund, query))
    return {
        "fund_id": fund.id, "currency": fund.currency, "start": statement.period.start,
        "end": statement.period.end, "nav_opening": statement.nav_opening,
        "nav_closing": statement.nav_closing,
        "lps": [{"investor_id": lp.investor.id, "investor": lp.investor.name,
                 **account_data(lp.account), "committed": lp.register.committed,
                 "paid_in": lp.register.paid_in, "unfunded": lp.register.unfunded,
                 "recallable": lp.register.recallable} for lp in statement.lps],
        "total": account_data(statement.total)}
