"""The inputs of a report run: which rows a pack reads, their canonical form, the SHA-256
over them, and the manifest from which a later version states what changed.

**Definition of the inputs hash.** The inputs of a run are rows of named *sources*, each a
table filtered to the subject and to the as-of date (a fund's sources: :data:`FUND_SOURCES`;
a bank's loan book: :mod:`fundops.reports.bank.loan_book`). Each row becomes one line::

    json.dumps([source, id, {column: value, …}], sort_keys=True, ensure_ascii=False,
               separators=(",", ":"))

with every column of the row but those the source excludes (or only the columns it keeps,
and ``id``); values canonical: Decimals as
``format(d, "f")`` (exact, the column's scale), dates ISO ``YYYY-MM-DD``, timestamps ISO in
UTC, enums by their stored value, bytes by their SHA-256, NULL as ``null``. The lines are
sorted by (source, id), joined with ``\\n`` and hashed with SHA-256 (UTF-8). The same
rows give the same hash on SQLite and PostgreSQL.

Rows dated after the as-of date are not inputs (a later quarter's postings do not touch a
closed quarter), rows dated up to it are, whenever they were recorded: a correction
(a reversal, a back-dated entry) posted after a run changes the hash.

**Manifest.** Per source, per row: (id, the first 16 hex digits of the line's SHA-256, the
row's amount and currency if the source names them, the id it reverses if any); JSON,
zlib-compressed. :func:`compare` of two manifests lists rows added, removed and changed
per source, with the net amount of the added and removed rows per currency.
"""

from __future__ import annotations

import enum
import hashlib
import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundops.exits.models import EscrowRelease, ExitEvent, InterestTransfer
from fundops.extensions import db
from fundops.portfolio.ledger import (
    CashFlow,
    CashFlowAllocation,
    FundValuation,
    HoldingValuation,
    Investment,
)
from fundops.portfolio.models import Commitment, Company, Fund, FundStageChange, Investor

Where = Callable[[int, date], sa.ColumnElement[bool]]
Value = str | int | bool | None


@dataclass(frozen=True)
class Source:
    """Rows of ``table`` where ``where(subject_id, as_of)``; ``exclude``: columns left out
    of the line (current-state columns a closed quarter must not depend on), or ``only``:
    the columns kept (``id`` always); ``amount`` /
    ``currency`` / ``reverses``: columns the "what changed" summary reads."""

    name: str
    table: sa.FromClause
    where: Where
    exclude: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    amount: str | None = None
    currency: str | None = "currency"
    reverses: str | None = None


@dataclass(frozen=True)
class InputRow:
    """One input row in canonical form (see the module docstring)."""

    source: str
    key: int
    fields: dict[str, Value]
    amount: str | None = None
    currency: str | None = None
    reverses: int | None = None

    def line(self) -> str:
        return json.dumps([self.source, self.key, self.fields], sort_keys=True,
                          ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Inputs:
    """The digest of a run's inputs: SHA-256 (hex), the number of rows, the manifest."""

    digest: str
    rows: int
    manifest: bytes


def canonical(value: Any) -> Value:
    """One column value in the canonical form of the inputs hash."""
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return str(value)


def read_sources(sources: Iterable[Source], subject_id: int, as_of: date) -> list[InputRow]:
    """Every row of every source for the subject up to ``as_of``, in canonical form."""
    rows: list[InputRow] = []
    for source in sources:
        table = source.table
        result = db.session.execute(
            sa.select(table).where(source.where(subject_id, as_of)).order_by(table.c.id))
        for mapping in result.mappings():
            fields = {name: canonical(mapping[name]) for name in mapping
                      if name not in source.exclude
                      and (not source.only or name == "id" or name in source.only)}
            reverses = mapping[source.reverses] if source.reverses else None
            rows.append(InputRow(
                source.name, int(mapping["id"]), fields,
                canonical(mapping[source.amount]) if source.amount else None,  # type: ignore[arg-type]
                str(mapping[source.currency]) if source.amount and source.currency else None,
                int(reverses) if reverses is not None else None))
    return rows


def digest(rows: Iterable[InputRow]) -> Inputs:
    """The inputs hash and manifest of ``rows`` (duplicates of one (source, id) once)."""
    unique = {(r.source, r.key): r for r in rows}
    ordered = [unique[k] for k in sorted(unique)]
    sha = hashlib.sha256()
    manifest: dict[str, list[list[Any]]] = {}
    for n, row in enumerate(ordered):
        line = row.line().encode("utf-8")
        sha.update(b"\n" if n else b"")
        sha.update(line)
        manifest.setdefault(row.source, []).append(
            [row.key, hashlib.sha256(line).hexdigest()[:16], row.amount, row.currency,
             row.reverses])
    packed = zlib.compress(json.dumps({"sources": manifest}, sort_keys=True,
                                      separators=(",", ":")).encode("utf-8"), 9)
    return Inputs(sha.hexdigest(), len(ordered), packed)


def unpack(manifest: bytes) -> dict[str, dict[int, list[Any]]]:
    """A stored manifest as {source: {id: [digest, amount, currency, reverses]}}."""
    data = json.loads(zlib.decompress(manifest).decode("utf-8")) if manifest else {}
    return {source: {int(entry[0]): entry[1:] for entry in entries}
            for source, entries in data.get("sources", {}).items()}


def compare(old: bytes, new: bytes) -> list[dict[str, Any]]:
    """What changed from the ``old`` manifest to the ``new`` one, per source (sorted):
    ``added`` / ``removed`` / ``changed`` row counts, ``reversals`` (added rows that reverse
    an earlier one) with ``reversed_ids`` (up to 5), ``added_ids`` (up to 5) and
    ``amounts``: {currency: net amount of the added less the removed rows, exact}."""
    before, after = unpack(old), unpack(new)
    changes: list[dict[str, Any]] = []
    for source in sorted(before.keys() | after.keys()):
        was, now = before.get(source, {}), after.get(source, {})
        added = sorted(now.keys() - was.keys())
        removed = sorted(was.keys() - now.keys())
        changed = sorted(k for k in now.keys() & was.keys() if now[k][0] != was[k][0])
        if not (added or removed or changed):
            continue
        amounts: dict[str, Decimal] = {}
        for rows, sign in ((((now[k] for k in added)), 1), ((was[k] for k in removed), -1)):
            for _digest, amount, currency, _rev in rows:
                if amount is not None and currency:
                    amounts[currency] = amounts.get(currency, Decimal(0)) + sign * Decimal(amount)
        reversed_ids = [now[k][3] for k in added if now[k][3] is not None]
        changes.append({
            "source": source, "added": len(added), "removed": len(removed),
            "changed": len(changed), "reversals": len(reversed_ids),
            "reversed_ids": reversed_ids[:5], "added_ids": added[:5],
            "amounts": {c: format(a, "f") for c, a in sorted(amounts.items())}})
    return changes


# --- a fund's inputs -----------------------------------------------------------------------


def _ledger_ids(fund_id: int, as_of: date) -> sa.Select[Any]:
    return sa.select(CashFlow.id).where(CashFlow.fund_id == fund_id, CashFlow.value_on <= as_of)


def _investor_ids(fund_id: int, as_of: date) -> sa.CompoundSelect[Any]:
    committed = sa.select(Commitment.investor_id).where(
        Commitment.fund_id == fund_id, Commitment.committed_on <= as_of)
    moved = [sa.select(column).where(InterestTransfer.fund_id == fund_id,
                                     InterestTransfer.transfer_on <= as_of)
             for column in (InterestTransfer.seller_id, InterestTransfer.buyer_id)]
    return sa.union(committed, *moved)


def _company_ids(fund_id: int, as_of: date) -> sa.Select[Any]:
    return sa.select(Investment.company_id).where(Investment.fund_id == fund_id,
                                                  Investment.invested_on <= as_of)


def _exit_ids(fund_id: int, as_of: date) -> sa.Select[Any]:
    return sa.select(ExitEvent.id).where(ExitEvent.fund_id == fund_id,
                                         ExitEvent.value_on <= as_of)


FUND_SOURCES: list[Source] = [
    # the fund's current stage is left out: its dated stage changes are the input
    Source("fund", Fund.__table__, lambda f, _on: Fund.id == f, exclude=("stage",)),
    Source("fund_stage_change", FundStageChange.__table__,
           lambda f, on: sa.and_(FundStageChange.fund_id == f, FundStageChange.effective_on
                                 <= on)),
    Source("commitment", Commitment.__table__,
           lambda f, on: sa.and_(Commitment.fund_id == f, Commitment.committed_on <= on),
           amount="amount"),
    Source("investor", Investor.__table__, lambda f, on: Investor.id.in_(_investor_ids(f, on))),
    Source("cash_flow", CashFlow.__table__,
           lambda f, on: sa.and_(CashFlow.fund_id == f, CashFlow.value_on <= on),
           amount="amount", reverses="reverses_id"),
    Source("cash_flow_allocation", CashFlowAllocation.__table__,
           lambda f, on: CashFlowAllocation.cash_flow_id.in_(_ledger_ids(f, on)),
           amount="amount"),
    Source("fund_valuation", FundValuation.__table__,
           lambda f, on: sa.and_(FundValuation.fund_id == f, FundValuation.as_of <= on),
           amount="nav_amount"),
    Source("holding_valuation", HoldingValuation.__table__,
           lambda f, on: sa.and_(HoldingValuation.fund_id == f, HoldingValuation.as_of <= on),
           amount="fair_value_amount"),
    Source("investment", Investment.__table__,
           lambda f, on: sa.and_(Investment.fund_id == f, Investment.invested_on <= on),
           amount="amount"),
    Source("company", Company.__table__, lambda f, on: Company.id.in_(_company_ids(f, on))),
    Source("exit_event", ExitEvent.__table__,
           lambda f, on: sa.and_(ExitEvent.fund_id == f, ExitEvent.value_on <= on),
           amount="proceeds_amount", reverses="reverses_id"),
    Source("escrow_release", EscrowRelease.__table__,
           lambda f, on: sa.and_(EscrowRelease.exit_event_id.in_(_exit_ids(f, on)),
                                 EscrowRelease.value_on <= on),
           amount="amount", reverses="reverses_id"),
    Source("interest_transfer", InterestTransfer.__table__,
           lambda f, on: sa.and_(InterestTransfer.fund_id == f,
                                 InterestTransfer.transfer_on <= on),
           amount="commitment_amount", currency=None),
]
"""A fund's inputs up to the as-of date (its ledger, valuations, commitments, investors,
companies invested in, exits, LP-interest transfers). Another reporting module whose data
a fund pack reads (fee terms, LP receipts …) adds its table with :func:`add_fund_source`."""


def add_fund_source(source: Source) -> None:
    """Make ``source`` part of every fund's inputs (idempotent by name)."""
    if all(s.name != source.name for s in FUND_SOURCES):
        FUND_SOURCES.append(source)


def fund_inputs(fund_id: int, as_of: date) -> list[InputRow]:
    """The inputs of a pack about one fund: :data:`FUND_SOURCES` of the fund."""
    return read_sources(FUND_SOURCES, fund_id, as_of)


def fund_tree(fund_id: int, as_of: date) -> list[int]:
    """The fund and every fund below it up to ``as_of``: the funds in which one of the
    tree's funds holds a commitment (through its investor record), breadth first."""
    seen, frontier = [fund_id], [fund_id]
    while frontier:
        below = db.session.scalars(
            sa.select(Commitment.fund_id).join(Investor, Investor.id == Commitment.investor_id)
            .where(Investor.fund_id.in_(frontier), Commitment.committed_on <= as_of)
            .distinct().order_by(Commitment.fund_id)).all()
        frontier = [f for f in below if f not in seen]
        seen.extend(frontier)
    return seen


def fund_tree_inputs(fund_id: int, as_of: date) -> list[InputRow]:
    """The inputs of a consolidated pack (a parent fund and every fund below it): the
    union of :func:`fund_inputs` over :func:`fund_tree`."""
    return [row for f in fund_tree(fund_id, as_of) for row in fund_inputs(f, as_of)]
