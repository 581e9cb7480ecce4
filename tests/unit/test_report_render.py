"""The generic report renderers: the document model's display rules, xlsx (numbers as
numbers with formats, 万元, text never a formula, sheet names, same bytes) and PDF (Chinese
text extractable, same bytes, a missing font is a coded error)."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from fundops.reports.render import (
    Column,
    Document,
    Field,
    FontMissing,
    KeyValues,
    Kind,
    Paragraph,
    Section,
    display,
    render_pdf,
    render_xlsx,
    table,
)
from fundops.reports.render.document import amount_shown
from fundops.reports.render.xlsx import sheet_names

EVIL = '=HYPERLINK("http://x","点我")'


def sample() -> Document:
    cols = [Column("name", "名称"), Column("yuan", "金额", Kind.AMOUNT),
            Column("wan", "金额", Kind.AMOUNT_WAN), Column("rate", "比率", Kind.RATE),
            Column("multiple", "倍数", Kind.MULTIPLE), Column("on", "日期", Kind.DATE),
            Column("n", "笔数", Kind.INTEGER)]
    rows = [("深圳芯研科技", Decimal("1234567.89"), Decimal("1234567.89"), 0.0588,
             Decimal("1.2345"), date(2025, 6, 30), 3),
            (EVIL, Decimal("-5.005"), Decimal("50"), None, None, None, 0)]
    facts = KeyValues("facts", "基本情况", (Field("name", "基金名称", "华南成长一期基金"),
                                          Field("size", "目标规模", Decimal("2000000000"),
                                                Kind.AMOUNT_WAN),
                                          Field("evil", "备注", EVIL)))
    title = "华南成长一期基金 · 2025年第二季度季度报告"
    return Document(title, "报告期 2025-04-01 至 2025-06-30", (
        Section("a", "基金基本情况", (facts, Paragraph("p", "说明文字"))),
        Section("b", "投资情况", (table("t", "投资明细", cols, rows,
                                        ("合计", Decimal("1234562.89"), None, None, None,
                                         None, 3)),), "投资[明细]/表*"),
        Section("c", "投资情况", (table("e", "空表", cols[:2], [], empty="无"),)),
    ))


def test_display_rules() -> None:
    assert display(Decimal("1234567.885"), Kind.AMOUNT) == "1,234,567.89"
    assert display(Decimal("1234567.89"), Kind.AMOUNT_WAN) == "123.46"
    assert display(0.0588, Kind.RATE) == "5.88%"
    assert display(Decimal("1.235"), Kind.MULTIPLE) == "1.24x"
    assert display(None, Kind.AMOUNT) == "—"
    assert display(date(2025, 6, 30), Kind.DATE) == "2025-06-30"
    assert display(12345, Kind.INTEGER) == "12,345"


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2))
def test_wan_is_the_amount_over_ten_thousand_to_the_hundredth(amount: Decimal) -> None:
    shown = amount_shown(amount, Kind.AMOUNT_WAN)
    assert abs(shown * 10000 - amount) <= 50  # half of 0.01 万元
    assert shown == shown.quantize(Decimal("0.01"))
    assert amount_shown(amount, Kind.AMOUNT) == amount


def test_sheet_names_are_valid_and_unique() -> None:
    names = sheet_names(sample().sections)
    assert names == ["基金基本情况", "投资_明细__表_", "投资情况"]
    long = Section("x", "很" * 40, ())
    assert sheet_names((long, long)) == ["很" * 31, "很" * 28 + "(2)"]


def test_xlsx_numbers_formats_text_and_same_bytes() -> None:
    data = render_xlsx(sample())
    assert data == render_xlsx(sample())
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.properties.title.startswith("华南成长一期基金")
    assert book.properties.created == datetime(2000, 1, 1)  # noqa: DTZ001
    sheet = book["投资_明细__表_"]
    rows = list(sheet.iter_rows())
    header = next(r for r in rows if r[0].value == "名称")
    assert [c.value for c in header] == ["名称", "金额（元）", "金额（万元）", "比率", "倍数",
                                         "日期", "笔数"]
    first = rows[rows.index(header) + 1]
    assert first[1].value == pytest.approx(1234567.89) and first[1].number_format == "#,##0.00"
    assert first[2].value == pytest.approx(123.46) and first[2].number_format == "#,##0.00"
    assert first[3].value == pytest.approx(0.0588) and first[3].number_format == "0.00%"
    assert first[4].value == pytest.approx(1.2345) and first[4].number_format == '0.00"x"'
    assert first[5].value == datetime(2025, 6, 30)  # noqa: DTZ001
    assert first[5].number_format == "yyyy-mm-dd"
    assert first[6].value == 3 and first[6].number_format == "#,##0"
    second = rows[rows.index(header) + 2]
    assert second[0].value == EVIL and second[0].data_type == "s"
    assert second[1].value == pytest.approx(-5.01)  # half up, away from zero
    assert second[3].value == "—"
    evil_cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
                  if c.value == EVIL]
    assert len(evil_cells) == 2 and {c.data_type for c in evil_cells} == {"s"}
    facts = [[c.value for c in r] for r in book["基金基本情况"].iter_rows()]
    assert ["目标规模（万元）", 200000] in facts


def test_pdf_text_can_be_extracted_and_bytes_repeat() -> None:
    data = render_pdf(sample())
    assert data.startswith(b"%PDF") and data == render_pdf(sample())
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    flat = "".join(text.split())
    for expected in ("华南成长一期基金", "深圳芯研科技", "1,234,567.89", "123.46", "5.88%",
                     "1.23x", "200,000.00", "基金基本情况", "无"):
        assert expected in flat, expected


def test_a_missing_font_is_a_coded_error() -> None:
    app = Flask(__name__)
    app.config["REPORT_CJK_FONT"] = "/nonexistent/font.ttc#0"
    with app.app_context(), pytest.raises(FontMissing) as err:
        render_pdf(sample())
    assert err.value.code == "report_font_missing"
    assert err.value.params["package"] == "fonts-wqy-zenhei"
