"""The long tables of the fund page and the company list, paged and sortable on the server.

Each is a :class:`fundops.web.paging.TableSpec`: the fund page's tables have their own
query parameters (``lps_page``, ``ledger_sort`` …), the company list's are plain (``page``,
``sort`` …). The ledger and the companies are read a page at a time from the database;
the LPs, holdings and sub-funds are computed whole (their totals need every row) and
sliced. The Excel download of a table has every row, in the order shown.
"""

from __future__ import annotations

from decimal import Decimal

from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.models import Company
from fundops.web.paging import DESC, Column, TableSpec


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return numerator / denominator if denominator else None


def _attr(name: str, first: str = DESC) -> Column:
    return Column(name, key=lambda row: getattr(row, name), first=first)


LPS = TableSpec("lp-table", (
    Column("lp", key=lambda p: p.investor_name),
    Column("type", key=lambda p: p.investor_type or None),
    _attr("committed_amount"), _attr("paid_in_amount"),
    Column("paid_in_ratio", key=lambda p: _ratio(p.paid_in_amount, p.committed_amount),
           first=DESC),
    _attr("uncalled_amount"), _attr("distributed_amount"),
), prefix="lps")
"""The fund's LPs (by investor by default); the totals row is over every LP."""

LEDGER = TableSpec("ledger-table", (
    Column("id", sql=CashFlow.id, first=DESC, nullable=False),
    Column("value_on", sql=CashFlow.value_on, first=DESC, nullable=False),
    Column("kind", sql=CashFlow.kind, nullable=False),
    Column("amount", sql=CashFlow.amount, first=DESC, nullable=False),
    Column("counterparty", sql=CashFlow.counterparty),
    Column("reference", sql=CashFlow.source_ref),
    Column("recorded_at", sql=CashFlow.recorded_at, first=DESC, nullable=False),
), default_sort="value_on", default_dir=DESC, prefix="ledger",
    tiebreak=(CashFlow.value_on.desc(), CashFlow.id.desc()))
"""The ledger, latest value date first; entries with equal values keep that order."""

HOLDINGS = TableSpec("holding-table", (
    Column("company", key=lambda h: h.company.name),
    _attr("invested_amount"), _attr("proceeds_amount"), _attr("fair_value_amount"),
    _attr("fair_value_on"),
), default_sort="company", presorted=True, prefix="holdings")
"""The fund's holdings, by company name."""

SUB_FUNDS = TableSpec("sub-fund-table", (
    Column("fund", key=lambda s: s.fund.code),
    _attr("committed_amount"), _attr("commitment_share"), _attr("contributed_amount"),
    _attr("returned_amount"),
    Column("nav", key=lambda s: s.latest_nav.nav_amount if s.latest_nav else None, first=DESC),
    Column("nav_on", key=lambda s: s.latest_nav.as_of if s.latest_nav else None, first=DESC),
), default_sort="fund", presorted=True, prefix="sub_funds")
"""A parent fund's sub-funds, by code."""

COMPANIES = TableSpec("company-table", (
    Column("name", sql=Company.name, nullable=False),
    Column("uscc", sql=Company.uscc, nullable=False),
    Column("sector", sql=Company.sector, nullable=False),
    Column("stage", sql=Company.stage, nullable=False),
    Column("region", sql=Company.region_code, nullable=False),
), default_sort="name", tiebreak=(Company.id,))
"""The company list (one table on its page: plain parameters), by name."""

