"""Plain data of the demo plan (no database): companies, deals, ledger events, dates.

Everything is exact :class:`~decimal.Decimal`; random draws are integers from a seeded
:class:`random.Random`, so the plan is the same on every run and no float is ever stored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from fundops.demo.catalogue import DEMO_END, FundSpec
from fundops.identifiers import USCC_ALPHABET, make_uscc

BASE_DAY = date(2019, 1, 1)
ROUNDS = ("天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "B+轮", "C轮", "Pre-IPO轮")
ROUND_STAGE = ("seed", "start_up", "start_up", "start_up", "growth", "growth", "growth", "mature")
ROUND_POST_WAN = (8000, 20000, 40000, 60000, 100000, 150000, 250000, 400000)
ONE = Decimal(1)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def quarter_end(d: date) -> date:
    month = ((d.month - 1) // 3 + 1) * 3
    return date(d.year, 12, 31) if month == 12 else date(d.year, month + 1, 1) - days(1)


def period_ends(start: date, end: date, months: tuple[int, ...]) -> list[date]:
    """Quarter- or half-year-end dates in [start, end] (``months`` are the end months)."""
    out = []
    for year in range(start.year, end.year + 1):
        for month in months:
            d = date(year, 12, 31) if month == 12 else date(year, month + 1, 1) - days(1)
            if start <= d <= end:
                out.append(d)
    return out


def yuan(value: Decimal, step: int = 1) -> Decimal:
    """Round a computed value to a whole multiple of ``step`` yuan (half up)."""
    return (value / step).quantize(ONE, ROUND_HALF_UP) * step


def ceil_to(value: Decimal, step: int) -> Decimal:
    return (value / step).quantize(ONE, ROUND_CEILING) * step


def pct(rng: random.Random, lo: int, hi: int) -> Decimal:
    """A random fraction lo%..hi% as an exact Decimal."""
    return Decimal(rng.randint(lo, hi)) / 100


def chance(rng: random.Random, percent: int) -> bool:
    return rng.randint(1, 100) <= percent


def random_date(rng: random.Random, lo: date, hi: date) -> date:
    return lo + days(rng.randint(0, max(0, (hi - lo).days)))


def random_uscc(rng: random.Random, prefix: str, region: str, used: set[str]) -> str:
    """A valid fictional credit code: prefix + region + 'MA' + 7 characters + check."""
    while True:
        body = "".join(rng.choice(USCC_ALPHABET) for _ in range(7))
        code = make_uscc(f"{prefix}{region}MA{body}")
        if code not in used:
            used.add(code)
            return code


@dataclass
class CompanyPlan:
    key: str
    org: str
    name: str
    sector: str
    region: str
    mature: bool
    mu: Decimal  # yearly drift of the value index
    uscc: str
    hard_tech: bool
    reserved: bool = False  # kept for the provincial sub-funds' first deals
    round_idx: int = -1
    stage: str = ""
    tags: tuple[str, ...] = ()
    first_on: date | None = None
    last_on: date | None = None
    writeoff_on: date | None = None
    listed_on: date | None = None

    def index(self, on: date) -> Decimal:
        """Value index at a date: 1 on BASE_DAY, compounding at ``mu`` a year, floor 0.2;
        0 once written off."""
        if self.writeoff_on is not None and on >= self.writeoff_on:
            return Decimal(0)
        g = (ONE + self.mu) ** (Decimal((on - BASE_DAY).days) / 365)
        return max(g.quantize(Decimal("0.000001")), Decimal("0.2"))


@dataclass
class Deal:
    fund: str
    on: date
    amount: Decimal
    company: str = ""
    round_name: str = ""
    instrument: str = "ordinary_equity"
    ownership: Decimal | None = None


@dataclass
class Sale:
    on: date
    fraction: Decimal
    proceeds: Decimal
    kind: str  # ipo | trade | buyback


@dataclass
class Event:
    on: date
    kind: str  # call | investment | fee | expense | proceeds | distribution
    amount: Decimal
    purpose: str = ""
    company: str = ""
    dtype: str = ""
    memo: str = ""
    ref: str = ""
    deal: Deal | None = None


@dataclass
class FundPlan:
    spec: FundSpec
    inv_end: date
    term_end: date
    ext_end: date
    commitments: list[tuple[str, Decimal, date, int]] = field(default_factory=list)
    fees: list[tuple[date, Decimal]] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    sales: dict[str, Sale] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    holding_values: list[tuple[date, str, Decimal, str]] = field(default_factory=list)
    navs: list[tuple[date, Decimal]] = field(default_factory=list)

    @property
    def size(self) -> Decimal:
        return Decimal(self.spec.size_wan) * 10000

    @property
    def last_day(self) -> date:
        return min(self.ext_end, DEMO_END)

    def cost(self, company: str, on: date) -> Decimal:
        return sum((d.amount for d in self.deals if d.company == company and d.on <= on),
                   Decimal(0))

    def position_value(self, co: CompanyPlan, on: date) -> Decimal:
        """Fair value of the fund's holding in ``co`` at ``on``, rounded to 100 yuan."""
        g = co.index(on)
        value = sum((d.amount * g / co.index(d.on) for d in self.deals
                     if d.company == co.key and d.on <= on), Decimal(0))
        sale = self.sales.get(co.key)
        if sale is not None and on >= sale.on:
            value *= ONE - sale.fraction
        return yuan(value, 100)

    def cash(self, on: date) -> Decimal:
        """Undeployed cash at ``on`` from the planned events (calls in, everything else out)."""
        total = Decimal(0)
        for e in self.events:
            if e.on <= on:
                total += e.amount if e.kind in ("call", "proceeds") else -e.amount
        return total
