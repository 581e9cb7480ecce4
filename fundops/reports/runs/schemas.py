"""Response schemas of the report-run API (:mod:`fundops.reports.runs.api`).

A run's ``changes`` list what changed in its inputs since the previous version (empty for
version 1); ``amounts`` are the exact net of the added less the removed rows, in yuan of
each currency. A file's ``sha256`` is over its bytes as stored; ``url`` downloads them.
"""

from __future__ import annotations

from fundops.api.fields import (
    Amount,
    Choice,
    Day,
    Id,
    Int,
    Lines,
    Reply,
    Schema,
    Text,
    Timestamp,
)
from fundops.reports.runs.enums import RunStatus, RunSubject


class ReportRunsQuery(Schema):
    kind = Text(max_length=40, doc="only runs of this pack kind")
    quarter = Text(max_length=10, doc="only runs of this quarter, e.g. 2025Q2")


class ReportFileOut(Reply):
    id = Id()
    name = Text()
    media_type = Text(doc="the file's type; the download itself is application/octet-stream")
    size_bytes = Int()
    sha256 = Text(doc="SHA-256 of the stored bytes, hex")
    url = Text()


class ReportAmountOut(Reply):
    currency = Text()
    amount = Amount()


class ReportChangeOut(Reply):
    source = Text(doc="the input table, e.g. cash_flow")
    added = Int()
    removed = Int()
    changed = Int()
    reversals = Int(doc="added rows reversing an earlier row")
    reversed_ids = Lines(Id(), doc="the rows they reverse (at most 5)")
    added_ids = Lines(Id(), doc="ids of the rows added (at most 5)")
    amounts = Lines(ReportAmountOut, doc="net of the added less the removed rows, per currency")


class ReportRunOut(Reply):
    id = Id()
    kind = Text(doc="the pack, e.g. bank_loan_book or fund_quarterly")
    subject = Choice(RunSubject)
    subject_id = Id(doc="the fund's id, or the organisation's")
    fund_id = Id(nullable=True)
    quarter = Text()
    as_of = Day(doc="the quarter's last day")
    version = Int()
    status = Choice(RunStatus)
    data_version = Int(doc="the database's write counter when the inputs were read (global)")
    inputs_hash = Text(doc="SHA-256 over the canonical inputs (see the documentation)")
    input_rows = Int()
    reason = Text(doc="what changed since the previous version (English)")
    changes = Lines(ReportChangeOut)
    created_at = Timestamp()
    created_by = Text(nullable=True, doc="the user's name; null for the scheduler or console")
    created_via = Text(doc="session, api, cli or system")
    files = Lines(ReportFileOut)


class ReportRunListOut(Reply):
    runs = Lines(ReportRunOut)
