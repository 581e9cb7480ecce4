"""Texts the system stored in English (term sheet event reasons, loan flags), shown in
the page's language with amounts in the page's unit; anything a user typed is shown as is.
:mod:`fundops.syndication.web` makes them the ``system_text`` and ``loan_flag`` filters."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import gettext as _

from fundops.i18n import format_money, unit_label
from fundops.syndication.enums import TermSheetStatus
from fundops.syndication.fields import label

_ARRIVED = re.compile(r"equity arrived (-?\d+(?:\.\d+)?)")
_LONG_STOP = re.compile(r"long-stop date (\d{4}-\d{2}-\d{2}) passed without the equity "
                        r"\(daily job\)")
_FLAG = re.compile(r"term sheet ([a-z_]+): (.*)", re.S)


def system_text(text: str | None) -> str:
    """A term sheet event's reason: the system's own wording translated."""
    value = str(text or "")
    if match := _ARRIVED.fullmatch(value):
        amount = f"{format_money(Decimal(match.group(1)))} {unit_label()}"
        return _("Equity arrived in full: %(amount)s", amount=amount)
    if match := _LONG_STOP.fullmatch(value):
        return _("Long-stop date %(date)s passed without the equity (daily job)",
                 date=match.group(1))
    return value


def loan_flag(text: str | None) -> str:
    """A loan's flag ("term sheet lapsed: <reason>") in the page's language."""
    value = str(text or "")
    match = _FLAG.fullmatch(value)
    if match is None or match.group(1) not in {s.value for s in TermSheetStatus}:
        return value
    return _("Term sheet %(status)s: %(reason)s",
             status=label(TermSheetStatus(match.group(1))),
             reason=system_text(match.group(2)))
