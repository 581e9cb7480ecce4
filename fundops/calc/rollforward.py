"""One definition of a rolled-forward value at a date: a holding's value and a fund's NAV.

**Rolled-forward value** of a key (a (fund, company) holding, or a fund) at a date ``t``:

* take the latest valuation dated on or before ``t`` (for one date the valuation recorded
  last wins: the highest record id, or the last row when no ids are given);
* add the key's signed flows dated **strictly after** that valuation date and on or
  before ``t``. A valuation is end of day: flows dated *on* the valuation date are
  inside it and are not added again;
* with no valuation on or before ``t``, the value is the sum of all the key's signed
  flows on or before ``t`` (net cost for a holding, the NAV rolled from zero at inception
  for a fund);
* the result is floored at zero (a holding or a fund is never worth less than nothing).

Signs (:data:`HOLDING_FLOW_SIGN`, :data:`NAV_FLOW_SIGN`, :data:`CASH_FLOW_SIGN`, keyed by
the ledger's cash-flow kind values):

* a **holding** moves by investments (+) and proceeds (−). After a full exit the exit
  service writes a holding valuation of 0 at the exit date with the proceeds on the same
  date, so the holding is 0 from that date on; without that valuation, proceeds above
  the value also floor it at 0;
* a fund's **NAV** moves by capital calls (+) and distributions, management fees and
  expenses (−); investments, proceeds and sub-fund contributions and returns swap one
  asset for another and leave the NAV unchanged;
* a fund's **ledger cash** moves by every flow in or out of the fund: calls, proceeds and
  sub-fund returns (+); distributions, fees, expenses, investments and contributions to
  sub-funds (−).

Units: amounts are integer fen (int64), days any integer day count (ordinals or days
since 1970) shared by the valuations, the flows and the grid. Nothing is rounded. The
computation is vectorised with numpy over keys × dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CASH_FLOW_SIGN",
    "HOLDING_FLOW_SIGN",
    "NAV_FLOW_SIGN",
    "NO_VALUATION",
    "Rolled",
    "roll_forward",
]

HOLDING_FLOW_SIGN: dict[str, int] = {"investment": 1, "proceeds": -1}
NAV_FLOW_SIGN: dict[str, int] = {"capital_call": 1, "distribution": -1, "management_fee": -1,
                                 "expense": -1}
CASH_FLOW_SIGN: dict[str, int] = {
    "capital_call": 1, "proceeds": 1, "fund_return": 1, "distribution": -1,
    "management_fee": -1, "expense": -1, "investment": -1, "fund_contribution": -1,
}
NO_VALUATION = -(1 << 40)
"""``valued_on`` where no valuation applies (below any day number)."""


@dataclass(frozen=True, slots=True)
class Rolled:
    """Rolled-forward values of ``K`` keys at ``Q`` grid dates (see the module docstring).

    ``value`` [K, Q] int64 fen, floored at 0; ``valued`` [K, Q] bool: a valuation on or
    before the date was rolled from; ``valued_on`` [K, Q] its day, else
    :data:`NO_VALUATION`; ``unfloored`` [K, Q] the value before the floor at zero.
    """

    value: np.ndarray
    valued: np.ndarray
    valued_on: np.ndarray
    unfloored: np.ndarray


def _index(keys: np.ndarray, of: np.ndarray) -> np.ndarray:
    """Position of each of ``of`` in the sorted unique ``keys``, or -1 when absent."""
    if len(keys) == 0:
        return np.full(len(of), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, of), len(keys) - 1)
    return np.where(keys[at] == of, at, -1).astype(np.int64)


def roll_forward(keys: np.ndarray, grid: np.ndarray, *,
                 val_keys: np.ndarray, val_days: np.ndarray, val_fen: np.ndarray,
                 val_ids: np.ndarray | None = None, flow_keys: np.ndarray,
                 flow_days: np.ndarray, flow_fen: np.ndarray) -> Rolled:
    """The rolled-forward value of every key at every grid date (module docstring).

    ``keys``: sorted unique int64 keys; ``grid``: sorted int64 days. Valuations are
    (``val_keys``, ``val_days``, ``val_fen``, optional ``val_ids`` for the order within one
    day; without ids, rows of one key and day count in their given order); flows are
    (``flow_keys``, ``flow_days``, ``flow_fen``) with ``flow_fen`` already signed. Rows
    whose key is not in ``keys`` are ignored.
    """
    nk, nq = len(keys), len(grid)
    grid = np.asarray(grid, dtype=np.int64)
    fk = _index(keys, np.asarray(flow_keys, dtype=np.int64))
    fday = np.asarray(flow_days, dtype=np.int64)
    famt = np.asarray(flow_fen, dtype=np.int64)
    keep = fk >= 0
    fk, fday, famt = fk[keep], fday[keep], famt[keep]
    # running flow totals at each grid date: Σ flows dated on or before it
    at_grid = np.zeros((nk, nq), dtype=np.int64)
    if len(fk) and nq:
        q = np.searchsorted(grid, fday, side="left")
        ok = q < nq
        np.add.at(at_grid, (fk[ok], q[ok]), famt[ok])
        at_grid = np.cumsum(at_grid, axis=1)

    vk = _index(keys, np.asarray(val_keys, dtype=np.int64))
    vday = np.asarray(val_days, dtype=np.int64)
    vamt = np.asarray(val_fen, dtype=np.int64)
    vid = (np.arange(len(vk), dtype=np.int64) if val_ids is None
           else np.asarray(val_ids, dtype=np.int64))
    keep = vk >= 0
    vk, vday, vamt, vid = vk[keep], vday[keep], vamt[keep], vid[keep]
    if len(vk) == 0 or nq == 0:
        valued = np.zeros((nk, nq), dtype=bool)
        return Rolled(np.maximum(at_grid, 0), valued, np.full((nk, nq), NO_VALUATION),
                      at_grid)
    low = int(min(vday.min(), grid.min(), fday.min() if len(fday) else vday.min()))
    span = int(max(vday.max(), grid.max(), fday.max() if len(fday) else vday.max())) - low + 2
    order = np.lexsort((vid, vday, vk))  # by key, day, record
    vk, vday, vamt = vk[order], vday[order], vamt[order]
    vcode = vk * span + (vday - low)
    # the latest valuation on or before each grid date: the last sorted code ≤ (key, date)
    rows = np.arange(nk, dtype=np.int64)[:, None]
    pos = np.searchsorted(vcode, rows * span + (grid[None, :] - low), side="right") - 1
    safe = np.maximum(pos, 0)
    valued = (pos >= 0) & (vk[safe] == rows)
    # Σ flows of the key dated on or before each valuation's day
    forder = np.lexsort((fday, fk))
    fcode = fk[forder] * span + (fday[forder] - low)
    cum = np.r_[0, np.cumsum(famt[forder])]
    upto = cum[np.searchsorted(fcode, vcode, side="right")]
    start = cum[np.searchsorted(fcode, vk * span, side="left")]
    inside = upto - start
    before = at_grid if len(fk) else np.zeros((nk, nq), dtype=np.int64)
    unfloored = np.where(valued, vamt[safe] + before - inside[safe], before)
    return Rolled(np.maximum(unfloored, 0), valued,
                  np.where(valued, vday[safe], NO_VALUATION), unfloored)
