"""The look-through's per-company rows, and their reuse after a write in the root's own book.

A row depends on the holdings of every fund that holds the company and on the root's
exact weight in those funds (see :mod:`fundops.calc.lookthrough`). The weights depend on
the fund-of-funds links and the sub-funds' commitments and paid-in only, never on the
root's own holdings. So the rows of the companies the root does not hold directly can be
computed once from the rows below the root (:func:`below_rows`) and reused while those
rows are unchanged: :func:`all_rows` recomputes only the companies the root holds
itself and those whose label changed, from the full inputs, and takes the others as
they were. The result is identical to computing every row (tested).

Amounts: fen integers and exact Fractions, as in :mod:`fundops.calc.lookthrough`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np

from fundops.calc.lookthrough_model import Model, build_model
from fundops.calc.lookthrough_records import (
    CompanyInfo,
    ExposurePart,
    ExposureRow,
    LookThroughInputs,
    scaled_half_even,
)

__all__ = ["BelowRows", "RowTable", "Weights", "all_rows", "below_rows", "weights_at"]

_FEN = 100

RowTable = dict[int, tuple[CompanyInfo, ExposureRow, int, int]]
"""Company id → (its label, its row, exposure × lcm × 100, rounded exposure in fen)."""


@dataclass(frozen=True)
class Weights:
    """The root's exact weight and path count in every fund (by the model's fund index),
    their common denominator ``lcm`` and the weights scaled to it (weight = scaled / lcm)."""

    weight: list[Fraction]
    paths: list[int]
    lcm: int
    scaled: list[int]


@dataclass(frozen=True)
class BelowRows:
    """The rows of the companies held below the root, computed without the root's own
    holdings; ``lcm`` is the common denominator of the weights they were scaled to."""

    lcm: int
    rows: RowTable


def weights_at(m: Model, q: int) -> Weights:
    """Exact weight and path count of the root in every fund at grid column ``q``."""
    weight = [Fraction(0)] * len(m.funds)
    paths = [0] * len(m.funds)
    weight[0], paths[0] = Fraction(1), 1
    for link in range(len(m.link_parent)):  # sorted by parent: its weight is complete
        if not m.link_active[link, q]:
            continue
        p, s = int(m.link_parent[link]), int(m.link_sub[link])
        weight[s] += weight[p] * share(m, link, q)
        paths[s] += paths[p]
    lcm = math.lcm(*(w.denominator for w in weight))
    return Weights(weight, paths, lcm, [w.numerator * (lcm // w.denominator) for w in weight])


def share(m: Model, link: int, q: int) -> Fraction:
    """The parent's exact share in the sub-fund of ``link`` at grid column ``q``."""
    den = int(m.link_den[link, q])
    if not m.link_active[link, q] or den <= 0:
        return Fraction(0)
    return Fraction(int(m.link_num[link, q]), den)


def below_rows(inputs: LookThroughInputs, as_of: date, basis: str,
               holding_value: str) -> BelowRows:
    """Every row of ``inputs`` (meant: the inputs without the root's own rows) at ``as_of``."""
    m = build_model(inputs, np.array([as_of.toordinal()], dtype=np.int64), basis, holding_value)
    w = weights_at(m, 0)
    return BelowRows(w.lcm, company_rows(m, inputs, w, None))


def all_rows(m: Model, inputs: LookThroughInputs, w: Weights, below: BelowRows | None) -> RowTable:
    """Every row of the look-through: from ``below`` where it still holds (a company the
    root does not hold itself, labelled as before), the others computed."""
    if below is None or below.lcm != w.lcm:
        return company_rows(m, inputs, w, None)
    own = m.held[:, 0] & (m.pair_fund == 0)
    redo = {inputs.company(int(c)).company_id for c in m.pair_company[own].tolist()}
    stale = [cid for cid, (info, *_rest) in below.rows.items()
             if inputs.companies.get(cid, info) != info]  # the company's label changed
    redo.update(stale, (inputs.company(cid).company_id for cid in stale))
    records = set(redo) | {rec for rec, info in inputs.companies.items()
                           if info.company_id in redo}
    pairs = np.isin(m.pair_company, np.fromiter(records, dtype=np.int64, count=len(records)))
    rows = {cid: row for cid, row in below.rows.items() if cid not in redo}
    rows.update(company_rows(m, inputs, w, pairs))
    return rows


def company_rows(m: Model, inputs: LookThroughInputs, w: Weights,
                 pairs: np.ndarray | None) -> RowTable:
    """The rows of the companies held in the ``pairs`` (a boolean mask; None: all)."""
    per_company, infos = _holdings_by_company(m, inputs, w.weight, w.paths, pairs)
    out: RowTable = {}
    for cid, by_fund in per_company.items():
        info = infos[cid]
        row, row_scaled, fen = _row(info, by_fund, w.weight, w.scaled)
        out[cid] = (info, row, row_scaled, fen)
    return out


def _merge(earlier: tuple[int, ExposurePart], fen: int,
           part: ExposurePart) -> tuple[int, ExposurePart]:
    """One fund's two holdings of the same company (two records) as one part: values summed."""
    before_fen, before = earlier
    basis = before.value_basis if before.value_basis == part.value_basis else "mixed"
    dates = [d for d in (before.value_on, part.value_on) if d is not None]
    return before_fen + fen, ExposurePart(
        fund_id=part.fund_id, weight=part.weight, paths=part.paths,
        holding_value=before.holding_value + part.holding_value, value_basis=basis,
        value_on=max(dates) if dates else None)


Parts = dict[int, tuple[int, ExposurePart]]
"""One company's holdings by fund index: (holding value in fen, the part)."""


def _holdings_by_company(m: Model, inputs: LookThroughInputs, weight: list[Fraction],
                         paths: list[int], pairs: np.ndarray | None
                         ) -> tuple[dict[int, Parts], dict[int, CompanyInfo]]:
    """The held holdings reached from the root, by company identity (the ``company_id``
    of their :class:`CompanyInfo`: records of one company make one row) and fund; only
    the (fund, company) pairs where ``pairs`` (a boolean mask) is true, if given."""
    per_company: dict[int, Parts] = {}
    infos: dict[int, CompanyInfo] = {}
    days: dict[int, date | None] = {}
    held = np.flatnonzero(m.held[:, 0] if pairs is None else m.held[:, 0] & pairs)
    for f, cid, fen, on, fair in zip(m.pair_fund[held].tolist(), m.pair_company[held].tolist(),
                                     m.value[held, 0].tolist(), m.value_on[held, 0].tolist(),
                                     m.at_fair_value[held, 0].tolist(), strict=True):
        if paths[f] == 0:
            continue
        info = inputs.company(cid)
        by_fund = per_company.get(info.company_id)
        if by_fund is None:
            by_fund = per_company[info.company_id] = {}
            infos[info.company_id] = info
        if on not in days:
            days[on] = date.fromordinal(on) if on > 0 else None
        part = ExposurePart(
            fund_id=m.funds[f], weight=weight[f], paths=paths[f],
            holding_value=Decimal(fen).scaleb(-2), value_basis="fair_value" if fair else "cost",
            value_on=days[on],
        )
        fen_total = fen
        if f in by_fund:  # the fund holds the company under two organisations' records
            fen_total, part = _merge(by_fund[f], fen, part)
        by_fund[f] = (fen_total, part)
    return per_company, infos


def _row(info: CompanyInfo, by_fund: Parts, weight: list[Fraction],
         scaled: list[int]) -> tuple[ExposureRow, int, int]:
    """A company's row, its exposure over the result's common denominator (× lcm × 100)
    and its rounded exposure in fen (ROUND_HALF_EVEN)."""
    via: tuple[ExposurePart, ...]
    if len(by_fund) == 1:  # the usual case: one fund holds it
        [(f, (fen, part))] = by_fund.items()
        w = weight[f]
        row_lcm, num, row_scaled = w.denominator, w.numerator * fen, scaled[f] * fen
        via, paths, basis = (part,), part.paths, part.value_basis
    else:
        row_lcm = math.lcm(*(weight[f].denominator for f in by_fund))
        num = sum(weight[f].numerator * (row_lcm // weight[f].denominator) * fen
                  for f, (fen, _) in by_fund.items())
        row_scaled = sum(scaled[f] * fen for f, (fen, _) in by_fund.items())
        via = tuple(sorted((x for _, x in by_fund.values()), key=lambda x: x.fund_id))
        paths = sum(x.paths for x in via)
        bases = {x.value_basis for x in via}
        basis = bases.pop() if len(bases) == 1 else "mixed"
    fen = scaled_half_even(num, row_lcm * _FEN)
    return ExposureRow(
        company_id=info.company_id, company_name=info.name, sector=info.sector,
        stage=info.stage, region_code=info.region_code, tags=info.tags,
        is_hard_tech=info.is_hard_tech, exposure_amount=Decimal(fen).scaleb(-2),
        paths=paths, value_basis=basis, via=via, exposure_numerator=num,
        exposure_denominator=row_lcm * _FEN,
    ), row_scaled, fen


