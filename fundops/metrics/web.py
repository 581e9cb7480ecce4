"""The ``metrics`` blueprint, its display filters (multiples, rates, ratios) and the
as-of picker its pages share.

The routes are in ``views.py`` (fund performance) and ``parent_views.py`` (the parent
fund's overview); each imports ``bp`` from here and :func:`fundops.metrics.register`
imports both before registering the blueprint, so no view module imports its importer.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired

from fundops.metrics import charts
from fundops.web.figures import figure

bp = Blueprint("metrics", __name__)


class AsOfForm(FlaskForm):
    """The GET as-of picker (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    as_of = DateField(_l("As of"), [InputRequired()])


def na() -> str:
    """The text for a figure that is not available, translated."""
    return _("n/a")


@bp.app_template_filter("multiple")
def format_multiple(value: Decimal | None, places: int = 2) -> str:
    """A multiple such as TVPI as ``1.23x`` (ROUND_HALF_UP, display only); n/a for None."""
    if value is None:
        return na()
    shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return figure(f"{shown:,.{places}f}x", value, f"x{places}")


@bp.app_template_filter("fixed")
def format_fixed(value: Decimal | None, places: int = 4) -> str:
    """An exact Decimal ratio shown to ``places`` decimals (ROUND_HALF_EVEN, display only:
    the API gives the full value); n/a for None."""
    if value is None:
        return na()
    shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return figure(f"{shown:f}", value, f"d{places}")


@bp.app_template_filter("rate")
def format_rate(value: float | None, places: int = 2) -> str:
    """A fraction such as an IRR as a percentage (``0.0588`` -> ``5.88%``); n/a for None."""
    if value is None:
        return na()
    return figure(charts.percent(value, places), value, f"p{places}")


@bp.app_template_filter("ratio_pct")
def format_ratio_pct(value: Decimal | None, places: int = 1) -> str:
    """An exact Decimal fraction such as PIC as a percentage; n/a for None."""
    if value is None:
        return na()
    shown = (value * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return figure(f"{shown:,.{places}f}%", value, f"p{places}")
