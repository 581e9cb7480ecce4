"""Which funds a committed write changed, and from which date: the change log behind the
shared metrics cache and the quarter snapshots.

Every transaction that commits rows feeding the figures (the ledger, valuations,
investments, commitments, LP records, funds, companies, policy rules …) appends one
:class:`MetricChange` per fund it touched: ``(version, fund_id, from_on)``.

- ``version`` is the transaction's value of the global write counter
  (:class:`fundops.audit.DataVersion`). The counter's row lock is held until commit, so
  versions increase in commit order: whatever a reader saw committed has a version at
  most the counter it read *before* reading the facts, and whatever it did not see has
  a larger one. Appending rows (no shared row updated) takes no extra lock.
- ``fund_id`` is the fund whose own rows changed (NULL: a row no fund can be named for;
  every cached figure treats it as its own change).
- ``from_on`` is the earliest business date the change affects (a ledger entry's value
  date, a valuation's date, a commitment's date); NULL means "from the beginning"
  (an edited company, LP record or fund, or an update of an existing row).

A figure of fund F depends on F and every fund below it in the fund-of-funds graph, so a
change of a sub-fund is a change for its parents too: readers ask
:func:`changes_since` over F's subtree (``fundops.metrics.cache``). Nothing is locked or
rewritten for the ancestors at write time.

Rows are found after every flush (``after_flush``: new, changed and deleted objects)
and written just before commit (``before_commit``), so a rolled-back transaction leaves
no change behind. Tables that never feed a figure (the audit trail, sessions, jobs,
report runs, notices, drafts …) are ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from fundops.extensions import Model

__all__ = ["Change", "MetricChange", "changes_since"]


class MetricChange(Model):
    """One fund touched by one committed transaction (see the module docstring).

    Append-only by construction (only this module inserts; nothing updates it).
    """

    __tablename__ = "metric_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    fund_id: Mapped[int | None] = mapped_column(sa.Integer)
    from_on: Mapped[date | None] = mapped_column(sa.Date)


IGNORED_TABLES = frozenset({
    "metric_change", "metric_cache", "audit_event", "data_version", "user_account",
    "organisation", "login_attempt", "api_token", "idempotency_key", "form_submission",
    "job_run", "report_run", "report_run_file", "notice", "receiving_account", "fee_draft",
    "fee_draft_line", "fee_draft_share", "fee_terms", "fee_tier", "payment_terms",
    "call_issue", "call_receipt", "interest_charge", "approval_request", "approval_policy",
    "exit_reminder", "index_level",
})
"""Tables no cached figure reads (writes to them change nothing for the metrics)."""

DATE_FIELDS = {
    "cash_flow": "value_on", "fund_valuation": "as_of", "holding_valuation": "as_of",
    "investment": "invested_on", "commitment": "committed_on", "exit_event": "value_on",
    "escrow_release": "value_on", "fund_stage_change": "effective_on",
}
"""The business date of a new row of these tables (the change counts from it)."""

_STATE = "fundops.metric_changes"


@dataclass
class _Pending:
    """What the flushes of the current transaction touched (resolved at commit)."""

    funds: dict[int, date | None] = field(default_factory=dict)
    flows: set[int] = field(default_factory=set)
    companies: set[int] = field(default_factory=set)
    investors: set[int] = field(default_factory=set)
    unscoped: bool = False

    def fund(self, fund_id: int, on: date | None) -> None:
        if fund_id in self.funds:
            known = self.funds[fund_id]
            on = None if known is None or on is None else min(known, on)
        self.funds[fund_id] = on

    def empty(self) -> bool:
        return not (self.funds or self.flows or self.companies or self.investors
                    or self.unscoped)


def _pending(session: Session) -> _Pending:
    state = session.info.get(_STATE)
    if state is None:
        state = session.info[_STATE] = _Pending()
    return state


def _note(pending: _Pending, obj: Any, new: bool) -> None:
    table = getattr(getattr(obj, "__table__", None), "name", None)
    if table is None or table in IGNORED_TABLES:
        return
    on = getattr(obj, DATE_FIELDS[table]) if new and table in DATE_FIELDS else None
    if table == "fund":
        pending.fund(obj.id, None)
        return
    fund_id = getattr(obj, "fund_id", None)
    if table == "investor":  # an LP record: the funds it is an LP of (its own fund unaffected)
        pending.investors.add(obj.id)
        return
    if isinstance(fund_id, int):
        pending.fund(fund_id, on)
        if table == "policy_rule" or not new:
            pending.fund(fund_id, None)
        return
    for attr, bucket in (("cash_flow_id", pending.flows), ("company_id", pending.companies),
                         ("investor_id", pending.investors)):
        value = getattr(obj, attr, None)
        if isinstance(value, int):
            bucket.add(value)
            return
    if table in ("company", "company_identity") and isinstance(getattr(obj, "id", None), int):
        pending.companies.add(obj.id)
        return
    pending.unscoped = True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    pending = _pending(session)
    for obj in session.new:
        _note(pending, obj, new=True)
    for obj in list(session.dirty) + list(session.deleted):
        if session.is_modified(obj) or obj in session.deleted:
            _note(pending, obj, new=False)


def _resolve(session: Session, pending: _Pending) -> None:
    """Turn flow, company and investor ids into funds (queries; before commit)."""
    if pending.flows:
        for fund_id, on in session.execute(sa.text(
                "SELECT fund_id, value_on FROM cash_flow WHERE id IN :ids")
                .bindparams(sa.bindparam("ids", expanding=True)),
                {"ids": sorted(pending.flows)}):
            pending.fund(int(fund_id), _as_date(on))
    if pending.companies:
        for (fund_id,) in session.execute(sa.text(
                "SELECT fund_id FROM investment WHERE company_id IN :ids UNION "
                "SELECT fund_id FROM holding_valuation WHERE company_id IN :ids "
                "UNION SELECT fund_id FROM cash_flow WHERE company_id IN :ids")
                .bindparams(sa.bindparam("ids", expanding=True)),
                {"ids": sorted(pending.companies)}):
            pending.fund(int(fund_id), None)
    if pending.investors:
        for (fund_id,) in session.execute(sa.text(
                "SELECT DISTINCT fund_id FROM commitment WHERE investor_id IN :ids")
                .bindparams(sa.bindparam("ids", expanding=True)),
                {"ids": sorted(pending.investors)}):
            pending.fund(int(fund_id), None)


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite text dates


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()  # pending objects go through after_flush first
    pending = session.info.pop(_STATE, None)
    if pending is None or pending.empty():
        return
    from fundops.audit import _bump_version, data_version

    _resolve(session, pending)
    _bump_version()  # this transaction's place in the write order (lock held to commit)
    version = data_version()
    rows: list[dict[str, Any]] = [
        {"version": version, "fund_id": fund_id, "from_on": on}
        for fund_id, on in sorted(pending.funds.items())]
    if pending.unscoped:
        rows.append({"version": version, "fund_id": None, "from_on": None})
    if rows:
        session.execute(sa.insert(cast(sa.Table, MetricChange.__table__)), rows)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_STATE, None)


@dataclass(frozen=True, slots=True)
class Change:
    """The changes of a set of funds after a version: whether there are any, and the
    earliest business date they affect (None: from the beginning)."""

    any: bool
    from_on: date | None

    def affects(self, on: date) -> bool:
        """Whether a figure dated ``on`` (e.g. a quarter end) may have changed."""
        return self.any and (self.from_on is None or self.from_on <= on)


NO_CHANGE = Change(False, None)


def changes_since(fund_ids: Collection[int], version: int) -> Change:
    """The changes to ``fund_ids`` (or unscoped) committed after ``version``."""
    from fundops.extensions import db

    table = cast(sa.Table, MetricChange.__table__)
    rows: Iterable[Any] = db.session.execute(
        sa.select(table.c.fund_id, table.c.from_on).where(
            table.c.version > version,
            sa.or_(table.c.fund_id.in_(sorted(fund_ids)), table.c.fund_id.is_(None))))
    seen = False
    earliest: date | None = date.max
    for _fund, on in rows:
        seen = True
        earliest = None if on is None or earliest is None else min(earliest, on)
    return Change(True, earliest) if seen else NO_CHANGE
