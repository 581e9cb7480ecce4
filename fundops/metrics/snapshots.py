"""A fund's metrics at a date and at every quarter end, computed once and shared.

- :func:`focus_metrics`: the engine's perspectives of one fund (net, LP, gross, deals)
  at one date, stored in the shared cache (:mod:`fundops.metrics.cache`) and reused
  while nothing in the fund's subtree changed.
- :func:`history`: the fund's net and gross positions at each quarter end since
  inception. A quarter end before the as-of date is a **quarter snapshot**: its point is
  stored with the others under the fund, with the write counter read before its facts.
  A later change to the fund or to a fund below it (a correction, a late NAV, a new
  entry) counts from its business date (:mod:`fundops.versions`): the points dated on or
  after it are recomputed on the next read, the earlier ones are kept. A change dated in
  the open quarter leaves every closed quarter's point as it was. The as-of date's own
  point is the live :func:`focus_metrics`.

Each point is the engine's on the fund's focus ledger at its date: the same numbers as
computing every point from one full ledger load cut at each date (``cut``; tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import data_version
from fundops.extensions import db
from fundops.metrics.cache import Cached, cached, store, stored
from fundops.metrics.engine import Metrics, Perspective, Position, compute
from fundops.metrics.frames import Ledger, load_focus_ledger, load_ledger, to_day
from fundops.portfolio.models import Commitment, Investor

__all__ = ["QuarterPoint", "closed_points", "cut", "empty_net", "focus_metrics", "history",
           "quarter_ends", "sub_fund_ids", "sub_fund_metrics"]

HISTORY = "quarter_points"


@dataclass(frozen=True, slots=True)
class QuarterPoint:
    on: date
    net: Position
    gross: Position | None


def sub_fund_ids(fund_id: int) -> list[int]:
    """Funds in which ``fund_id`` holds a commitment through an LP record."""
    return list(db.session.scalars(
        sa.select(Commitment.fund_id).join(Investor, Investor.id == Commitment.investor_id)
        .where(Investor.fund_id == fund_id).distinct()))


def sub_fund_metrics(parent_id: int, ids: list[int], end: date, deals: bool) -> Cached:
    """The metrics of the sub-funds ``ids`` at ``end`` (deal perspectives with ``deals``),
    stored under the parent with the sub-funds as scope: valid while nothing in them or
    below them changed; the parent's own writes do not touch them."""
    return cached("sub_fund_metrics", parent_id, f"{end.isoformat()}|{int(deals)}",
                  lambda: compute(load_ledger(end, sorted({*ids, *_children(ids)})),
                                  focus=set(ids), deals=deals), scope=ids, on=end)


def _children(fund_ids: list[int]) -> list[int]:
    """Funds in which any of ``fund_ids`` holds a commitment through an LP record."""
    if not fund_ids:
        return []
    return list(db.session.scalars(
        sa.select(Commitment.fund_id).join(Investor, Investor.id == Commitment.investor_id)
        .where(Investor.fund_id.in_(fund_ids)).distinct()))


def empty_net(as_of: date, fund_id: int) -> Position:
    """The net position of a fund with no flows yet (zeros, no IRR)."""
    zero = Decimal("0.00")
    return Position(Perspective.FUND_NET, (fund_id,), as_of, zero, zero, zero, zero, None, None)


def quarter_ends(start: date, end: date) -> list[date]:
    """Calendar quarter ends from the one containing ``start`` up to ``end`` (inclusive),
    plus ``end`` itself when it is not a quarter end."""
    out: list[date] = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while True:
        month = quarter * 3
        q_end = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
        if q_end > end:
            break
        out.append(q_end)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    if not out or out[-1] != end:
        out.append(end)
    return out


def cut(ledger: Ledger, on: date) -> Ledger:
    """The same ledger seen at an earlier date (rows dated after ``on`` dropped)."""
    day = to_day(on)
    return Ledger(
        on, ledger.flows[ledger.flows[:, 2] <= day],
        ledger.allocations[ledger.allocations[:, 3] <= day],
        ledger.commitments[ledger.commitments[:, 2] <= day],
        ledger.navs[ledger.navs[:, 1] <= day], ledger.holdings[ledger.holdings[:, 2] <= day],
        ledger.lp_funds, ledger.trades[ledger.trades[:, 2] <= day],
    )


def _load(fund_id: int, as_of: date) -> Ledger:
    """What the engine needs for ``fund_id``'s positions: its own ledger and only its
    sub-funds' NAVs and LP weights (:func:`fundops.metrics.frames.load_focus_ledger`)."""
    return load_focus_ledger(as_of, [fund_id], sub_fund_ids(fund_id))


def focus_metrics(fund_id: int, as_of: date) -> Metrics:
    """Every perspective of ``fund_id`` at ``as_of`` (the caller has checked access)."""
    return stored_metrics(fund_id, as_of).value


def stored_metrics(fund_id: int, as_of: date) -> Cached:
    """:func:`focus_metrics` with whether it was reused (the jobs process warms it)."""
    return cached("fund_metrics", fund_id, as_of.isoformat(),
                  lambda: compute(_load(fund_id, as_of), focus={fund_id}), on=as_of)


def _point(metrics: Metrics, fund_id: int, on: date) -> QuarterPoint:
    return QuarterPoint(on, metrics.fund_net.get(fund_id) or empty_net(on, fund_id),
                        metrics.gross.get(fund_id))


def history(fund_id: int, inception: date, as_of: date, current: Metrics) -> list[QuarterPoint]:
    """Net and gross positions at every quarter end since ``inception`` and at ``as_of``
    (``current`` is the fund's metrics at ``as_of``); see the module docstring."""
    return [*closed_points(fund_id, inception, as_of)[0], _point(current, fund_id, as_of)]


def closed_points(fund_id: int, inception: date,
                  as_of: date) -> tuple[list[QuarterPoint], int]:
    """The quarter snapshots before ``as_of`` (stored ones reused while valid) and how many
    were computed now."""
    wanted = [on for on in quarter_ends(inception, as_of) if on < as_of]
    version = data_version()  # before the change log and any fact
    found = stored(HISTORY, fund_id, "")
    points: dict[date, QuarterPoint] = {}
    if found is not None:
        snapshot, change = found
        points = {on: p for on, p in snapshot.value.items() if not change.affects(on)}
    missing = [on for on in wanted if on not in points]
    for on in missing:  # one small load per quarter: a sub-fund's NAV is dated
        points[on] = _point(compute(_load(fund_id, on), focus={fund_id}, deals=False),
                            fund_id, on)
    if missing:
        store(HISTORY, fund_id, "", version, points, 0)
    return [points[on] for on in wanted], len(missing)
