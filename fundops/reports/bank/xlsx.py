"""The loan book as an xlsx workbook (XlsxWriter): Chinese headers with an English line
under them, amounts written as numbers in yuan (quantised to the fen first, shown with a
``元`` format, or the currency's code for another currency), rates as percentages, dates
as dates, every text written with ``write_string`` (a borrower named ``=HYPERLINK(…)``
stays text: no formula is ever built from data). Totals are computed here, per currency,
and written as numbers. The workbook's creation date is the quarter's last day and the
zip entries carry XlsxWriter's fixed timestamp, so the same rows give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import xlsxwriter

from fundops.calc.periods import Quarter
from fundops.reports.bank.loan_book import LoanBookRow

FEN = Decimal("0.01")
STATUS_ZH = {"performing": "正常", "repaid": "已结清", "defaulted": "违约", "written_off": "已核销"}

COLUMNS: list[tuple[str, str, int]] = [
    ("贷款编号", "Loan no.", 9), ("借款企业", "Borrower", 28), ("统一社会信用代码", "USCC", 21),
    ("贷款产品", "Product", 18), ("关联融资轮次", "Linked round", 12), ("牵头行", "Lead bank", 8),
    ("币种", "Currency", 7), ("贷款金额", "Principal", 18), ("本行份额", "Our share", 18),
    ("累计放款", "Disbursed", 18), ("未偿本金", "Outstanding", 18), ("年利率", "Rate", 9),
    ("下一还款日", "Next due", 12), ("下期应还本息", "Next instalment", 16),
    ("到期日", "Maturity", 12), ("状态", "Status", 9), ("风险补偿资金池", "Risk pool", 20),
    ("入池金额", "Enrolled", 18), ("资金池分担比例", "Pool share of loss", 12),
]
MONEY_COLUMNS = ("principal", "share", "disbursed", "outstanding", "enrolled")


def fen(value: Decimal) -> float:
    """An amount quantised to the fen (ROUND_HALF_UP) as the float a cell stores."""
    return float(value.quantize(FEN, rounding=ROUND_HALF_UP))


class _Sheet:
    """Writes typed cells with a few cached formats."""

    def __init__(self, book: Any, sheet: Any) -> None:
        self.book, self.sheet = book, sheet
        self.formats: dict[str, Any] = {}

    def fmt(self, spec: str) -> Any:
        """A number format (``#,##0.00"元"``) or, for ``bg:<colour>``, a bold header."""
        if spec not in self.formats:
            self.formats[spec] = self.book.add_format(
                {"bold": True, "bg_color": spec[3:]} if spec.startswith("bg:")
                else {"num_format": spec})
        return self.formats[spec]

    def money(self, row: int, col: int, value: Decimal | None, currency: str) -> None:
        if value is None:
            return
        unit = '"元"' if currency == "CNY" else f'" {currency}"'
        self.sheet.write_number(row, col, fen(value), self.fmt(f"#,##0.00{unit}"))

    def text(self, row: int, col: int, value: str, spec: str | None = None) -> None:
        self.sheet.write_string(row, col, value, *([self.fmt(spec)] if spec else []))

    def rate(self, row: int, col: int, value: Decimal | None) -> None:
        if value is not None:
            self.sheet.write_number(row, col, float(value), self.fmt("0.00%"))

    def day(self, row: int, col: int, value: date | None) -> None:
        if value is not None:
            self.sheet.write_datetime(row, col, datetime.combine(value, time()),
                                      self.fmt("yyyy-mm-dd"))


def _row(out: _Sheet, r: int, item: LoanBookRow) -> None:
    cells: list[Callable[[int], None]] = [
        lambda c: out.sheet.write_number(r, c, item.loan_id),
        lambda c: out.text(r, c, item.borrower), lambda c: out.text(r, c, item.uscc),
        lambda c: out.text(r, c, item.product), lambda c: out.text(r, c, item.round_name),
        lambda c: out.text(r, c, "是" if item.is_lead else "否"),
        lambda c: out.text(r, c, item.currency),
        lambda c: out.money(r, c, item.principal, item.currency),
        lambda c: out.money(r, c, item.share, item.currency),
        lambda c: out.money(r, c, item.disbursed, item.currency),
        lambda c: out.money(r, c, item.outstanding, item.currency),
        lambda c: out.rate(r, c, item.annual_rate),
        lambda c: out.day(r, c, item.next_due),
        lambda c: out.money(r, c, item.next_instalment, item.currency),
        lambda c: out.day(r, c, item.maturity),
        lambda c: out.text(r, c, STATUS_ZH[item.status]),
        lambda c: out.text(r, c, item.pool),
        lambda c: out.money(r, c, item.enrolled, item.currency),
        lambda c: out.rate(r, c, item.pool_share),
    ]
    for c, write in enumerate(cells):
        write(c)


def _totals(out: _Sheet, r: int, rows: list[LoanBookRow]) -> int:
    """One totals line per currency (sums computed here, exact, written as numbers)."""
    zero = Decimal("0.00")
    for currency in sorted({x.currency for x in rows}):
        mine = [x for x in rows if x.currency == currency]
        out.text(r, 1, "合计 Total", "bg:#DDEBF7")
        out.text(r, 6, currency)
        for name in MONEY_COLUMNS:
            col = {"principal": 7, "share": 8, "disbursed": 9, "outstanding": 10,
                   "enrolled": 17}[name]
            out.money(r, col, sum((getattr(x, name) or zero for x in mine), zero), currency)
        r += 1
    return r


def loan_book_xlsx(bank_name: str, quarter: Quarter, rows: list[LoanBookRow]) -> bytes:
    """The workbook's bytes (see the module docstring)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": "投贷联动贷款台账 Loan book", "author": "fundops",
                         "created": datetime.combine(quarter.end, time(), tzinfo=UTC)})
    out = _Sheet(book, book.add_worksheet("贷款台账"))
    out.text(0, 0, f"{bank_name} 投贷联动贷款台账 Loan book")
    out.text(1, 0, f"截至 {quarter.end.isoformat()}（{quarter.label_zh}）金额单位：元 "
                   f"As of {quarter.end.isoformat()} ({quarter}), amounts in yuan")
    for c, (zh, en, width) in enumerate(COLUMNS):
        out.sheet.set_column(c, c, width)
        out.text(3, c, zh, "bg:#BDD7EE")
        out.text(4, c, en, "bg:#DDEBF7")
    for r, item in enumerate(rows, start=5):
        _row(out, r, item)
    end = _totals(out, 5 + len(rows), rows)
    out.sheet.freeze_panes(5, 2)
    notes = _Sheet(book, book.add_worksheet("说明 Notes"))
    for r, line in enumerate(NOTES):
        notes.text(r, 0, line)
    notes.sheet.set_column(0, 0, 110)
    out.text(end + 1, 0, f"共 {len(rows)} 笔 Loans: {len(rows)}")
    book.close()
    return buffer.getvalue()


NOTES = (
    "贷款台账：截至季末已放款的投贷联动贷款（本行牵头或参贷）。",
    "Loan book: the investment-linked loans drawn by the quarter end (led or shared by the bank).",
    "累计放款、未偿本金：截至季末（含）的放款、还款、核销分录，冲销已抵消。",
    "Disbursed, outstanding: the entries up to the quarter end, net of reversals.",
    "未偿本金 = 累计放款 − 已还本金 − 核销。",
    "Outstanding = disbursed − principal repaid − written off.",
    "下一还款日、下期应还本息：还款计划中季末之后的第一期（本金 + 利息）。",
    "Next due, next instalment: the first row of the repayment schedule after the quarter end.",
    "状态：已核销（有核销且无未偿）、已结清（无未偿）、违约（有违约分录）、正常。",
    "Status: written off, repaid, defaulted (a default entry), else performing.",
    "资金池分担比例：风险补偿资金池自身承担损失的比例。 Pool share of loss: the pool's own share.",
    "金额四舍五入到分。 Amounts rounded half-up to the fen.",
)
