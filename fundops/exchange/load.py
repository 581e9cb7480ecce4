"""Import of a whole dataset: validate everything, then insert everything in one transaction.

Records get new database ids; the ids in the file only link records within the file.
Rows are inserted in file order (one record type after another, in dependency order),
so ids keep the file's order. Nothing is updated: the ledger tables are append-only.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from fundops.audit import record
from fundops.exchange.checks import check_dataset
from fundops.exchange.export import format_of
from fundops.exchange.files import read_bytes, read_json
from fundops.exchange.parse import Dataset, Row, parse_dataset
from fundops.exchange.problems import ImportFailed, Problems
from fundops.exchange.schema import RECORD_TYPES, SHEET_ORDER, RecordType, ref_target
from fundops.exchange.xlsx import read_xlsx
from fundops.exits.models import ListedPrice
from fundops.extensions import db
from fundops.metrics.models import IndexLevel
from fundops.models import CompanyIdentity, CompanyTagLink, Fund, Organisation, User
from fundops.portfolio.companies import identity_for
from fundops.uow import unit_of_work

_CHUNK = 500


def _existing(column: Any, values: Iterable[Any]) -> set[Any]:
    found: set[Any] = set()
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start:start + _CHUNK]
        found.update(db.session.scalars(sa.select(column).where(column.in_(chunk))))
    return found


def check_database(data: Dataset, problems: Problems) -> None:
    """Natural keys that must not exist in the database yet (the import never merges)."""
    rules = (
        ("organisation", "name", Organisation.name, "an organisation named"),
        ("user", "email", User.email, "a user with email"),
        ("fund", "registration_no", Fund.registration_no, "a fund with registration number"),
    )
    for sheet, field, column, what in rules:
        rows = [r for r in data[sheet] if r.get(field) is not None]
        taken = _existing(column, (r.get(field) for r in rows))
        for row in rows:
            if row.get(field) in taken:
                problems.row(sheet, row.number, field,
                             f"{what} '{row.get(field)}' exists in the database already")
    _check_identities(data, problems)
    levels = [r for r in data["index_level"] if r.get("index_code") is not None
              and r.get("on") is not None]
    codes = _existing(IndexLevel.index_code, (r.get("index_code") for r in levels))
    taken_levels: set[tuple[str, Any]] = set()
    for code in codes:
        taken_levels.update((c, on) for c, on in db.session.execute(
            sa.select(IndexLevel.index_code, IndexLevel.on).where(IndexLevel.index_code == code)))
    for row in levels:
        if (row.get("index_code"), row.get("on")) in taken_levels:
            problems.row("index_level", row.number, "on",
                         f"index '{row.get('index_code')}' already has a level on "
                         f"{row.get('on')} in the database")
    _check_listed_prices(data, problems)


def _check_listed_prices(data: Dataset, problems: Problems) -> None:
    """Listed prices are global reference data: a (exchange, ticker, day) already in the
    database is refused, like an index level."""
    rows = [r for r in data["listed_price"]
            if None not in (r.get("exchange"), r.get("ticker"), r.get("traded_on"))]
    taken: set[tuple[str, str, Any]] = set()
    for exchange, ticker in sorted({(r.get("exchange"), r.get("ticker")) for r in rows}):
        taken.update((e, t, on) for e, t, on in db.session.execute(sa.select(
            ListedPrice.exchange, ListedPrice.ticker, ListedPrice.traded_on).where(
            ListedPrice.exchange == exchange, ListedPrice.ticker == ticker)))
    for row in rows:
        if (row.get("exchange"), row.get("ticker"), row.get("traded_on")) in taken:
            problems.row("listed_price", row.number, "traded_on",
                         f"{row.get('exchange')}:{row.get('ticker')} already has a price on "
                         f"{row.get('traded_on')} in the database")


def _check_identities(data: Dataset, problems: Problems) -> None:
    """A company's credit code registered in the database keeps its name and region."""
    rows = [r for r in data["company"] if r.get("uscc") is not None]
    codes = sorted({r.get("uscc") for r in rows})
    known: dict[str, CompanyIdentity] = {}
    for start in range(0, len(codes), _CHUNK):
        known.update((i.uscc, i) for i in db.session.scalars(sa.select(CompanyIdentity).where(
            CompanyIdentity.uscc.in_(codes[start:start + _CHUNK]))))
    for row in rows:
        identity = known.get(row.get("uscc"))
        if identity is None:
            continue
        for field, registered in (("name", identity.registered_name),
                                  ("region_code", identity.region_code)):
            if row.get(field) is not None and row.get(field) != registered:
                problems.row("company", row.number, field,
                             f"credit code {identity.uscc} is registered in the database with "
                             f"{field} {registered}")


def _build(rtype: RecordType, row: Row, objects: dict[str, dict[str, Any]]) -> Any:
    """A new model instance for ``row``, references resolved to the new ids."""
    kwargs: dict[str, Any] = {}
    for spec in rtype.fields:
        value = row.values.get(spec.name)
        if spec.kind == "key":
            continue
        if spec.kind in ("ref", "objref"):
            target = ref_target(spec, row.values) or ""
            if value is not None:
                target_id = objects[target][value].id
                if target_id is None:
                    raise RuntimeError(f"{target} {value} was not flushed before use")
                value = target_id
        elif spec.kind == "tags":
            kwargs["tags"] = [CompanyTagLink(tag=tag) for tag in value or []]
            continue
        elif spec.kind == "timestamp" and value is None:
            continue  # the column default (now) applies
        kwargs[spec.column] = value
    return rtype.model(**kwargs)


def insert_dataset(data: Dataset, file_sha256: str, file_name: str) -> dict[str, int]:
    """Insert every row and one ``dataset.import`` audit event, with one commit.

    Any failure rolls the whole import back; a database refusal (for instance a
    conflicting row written concurrently) is raised as :class:`ImportFailed`.
    """
    objects: dict[str, dict[str, Any]] = {name: {} for name in SHEET_ORDER}
    counts = {rtype.name: len(data[rtype.name]) for rtype in RECORD_TYPES}
    # References to earlier rows of the same type (reversals) need the earlier row's id.
    self_refs = {rtype.name: [f.name for f in rtype.fields
                              if f.kind == "ref" and f.target == rtype.name]
                 for rtype in RECORD_TYPES}
    try:
        with unit_of_work():
            for rtype in RECORD_TYPES:
                for row in data[rtype.name]:
                    for spec in self_refs.get(rtype.name, ()):
                        earlier = row.values.get(spec)
                        if earlier is not None and objects[rtype.name][earlier].id is None:
                            db.session.flush()
                    obj = _build(rtype, row, objects)
                    if rtype.name == "company":  # found or created: shared by its records
                        obj.identity_id = identity_for(obj.uscc, obj.name, obj.region_code).id
                    db.session.add(obj)
                    objects[rtype.name][row.key or ""] = obj
                db.session.flush()
            record(organisation_id=None, user_id=None, action="dataset.import",
                   object_type="dataset", object_id=file_sha256, changes=counts,
                   reason=f"file {file_name[:200]}, sha256 {file_sha256}", auth_method="cli")
    except sa.exc.DBAPIError as exc:
        raise ImportFailed([f"database: refused the import, nothing written: {exc.orig}"]) from exc
    return counts


def import_dataset(path: str) -> dict[str, int]:
    """Import a whole dataset from ``path`` (.json or .xlsx); return counts per type.

    All or nothing: every row of every record type is validated first and every problem
    is collected; if there is any, :class:`ImportFailed` lists them all and nothing is
    written. Otherwise all records are inserted in one transaction with new ids, and one
    audit event (``dataset.import``, object id = the file's SHA-256) records the counts.
    """
    try:
        fmt = format_of(path)
    except ValueError as exc:
        raise ImportFailed([f"file: {exc}"]) from None
    problems = Problems(SHEET_ORDER)
    content = read_bytes(path, problems)
    raw = None
    if content is not None:
        raw = read_json(content, problems) if fmt == "json" else read_xlsx(content, problems)
    if content is None or raw is None:
        problems.raise_if_any()
        raise ImportFailed(["file: could not be read"])
    data = parse_dataset(raw, problems)
    check_dataset(data, problems)
    check_database(data, problems)
    problems.raise_if_any()
    digest = hashlib.sha256(content).hexdigest()
    return insert_dataset(data, digest, os.path.basename(path))
