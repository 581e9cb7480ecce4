"""Fund-of-funds look-through: a parent fund's exposure to every company through its sub-funds.

Definitions (domain-rules §3.5, issue 3):

* **Share** of a parent fund P in a sub-fund S at a date, on the basis

  - ``commitment``: P's commitments to S / all commitments to S (both on or before the date);
  - ``paid_in``: P's paid-in to S (S's capital-call allocations to P's LP records, value
    date on or before the date, reversals included so they net out) / all of S's paid-in
    (its capital calls); **0** when S has no paid-in yet.

  A link P → S exists once P has a commitment to S on or before the date.
* **Holding value** of a fund F in a company c at a date (:mod:`fundops.calc.rollforward`,
  the same definition as the deal view of :mod:`fundops.metrics.engine`): the latest
  holding valuation of (F, c) on or before the date (for one date the valuation recorded
  last wins), rolled forward by F's investments in c (+) and proceeds from c (−) dated
  strictly after the valuation date and on or before the date (a valuation is end of day:
  flows on its date are inside it), floored at 0; without a valuation, the net cost
  (investments − proceeds on or before the date, floored at 0) (``value_basis``
  ``"fair_value"`` or ``"cost"``). With ``holding_value="cost"`` the cumulative
  investment at cost is always used, exits not deducted (the look-through leverage of
  :mod:`fundops.calc.leverage`). A holding sold in full (proceeds and a 0 valuation at
  the exit date) is 0 from that date on.
* **Cash and other net assets** of a fund F (:class:`CashLine`): F's NAV (the latest
  reported NAV rolled forward by calls (+), distributions, fees and expenses (−) dated
  after it, floored at 0; the engine's NAV) − F's holding values − Σ share(F → S) × NAV
  of each sub-fund S. Weighted by the root's weight in F and summed over every fund below
  the root, plus the root's own line (split into its ledger cash and the difference),
  it closes the identity **root NAV = Σ companies + Σ cash lines** exactly
  (:class:`NetAssets`).
* **Exposure** of the root fund R to company c = Σ over every path R → … → F → c of
  (product of the shares along the path) × holding value of F in c. R's own holdings
  count with share 1; a company reached by several paths appears once, summed. A company
  is an identity, not a record: records that ``inputs.companies`` maps to the same
  :class:`CompanyInfo` ``company_id`` (several organisations' records of one credit code)
  make one row, labelled by that info.

Units and rounding: amounts enter as **integer fen** (minor units; 1 yuan = 100 fen)
because the loader reads the BIGINT columns directly; every result amount is in
**yuan**. Shares and exposures are exact :class:`fractions.Fraction`s; each row's
``exposure_amount`` (and every aggregate's ``exposure_amount``) is the exact value
rounded once to 0.01 yuan, ROUND_HALF_EVEN, so the rounded rows may differ from the
rounded total by a few fen — the ``*_exact`` fields are what the consistency identity
``total = direct holdings + Σ share_i × (sub-fund i's own look-through total)`` is checked on.
The history form is vectorised with numpy (the matrices are built in
:mod:`fundops.calc.lookthrough_model`): per-quarter totals are exact, per-sector
breakdowns are floats in yuan (relative error ~1e-15; for charts, not for accounting).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np

from fundops.calc.lookthrough_model import (
    HOLDING_VALUES,
    SHARE_BASES,
    Model,
    build_model,
    fund_order,
)
from fundops.calc.lookthrough_records import (
    Breakdown,
    CashLine,
    CompanyInfo,
    ExposurePart,
    ExposureRow,
    HistoryPoint,
    LookThroughHistory,
    LookThroughInputs,
    LookThroughResult,
    NetAssets,
    SubFundShare,
    quantize_fraction,
    quantize_ratio,
)
from fundops.calc.lookthrough_rows import BelowRows, all_rows, weights_at
from fundops.calc.lookthrough_rows import share as link_share

__all__ = [
    "HOLDING_VALUES",
    "SHARE_BASES",
    "Breakdown",
    "CashLine",
    "CompanyInfo",
    "ExposurePart",
    "ExposureRow",
    "HistoryPoint",
    "LookThroughHistory",
    "LookThroughInputs",
    "LookThroughResult",
    "NetAssets",
    "SubFundShare",
    "compute_look_through",
    "compute_look_through_history",
    "compute_sub_fund_shares",
    "fund_order",
    "quantize_fraction",
    "quantize_ratio",
]

_FEN = 100


def _fund_holdings(m: Model) -> np.ndarray:
    """[F, Q] int64: Σ holding values of each fund (fen)."""
    out = np.zeros((len(m.funds), m.value.shape[1]), dtype=np.int64)
    np.add.at(out, m.pair_fund, m.value)
    return out


def _breakdown(nums: dict[str, int], counts: dict[str, int], den: int,
               total_num: int) -> tuple[Breakdown, ...]:
    """Exact sums per key: ``nums[key]`` (Σ over its companies of Σ_f scaled_f × fen_f)
    over ``den``."""
    out = [Breakdown(key, quantize_ratio(num, den), counts[key],
                     None if total_num == 0 else quantize_ratio(num, total_num, 4), num, den)
           for key, num in nums.items()]
    return tuple(sorted(out, key=lambda b: (-b.exposure_numerator, b.key)))


def _sub_fund_shares(m: Model, own: np.ndarray) -> list[SubFundShare]:
    """Each direct sub-fund's share and own look-through total, by backward recursion
    (independent of the forward weights, so it checks them), at grid column 0."""
    own_total = [Fraction(0)] * len(m.funds)
    for f in reversed(range(len(m.funds))):  # children have larger topological indexes
        acc = Fraction(int(own[f]), _FEN)
        for link in np.flatnonzero(m.link_parent == f):
            acc += link_share(m, int(link), 0) * own_total[int(m.link_sub[link])]
        own_total[f] = acc
    subs = []
    for link in np.flatnonzero((m.link_parent == 0) & m.link_active[:, 0]):
        s, share = int(m.link_sub[link]), link_share(m, int(link), 0)
        attributed = share * own_total[s]
        subs.append(SubFundShare(
            sub_fund_id=m.funds[s], share=share, share_rate=quantize_fraction(share, 10),
            share_numerator=Decimal(int(m.link_num[link, 0])).scaleb(-2),
            share_denominator=Decimal(int(m.link_den[link, 0])).scaleb(-2),
            own_total_exact=own_total[s], attributed_exact=attributed,
            attributed_amount=quantize_fraction(attributed),
        ))
    return subs


def compute_sub_fund_shares(inputs: LookThroughInputs, as_of: date, basis: str = "paid_in",
                            holding_value: str = "fair_value") -> tuple[SubFundShare, ...]:
    """Only the ``sub_funds`` part of :func:`compute_look_through` (no per-company rows):
    the root's share of each direct sub-fund and that sub-fund's own look-through total."""
    m = build_model(inputs, np.array([as_of.toordinal()], dtype=np.int64), basis, holding_value)
    return tuple(_sub_fund_shares(m, _fund_holdings(m)[:, 0]))


def compute_look_through(inputs: LookThroughInputs, as_of: date, basis: str = "paid_in",
                         holding_value: str = "fair_value",
                         below: BelowRows | None = None) -> LookThroughResult:
    """The root fund's exact look-through at ``as_of`` (see the module docstring).

    Exact arithmetic stays on integers: a row's exposure is Σ n_f × fen / (d_f × 100) over
    the funds holding the company (weights n_f / d_f), put over the lcm of those d_f only;
    totals and breakdowns are per-fund integer sums over the lcm of all weights. Rows are
    ordered by ``exposure_amount`` (largest first), then company id. Raises
    ``ValueError`` for an unknown ``basis`` / ``holding_value`` or a cyclic graph.
    ``below`` (:func:`fundops.calc.lookthrough_rows.below_rows` of the same inputs without
    the root's own rows, same date and options) lets the rows of the companies the root
    does not hold itself be reused; the result is the same.
    """
    m = build_model(inputs, np.array([as_of.toordinal()], dtype=np.int64), basis, holding_value)
    w = weights_at(m, 0)
    weight, paths = w.weight, w.paths
    den = w.lcm * _FEN
    nums: dict[str, dict[str, int]] = {k: {} for k in ("sector", "stage", "region", "tag")}
    counts: dict[str, dict[str, int]] = {k: {} for k in nums}
    keyed = []  # (rounded fen, -company id, row): the order of the rounded amounts, exactly
    total_num = 0
    for info, row, row_scaled, fen in all_rows(m, inputs, w, below).values():
        keyed.append((fen, -row.company_id, row))
        total_num += row_scaled
        keys = [("sector", info.sector), ("stage", info.stage), ("region", info.region_code)]
        for dim, key in keys + [("tag", t) for t in info.tags]:
            by_key, counted = nums[dim], counts[dim]
            by_key[key] = by_key.get(key, 0) + row_scaled
            counted[key] = counted.get(key, 0) + 1
    keyed.sort(key=lambda k: (k[0], k[1]), reverse=True)
    rows = [k[2] for k in keyed]
    total = Fraction(total_num, den)
    bd = {dim: _breakdown(nums[dim], counts[dim], den, total_num) for dim in nums}

    own = _fund_holdings(m)[:, 0]
    subs = _sub_fund_shares(m, own)
    direct = Fraction(int(own[0]), _FEN)
    net_assets = _net_assets(m, own, weight, paths, total)
    return LookThroughResult(
        fund_id=inputs.root_fund_id, as_of=as_of, basis=basis, holding_value=holding_value,
        rows=tuple(rows), total_exact=total, total_amount=quantize_fraction(total),
        direct_total_exact=direct, sub_funds=tuple(subs),
        consistent=total == direct + sum((x.attributed_exact for x in subs), Fraction(0)),
        by_sector=bd["sector"], by_stage=bd["stage"], by_region=bd["region"], by_tag=bd["tag"],
        net_assets=net_assets,
    )


def _net_assets(m: Model, own: np.ndarray, weight: list[Fraction], paths: list[int],
                companies: Fraction) -> NetAssets:
    """The root's NAV as companies + weighted cash lines + its own cash + the difference,
    at grid column 0 (see the module docstring); every term an exact Fraction in yuan."""
    nav = [Fraction(int(x), _FEN) for x in m.nav[:, 0]]
    below = [Fraction(0)] * len(m.funds)  # Σ share × NAV of each fund's direct sub-funds
    for link in range(len(m.link_parent)):
        p, s = int(m.link_parent[link]), int(m.link_sub[link])
        below[p] += link_share(m, link, 0) * nav[s]
    own_line = [nav[f] - Fraction(int(own[f]), _FEN) - below[f] for f in range(len(m.funds))]
    lines = tuple(sorted((
        CashLine(fund_id=m.funds[f], weight=weight[f], paths=paths[f], nav_exact=nav[f],
                 holdings_exact=Fraction(int(own[f]), _FEN), sub_funds_exact=below[f],
                 own_exact=own_line[f], attributed_exact=weight[f] * own_line[f],
                 attributed_amount=quantize_fraction(weight[f] * own_line[f]))
        for f in range(1, len(m.funds)) if paths[f]), key=lambda x: x.fund_id))
    sub_cash = sum((x.attributed_exact for x in lines), Fraction(0))
    cash = Fraction(int(m.cash[0, 0]), _FEN) if len(m.funds) else Fraction(0)
    root_nav = nav[0] if nav else Fraction(0)
    difference = (own_line[0] - cash) if own_line else Fraction(0)
    nav_on = int(m.nav_on[0, 0]) if len(m.funds) else -1
    return NetAssets(
        nav_exact=root_nav, nav_on=date.fromordinal(nav_on) if nav_on > 0 else None,
        companies_exact=companies, cash_lines=lines, sub_fund_cash_exact=sub_cash,
        own_cash_exact=cash, difference_exact=difference,
        consistent=companies + sub_cash + cash + difference == root_nav,
    )


def compute_look_through_history(inputs: LookThroughInputs, dates: Sequence[date],
                                 basis: str = "paid_in",
                                 holding_value: str = "fair_value") -> LookThroughHistory:
    """Total (exact) and per-sector (float) exposure at each date, computed in one pass.

    Every table is bucketed once onto the date grid with numpy; the exact total at each
    date is Σ over funds of (exact weight × the fund's integer holdings), so it equals
    :func:`compute_look_through`'s ``total_exact`` at that date.
    """
    grid_dates = sorted(set(dates))
    grid = np.array([d.toordinal() for d in grid_dates], dtype=np.int64)
    m = build_model(inputs, grid, basis, holding_value)
    nq, nf = len(grid), len(m.funds)
    own = _fund_holdings(m)
    pair_sectors = [inputs.company(int(c)).sector for c in m.pair_company]
    sectors = sorted(set(pair_sectors))
    sidx = {s: i for i, s in enumerate(sectors)}
    pair_sector = np.array([sidx[s] for s in pair_sectors], dtype=np.int64)
    by_fund_sector = np.zeros((nf, len(sectors), nq), dtype=np.int64)
    np.add.at(by_fund_sector, (m.pair_fund, pair_sector), m.value)

    share_f = np.where(m.link_active & (m.link_den > 0),
                       m.link_num / np.where(m.link_den > 0, m.link_den, 1), 0.0)
    wf = np.zeros((nf, nq))
    if nf:
        wf[0] = 1.0
    for link in range(len(m.link_parent)):
        wf[m.link_sub[link]] += wf[m.link_parent[link]] * share_f[link]
    sector_yuan = np.einsum("fq,fsq->sq", wf, by_fund_sector.astype(np.float64)) / _FEN

    points = []
    for q, as_of in enumerate(grid_dates):
        weight = weights_at(m, q).weight
        total = sum((w * int(own[f, q]) for f, w in enumerate(weight) if w), Fraction(0)) / _FEN
        points.append(HistoryPoint(
            as_of=as_of, total_exact=total, total_amount=quantize_fraction(total),
            by_sector=tuple((s, float(sector_yuan[i, q])) for i, s in enumerate(sectors)),
        ))
    return LookThroughHistory(inputs.root_fund_id, basis, holding_value, tuple(points))
