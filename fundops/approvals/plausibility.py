"""Plausibility warnings: pure checks of an entry against the fund's balances.

Each check returns a list of ``(code, params)`` warnings (empty when plausible); amount
params are :class:`fundops.money.Money` so pages show them in the page's unit. A warning
does not refuse anything: :func:`fundops.approvals.services.submit` raises
:class:`fundops.errors.ConfirmationRequired` until the user confirms with a reason.
The ``*_of`` readers fetch the balances the checks need (exact Decimal yuan, reversals
included since a reversal carries the negated amount).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundops.extensions import db
from fundops.money import Money
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, FundValuation, Investment

Warning = tuple[str, dict[str, Any]]
ZERO = Decimal("0.00")

NAV_MOVE_LIMIT = Decimal("0.5")
"""A NAV that differs from the previous NAV by more than this fraction (0.5 = 50 %) of the
previous one asks for confirmation. Per-organisation configuration may come later."""

FAIR_VALUE_FACTOR = Decimal(10)
"""A holding's fair value above this multiple of its invested cost, or below its
reciprocal (1/10 of cost), asks for confirmation."""

VINTAGE_YEARS_AHEAD = 1
"""A fund vintage later than this many years after the current year asks for confirmation."""


@dataclass(frozen=True, slots=True)
class FundBalances:
    """A fund's net ledger totals (yuan, reversals netted) and its latest NAV."""

    paid_in: Decimal
    distributed: Decimal
    latest_nav: Decimal | None


def _kind_total(fund_id: int, kind: CashFlowKind) -> Decimal:
    total = db.session.scalar(sa.select(sa.func.sum(CashFlow.amount)).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == kind))
    return Decimal(total) if total is not None else ZERO


def balances_of(fund_id: int) -> FundBalances:
    """Paid-in (net calls), distributed (net distributions) and the latest NAV by date."""
    nav = db.session.scalar(
        sa.select(FundValuation.nav_amount).where(FundValuation.fund_id == fund_id)
        .order_by(FundValuation.as_of.desc(), FundValuation.id.desc()).limit(1))
    return FundBalances(_kind_total(fund_id, CashFlowKind.CAPITAL_CALL),
                        _kind_total(fund_id, CashFlowKind.DISTRIBUTION), nav)


def previous_nav_of(fund_id: int, as_of: date) -> tuple[date, Decimal] | None:
    """The latest NAV dated before ``as_of`` (the one a new NAV moves from), if any."""
    row = db.session.execute(
        sa.select(FundValuation.as_of, FundValuation.nav_amount)
        .where(FundValuation.fund_id == fund_id, FundValuation.as_of < as_of)
        .order_by(FundValuation.as_of.desc(), FundValuation.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row is not None else None


def holding_cost_of(fund_id: int, company_id: int) -> Decimal | None:
    """Invested cost of the fund's holding in a company (investments whose ledger entry
    was reversed excluded); None when the fund holds no investment in it."""
    reversed_ids = sa.select(CashFlow.reverses_id).where(CashFlow.reverses_id.is_not(None))
    rows = db.session.execute(sa.select(Investment.amount, Investment.cash_flow_id.in_(
        reversed_ids)).where(Investment.fund_id == fund_id,
                             Investment.company_id == company_id)).all()
    if not rows:
        return None
    return sum((amount for amount, gone in rows if not gone), ZERO)


# --- the checks (pure) ----------------------------------------------------------------------


def future_date(value_on: date, today: date) -> list[Warning]:
    """A value date after today."""
    if value_on > today:
        return [("plausible_future_date", {"value_on": value_on, "today": today})]
    return []


def above_fund_size(amount: Decimal, target_size: Decimal | None, currency: str) -> list[Warning]:
    """An amount (call, distribution, investment) above the fund's target size."""
    if target_size is not None and target_size > 0 and amount > target_size:
        return [("plausible_above_fund_size", {"amount": Money(amount, currency),
                                               "target": Money(target_size, currency)})]
    return []


def distribution_above_gains(amount: Decimal, balances: FundBalances,
                             currency: str) -> list[Warning]:
    """Cumulative distributions above paid-in plus gains: after this distribution they
    would exceed max(paid-in, latest NAV + prior distributions)."""
    cumulative = balances.distributed + amount
    ceiling = max(balances.paid_in, (balances.latest_nav or ZERO) + balances.distributed)
    if cumulative > ceiling:
        return [("plausible_distribution_above_gains", {
            "cumulative": Money(cumulative, currency), "ceiling": Money(ceiling, currency),
            "paid_in": Money(balances.paid_in, currency)})]
    return []


def nav_move(nav: Decimal, previous: tuple[date, Decimal] | None, currency: str) -> list[Warning]:
    """A NAV that moves by more than :data:`NAV_MOVE_LIMIT` from the previous NAV
    (no previous NAV, or a previous NAV of zero: nothing to compare)."""
    if previous is None or previous[1] <= 0:
        return []
    change = (nav - previous[1]) / previous[1]
    if abs(change) > NAV_MOVE_LIMIT:
        percent = (change * 100).quantize(Decimal("0.1"))
        return [("plausible_nav_move", {"change": percent, "previous_on": previous[0],
                                        "previous": Money(previous[1], currency),
                                        "nav": Money(nav, currency)})]
    return []


def fair_value_far_from_cost(value: Decimal, cost: Decimal | None,
                             currency: str) -> list[Warning]:
    """A fair value above :data:`FAIR_VALUE_FACTOR` × cost or below cost / that factor."""
    if cost is None or cost <= 0:
        return []
    if value > cost * FAIR_VALUE_FACTOR or value * FAIR_VALUE_FACTOR < cost:
        ratio = (value / cost).quantize(Decimal("0.01"))
        return [("plausible_fair_value_far_from_cost", {
            "fair_value": Money(value, currency), "cost": Money(cost, currency),
            "ratio": ratio, "factor": FAIR_VALUE_FACTOR})]
    return []


def vintage_in_future(vintage: int, today: date) -> list[Warning]:
    """A vintage more than :data:`VINTAGE_YEARS_AHEAD` years after this year."""
    if vintage > today.year + VINTAGE_YEARS_AHEAD:
        return [("plausible_vintage_future", {"vintage": vintage, "year": today.year})]
    return []


def exponent_form(raw: object, field: str) -> list[Warning]:
    """An amount typed in exponent form ("1e9"): easy to get the digits wrong."""
    text = str(raw or "")
    if any(c in text for c in "eE") and not text.strip().lower().startswith(("inf", "nan")):
        return [("plausible_exponent_amount", {"value": text.strip()[:40], "field": field})]
    return []
