"""The fund page's figures as one book of plain values, reused while the fund is unchanged.

The fund page shows a fund's totals, every LP's position, its holdings, its sub-fund
positions (a parent), its NAV history and how many ledger entries it has. Read live these
are a dozen aggregate queries over the fund's ledger (a national sub-fund: 5,500 entries,
their LP allocations, 100 holdings), about half of the page's time. :func:`fund_book`
reads them once into a :class:`FundBook` of plain values (no ORM objects: it can be
pickled and shared between server processes) and reuses it while nothing in the fund's
subtree changed.

Portfolio imports no other feature, so the store is registered from outside
(:func:`set_book_store`; the metrics feature registers its shared figure cache, which is
invalidated by fund through :mod:`fundops.versions`). Without one the book is read live.

What the viewer may see is applied after the book is read (:func:`visible_lps`): the
book holds every LP with the fund of its LP record, and an LP-access viewer gets its own
rows and one "other LPs" row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from fundops.extensions import db
from fundops.portfolio import queries
from fundops.portfolio.access import Access
from fundops.portfolio.ledger import CashFlow, FundValuation
from fundops.portfolio.models import Fund

__all__ = ["FundBook", "fund_book", "read_book", "set_book_store", "visible_lps"]

BOOK_KIND = "fund_book"
BOOK_VERSION = "1"
"""Part of the stored key: raise it when :class:`FundBook`'s fields change."""


@dataclass(frozen=True, slots=True)
class NavPoint:
    """One recorded NAV of a fund (amount in the fund's currency, exact)."""

    as_of: date
    nav_amount: Decimal
    source: str
    recorded_at: datetime | None


@dataclass(frozen=True, slots=True)
class Named:
    """A fund or company as the page names and links it."""

    id: int
    name: str
    code: str = ""
    name_zh: str = ""


@dataclass(frozen=True, slots=True)
class BookHolding:
    """:class:`fundops.portfolio.queries.Holding` with the company as :class:`Named`."""

    company: Named
    invested_amount: Decimal
    proceeds_amount: Decimal
    fair_value_amount: Decimal | None
    fair_value_on: date | None


@dataclass(frozen=True, slots=True)
class BookSubFund:
    """:class:`fundops.portfolio.queries.SubFundHolding` with plain fund and NAV."""

    fund: Named
    committed_amount: Decimal
    contributed_amount: Decimal
    returned_amount: Decimal
    latest_nav: NavPoint | None
    commitment_share: Decimal | None


@dataclass(frozen=True, slots=True)
class BookTotals:
    """:class:`fundops.portfolio.queries.FundTotals` with the latest NAV as a point."""

    committed_amount: Decimal
    paid_in_amount: Decimal
    distributed_amount: Decimal
    invested_amount: Decimal
    latest_nav: NavPoint | None

    @property
    def uncalled_amount(self) -> Decimal:
        """Committed − paid-in (exact)."""
        return self.committed_amount - self.paid_in_amount


@dataclass(frozen=True, slots=True)
class FundBook:
    """Everything the fund page reads from the fund's books, as plain values.

    ``lp_funds[i]`` is the fund whose LP record ``lps[i]`` is (None: an outside investor),
    for :func:`visible_lps`; ``ledger_count`` is the number of ledger entries (reversals
    included), the ledger pager's total."""

    totals: BookTotals
    lps: tuple[queries.LpPosition, ...]
    lp_funds: tuple[int | None, ...]
    holdings: tuple[BookHolding, ...]
    sub_funds: tuple[BookSubFund, ...]
    navs: tuple[NavPoint, ...]
    ledger_count: int


BookStore = Callable[[int, Callable[[], FundBook]], FundBook]
"""(fund id, read the book) -> the book: a store returns a kept book while it is valid."""

_store: list[BookStore] = []


def set_book_store(store: BookStore | None) -> None:
    """Keep books with ``store`` from now on (None: read every book live)."""
    _store.clear()
    if store is not None:
        _store.append(store)


def fund_book(fund: Fund) -> FundBook:
    """The fund's book: kept by the registered store while valid, else read now."""
    fund_id = fund.id
    if not _store:
        return read_book(fund_id)
    return _store[0](fund_id, lambda: read_book(fund_id))


def _point(nav: FundValuation | None) -> NavPoint | None:
    if nav is None:
        return None
    return NavPoint(nav.as_of, nav.nav_amount, nav.source, nav.recorded_at)


def read_book(fund_id: int) -> FundBook:
    """Read the fund's book from the database now (the queries of
    :mod:`fundops.portfolio.queries`, converted to plain values)."""
    fund = db.session.get(Fund, fund_id)
    if fund is None:
        raise LookupError(fund_id)
    totals = queries.get_fund_totals(fund)
    lps = queries.lp_rows(fund.id)
    return FundBook(
        totals=BookTotals(totals.committed_amount, totals.paid_in_amount,
                          totals.distributed_amount, totals.invested_amount,
                          _point(totals.latest_nav)),
        lps=tuple(row for row, _fund in lps),
        lp_funds=tuple(lp_fund for _row, lp_fund in lps),
        holdings=tuple(
            BookHolding(Named(h.company.id, h.company.name), h.invested_amount,
                        h.proceeds_amount, h.fair_value_amount, h.fair_value_on)
            for h in queries.list_holdings(fund.id)),
        sub_funds=tuple(
            BookSubFund(Named(s.fund.id, s.fund.name_zh, s.fund.code, s.fund.name_zh),
                        s.committed_amount, s.contributed_amount, s.returned_amount,
                        _point(s.latest_nav), s.commitment_share)
            for s in queries.list_sub_fund_holdings(fund.id)),
        navs=tuple(p for p in map(_point, queries.list_nav_history(fund.id)) if p is not None),
        ledger_count=int(db.session.scalar(
            sa.select(sa.func.count()).select_from(CashFlow)
            .where(CashFlow.fund_id == fund.id)) or 0),
    )


def visible_lps(book: FundBook, access: Access, viewer_org_id: int) -> list[queries.LpPosition]:
    """The book's LP rows as the viewer may see them (as
    :func:`fundops.portfolio.queries.list_lp_positions`)."""
    return queries.visible_positions(list(zip(book.lps, book.lp_funds, strict=True)),
                                     access, viewer_org_id)
