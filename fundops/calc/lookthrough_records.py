"""Result records of the fund-of-funds look-through (see :mod:`fundops.calc.lookthrough`).

Amounts are yuan Decimals rounded once to 0.01 (ROUND_HALF_EVEN) from exact Fractions;
the ``*_exact`` fields and properties keep the exact values.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from fundops.calc import pickling


def scaled_half_even(numerator: int, denominator: int, places: int = 2) -> int:
    """``numerator / denominator × 10**places`` (integers, denominator > 0) rounded
    half-to-even to an integer, exactly: :func:`quantize_ratio` in units of 10**-places."""
    scale: int = 10**places
    q, r = divmod(numerator * scale, denominator)
    if 2 * r > denominator or (2 * r == denominator and q % 2):
        q += 1
    return q


def quantize_ratio(numerator: int, denominator: int, places: int = 2) -> Decimal:
    """``numerator / denominator`` (integers, denominator > 0) rounded half-to-even to
    ``places`` decimals, exactly (no binary or context-precision step)."""
    q = scaled_half_even(numerator, denominator, places)
    return Decimal(f"{q}E-{places}")  # exact: parsing a Decimal never rounds


def quantize_fraction(q: Fraction, places: int = 2) -> Decimal:
    """``q`` rounded half-to-even to ``places`` decimals, exactly."""
    return quantize_ratio(q.numerator, q.denominator, places)


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    """Attributes of a portfolio company used for breakdowns."""

    company_id: int
    name: str
    sector: str
    stage: str
    region_code: str
    is_hard_tech: bool = False
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LookThroughInputs:
    """Dated ledger facts of the funds below a root fund; every amount in integer fen.

    Row layouts: ``parent_commitments`` / ``parent_paid_in`` are (parent fund, sub-fund,
    date, fen) — the commitments of, and capital-call allocations to, the parent's LP
    records in the sub-fund; ``fund_commitments`` / ``fund_paid_in`` are (fund, date, fen)
    over all LPs; ``investments`` are (fund, company, value date, fen) with reversals
    negative; ``proceeds`` the same layout for proceeds (positive: they reduce the
    holding); ``valuations`` are (fund, company, as_of, record id, fen). ``fund_navs``
    are the funds' reported NAVs (fund, as_of, record id, fen) and ``fund_flows`` their
    ledger flows (fund, kind value, value date, fen summed, reversals netted) of the kinds
    in :data:`fundops.calc.rollforward.CASH_FLOW_SIGN`; without them every NAV is rolled
    from zero and the cash lines show only the book difference. Dates may also be
    ISO ``YYYY-MM-DD`` text (SQLite's raw form). Rows may cover more funds and later
    dates than needed: only the funds reachable from the root and the events on or
    before each date count.
    """

    root_fund_id: int
    parent_commitments: Sequence[tuple[int, int, date, int]]
    parent_paid_in: Sequence[tuple[int, int, date, int]]
    fund_commitments: Sequence[tuple[int, date, int]]
    fund_paid_in: Sequence[tuple[int, date, int]]
    investments: Sequence[tuple[int, int, date, int]]
    valuations: Sequence[tuple[int, int, date, int, int]]
    companies: Mapping[int, CompanyInfo]
    proceeds: Sequence[tuple[int, int, date, int]] = ()
    fund_navs: Sequence[tuple[int, date, int, int]] = ()
    fund_flows: Sequence[tuple[int, str, date, int]] = ()

    def company(self, company_id: int) -> CompanyInfo:
        """The company's attributes (a placeholder when it was not loaded)."""
        return self.companies.get(company_id) or CompanyInfo(company_id, f"company {company_id}",
                                                             "", "", "")


@dataclass(frozen=True, slots=True)
class ExposurePart:
    """One fund's holding of the company and the root's weight in that fund."""

    fund_id: int
    weight: Fraction  # Σ over paths root → fund of the product of shares (1 for the root)
    paths: int
    holding_value: Decimal  # yuan, exact (2 dp)
    value_basis: str  # "fair_value" or "cost"
    value_on: date | None  # date of the valuation used; None at cost

    @property
    def exposure_exact(self) -> Fraction:
        """weight × holding_value, yuan."""
        return self.weight * Fraction(self.holding_value)


@dataclass(frozen=True, slots=True)
class ExposureRow:
    """The root fund's exposure to one company (yuan).

    The exact exposure is ``exposure_numerator / exposure_denominator`` (not reduced; every
    row of one result shares the denominator), also as the Fraction ``exposure_exact``.
    """

    company_id: int
    company_name: str
    sector: str
    stage: str
    region_code: str
    tags: tuple[str, ...]
    is_hard_tech: bool
    exposure_amount: Decimal  # the exact exposure rounded to 0.01 yuan, ROUND_HALF_EVEN
    paths: int
    value_basis: str  # "fair_value", "cost" or "mixed" (fair value in some funds, cost in others)
    via: tuple[ExposurePart, ...]
    exposure_numerator: int
    exposure_denominator: int

    @property
    def exposure_exact(self) -> Fraction:
        return Fraction(self.exposure_numerator, self.exposure_denominator)


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Exposure summed over the companies with one sector / stage / region / tag."""

    key: str
    exposure_amount: Decimal  # the exact sum rounded once (not the sum of rounded rows)
    companies: int
    share_of_total: Decimal | None  # of the total exposure, 4 dp half-even; None if total is 0
    exposure_numerator: int
    exposure_denominator: int

    @property
    def exposure_exact(self) -> Fraction:
        return Fraction(self.exposure_numerator, self.exposure_denominator)


@dataclass(frozen=True, slots=True)
class SubFundShare:
    """A direct sub-fund of the root: the root's share and the sub-fund's own look-through."""

    sub_fund_id: int
    share: Fraction
    share_rate: Decimal  # ``share`` rounded to 10 dp half-even, for display.
    share_numerator: Decimal  # Root's commitment or paid-in in the sub-fund, yuan.
    share_denominator: Decimal  # Sub-fund's total commitments or paid-in, yuan.
    own_total_exact: Fraction
    """The sub-fund's own look-through total (its holdings and its sub-funds), yuan."""
    attributed_exact: Fraction  # share × own_total_exact, yuan.
    attributed_amount: Decimal


@dataclass(frozen=True, slots=True)
class CashLine:
    """A sub-fund's cash and other net assets, weighted by the root's share (yuan).

    ``own_exact`` = the sub-fund's NAV − its holdings' values − Σ its share × each of its
    own sub-funds' NAV; ``attributed_exact`` = ``weight`` × ``own_exact``.
    """

    fund_id: int
    weight: Fraction  # Σ over paths root → fund of the product of shares
    paths: int
    nav_exact: Fraction
    holdings_exact: Fraction
    sub_funds_exact: Fraction
    own_exact: Fraction
    attributed_exact: Fraction
    attributed_amount: Decimal  # attributed_exact rounded to 0.01 yuan, ROUND_HALF_EVEN


@dataclass(frozen=True, slots=True)
class NetAssets:
    """The root fund's NAV split into companies and cash lines (yuan; exact Fractions).

    ``nav_exact`` = ``companies_exact`` (the look-through total) + Σ ``cash_lines``
    attributed + ``own_cash_exact`` (the root's ledger cash: every flow in minus every
    flow out) + ``difference_exact`` (what is left: the root's other net assets and any
    disagreement between the NAV on its own books and the look-through of its holdings
    and sub-funds). ``consistent`` checks the identity exactly.
    """

    nav_exact: Fraction
    nav_on: date | None  # the reported NAV rolled forward from; None: rolled from inception
    companies_exact: Fraction
    cash_lines: tuple[CashLine, ...]  # every sub-fund with a path from the root, by fund id
    sub_fund_cash_exact: Fraction
    own_cash_exact: Fraction
    difference_exact: Fraction
    consistent: bool


@dataclass(frozen=True, slots=True)
class LookThroughResult:
    """A fund's look-through at one date (amounts in yuan; see the module docstring)."""

    fund_id: int
    as_of: date
    basis: str
    holding_value: str
    rows: tuple[ExposureRow, ...]  # Largest exposure first.
    total_exact: Fraction
    total_amount: Decimal
    direct_total_exact: Fraction  # The root fund's own holdings (share 1).
    sub_funds: tuple[SubFundShare, ...]
    consistent: bool
    """``total_exact == direct_total_exact + Σ sub_funds.attributed_exact`` (exactly)."""
    by_sector: tuple[Breakdown, ...]
    by_stage: tuple[Breakdown, ...]
    by_region: tuple[Breakdown, ...]
    by_tag: tuple[Breakdown, ...]
    """Tags overlap (a company may have several or none), so these do not add up to the total."""
    net_assets: NetAssets | None = None
    """The root's NAV as companies + cash lines (computed with ``holding_value`` fair value)."""


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """Total and per-sector exposure at one date."""

    as_of: date
    total_exact: Fraction
    total_amount: Decimal
    by_sector: tuple[tuple[str, float], ...]
    """(sector, exposure in yuan as a float), sorted by sector; every loaded sector appears."""


@dataclass(frozen=True, slots=True)
class LookThroughHistory:
    fund_id: int
    basis: str
    holding_value: str
    points: tuple[HistoryPoint, ...]  # One per distinct date, ascending.


pickling.register(sys.modules[__name__])  # fast unpickling of the cached records
