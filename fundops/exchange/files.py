"""File handling shared by both formats: size limits, atomic writes and the JSON format."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fundops.exchange.problems import Problems
from fundops.exchange.schema import BY_NAME, FORMAT_NAME, FORMAT_VERSION

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest dataset file accepted for import (either format)."""


@dataclass(frozen=True, slots=True)
class RawRow:
    """One record as read from a file: its row number and its field values, unparsed.

    ``number`` is the spreadsheet row (the header is row 1) for xlsx and the 1-based
    position in the array for JSON. ``formula_fields`` names cells that held a formula.
    """

    number: int
    values: dict[str, Any]
    formula_fields: frozenset[str] = frozenset()


@dataclass
class RawDataset:
    """Every record of a file, by record type, before validation."""

    source: str  # "json" or "xlsx"
    sheets: dict[str, list[RawRow]] = field(default_factory=dict)


def read_bytes(path: str, problems: Problems) -> bytes | None:
    """The whole file, or None (with a problem) if it is unreadable or over the limit.

    Reading once and working on the bytes means the size limit, the validation and the
    SHA-256 in the audit trail all apply to the same content.
    """
    data = b""
    try:
        size = os.path.getsize(path)
        if size <= MAX_FILE_BYTES:
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            size = len(data)
    except OSError as exc:
        problems.file(f"cannot be read: {exc.strerror}")
        return None
    if size > MAX_FILE_BYTES:
        problems.file(f"is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes (50 MB)")
        return None
    return data


@contextmanager
def atomic_target(path: str) -> Iterator[str]:
    """Yield a temporary path next to ``path``; move it into place only on success."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".fundops-export-", suffix=os.path.splitext(path)[1],
                               dir=directory)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: str, records: dict[str, list[dict[str, Any]]]) -> None:
    """Write ``{"format", "version", "records"}`` as UTF-8 JSON (atomically)."""
    doc = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "records": records}
    with atomic_target(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a dataset")


def read_json(data: bytes, problems: Problems) -> RawDataset | None:
    """Read a JSON dataset; numbers with a fraction become ``Decimal``, never ``float``."""
    try:
        text = data.decode("utf-8-sig")
        decoder: Callable[[str], Any] = Decimal
        doc = json.loads(text, parse_float=decoder, parse_constant=_no_constant)
    except UnicodeDecodeError:
        problems.file("is not UTF-8 text, so not a JSON dataset")
        return None
    except (ValueError, RecursionError) as exc:
        problems.file(f"is not valid JSON: {exc}")
        return None
    if not isinstance(doc, dict):
        problems.file("the top level must be an object with format, version and records")
        return None
    if not check_header(doc.get("format"), doc.get("version"), problems):
        return None
    unknown = sorted(set(doc) - {"format", "version", "records"})
    if unknown:
        problems.file(f"unknown top-level key(s): {', '.join(unknown)}")
    records = doc.get("records")
    if not isinstance(records, dict):
        problems.file("'records' must be an object mapping record types to arrays")
        return None
    dataset = RawDataset("json")
    for name, items in records.items():
        if name not in BY_NAME:
            problems.sheet(str(name), "unknown record type")
            continue
        if not isinstance(items, list):
            problems.sheet(name, "must be an array of objects")
            continue
        rows: list[RawRow] = []
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                problems.row(name, index, None, "must be an object")
                continue
            rows.append(RawRow(index, item))
        dataset.sheets[name] = rows
    return dataset


def check_header(fmt: object, version: object, problems: Problems) -> bool:
    """The dataset must declare ``format: fundops-dataset`` and ``version: 1``."""
    if fmt != FORMAT_NAME:
        problems.file(f"format is {fmt!r}, expected {FORMAT_NAME!r}")
        return False
    if isinstance(version, bool) or version not in (FORMAT_VERSION, str(FORMAT_VERSION)):
        problems.file(f"version {version!r} is not supported (this build reads version "
                      f"{FORMAT_VERSION})")
        return False
    return True

