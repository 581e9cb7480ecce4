"""The long tables of the parent-fund page, paged and sortable on the server.

A national guidance fund has hundreds of sub-funds and tens of thousands of companies, so
each per-sub-fund and per-company table of :mod:`fundops.metrics.parent_views` shows one
page (:mod:`fundops.web.paging`; each table has its own namespaced query parameters), and
the policy indicators of the sub-funds are one row per sub-fund with every indicator's
value, the full indicator table of one sub-fund a click away (``?policy_fund=<id>``).
The Excel download of any of these tables has every row. Only which rows are shown
changes: the figures are the services' own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fundops.calc.leverage import LeverageReport
from fundops.calc.lookthrough_records import LookThroughResult
from fundops.calc.policy import FundIndicators, Indicator, PolicyReport
from fundops.web.paging import DESC, Column, Paged, TableSpec, page_list

SUB_FUND_PAGES = (10, 25, 50, 100, 200)
"""Page sizes of the per-sub-fund tables: ten sub-funds by default, so that the page of a
parent with hundreds of them stays around 100 KB with all its sections."""


def _amount(attr: str) -> Column:
    return Column(attr, key=lambda row: getattr(row, attr), first=DESC)


def _fund_code(labels: Mapping[int, tuple[str, str]], attr: str) -> Column:
    def code(row: Any) -> str:
        fund_id = getattr(row, attr)
        return labels.get(fund_id, (f"#{fund_id}", ""))[0]
    return Column("fund", key=code)


def _breakdown(table_id: str, prefix: str) -> TableSpec:
    return TableSpec(table_id, (
        Column("key", key=lambda b: b.key), Column("companies", key=lambda b: b.companies,
                                                   first=DESC),
        Column("exposure", key=lambda b: b.exposure_exact, first=DESC),
    ), default_sort="exposure", default_dir=DESC, presorted=True, prefix=prefix,
        default_per=25)


COMPANIES = TableSpec("company-exposure-table", (
    Column("company", key=lambda r: r.company_name), Column("sector", key=lambda r: r.sector),
    Column("stage", key=lambda r: r.stage), Column("region", key=lambda r: r.region_code),
    Column("exposure", key=lambda r: r.exposure_exact, first=DESC),
    Column("paths", key=lambda r: r.paths, first=DESC),
    Column("basis", key=lambda r: r.value_basis),
), default_sort="exposure", default_dir=DESC, presorted=True, prefix="companies",
    default_per=25)
"""The companies by exposure; the service gives them largest exposure first."""
BREAKDOWNS = {kind: _breakdown(f"by-{kind}", kind)
              for kind in ("sector", "stage", "region", "tag")}
BREACHES = TableSpec("breach-table", prefix="breaches", per_choices=SUB_FUND_PAGES,
                     default_per=10)
"""The sub-funds breaking a rule (their rows are grouped by sub-fund: paged by sub-fund)."""


def shares_spec(labels: Mapping[int, tuple[str, str]]) -> TableSpec:
    """The parent's shares of its direct sub-funds (in the service's order by default)."""
    return TableSpec("sub-fund-share-table", (
        _fund_code(labels, "sub_fund_id"), Column("share", key=lambda s: s.share, first=DESC),
        _amount("share_numerator"), _amount("share_denominator"),
        Column("own_total", key=lambda s: s.own_total_exact, first=DESC),
        Column("attributed", key=lambda s: s.attributed_exact, first=DESC),
    ), prefix="shares", per_choices=SUB_FUND_PAGES, default_per=SUB_FUND_PAGES[0])


def net_spec(labels: Mapping[int, tuple[str, str]]) -> TableSpec:
    """The sub-funds' cash lines of the parent's NAV (by fund id by default)."""
    return TableSpec("net-assets-table", (
        _fund_code(labels, "fund_id"), Column("weight", key=lambda x: x.weight, first=DESC),
        Column("nav", key=lambda x: x.nav_exact, first=DESC),
        Column("holdings", key=lambda x: x.holdings_exact, first=DESC),
        Column("sub_funds", key=lambda x: x.sub_funds_exact, first=DESC),
        Column("own", key=lambda x: x.own_exact, first=DESC),
        Column("attributed", key=lambda x: x.attributed_exact, first=DESC),
    ), prefix="net", per_choices=SUB_FUND_PAGES, default_per=SUB_FUND_PAGES[0])


def _ratio(definition: str) -> Callable[[Any], Any]:
    def value(row: Any) -> Any:
        return next((r.value for r in row.ratios
                     if r.definition == definition and r.basis == "subscribed"), None)
    return value


def leverage_spec(lev: LeverageReport) -> TableSpec:
    """Leverage per sub-fund: two rows (both bases) per sub-fund, sorted on the subscribed
    basis."""
    ratios = [Column(r.definition, key=_ratio(r.definition), first=DESC)
              for r in lev.ratios if r.basis == "subscribed"]
    return TableSpec("leverage-sub-fund-table", (
        Column("fund", key=lambda s: s.fund_code),
        _amount("committed_total"), _amount("guidance_committed"),
        _amount("government_committed"),
        Column("invested", key=lambda s: s.invested + s.co_invested, first=DESC),
        _amount("attributable_subscribed"), *ratios,
    ), prefix="leverage", per_choices=SUB_FUND_PAGES, default_per=SUB_FUND_PAGES[0])


@dataclass(frozen=True, slots=True)
class IndicatorColumn:
    """A column of the sub-funds' policy table: one indicator (on one basis)."""

    name: str  # its sort name: the code, with the basis for the two-basis indicators
    code: str
    basis: str | None
    label_zh: str
    label_en: str


def indicator_columns(pol: PolicyReport) -> list[IndicatorColumn]:
    """The indicators of the sub-funds, in the order of the calculation."""
    if not pol.sub_funds:
        return []
    return [IndicatorColumn(f"{i.code}_{i.basis}" if i.basis else i.code, i.code,
                            i.basis, i.label_zh, i.label_en)
            for i in pol.sub_funds[0].indicators]


def _indicator_value(column: IndicatorColumn) -> Callable[[FundIndicators], Any]:
    def value(f: FundIndicators) -> Any:
        found = _find(f, column)
        return None if found is None else found.value
    return value


def _find(f: FundIndicators, column: IndicatorColumn) -> Indicator | None:
    return next((i for i in f.indicators
                 if i.code == column.code and i.basis == column.basis), None)


def policy_spec(columns: list[IndicatorColumn]) -> TableSpec:
    """Sub-funds' indicators: those breaking a rule first, then by the service's order."""
    return TableSpec("policy-sub-fund-table", (
        Column("fund", key=lambda f: f.fund_code),
        Column("breaches", key=lambda f: len(f.breaches), first=DESC),
        *(Column(c.name, key=_indicator_value(c), first=DESC) for c in columns),
    ), default_sort="breaches", default_dir=DESC, prefix="policy",
        per_choices=SUB_FUND_PAGES, default_per=SUB_FUND_PAGES[0])


def chosen_sub_fund(pol: PolicyReport, raw: str | None) -> FundIndicators | None:
    """The sub-fund whose full indicator table is shown (``?policy_fund=<id>``); an id
    that is not one of the sub-funds shows none."""
    if raw is None or not re.fullmatch(r"[0-9]{1,12}", raw.strip()):
        return None
    fund_id = int(raw.strip())
    return next((f for f in pol.sub_funds if f.fund_id == fund_id), None)


def paged_tables(lt: LookThroughResult, lev: LeverageReport, pol: PolicyReport,
                 labels: Mapping[int, tuple[str, str]]) -> dict[str, Any]:
    """The page's tables, each one page as the request asks (every row when downloaded)."""
    columns = indicator_columns(pol)
    pages: dict[str, Paged[Any]] = {
        "shares": page_list(shares_spec(labels), lt.sub_funds),
        "companies": page_list(COMPANIES, lt.rows),
        "leverage": page_list(leverage_spec(lev), lev.sub_funds),
        "breaches": page_list(BREACHES, pol.breaches),
        "policy": page_list(policy_spec(columns), pol.sub_funds),
    }
    if lt.net_assets is not None:
        pages["net"] = page_list(net_spec(labels), lt.net_assets.cash_lines)
    for kind, spec in BREAKDOWNS.items():
        pages[kind] = page_list(spec, getattr(lt, f"by_{kind}"))
    return {"pages": pages, "indicator_columns": columns, "find_indicator": _find}
