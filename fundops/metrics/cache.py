"""Computed figures shared by every server process, invalidated by fund.

A figure of fund F (a parent's overview, a fund's metrics, its quarter snapshots) is
stored in :class:`~fundops.metrics.models.MetricCache` under (kind, F, parameters) with
the global write counter read *before* its facts. It is still valid while
:func:`fundops.versions.changes_since` finds no committed change to F's **subtree** (F
and every fund below it in the fund-of-funds graph) after that version. So a write in a
sub-fund is a change for its parents, and a write in another tenant's fund (not below
F) is none.

Each process also keeps the unpickled objects of the rows it has read, by the row's
token (a new computation gets a new token), so a warm request reads one short row
header and the change log, not the payload. Payloads are pickles signed with an HMAC
of ``SECRET_KEY``; a row signed with another key (a development process with a random
key) is a miss and is recomputed.

Storing is best effort, in its own short transaction on a separate connection (a GET
request writes nothing else), or inside the caller's transaction when that already holds
SQLite's write lock (a job's unit of work); if the database is busy the figure is served
without being stored. It is one upsert statement that never replaces a newer version, so
processes storing the same figure at once leave one row holding the newest.

The fund-of-funds graph behind the subtrees is read once per transaction and write
counter value (:func:`_edges`), not on every lookup of a page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import after_this_request, current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fundops.audit import data_version
from fundops.db import utcnow
from fundops.extensions import db
from fundops.metrics import heap
from fundops.metrics.models import MetricCache
from fundops.portfolio.models import Commitment, Investor
from fundops.versions import Change, changes_since

__all__ = ["Cached", "cached", "preload", "run_in_background", "stored", "subtree",
           "wait_for_stores"]

T = TypeVar("T")
LOCAL_SIZE = 64
"""Unpickled payloads kept per process (least recently used dropped first)."""
_EDGES = "fundops.metric_cache.edges"

log = logging.getLogger(__name__)


def subtree(*roots: int) -> list[int]:
    """The ``roots`` and every fund below them (funds their LP records commit to,
    recursively)."""
    edges = _edges()
    seen, todo = set(roots), list(roots)
    while todo:
        for child in edges.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return sorted(seen)


def _edges() -> dict[int, list[int]]:
    """The fund-of-funds graph: parent fund -> the funds its LP records commit to.

    Read once per session transaction and write-counter value (kept in the session's
    ``info``), so the lookups of one page share one read. Every committed write of an LP
    record or commitment moves the counter (:mod:`fundops.versions`), so the next lookup
    of a long-lived session (the jobs process, or a PostgreSQL transaction reading what
    others committed since) reads the graph again; a flush of this transaction's own LP
    records or commitments, and a rollback, forget it.
    """
    session = db.session()
    version = data_version()  # first: it also begins the transaction compared below
    transaction = session.get_transaction()
    memo = session.info.get(_EDGES)
    if memo is not None and memo[0] is transaction and memo[1] == version:
        return cast(dict[int, list[int]], memo[2])
    edges: dict[int, list[int]] = {}
    for parent, child in session.execute(
            sa.select(Investor.fund_id, Commitment.fund_id)
            .join(Commitment, Commitment.investor_id == Investor.id)
            .where(Investor.fund_id.is_not(None)).distinct()):
        if parent is not None:
            edges.setdefault(int(parent), []).append(int(child))
    session.info[_EDGES] = (transaction, version, edges)
    return edges


@event.listens_for(Session, "after_flush")
def _forget_edges_on_write(session: Session, _context: Any) -> None:
    if _EDGES in session.info and any(
            isinstance(obj, Investor | Commitment)
            for obj in (*session.new, *session.dirty, *session.deleted)):
        del session.info[_EDGES]


@event.listens_for(Session, "after_soft_rollback")
@event.listens_for(Session, "after_commit")
def _forget_edges(session: Session, *_args: Any) -> None:
    session.info.pop(_EDGES, None)


Key = tuple[str, int, str]
"""(kind, fund, params) of a stored figure."""
Pending = tuple[int, str, int]
"""(version, token, computed ms) of a figure whose row a background thread is writing."""


class _Local:
    """A thread-safe LRU map from a row's token to its unpickled payload, and the figures
    this process is still writing (so it reuses them before their rows exist)."""

    def __init__(self, size: int) -> None:
        self._size, self._items = size, OrderedDict[str, Any]()
        self._writing: dict[Key, Pending] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Any:
        with self._lock:
            item = self._items.get(token)
            if item is not None:
                self._items.move_to_end(token)
            return item

    def in_flight(self, key: Key) -> Pending | None:
        """(version, token, computed ms) of a figure being stored by this process."""
        with self._lock:
            return self._writing.get(key)

    def begin(self, key: Key, pending: Pending) -> None:
        with self._lock:
            known = self._writing.get(key)
            if known is None or known[0] <= pending[0]:
                self._writing[key] = pending

    def end(self, key: Key, token: str) -> None:
        with self._lock:
            if key in self._writing and self._writing[key][1] == token:
                del self._writing[key]

    def put(self, token: str, item: Any) -> None:
        with self._lock:
            self._items[token] = item
            self._items.move_to_end(token)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def _local() -> _Local:
    return current_app.extensions.setdefault("fundops.metric_cache", _Local(LOCAL_SIZE))


def _key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode("utf-8")


def _seal(value: Any) -> bytes:
    """The signed pickle; a large one means a large computed value is now kept in this
    process, so its objects leave the collector's scans (:mod:`.heap`)."""
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    if len(body) >= heap.LARGE:
        heap.settle()
    return hmac.new(_key(), body, hashlib.sha256).digest() + body


def _open(payload: bytes) -> tuple[bool, Any]:
    """Check the signature and unpickle; a large payload with the collector paused, its
    objects then out of the collector's scans (:mod:`.heap`)."""
    mac, body = payload[:32], payload[32:]
    if not hmac.compare_digest(mac, hmac.new(_key(), body, hashlib.sha256).digest()):
        return False, None
    if len(body) < heap.LARGE:
        return True, pickle.loads(body)  # noqa: S301 - signed by this deployment's secret key
    with heap.paused():
        value = pickle.loads(body)  # noqa: S301 - signed by this deployment's secret key
    heap.settle()
    return True, value


@dataclass(frozen=True)
class Cached:
    """A stored figure: its value, the version its facts were read at, whether this call
    reused it, and how long computing it took (ms)."""

    value: Any
    version: int
    hit: bool
    computed_ms: int


def stored(kind: str, fund_id: int, params: str,
           scope: Collection[int] | None = None) -> tuple[Cached, Change] | None:
    """The stored figure and the changes since it to the subtrees of ``scope`` (default:
    the fund itself; None returned: nothing stored, or stored under another key). Callers
    decide what the change invalidates (the quarter snapshots keep the quarters before
    its date)."""
    table = cast(sa.Table, MetricCache.__table__)
    row = db.session.execute(
        sa.select(table.c.id, table.c.version, table.c.token, table.c.computed_ms)
        .where(table.c.kind == kind, table.c.fund_id == fund_id, table.c.params == params)
    ).first()
    local = _local()
    writing = local.in_flight((kind, fund_id, params))  # stored by this process, row not yet
    if writing is not None and (row is None or writing[0] > int(row.version)):
        version, token, computed_ms = writing
        value = local.get(token)
    elif row is None:
        return None
    else:
        version, token, computed_ms = int(row.version), row.token, int(row.computed_ms)
        value = local.get(token)
    if value is None:
        if row is None or token != row.token:
            return None
        payload = db.session.scalar(sa.select(table.c.payload).where(table.c.id == row.id))
        ok, value = _open(bytes(payload or b""))
        if not ok:
            return None
        local.put(token, value)
    change = changes_since(subtree(*(scope or [fund_id])), version)
    return Cached(value, version, True, computed_ms), change


def preload(limit: int | None = None) -> int:
    """Unpickle into this process the ``limit`` (default ``METRIC_CACHE_PRELOAD``) most
    recently computed figures of :data:`heap.LARGE` bytes or more, the newest used last;
    returns how many it read. A server process calls it before taking requests (gunicorn's
    ``post_worker_init``): a national parent's figures take about a second to unpickle,
    which its first requests would otherwise spend while the others queue behind the GIL.
    A figure loaded here is used only if its row is still current when a request reads it.
    Figures this process already holds are not read again (:mod:`.follow` calls this
    every few seconds to keep a running process holding what a new one would preload).
    """
    count = int(current_app.config.get("METRIC_CACHE_PRELOAD", 8) if limit is None else limit)
    if count <= 0:
        return 0
    table = cast(sa.Table, MetricCache.__table__)
    rows = db.session.execute(
        sa.select(table.c.id, table.c.token)
        .where(sa.func.length(table.c.payload) >= heap.LARGE)
        .order_by(table.c.computed_at.desc(), table.c.id.desc()).limit(count)).all()
    local = _local()
    loaded = 0
    for row in reversed(rows):  # oldest first: the newest ends most recently used
        if local.get(row.token) is not None:
            continue
        payload = db.session.scalar(sa.select(table.c.payload).where(table.c.id == row.id))
        ok, value = _open(bytes(payload or b""))
        if ok:
            local.put(row.token, value)
            loaded += 1
    return loaded


def store(kind: str, fund_id: int, params: str, version: int, value: Any,
          computed_ms: int) -> None:
    """Store the figure, replacing the stored one unless that is newer (a higher
    ``version``; an equal one is replaced); best effort.

    This process sees it at once. Pickling and writing the row (about 0.5 s for a
    national parent's overview) happen on a background thread when
    ``METRIC_CACHE_STORE_IN_BACKGROUND`` is on (the default), started once the page is
    rendered (pickling holds the GIL), so the request that computed the figure does not
    wait for them; inside a transaction that holds SQLite's
    write lock (a job's unit of work) the row is written in that transaction instead.
    """
    token = uuid.uuid4().hex
    _local().put(token, value)
    values = {"kind": kind, "fund_id": fund_id, "params": params, "version": version,
              "token": token, "computed_ms": computed_ms, "computed_at": utcnow()}
    if _writing():  # SQLite's write lock is ours: store within this transaction
        _write(db.session.connection, values, value)
    elif current_app.config.get("METRIC_CACHE_STORE_IN_BACKGROUND", True):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        _local().begin((kind, fund_id, params), (version, token, computed_ms))
        thread = threading.Thread(target=_store_in_background, args=(app, values, value),
                                  name="metric-cache-store", daemon=True)
        if has_request_context():  # once the page is rendered: pickling holds the GIL
            after_this_request(lambda response: _start(thread, response))
        else:
            _start(thread, None)
    else:
        _write(None, values, value)


_STORING: set[threading.Thread] = set()
_STORING_LOCK = threading.Lock()


def _start(thread: threading.Thread, response: Any) -> Any:
    with _STORING_LOCK:
        _STORING.add(thread)
    thread.start()
    return response


def run_in_background(target: Callable[..., None], *args: Any, name: str) -> None:
    """Run ``target(*args)`` on a daemon thread now, one that :func:`wait_for_stores`
    waits for (a figure or file computed for a later request)."""
    thread = threading.Thread(target=_forgetting, args=(target, *args), name=name, daemon=True)
    _start(thread, None)


def _forgetting(target: Callable[..., None], *args: Any) -> None:
    try:
        target(*args)
    finally:
        with _STORING_LOCK:
            _STORING.discard(threading.current_thread())


def wait_for_stores(timeout: float = 30.0) -> None:
    """Wait until the background stores started so far have finished (tests, shutdown)."""
    with _STORING_LOCK:
        pending = list(_STORING)
    for thread in pending:
        thread.join(timeout)


def _store_in_background(app: Any, values: dict[str, Any], value: Any) -> None:
    try:
        with app.app_context():
            try:
                _write(None, values, value)
            finally:
                db.session.remove()
                _local().end((values["kind"], values["fund_id"], values["params"]),
                             values["token"])
    finally:
        with _STORING_LOCK:
            _STORING.discard(threading.current_thread())


def _write(connection: Callable[[], sa.Connection] | None, values: dict[str, Any],
           value: Any) -> None:
    """Seal and upsert: on ``connection()`` (the caller's transaction) or in a short
    transaction of its own; a busy database or an exhausted pool is logged, not raised."""
    row = {**values, "payload": _seal(value)}
    try:
        if connection is not None:
            _upsert(connection(), row)
            return
        with db.engine.begin() as conn:
            _upsert(conn, row)
    except (sa.exc.DBAPIError, sa.exc.TimeoutError) as exc:  # busy, or no pooled connection
        log.info("metric cache not stored", extra={"kind": values["kind"],
                                                   "fund_id": values["fund_id"],
                                                   "error": type(exc).__name__})


def _upsert(conn: sa.Connection, values: dict[str, Any]) -> None:
    """Insert the figure, or replace the stored one unless that one is newer, in ONE
    statement: ``INSERT … ON CONFLICT (kind, fund_id, params) DO UPDATE … WHERE
    stored.version <= new.version`` (SQLite and PostgreSQL). Racing stores of one key
    cannot both insert (the unique key makes the later one update, after the earlier
    commits), and whatever the commit order the newest version stays."""
    table = cast(sa.Table, MetricCache.__table__)
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(**values)
    key = ("kind", "fund_id", "params")
    conn.execute(statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in key],
        set_={name: statement.excluded[name] for name in values if name not in key},
        where=table.c.version <= statement.excluded.version))


def _writing() -> bool:
    """Whether this session's SQLite connection is inside a write transaction."""
    dbapi = db.session.connection().connection.dbapi_connection
    return type(dbapi).__module__.startswith("sqlite3") and bool(
        getattr(dbapi, "in_transaction", False))


def cached(kind: str, fund_id: int, params: str, compute: Callable[[], T],
           scope: Collection[int] | None = None, on: date | None = None) -> Cached:
    """The figure ``compute()`` gives for (kind, fund, params), reused while nothing in the
    fund's subtree (or the subtrees of the ``scope`` funds it depends on) changed since
    it was computed. A figure over a ``scope`` is also keyed by that set of funds, so a
    fund that joins or leaves the scope (a new link) is a miss, not a stale hit.

    A figure ``on`` a date reads only facts dated on or before it (entries by value date,
    valuations by their date, commitments by theirs); a change whose business date is
    after it does not touch it (:meth:`fundops.versions.Change.affects`), so today's
    entries leave the figures of every past date warm. Undated changes (an edited
    company, fund or LP record, a rule) always count."""
    if scope is not None:
        members = ",".join(map(str, sorted(set(scope))))
        params = f"{params}|{hashlib.sha256(members.encode()).hexdigest()[:16]}"
    found = stored(kind, fund_id, params, scope)
    if found is not None and not (found[1].any if on is None else found[1].affects(on)):
        return found[0]
    version = data_version()  # before any fact
    started = time.perf_counter()
    value = compute()
    ms = int((time.perf_counter() - started) * 1000)
    store(kind, fund_id, params, version, value, ms)
    return Cached(value, version, False, ms)
