"""The paging helper (fundops.web.paging): lenient reading of ?page/per/sort/dir, bounds,
stable sorting with missing values last, the whole table for the Excel download, and the
links of the pager and the headers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from fundops.web.paging import (
    DESC,
    Column,
    TableSpec,
    page_list,
    read_ask,
    sort_rows,
    url_with,
)


@dataclass(frozen=True)
class Row:
    n: int  # position in the default order
    name: str | None
    amount: Decimal | None


SPEC = TableSpec("row-table", (
    Column("name", key=lambda r: r.name),
    Column("amount", key=lambda r: r.amount, first=DESC),
), prefix="rows", per_choices=(2, 5, 10), default_per=5)
SORTED = TableSpec("sorted-table", (
    Column("name", key=lambda r: r.name), Column("amount", key=lambda r: r.amount, first=DESC),
), default_sort="amount", default_dir=DESC, per_choices=(2, 5), default_per=2)


def rows(count: int) -> list[Row]:
    return [Row(i, f"r{i:03d}", Decimal(i)) for i in range(count)]


def test_defaults_and_names_of_the_parameters() -> None:
    ask = read_ask(SPEC, {})
    assert (ask.page, ask.per, ask.sort, ask.desc, ask.whole) == (1, 5, None, False, False)
    assert SPEC.params == ("rows_page", "rows_per", "rows_sort", "rows_dir")
    assert SORTED.params == ("page", "per", "sort", "dir")
    ask = read_ask(SORTED, {})
    assert (ask.sort, ask.desc) == ("amount", True)


@pytest.mark.parametrize("args", [
    {"rows_page": "abc"}, {"rows_page": "-1"}, {"rows_page": "0"}, {"rows_page": "1.5"},
    {"rows_page": ""}, {"rows_page": "1" * 40}, {"rows_page": "２"}, {"rows_per": "7"},
    {"rows_per": "abc"}, {"rows_per": "100000"}, {"rows_per": "-5"}, {"rows_sort": "evil"},
    {"rows_sort": "n"}, {"rows_sort": "name;drop table"}, {"rows_dir": "sideways"},
    {"rows_dir": "desc"},  # a direction without a column: the default order
    {"page": "2", "per": "2", "sort": "name"},  # another table's parameters
])
def test_bad_values_fall_back_to_the_default(args: dict[str, str]) -> None:
    paged = page_list(SPEC, rows(12), args)
    assert [r.n for r in paged.rows] == [0, 1, 2, 3, 4]
    assert (paged.page, paged.per, paged.sort, paged.desc, paged.pages) == (1, 5, None, False, 3)


def test_an_unknown_column_keeps_the_default_order_whatever_the_direction() -> None:
    paged = page_list(SORTED, rows(5), {"sort": "evil", "dir": "asc"})
    assert (paged.sort, paged.desc) == ("amount", True)
    assert [r.n for r in paged.rows] == [4, 3]


def test_bounds() -> None:
    data = rows(12)
    assert [r.n for r in page_list(SPEC, data, {"rows_page": "3"}).rows] == [10, 11]
    past = page_list(SPEC, data, {"rows_page": "999999999"})
    assert (past.page, [r.n for r in past.rows]) == (3, [10, 11])  # the last page
    exact = page_list(SPEC, rows(10), {"rows_page": "2"})
    assert (exact.pages, [r.n for r in exact.rows]) == (2, [5, 6, 7, 8, 9])
    empty = page_list(SPEC, [], {"rows_page": "4"})
    assert (empty.page, empty.pages, empty.total, empty.rows) == (1, 1, 0, [])
    big = page_list(SPEC, data, {"rows_per": "10", "rows_page": "2"})
    assert (big.per, big.offset, [r.n for r in big.rows]) == (10, 10, [10, 11])
    assert not page_list(SPEC, rows(2), {}).shows_pager  # no more rows than the smallest page
    assert page_list(SPEC, rows(3), {}).shows_pager


def test_the_download_of_the_table_has_every_row_in_the_order_asked() -> None:
    data = rows(12)
    whole = page_list(SPEC, data, {"_xlsx": "row-table", "rows_page": "2", "rows_sort": "amount"})
    assert whole.whole and whole.offset == 0 and not whole.shows_pager
    assert [r.n for r in whole.rows] == list(range(11, -1, -1))
    by_number = page_list(SPEC, data, {"_xlsx": "t3"})  # a table named by its number
    assert by_number.whole and len(by_number.rows) == 12
    other = page_list(SPEC, data, {"_xlsx": "other-table", "rows_page": "2"})
    assert not other.whole and [r.n for r in other.rows] == [5, 6, 7, 8, 9]


def test_missing_values_come_last_either_way_and_ties_keep_the_default_order() -> None:
    data = [Row(0, "b", Decimal(2)), Row(1, None, Decimal(1)), Row(2, "a", None),
            Row(3, "b", Decimal(1)), Row(4, None, None), Row(5, "a", Decimal(2))]
    by = {(name, d): [r.n for r in page_list(SPEC, data, {
        "rows_sort": name, "rows_dir": d, "rows_per": "10"}).rows]
        for name in ("name", "amount") for d in ("asc", "desc")}
    assert by["name", "asc"] == [2, 5, 0, 3, 1, 4]
    assert by["name", "desc"] == [0, 3, 2, 5, 1, 4]
    assert by["amount", "asc"] == [1, 3, 0, 5, 2, 4]
    assert by["amount", "desc"] == [0, 5, 1, 3, 2, 4]


row_strategy = st.tuples(st.one_of(st.none(), st.sampled_from(["甲", "乙", "a", "b", ""])),
                         st.one_of(st.none(), st.decimals(-1000, 1000, places=2)))


@given(st.lists(row_strategy, max_size=40), st.sampled_from(["name", "amount"]),
       st.sampled_from(["asc", "desc"]), st.sampled_from(["2", "5", "10"]))
def test_pages_partition_the_sorted_rows(values: list[tuple[Any, Any]], column: str,
                                         direction: str, per: str) -> None:
    data = [Row(i, name, amount) for i, (name, amount) in enumerate(values)]
    args = {"rows_sort": column, "rows_dir": direction, "rows_per": per}
    first = page_list(SPEC, data, args)
    shown = [r for p in range(1, first.pages + 1)
             for r in page_list(SPEC, data, args | {"rows_page": str(p)}).rows]
    assert sorted(r.n for r in shown) == list(range(len(data)))  # each row once
    key = (lambda r: r.name) if column == "name" else (lambda r: r.amount)
    present = [r for r in shown if key(r) is not None]
    assert shown[len(present):] == [r for r in data if key(r) is None]  # missing last, in order
    for a, b in pairwise(present):  # ordered, and equal values keep the default order
        assert (key(a) >= key(b)) if direction == "desc" else (key(a) <= key(b))
        if key(a) == key(b):
            assert a.n < b.n
    assert sort_rows(data, key, direction == "desc") == shown


def test_presorted_rows_are_not_sorted_again_for_the_default_order() -> None:
    spec = TableSpec("t", (Column("amount", key=lambda r: r.amount),), default_sort="amount",
                     default_dir=DESC, presorted=True, per_choices=(10,), default_per=10)
    data = [rows(3)[i] for i in (1, 2, 0)]  # the caller's order is trusted for the default
    assert [r.n for r in page_list(spec, data, {}).rows] == [1, 2, 0]
    assert [r.n for r in page_list(spec, data, {"sort": "amount", "dir": "desc"}).rows] == [
        1, 2, 0]
    assert [r.n for r in page_list(spec, data, {"sort": "amount", "dir": "asc"}).rows] == [
        0, 1, 2]


def test_a_table_is_declared_consistently() -> None:
    with pytest.raises(ValueError, match="default_per"):
        TableSpec("t", per_choices=(10, 20), default_per=50)
    with pytest.raises(ValueError, match="default_sort"):
        TableSpec("t", (Column("a", key=str),), default_sort="b")
    with pytest.raises(ValueError, match="default_dir"):
        TableSpec("t", default_dir="up")


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_links_keep_the_other_parameters_and_leave_out_the_defaults() -> None:
    app = Flask(__name__)
    data = rows(12)
    query = "as_of=2022-12-31&basis=commitment&other_page=3&rows_page=2&_xlsx=x&tag=a&tag=b"
    with app.test_request_context(f"/funds/1/look-through?{query}"):
        paged = page_list(SPEC, data)
        assert paged.page == 2
        kept = [("as_of", "2022-12-31"), ("basis", "commitment"), ("other_page", "3"),
                ("tag", "a"), ("tag", "b")]
        nxt = paged.url(page=3)
        assert nxt.startswith("/funds/1/look-through?") and nxt.endswith("#row-table")
        assert _query(nxt) == [*kept, ("rows_page", "3")]
        assert _query(paged.url(page=1)) == kept  # page 1 is the default
        # Sorting starts at page 1, in the column's first direction, then flips.
        assert _query(paged.sort_url("amount")) == [*kept, ("rows_sort", "amount")]
        assert _query(paged.sort_url("name")) == [*kept, ("rows_sort", "name")]
        # A page size keeps the first row in view: row 6 is on page 2 of 5, 1 of 10, 3 of 2.
        assert _query(paged.per_url(10)) == [*kept, ("rows_per", "10")]
        assert _query(paged.per_url(2)) == [*kept, ("rows_per", "2"), ("rows_page", "3")]
        assert paged.aria_sort("amount") is None
        assert url_with("x", rows_page=None, basis="paid_in") == (
            "/funds/1/look-through?as_of=2022-12-31&other_page=3&tag=a&tag=b&basis=paid_in#x")
    with app.test_request_context("/t?rows_sort=amount&rows_dir=desc"):
        paged = page_list(SPEC, data)
        assert paged.aria_sort("amount") == "descending" and paged.aria_sort("name") is None
        assert _query(paged.sort_url("amount")) == [("rows_sort", "amount"), ("rows_dir", "asc")]
        assert paged.asked
    with app.test_request_context("/t?sort=amount&dir=asc"):
        paged = page_list(SORTED, data)
        assert paged.aria_sort("amount") == "ascending"
        assert paged.sort_url("amount") == "/t#sorted-table"  # back to the default order
    with app.test_request_context("/t"):
        paged = page_list(SPEC, data)
        assert paged.url() == "/t#row-table" and not paged.asked
    with app.test_request_context("/t?rows_page=2", base_url="http://localhost/fundops"):
        assert page_list(SPEC, data).url(page=3) == "/fundops/t?rows_page=3#row-table"
