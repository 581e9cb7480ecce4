"""Why a loan may not be approved or disbursed yet, as message codes with their params.

The loan page shows these reasons (translated, amounts in the page's unit) and the
services raise them; both read the same ``(code, params)`` pair. Amounts are
:class:`fundops.money.Money` in the round's currency; shares are percent text with two
decimals, rounded down like :func:`fundops.calc.schedules.equity_condition`.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from fundops.calc.loan_sizing import EquityCheck
from fundops.money import Money
from fundops.syndication.enums import DEAD_STATUSES, STATUS_RANK, EquityRule
from fundops.syndication.loans.models import LoanProduct
from fundops.syndication.term_sheets.models import TermSheet

Reason = tuple[str, dict[str, Any]]
FEN = Decimal("0.01")


def status_problem(ts: TermSheet, product: LoanProduct) -> Reason | None:
    """Why the term sheet's status does not allow the product (``None`` when it does);
    the codes are ``loan_term_sheet_dead`` and ``loan_term_sheet_short``."""
    if ts.status in DEAD_STATUSES:
        return "loan_term_sheet_dead", {"status": ts.status}
    if STATUS_RANK[ts.status] < STATUS_RANK[product.required_status]:
        return "loan_term_sheet_short", {"status": ts.status, "required": product.required_status}
    return None


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(FEN, ROUND_DOWN)}%"


def equity_problem(ts: TermSheet, product: LoanProduct, check: EquityCheck, arrived: Decimal,
                   reservation: Decimal) -> Reason | None:
    """Why the equity condition holds back disbursement (``None`` when it is met):
    ``loan_equity_short`` (nothing before the required share), or
    ``loan_equity_short_pro_rata`` (complete tranches release their part)."""
    if check.met:
        return None
    cur = ts.currency
    gamma = product.required_share
    params: dict[str, Any] = {
        "arrived": Money(arrived, cur), "share": _percent(check.arrived_share),
        "round_size": Money(ts.round_size, cur), "required_share": _percent(gamma),
        "required": Money((gamma * ts.round_size).quantize(FEN, ROUND_DOWN), cur)}
    if not (product.equity_rule is EquityRule.PRO_RATA and ts.tranches):
        return "loan_equity_short", params
    complete, total = 0, Decimal("0.00")
    for tranche in ts.tranches:
        if total + tranche.amount > check.counted:
            break
        total += tranche.amount
        complete += 1
    params |= {"complete": complete, "tranches": len(ts.tranches),
               "counted": Money(check.counted, cur), "allowed": Money(check.allowed, cur),
               "reservation": Money(reservation, cur)}
    return "loan_equity_short_pro_rata", params


def with_prefix(reason: Reason, prefix: str, **extra: Any) -> Reason:
    """The same reason under another code family (``loan_term_sheet_dead`` →
    ``loan_approve_term_sheet_dead``), with ``extra`` params."""
    code, params = reason
    return prefix + code.removeprefix("loan_"), params | extra
