"""The xlsx format: written with XlsxWriter, read with openpyxl (read-only, defusedxml).

Every string goes into a text cell (number format ``@``), so amounts, codes and ids
stay exact; free text that a spreadsheet could take for a formula is escaped with a
leading ``'`` (see :func:`fundops.exchange.codec.escape_cell_text`). Nothing is ever
written as a formula, and a formula found in an uploaded workbook is a row error.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import defusedxml  # noqa: F401  - openpyxl parses with defusedxml only when it is importable
import openpyxl
import xlsxwriter

from fundops.exchange.codec import escape_cell_text
from fundops.exchange.files import RawDataset, RawRow, atomic_target, check_header
from fundops.exchange.problems import Problems
from fundops.exchange.schema import (
    BY_NAME,
    FORMAT_NAME,
    FORMAT_VERSION,
    META_SHEET,
    NUMERIC_TEXT_KINDS,
    RECORD_TYPES,
)

ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
"""Sum of the declared uncompressed sizes of all parts (zip-bomb guard)."""
MAX_ZIP_ENTRIES = 1000
MAX_COLUMNS = 64
"""Columns read per sheet (the widest record type has 18); cells further right are ignored."""
_EXACT_INT = 2**53


def write_xlsx(path: str, records: dict[str, list[dict[str, Any]]]) -> None:
    """Write the ``meta`` sheet and one sheet per record type (atomically)."""
    with atomic_target(path) as tmp:
        book = xlsxwriter.Workbook(tmp, {
            "constant_memory": True, "strings_to_numbers": False,
            "strings_to_formulas": False, "strings_to_urls": False,
        })
        try:
            text = book.add_format({"num_format": "@"})
            head = book.add_format({"num_format": "@", "bold": True})
            meta = book.add_worksheet(META_SHEET)
            for row, (key, value) in enumerate(
                [("key", "value"), ("format", FORMAT_NAME), ("version", FORMAT_VERSION)]
            ):
                meta.write_string(row, 0, key, head if row == 0 else text)
                if isinstance(value, int):
                    meta.write_number(row, 1, value)
                else:
                    meta.write_string(row, 1, value, head if row == 0 else text)
            for rtype in RECORD_TYPES:
                sheet = book.add_worksheet(rtype.name)
                sheet.freeze_panes(1, 0)
                sheet.set_column(0, len(rtype.fields) - 1, 16)
                for col, spec in enumerate(rtype.fields):
                    sheet.write_string(0, col, spec.name, head)
                for row, record in enumerate(records.get(rtype.name, []), start=1):
                    for col, spec in enumerate(rtype.fields):
                        _write_cell(sheet, row, col, record.get(spec.name),
                                    spec.kind in NUMERIC_TEXT_KINDS, text)
        finally:
            book.close()


def _write_cell(sheet: Any, row: int, col: int, value: Any, numeric_text: bool,
                text_format: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int) and abs(value) < _EXACT_INT:
        sheet.write_number(row, col, value)
    else:
        shown = str(value) if numeric_text else escape_cell_text(str(value))
        sheet.write_string(row, col, shown, text_format)


def _check_container(data: bytes, problems: Problems) -> bool:
    """Magic bytes, then the zip directory: entry count, total size, no macros."""
    if data[:4] != ZIP_MAGIC:
        problems.file("is not an xlsx workbook (it does not start with the zip signature)")
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        problems.file(f"is not a readable xlsx (zip) file: {exc}")
        return False
    if len(infos) > MAX_ZIP_ENTRIES:
        problems.file(f"holds {len(infos)} zip entries; the limit is {MAX_ZIP_ENTRIES}")
        return False
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        problems.file(f"would unpack to {total:,} bytes; the limit is "
                      f"{MAX_UNCOMPRESSED_BYTES:,} bytes")
        return False
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        problems.file("is a zip file but not an xlsx workbook")
        return False
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        problems.file("contains macros; save it as a plain .xlsx workbook")
        return False
    return True


def read_xlsx(data: bytes, problems: Problems) -> RawDataset | None:
    """Read an xlsx dataset; formulas are recorded per cell, never evaluated."""
    if not openpyxl.DEFUSEDXML:
        problems.file("refused: openpyxl is not using defusedxml (check OPENPYXL_DEFUSEDXML)")
        return None
    if not _check_container(data, problems):
        return None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                      keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl, zipfile, defusedxml, XML parser errors
        problems.file(f"cannot be read as an xlsx workbook: {_root_cause(exc)}")
        return None
    try:
        return _read_book(book, problems)
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML surfaces only while iterating
        problems.file(f"cannot be read as an xlsx workbook: {_root_cause(exc)}")
        return None
    finally:
        book.close()


def _root_cause(exc: BaseException) -> str:
    """Name the innermost exception (openpyxl wraps e.g. defusedxml's EntitiesForbidden)."""
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _read_book(book: Any, problems: Problems) -> RawDataset | None:
    names = list(book.sheetnames)
    if META_SHEET not in names:
        problems.file(f"has no '{META_SHEET}' sheet naming the format and version")
        return None
    meta = _read_meta(book[META_SHEET])
    if not check_header(meta.get("format"), meta.get("version"), problems):
        return None
    dataset = RawDataset("xlsx")
    for name in names:
        if name == META_SHEET:
            continue
        if name not in BY_NAME:
            problems.sheet(name, "unknown sheet")
            continue
        dataset.sheets[name] = _read_sheet(name, book[name], problems)
    return dataset


def _read_meta(sheet: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    sheet.reset_dimensions()  # never trust the file's declared dimensions
    for cells in sheet.iter_rows(min_row=2, max_col=2):
        if len(cells) >= 2 and isinstance(cells[0].value, str) and cells[1].data_type != "f":
            meta[cells[0].value.strip()] = cells[1].value
    return meta


def _read_sheet(name: str, sheet: Any, problems: Problems) -> list[RawRow]:
    known = BY_NAME[name].field_names
    columns: list[str | None] = []
    rows: list[RawRow] = []
    # A forged <dimension> (say A1:XFD1048576) would otherwise make openpyxl pad every
    # row to 16,384 cells and yield a million empty rows.
    sheet.reset_dimensions()
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        if number == 1:
            columns = _header(name, cells, known, problems)
            continue
        values: dict[str, Any] = {}
        formulas: set[str] = set()
        for col, cell in enumerate(cells):
            value = cell.value
            if value is None:
                continue
            column = columns[col] if col < len(columns) else None
            if column == "":
                continue  # under a bad header, reported once for the sheet
            if column is None:
                problems.row(name, number, None,
                             f"cell {getattr(cell, 'coordinate', col + 1)} has a value but "
                             "no known column header")
                continue
            if cell.data_type == "f":
                formulas.add(column)
            elif cell.data_type == "e":
                problems.row(name, number, column, f"cell holds a spreadsheet error {value!r}")
                continue
            values[column] = value
        if values or formulas:
            rows.append(RawRow(number, values, frozenset(formulas)))
    return rows


def _header(name: str, cells: tuple[Any, ...], known: tuple[str, ...],
            problems: Problems) -> list[str | None]:
    """Column names by position: None for no header, "" for a rejected one."""
    columns: list[str | None] = []
    for cell in cells:
        value = cell.value
        label = value.strip() if isinstance(value, str) else value
        if label is None or label == "":
            columns.append(None)
        elif label not in known:
            problems.sheet(name, f"unknown column {label!r} in the header row")
            columns.append("")
        elif label in columns:
            problems.sheet(name, f"column {label!r} appears twice in the header row")
            columns.append("")
        else:
            columns.append(str(label))
    return columns
