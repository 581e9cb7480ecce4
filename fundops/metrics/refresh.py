"""The jobs process keeps the shared figures warm: after the night's writes it brings
every fund's quarter snapshots up to date (only the points a change reached are
recomputed, :mod:`fundops.metrics.snapshots`), and computes today's fund metrics and
each parent fund's overview, so the first person to open a page in the morning does not
wait for them. Pages compute whatever is still missing on first read.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from fundops.extensions import db
from fundops.metrics.parent import stored_overview
from fundops.metrics.snapshots import closed_points, stored_metrics, sub_fund_ids
from fundops.portfolio.models import Fund

__all__ = ["funds_to_refresh", "refresh_fund"]


def funds_to_refresh(when: date) -> list[int]:
    """Every fund that had started by ``when`` (the refresh skips the ones up to date)."""
    return list(db.session.scalars(
        sa.select(Fund.id).where(Fund.inception_on <= when).order_by(Fund.id)))


def refresh_fund(fund_id: int, when: date) -> bool:
    """Bring the fund's quarter snapshots, metrics at ``when`` and (for a fund of funds)
    overview at ``when`` up to date; False when everything was current already."""
    fund = db.session.get(Fund, fund_id)
    if fund is None:
        return False
    _, computed = closed_points(fund.id, fund.inception_on, when)
    reused = [stored_metrics(fund.id, when).hit]
    if sub_fund_ids(fund.id):
        reused.append(stored_overview(fund.id, when, "paid_in").hit)
    return computed > 0 or not all(reused)
