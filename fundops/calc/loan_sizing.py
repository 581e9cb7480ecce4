"""Loan sizing (``min(cap, α × equity arrived, β × post-money)``) and the equity-arrival
check that releases a loan, both against the round (domain-rules §4.3).

Units as in :mod:`fundops.calc.schedules`: money is ``Decimal`` yuan with at most 2
decimals, every amount in a result is non-negative and exactly 2 decimals; rates and
shares are ``Decimal`` fractions. Limits round **down** to the fen (nobody is promised
more than the rule allows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, localcontext

from fundops.calc.schedules import (
    FEN,
    RATE_UNIT,
    WIDE,
    SizingTerm,
    checked_fraction,
    checked_money,
)

__all__ = ["EquityCheck", "Headroom", "equity_condition", "loan_headroom"]


@dataclass(frozen=True, slots=True)
class Headroom:
    """Loan sizing terms (yuan, 2 decimals, >= 0) of ``loan_limit = min(product_cap,
    α × equity_arrived, β × post_money)`` (domain-rules §4.3).

    ``binding`` names the smallest :class:`SizingTerm` (on a tie, the first in the order
    product cap, equity arrived, post-money). ``headroom = max(0, limit -
    reserved)`` where ``reserved`` is what all banks have already reserved.
    """

    product_cap: Decimal
    equity_limit: Decimal
    valuation_limit: Decimal
    limit: Decimal
    binding: SizingTerm
    reserved: Decimal
    headroom: Decimal


def loan_headroom(
    product_cap: Decimal,
    alpha: Decimal,
    equity_arrived: Decimal,
    beta: Decimal,
    post_money: Decimal,
    already_reserved: Decimal,
) -> Headroom:
    """How much more may still be lent to a company under the sizing rule.

    ``alpha`` and ``beta`` are fractions (e.g. 0.3 and 0.05); the products ``α ×
    equity_arrived`` and ``β × post_money`` are computed exactly and rounded **down** to
    the fen. Money arguments are yuan >= 0 with at most 2 decimals.
    """
    cap = checked_money(product_cap, "product_cap")
    arrived = checked_money(equity_arrived, "equity_arrived")
    valuation = checked_money(post_money, "post_money")
    reserved = checked_money(already_reserved, "already_reserved")
    with localcontext() as ctx:
        ctx.prec = WIDE
        by_equity = (checked_fraction(alpha, "alpha") * arrived).quantize(FEN, ROUND_DOWN)
        by_value = (checked_fraction(beta, "beta") * valuation).quantize(FEN, ROUND_DOWN)
    terms = ((SizingTerm.PRODUCT_CAP, cap), (SizingTerm.EQUITY_ARRIVED, by_equity),
             (SizingTerm.POST_MONEY, by_value))
    binding, limit = min(terms, key=lambda term: term[1])  # min keeps the first on ties
    return Headroom(cap, by_equity, by_value, limit, binding, reserved,
                    max(Decimal("0.00"), limit - reserved))


@dataclass(frozen=True, slots=True)
class EquityCheck:
    """Outcome of the equity-arrival condition (yuan, 2 decimals).

    ``allowed`` is the most that may be disbursed now (0 .. reservation); ``met`` is true
    when the required share has arrived; ``counted`` is the equity the pro-rata rule
    used (complete tranches only); ``arrived_share`` is arrived / round size (8 decimals,
    rounded down); ``reason`` explains any shortfall and is ``None`` when ``met``.
    """

    allowed: Decimal
    met: bool
    arrived_share: Decimal
    counted: Decimal
    reason: str | None


def equity_condition(
    arrived: Decimal,
    round_size: Decimal,
    required_share: Decimal,
    tranches: Sequence[Decimal] | None = None,
    *,
    reservation: Decimal,
) -> EquityCheck:
    """Release rule "disburse once ``arrived >= required_share × round_size``" (§4.3, γ).

    Met: the whole ``reservation`` (the loan amount reserved for this company) may be
    disbursed. Not met and no ``tranches``: nothing may be disbursed. Not met with
    ``tranches`` (the round's instalments in the order they are due, summing to
    ``round_size``): the loan follows the equity pro rata, ``allowed = reservation ×
    counted / round_size`` rounded **down** to the fen, where ``counted`` is the sum of
    the tranches fully covered by ``arrived``. The comparison with γ is exact.
    """
    got = checked_money(arrived, "arrived")
    size = checked_money(round_size, "round_size")
    wanted = checked_money(reservation, "reservation")
    gamma = checked_fraction(required_share, "required_share", Decimal(1))
    if size == 0:
        raise ValueError("round_size must be positive")
    with localcontext() as ctx:
        ctx.prec = WIDE
        share = min(got / size, Decimal(1)).quantize(RATE_UNIT, ROUND_DOWN)
        if got >= gamma * size:
            return EquityCheck(wanted, True, share, min(got, size), None)
        head = (f"equity arrived {got} is {share:.2%} of the round {size}; "
                f"{gamma:.2%} ({(gamma * size).quantize(FEN, ROUND_DOWN)}) is required")
        if tranches is None:
            return EquityCheck(Decimal("0.00"), False, share, Decimal("0.00"),
                               f"{head}; no disbursement before then")
        steps = [checked_money(t, "tranche") for t in tranches]
        if not steps or any(t == 0 for t in steps) or sum(steps) != size:
            raise ValueError("tranches must be positive and sum exactly to round_size")
        counted, complete = Decimal("0.00"), 0
        for step in steps:
            if counted + step > got:
                break
            counted += step
            complete += 1
        allowed = (wanted * counted / size).quantize(FEN, ROUND_DOWN)
    return EquityCheck(allowed, False, share, counted,
                       f"{head}; {complete} of {len(steps)} tranches complete ({counted}), "
                       f"so {allowed} of the reservation {wanted} may be disbursed pro rata")
