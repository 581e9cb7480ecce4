"""The table download's pieces without a database: figures, reading a page's tables, the
one-regex scan agreeing with the full parse, and the workbook's cells."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from fundops.web.figures import Figure, figure, plain
from fundops.web.table_html import read_tables, scan_tables
from fundops.web.table_xlsx import cell_value, figure_number, shown_number, workbook


def _app(flag: bool) -> Flask:
    app = Flask(__name__)
    app.config["TABLE_FIGURES"] = flag
    return app


def test_a_figure_is_plain_text_unless_tables_are_exported() -> None:
    assert type(figure("1.00", Decimal("1"), "yuan")) is str  # no request
    with _app(False).test_request_context("/funds/1"):
        assert type(figure("1.00", Decimal("1"), "yuan")) is str
    with _app(False).test_request_context("/funds/1?_xlsx=lp-table"):
        shown = figure("123.46", Decimal("1234567.89"), "wan")
        assert isinstance(shown, Figure) and shown == "123.46"
        assert str(escape(shown)) == "<span data-x=1234567.89 data-fmt=wan>123.46</span>"
        assert type(plain(shown)) is str and plain(shown) == "123.46"
        assert Markup("<td>%s</td>") % shown == Markup(
            "<td><span data-x=1234567.89 data-fmt=wan>123.46</span></td>")
        assert str(escape(figure("<b>", Decimal("1"), "n"))).endswith("&lt;b&gt;</span>")
        assert type(figure("n/a", None, "p2")) is str
        assert type(figure("x", Decimal("NaN"), "n")) is str
        assert str(escape(figure("5.88%", 0.0588, "p2"))) == (
            "<span data-x=0.0588 data-fmt=p2>5.88%</span>")


def test_figures_and_shown_numbers_become_exact_cells() -> None:
    assert figure_number("1234567.89", "wan") == (Decimal("123.456789"), "#,##0.00")
    assert figure_number("1234567.89", "yi") == (Decimal("0.0123456789"), "#,##0.0000")
    assert figure_number("0.0588", "p2") == (Decimal("0.0588"), "0.00%")
    assert figure_number("1.234", "x2") == (Decimal("1.234"), '#,##0.00"x"')
    assert figure_number("1000000.0000", "n") == (Decimal("1000000.0000"), "#,##0")
    assert figure_number("2.50", "n") == (Decimal("2.50"), "#,##0.#")
    assert figure_number("abc", "n") is None
    assert shown_number("12.5%") == (Decimal("0.125"), "0.0%")
    assert shown_number("−1,234.50") == (Decimal("-1234.50"), "#,##0.00")
    assert shown_number("2019") == (Decimal(2019), "0")
    assert shown_number("1.50x") == (Decimal("1.50"), '0.00"x"')
    for text in ("007", "91440300MA5XXXXX1X", "12345678901234567", "1 234", "", "—"):
        assert shown_number(text) is None, text


def _cell(html: str, part: str = "body") -> tuple[str, object, str, str]:
    table = read_tables(f"<table><tr>{html}</tr></table>").tables[0]
    v = cell_value(table.rows[0].cells[0], part, drop_links=False)
    return v.kind, v.value, v.num_format, v.comment


def test_what_a_cell_is_in_the_workbook() -> None:
    span = "<span data-x=-1234567.89 data-fmt=wan>-123.46</span>"
    assert _cell(f'<td class="num">{span}</td>') == ("n", Decimal("-123.456789"), "#,##0.00", "")
    minus = "<span data-x=5 data-fmt=yuan>5.00</span>"
    assert _cell(f'<td class="num">−{minus}</td>')[:2] == ("n", Decimal("-5"))
    assert _cell(f"<td>{minus} CNY</td>")[:2] == ("s", "5.00 CNY")
    noted = (f'<td class="num">{minus}<div class="formula">5% × <span data-x=100 '
             'data-fmt=yuan>100.00</span></div></td>')
    assert _cell(noted) == ("n", Decimal("5"), "#,##0.00", "5% × 100.00")
    assert _cell('<td class="num">12.5%</td>')[:3] == ("n", Decimal("0.125"), "0.0%")
    assert _cell("<td>12.5%</td>")[:2] == ("s", "12.5%")  # not a number column
    assert _cell('<td class="code">440300</td>')[:2] == ("s", "440300")
    assert _cell("<td>2024-02-29</td>")[:3] == ("d", date(2024, 2, 29), "yyyy-mm-dd")
    assert _cell("<td>2024-02-30</td>")[:2] == ("s", "2024-02-30")
    assert _cell("<td>2024-01-02 09:30</td>")[:2] == ("t", datetime(2024, 1, 2, 9, 30))  # noqa: DTZ001
    assert _cell('<td><a href="/c/1">=HYPERLINK("x")</a><div class="memo">m</div></td>')[:2] == (
        "s", '=HYPERLINK("x")\nm')
    assert _cell('<td>A<span class="badge">B</span><span class="badge">C</span></td>')[:2] == (
        "s", "A B C")
    form = ('<td><form method="post"><input type="hidden" name="t" value="s">'
            '<input name="reason" value=""><button>Revoke</button></form></td>')
    assert _cell(form)[:2] == ("s", "")
    assert _cell('<td><input type="checkbox" checked></td>')[:2] == ("s", "✓")
    assert _cell('<td><input type="text" value="0.5"></td>')[:2] == ("s", "0.5")
    assert _cell("<th>2024</th>", part="head")[:2] == ("s", "2024")


PAGE = """<html><head><title>F1 · 基金 · fundops</title></head><body>
<h1>基金</h1>
<h2>出资人 <span class="unit-note">金额单位：万元</span></h2>
<table class="data" id="lp"><thead><tr><th>LP</th><th class="num">认缴</th><th></th></tr></thead>
<tbody>
<tr><td rowspan="2"><a href="/i/1">甲</a></td>
  <td class="num"><span data-x=10000 data-fmt=wan>1.00</span></td>
  <td><a href="/r">冲销</a></td></tr>
<tr><td class="num"><span data-x=20000 data-fmt=wan>2.00</span></td><td></td></tr>
<tr><td colspan="3"><form method="post"><button>Close</button></form></td></tr>
</tbody>
<tfoot><tr><th>合计</th><th class="num"><span data-x=30000 data-fmt=wan>3.00</span></th>
  <th></th></tr></tfoot>
</table>
<table class="data"><tbody><tr><td colspan="2" class="empty">没有记录。</td></tr></tbody></table>
</body></html>"""


def test_a_page_table_becomes_a_workbook_with_its_rows_and_columns() -> None:
    page = read_tables(PAGE)
    assert page.title == "F1 · 基金" and [t.key for t in page.tables] == ["lp", "t2"]
    table = page.tables[0]
    assert (table.heading, table.unit_note) == ("出资人", "金额单位：万元")
    book = openpyxl.load_workbook(io.BytesIO(workbook(table, "出资人 · 金额单位：万元", "出资人")))
    sheet = book.active
    assert sheet.title == "出资人"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["出资人 · 金额单位：万元", None, None],
        ["LP", "认缴", None],
        ["甲", 1, None],  # the action column's link is no data
        [None, 2, None],  # the form-only row is left out
        ["合计", 3, None],
    ]
    assert "A3:A4" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "A3"
    empty = openpyxl.load_workbook(io.BytesIO(workbook(page.tables[1], "x", "x"))).active
    assert empty.max_row == 1  # only the title: the placeholder row is no data


_PIECES = st.sampled_from([
    '<table id="a"><tr><td>1</td></tr></table>',
    '<table id="b" class="data"><tr><td>1</td></tr></table>',
    "<table><tr><td>x</td></tr></table>",
    '<table data-xlsx="off"><tr><td>x</td></tr></table>',
    "<table id='a'><tr><td><table><tr><td>n</td></tr></table></td></tr></table>",
    '<form method="post">', "</form>", "<!-- <table id=\"c\"> -->", "<p>text &lt;table&gt;</p>",
    "<h2>T <span class=\"unit-note\">u</span></h2>", "<div>", "</div>",
])


@given(st.lists(_PIECES, max_size=12))
def test_the_scan_finds_the_tables_the_parse_reads(pieces: list[str]) -> None:
    html = "<html><body>" + "".join(pieces) + "</body></html>"
    scanned = [(t.start, t.key, t.downloadable) for t in scan_tables(html)]
    parsed = [(t.start, t.key, t.downloadable) for t in read_tables(html).tables]
    assert scanned == parsed
    for start, _key, _ok in scanned:
        assert html[start:].startswith("<table")
