"""Reporting periods: calendar quarters ("2025Q2") and the ILPA statement periods
(quarter to date, year to date, since inception) ending on a date.

All dates are calendar dates; a period includes both its first and its last day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from fundops.errors import ValidationError

_QUARTER = re.compile(r"^\s*([0-9]{4})\s*[Qq]\s*([1-4])\s*$", re.ASCII)


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    """A calendar quarter: ``year`` and ``number`` (1–4)."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: object, field: str = "quarter") -> Quarter:
        """``"2025Q2"`` (case and spaces ignored) → Quarter(2025, 2); anything else is a
        :class:`ValidationError` (``quarter_invalid``) naming ``field``."""
        match = _QUARTER.match(text) if isinstance(text, str) else None
        if match is None or not 1900 <= int(match.group(1)) <= 2999:
            raise ValidationError(field, "quarter_invalid", value=str(text)[:20])
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter containing ``day``."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year,
                                                                          self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year,
                                                                          self.number - 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label_zh(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"


def quarters_between(first: date, last: date) -> list[Quarter]:
    """Every quarter from the one containing ``first`` to the one containing ``last``."""
    out: list[Quarter] = []
    q, end = Quarter.of(first), Quarter.of(last)
    while q <= end:
        out.append(q)
        q = q.next()
    return out


class PeriodKind(StrEnum):
    """ILPA statement periods ending on a date."""

    QTD = "qtd"  # from the first day of the end date's quarter
    YTD = "ytd"  # from 1 January of the end date's year
    ITD = "itd"  # since inception (the fund's inception date)


@dataclass(frozen=True, slots=True)
class Period:
    """A statement period ``start`` … ``end`` inclusive; the opening balance is read at
    the end of the day before ``start``."""

    start: date
    end: date

    @classmethod
    def checked(cls, start: date, end: date) -> Period:
        """``start`` ≤ ``end``, else ``statement_period_reversed`` naming ``end``."""
        if end < start:
            raise ValidationError("end", "statement_period_reversed", start=start, end=end)
        return cls(start, end)

    @property
    def opening_on(self) -> date:
        return self.start - timedelta(days=1)


def period_ending(kind: PeriodKind, end: date, inception: date) -> Period:
    """The ``kind`` period ending on ``end`` for a fund that started on ``inception``
    (never starting before inception)."""
    if kind is PeriodKind.QTD:
        start = Quarter.of(end).start
    elif kind is PeriodKind.YTD:
        start = date(end.year, 1, 1)
    else:
        start = inception
    return Period.checked(max(start, inception), end)
