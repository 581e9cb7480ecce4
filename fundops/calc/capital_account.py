"""The LP capital account roll-forward (ILPA capital account statement), in integer fen.

An LP's capital account over a period:

    opening + contributions − management fees − fund expenses + realised gain/loss
    + change in unrealised gain/loss + carried interest + distributions + transfers
    + reallocation = closing

Every line is signed as its effect on the account (contributions +, distributions −, a
fee −, a loss −; the carry is − for the LPs whose profit paid it and + for its
recipient). ``opening`` and ``closing`` are the LP's share of the fund NAV
(:mod:`fundops.metrics.engine`: the NAV split pro rata to paid-in, largest remainder).

The fund's result of a sub-period (fees, expenses, realised and unrealised gain, signed
as above) is allocated to the LPs pro rata to their paid-in weights at the sub-period's
end, each line by largest remainder (:func:`allocate`), so every allocated line sums to
the fund's figure exactly. Carried interest and transfers move capital between partners
(they sum to zero over the partners). **Reallocation** is what remains:
``closing − opening − Σ other lines``. It sums to zero over the partners (both NAV
totals and every other line add up exactly) and is zero, up to the fen rounding of the
allocations, when every call and distribution is pro rata to paid-in; it shows the
effect of closings at different times, uneven calls and distributions, a carry holdback
kept in the fund, and rounding.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field

from fundops.calc.allocation import allocate_units


class Line(enum.StrEnum):
    """The movement lines of a capital account, in statement order (values are codes)."""

    CONTRIBUTIONS = "contributions"
    MANAGEMENT_FEES = "management_fees"
    FUND_EXPENSES = "fund_expenses"
    REALISED = "realised"
    UNREALISED = "unrealised"
    CARRY = "carry"
    DISTRIBUTIONS = "distributions"
    TRANSFERS = "transfers"
    REALLOCATION = "reallocation"


ALLOCATED = (Line.MANAGEMENT_FEES, Line.FUND_EXPENSES, Line.REALISED, Line.UNREALISED)
"""Lines that are the fund's result allocated pro rata to paid-in weights."""


def allocate(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """``total`` fen split pro rata to the non-negative ``weights`` (by key), largest
    remainder; the parts sum to ``total`` exactly. No positive weight: nobody gets any."""
    keys = sorted(weights)
    w = [max(int(weights[k]), 0) for k in keys]
    if not any(w) or total == 0:
        return dict.fromkeys(keys, 0)
    parts = allocate_units(abs(total), w)
    sign = -1 if total < 0 else 1
    return {k: sign * int(p) for k, p in zip(keys, parts, strict=True)}


@dataclass
class Account:
    """One LP's account over a period, in fen (signed as in the module docstring)."""

    opening: int = 0
    closing: int = 0
    lines: dict[Line, int] = field(default_factory=lambda: dict.fromkeys(Line, 0))

    def add(self, line: Line, fen: int) -> None:
        self.lines[line] += fen

    @property
    def movements(self) -> int:
        """Every line but the reallocation."""
        return sum(v for k, v in self.lines.items() if k is not Line.REALLOCATION)

    def close(self, closing: int) -> None:
        """Set the closing balance; the reallocation is what the other lines leave."""
        self.closing = closing
        self.lines[Line.REALLOCATION] = closing - self.opening - self.movements


def allocate_result(result: Mapping[Line, int], weights: Mapping[int, int],
                    accounts: MutableMapping[int, Account]) -> None:
    """Add a sub-period's fund result (fen per :data:`ALLOCATED` line) to the
    ``accounts`` pro rata to ``weights`` (an account is opened for every weighted key)."""
    for line in ALLOCATED:
        for key, part in allocate(result.get(line, 0), weights).items():
            accounts.setdefault(key, Account()).add(line, part)


def totals(accounts: Iterable[Account]) -> Account:
    """The sum of ``accounts`` (the fund's column of a statement)."""
    out = Account()
    for account in accounts:
        out.opening += account.opening
        out.closing += account.closing
        for line, value in account.lines.items():
            out.lines[line] += value
    return out
