"""The jobs process keeps the shared figures warm: after the night's writes it brings
every fund's quarter snapshots up to date (only the points a change reached are
recomputed, :mod:`fundops.metrics.snapshots`), and computes today's fund metrics and
each parent fund's overview, today and at the last quarter end (with its sub-funds'
metrics then: what the quarterly report reads), so the first person to open a page in
the morning does not wait for them. Pages compute whatever is still missing on first
read.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from fundops.calc.periods import Quarter
from fundops.extensions import db
from fundops.metrics.parent import stored_overview
from fundops.metrics.snapshots import closed_points, stored_metrics, sub_fund_ids, sub_fund_metrics
from fundops.portfolio.models import Fund

__all__ = ["funds_to_refresh", "refresh_fund"]


def funds_to_refresh(when: date) -> list[int]:
    """Every fund that had started by ``when`` (the refresh skips the ones up to date)."""
    return list(db.session.scalars(
        sa.select(Fund.id).where(Fund.inception_on <= when).order_by(Fund.id)))


def refresh_fund(fund_id: int, when: date) -> bool:
    """Bring the fund's quarter snapshots, metrics at ``when`` and at the last quarter end
    before it, and (for a fund of funds) its overviews and sub-funds' metrics at those
    dates up to date; False when everything was current already."""
    fund = db.session.get(Fund, fund_id)
    if fund is None:
        return False
    _, computed = closed_points(fund.id, fund.inception_on, when)
    quarter_end = Quarter.of(when).previous().end
    dates = [when] if quarter_end < fund.inception_on else [when, quarter_end]
    reused = [stored_metrics(fund.id, on).hit for on in dates]
    subs = sorted(sub_fund_ids(fund.id))
    if subs:
        reused += [stored_overview(fund.id, on, "paid_in").hit for on in dates]
        if quarter_end >= fund.inception_on:
            reused.append(sub_fund_metrics(fund.id, subs, quarter_end, False).hit)
    return computed > 0 or not all(reused)
