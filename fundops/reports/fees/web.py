"""The ``reports_fees`` blueprint of the management-fee pages and its template filters.
The routes are in :mod:`fundops.reports.fees.views` (imported by
:func:`fundops.reports.fees.register` before the blueprint is registered)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint

from fundops.reports.fees import forms

bp = Blueprint("reports_fees", __name__)


@bp.app_template_filter("fee_label")
def _fee_label(value: Any) -> str:
    return forms.label(value)


@bp.app_template_filter("fee_pct")
def _fee_pct(value: Decimal) -> str:
    """A fraction as a percentage without trailing zeros: 0.015 → "1.5"."""
    text = format(value * 100, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
