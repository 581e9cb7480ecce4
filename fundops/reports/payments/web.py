"""The ``reports_payments`` blueprint of the LP payments pages, its template filters and
the fund page's panel linking to them. The routes are in
:mod:`fundops.reports.payments.views`, imported by :func:`fundops.reports.payments.register`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from fundops.calc.lp_payments import half_up
from fundops.clock import business_today
from fundops.portfolio.access import Access
from fundops.portfolio.models import Fund
from fundops.portfolio.panels import FundPanel, add_fund_panel
from fundops.reports.payments import forms
from fundops.reports.payments.queries import arrears
from fundops.uow import Actor

bp = Blueprint("reports_payments", __name__)


@bp.app_template_filter("pay_label")
def _label(value: Any) -> str:
    """The translated label of a payments enum member."""
    return str(forms.LABELS.get(type(value), {}).get(value.value, value.value))


@bp.app_template_filter("pay_pct")
def _pct(value: Decimal) -> str:
    """A fraction as a percentage without trailing zeros: 0.0005 → "0.05"."""
    text = format(value * 100, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@bp.app_template_filter("exact_fen")
def _exact_fen(value: Fraction) -> Decimal:
    """An exact amount (a fraction of a yuan) shown to the fen, half up."""
    return half_up(value)


def as_of_arg() -> date:
    """The page's ``as_of`` query argument (a bad or missing one: today)."""
    raw = request.args.get("as_of", "")
    try:
        return date.fromisoformat(raw) if raw else business_today()
    except ValueError:
        return business_today()


PANEL_TITLE = _l("LP payments")


def _panel(fund: Fund, access: Access, actor: Actor) -> dict[str, Any] | None:
    if access is not Access.MANAGER:
        return None
    return {"arrears": arrears(fund, business_today()), "title": PANEL_TITLE}


def register_panel() -> None:
    """Show the fund's arrears and a link to its payments page on the fund page."""
    add_fund_panel(FundPanel("lp_payments", "reports/payments/_panel.html", _panel))
