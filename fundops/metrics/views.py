"""Fund performance page: net, gross, LP and deal metrics as of a date, with a quarterly chart.

The as-of date defaults to today in the business timezone (``BUSINESS_TIMEZONE``,
Asia/Shanghai): the page answers "where do we stand now", and the NAV card shows how
old the valuation behind it is. Dates after today are refused; the API and the
``fundops metrics`` command parse dates with the same :func:`parse_as_of`
(:mod:`fundops.metrics.asof`, also importable from here).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from fundops.auth.current import current_actor
from fundops.errors import ValidationError
from fundops.i18n import localise
from fundops.metrics import charts
from fundops.metrics import performance_tables as tables
from fundops.metrics.asof import (
    STALE_AFTER_DAYS,
    business_today,
    parse_as_of,
    recent_quarter_ends,
)
from fundops.metrics.perspectives import DEFINITIONS, fund_report, net_of_carry
from fundops.metrics.web import AsOfForm, bp, na
from fundops.portfolio.access import get_fund
from fundops.web.paging import page_list

__all__ = ["STALE_AFTER_DAYS", "business_today", "parse_as_of"]  # the API's imports


def definition(code: str) -> str:
    """The text of ``DEFINITIONS[code]`` in the page's language."""
    zh, en = DEFINITIONS[code]
    return zh if str(get_locale()).startswith("zh") else en


def chart_text() -> charts.ChartText:
    return charts.ChartText(
        title=_("Net IRR, TVPI and DPI by quarter"), multiples_axis=_("Multiple (x)"),
        irr_axis=_("Net IRR (%)"), tvpi=_("TVPI"), dpi=_("DPI"), irr=_("Net IRR"),
        empty=_("No paid-in capital yet"),
        irr_empty=_("The annual IRR is shown once the track record reaches one year"), na=na(),
    )


def _pme_context(actor: Any, fund_id: int, as_of: date, code: str) -> dict[str, Any]:
    """Index choices and, when one is chosen, the fund's KS-PME and Direct Alpha."""
    from fundops.metrics.benchmark import DEFINITIONS as PME_DEFINITIONS
    from fundops.metrics.benchmark import fund_pme, index_codes

    def pme_definition(key: str) -> str:
        zh, en = PME_DEFINITIONS[key]
        return zh if str(get_locale()).startswith("zh") else en

    context: dict[str, Any] = {"index_codes": index_codes(), "index_code": code, "pme": None,
                               "pme_error": None, "pme_definition": pme_definition}
    if code:
        try:
            context["pme"] = fund_pme(actor, fund_id, as_of, code)
        except ValidationError as exc:
            context["pme_error"] = localise(exc)
    return context


@bp.route("/funds/<int:fund_id>/performance")
@login_required
def fund_performance(fund_id: int) -> Any:
    """Metrics of one fund as of ``?as_of=`` (default today); 404 for funds not visible."""
    actor = current_actor()
    fund, access = get_fund(actor, fund_id)
    today = business_today()
    raw = request.args.get("as_of")
    form = AsOfForm(request.args if raw else None, as_of=today)
    context: dict[str, Any] = {
        "fund": fund, "access": access, "form": form, "today": today,
        "quarter_links": recent_quarter_ends(today), "stale_after": STALE_AFTER_DAYS,
        "definition": definition, "quarter_label": charts.quarter_label,
    }
    try:
        as_of = parse_as_of(raw, today)
    except ValidationError:
        form.as_of.errors = [_("Enter a date in the form YYYY-MM-DD, not after %(today)s.",
                               today=today.isoformat())]
        return render_template("metrics/fund_performance.html", report=None, **context), 422
    report, history = fund_report(actor, fund.id, as_of)
    context |= _pme_context(actor, fund.id, as_of, request.args.get("index", "").strip())
    svg = charts.history_svg(charts.chart_points(history), chart_text())
    pages = {"history": page_list(tables.HISTORY, history),
             "lps": page_list(tables.LPS, report.lps),
             "deals": page_list(tables.DEALS, report.deals)}
    return render_template("metrics/fund_performance.html", report=report, as_of=as_of,
                           history=history, chart=Markup(svg),  # noqa: S704 - charts escapes every text
                           carry=net_of_carry(report), pages=pages, **context)
