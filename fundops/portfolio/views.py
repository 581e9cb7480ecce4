"""Portfolio pages (placeholder routes; full pages follow)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import login_required

from fundops.auth.current import current_actor
from fundops.portfolio.access import list_companies, list_funds

bp = Blueprint("portfolio", __name__)


@bp.route("/")
@login_required
def fund_list() -> Any:
    return render_template("portfolio/fund_list.html", funds=list_funds(current_actor()))


@bp.route("/companies")
@login_required
def company_list() -> Any:
    return render_template("portfolio/company_list.html", companies=list_companies(current_actor()))


@bp.route("/investors")
@login_required
def investor_list() -> Any:
    return render_template("portfolio/company_list.html", companies=[])
