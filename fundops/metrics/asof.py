"""As-of dates of the metrics: today in the business timezone, the parsing and bounds of
an ``as_of`` date, recent quarter ends, and when a valuation counts as stale.

The pages, the API and the ``fundops metrics`` command all use these, so a date means
the same everywhere. The as-of date defaults to today in ``BUSINESS_TIMEZONE``
(Asia/Shanghai); dates after today and before 1990 are refused.
"""

from __future__ import annotations

import re
from datetime import date

from fundops.clock import business_today
from fundops.errors import ValidationError
from fundops.metrics import charts

__all__ = ["EARLIEST", "STALE_AFTER_DAYS", "business_today", "parse_as_of", "recent_quarter_ends"]

STALE_AFTER_DAYS = 180
"""A NAV or fair value older than this at the as-of date is flagged as stale."""

EARLIEST = date(1990, 1, 1)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_as_of(text: str | None, today: date) -> date:
    """An ISO date (YYYY-MM-DD) between 1990-01-01 and ``today``; blank means ``today``.

    Raises :class:`ValidationError` on the field ``as_of`` otherwise.
    """
    if text is None or not text.strip():
        return today
    try:
        if not _ISO_DATE.fullmatch(text.strip()):
            raise ValueError(text)
        on = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError("as_of", "not_a_date", value=text) from None
    if on > today:
        raise ValidationError("as_of", "date_in_future", on=on, today=today)
    if on < EARLIEST:
        raise ValidationError("as_of", "date_too_early", on=on, earliest=EARLIEST)
    return on


def recent_quarter_ends(today: date, count: int = 4) -> list[date]:
    """The last ``count`` calendar quarter ends strictly before ``today``."""
    out: list[date] = []
    year, month = today.year, (today.month - 1) // 3 * 3  # end month of the previous quarter
    while len(out) < count:
        if month == 0:
            year, month = year - 1, 12
        out.append(charts.month_end(year, month))
        month -= 3
    return out
