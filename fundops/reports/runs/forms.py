"""Forms of the report-run pages: run a pack for a quarter (the choices are the quarters
that have ended, and the registered packs of the subject)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired

from fundops.calc.periods import Quarter
from fundops.portfolio.forms import option
from fundops.reports.runs.registry import Pack
from fundops.web.formtokens import TokenForm

MAX_QUARTERS = 40


def ended_quarters(first: date, today: date, limit: int = MAX_QUARTERS) -> list[Quarter]:
    """The quarters from the one containing ``first`` to the last one ended before
    ``today``, newest first (at most ``limit``)."""
    out: list[Quarter] = []
    q = Quarter.of(today).previous()
    while q.end >= first and len(out) < limit:
        out.append(q)
        q = q.previous()
    return out


def quarter_choices(quarters: list[Quarter]) -> list[Any]:
    return [option(str(q), f"{q.label_zh} ({q})") for q in quarters]


class RunForm(TokenForm):
    """Run a fund pack for a quarter."""

    kind = SelectField(_l("Report pack"), [DataRequired()])
    quarter = SelectField(_l("Quarter"), [DataRequired()])

    def offer(self, packs: list[Pack], quarters: list[Quarter]) -> None:
        self.kind.choices = [option(p.kind, str(p.label)) for p in packs]
        self.quarter.choices = quarter_choices(quarters)


class QuarterRunForm(TokenForm):
    """Run an organisation's pack (the bank's loan book) for a quarter."""

    quarter = SelectField(_l("Quarter"), [DataRequired()])
