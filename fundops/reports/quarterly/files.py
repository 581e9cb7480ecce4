"""Quarterly report downloads kept while the books behind them are unchanged; a slow one
rebuilt on a background thread.

A download (a fund's quarterly xlsx or PDF, a parent's consolidated pack) is stored in
the shared figure cache (:mod:`fundops.metrics.cache`) under (fund, file, quarter, what
the viewer may see) with the day it was made, and served from there while nothing in the
fund's subtree changed since it was built and the day is today (the files carry the
report date). A national parent's consolidated pack takes 7-18 s to build; served from
the cache it takes the time to read 2.3 MB.

After a change, a file whose last build took ``REPORT_FILE_BACKGROUND_MS`` or longer is
rebuilt on a background thread, and so is a consolidated pack never built before over more
than ``REPORT_FILE_BACKGROUND_FUNDS`` funds (the parent and every fund below it): the
request answers at once with a page saying the file
is being prepared (and how long it took last time), which reloads itself every
:data:`REFRESH_S` seconds; the reload that finds the file downloads it. A marker row in
the same cache says a build is under way, so the reloads (and other server processes)
do not start another one; a marker older than :data:`STALE_MARK_S` seconds is ignored (a
process that died mid-build). A file never built before, or quick to build, is built
while the request waits. An error found by a background build (a coded
:class:`~fundops.errors.ValidationError`) is kept on the marker and raised to the next
reload, as it would have been to the request.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app

from fundops.audit import data_version
from fundops.calc.periods import Quarter
from fundops.clock import business_today
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.metrics.cache import run_in_background, store, stored, subtree
from fundops.portfolio.access import Access
from fundops.reports.quarterly import packs
from fundops.reports.quarterly.content import quarterly_report
from fundops.reports.render import pdf, render_pdf, render_xlsx, xlsx
from fundops.uow import Actor

__all__ = ["Preparing", "ReportFile", "report_file"]

KIND = "report_file"
MARK = "report_file_build"
REFRESH_S = 3
"""Seconds between the reloads of the "being prepared" page."""
DEFAULT_BACKGROUND_MS = 2000
DEFAULT_BACKGROUND_FUNDS = 20
STALE_MARK_S = 600
"""A build marker older than this (seconds) is taken for a build that died."""


@dataclass(frozen=True, slots=True)
class ReportFile:
    """A built download: its file name, MIME type and bytes, and the day it was made."""

    name: str
    mimetype: str
    data: bytes
    made_on: date


@dataclass(frozen=True, slots=True)
class Preparing:
    """A download being built in the background; ``last_ms``: its previous build time
    (0: never built)."""

    last_ms: int


@dataclass(frozen=True, slots=True)
class _Ask:
    fund_id: int
    quarter: Quarter | None
    suffix: str
    consolidated: bool

    def params(self, access: Access, viewer_org_id: int) -> str:
        """The cache key: which file, and who sees it (an LP-access viewer's own lines)."""
        who = "manager" if access is Access.MANAGER else f"{access.value}:{viewer_org_id}"
        pack = "consolidated" if self.consolidated else "fund"
        return f"{pack}|{self.suffix}|{self.quarter or 'latest'}|{who}"


def report_file(actor: Actor, access: Access, fund_id: int, quarter: Quarter | None,
                suffix: str, consolidated: bool) -> ReportFile | Preparing | None:
    """The download asked for, or :class:`Preparing` while it is built in the background;
    None: a consolidated pack asked of a fund without sub-funds. ``quarter`` None: the
    last ended quarter of the fund."""
    if consolidated and len(subtree(fund_id)) == 1:
        return None  # no fund below it: no pack, and nothing to compute to say so
    ask = _Ask(fund_id, quarter, suffix, consolidated)
    params = ask.params(access, actor.organisation_id)
    today = business_today()
    found = stored(KIND, fund_id, params)
    if found is not None and not found[1].any and found[0].value.made_on == today:
        file: ReportFile = found[0].value
        return file
    last_ms = found[0].computed_ms if found is not None else 0
    slow = last_ms >= _setting("REPORT_FILE_BACKGROUND_MS", DEFAULT_BACKGROUND_MS) or (
        found is None and consolidated
        and len(subtree(fund_id)) > _setting("REPORT_FILE_BACKGROUND_FUNDS",
                                             DEFAULT_BACKGROUND_FUNDS))
    if not slow:
        return _build(actor, ask, params)
    mark = stored(MARK, fund_id, params)
    if mark is not None and not mark[1].any:
        started, error = mark[0].value
        if error is not None:  # a copy: the kept one is shared between requests
            raise copy.copy(error)
        if time.time() - started < STALE_MARK_S:
            return Preparing(last_ms)
    store(MARK, fund_id, params, data_version(), (time.time(), None), 0)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_in_background(_build_in_background, app, actor, ask, params, name="report-file")
    return Preparing(last_ms)


def _setting(key: str, default: int) -> int:
    """A whole-number setting (a bad value is logged and ``default`` used)."""
    raw = current_app.config.get(key, default)
    try:
        return int(raw)
    except (TypeError, ValueError):
        current_app.logger.warning("%s=%r is not a whole number: using %s", key, raw, default)
        return default


def _build(actor: Actor, ask: _Ask, params: str) -> ReportFile | None:
    """Build the file now and store it (with the version read before its facts)."""
    version = data_version()
    started = time.perf_counter()
    report = quarterly_report(actor, ask.fund_id,
                              ask.quarter or _latest(actor, ask.fund_id),
                              consolidated=ask.consolidated)
    if ask.consolidated and report.parent is None:
        return None
    document = packs.file_document(report, ask.consolidated, for_pdf=ask.suffix == "pdf")
    if ask.suffix == "xlsx":
        data, mimetype = render_xlsx(document), xlsx.MIMETYPE
    else:
        data, mimetype = render_pdf(document), pdf.MIMETYPE
    file = ReportFile(packs.file_name(report, ask.suffix, ask.consolidated), mimetype, data,
                      business_today())
    store(KIND, ask.fund_id, params, version, file,
          int((time.perf_counter() - started) * 1000))
    return file


def _latest(actor: Actor, fund_id: int) -> Quarter:
    from fundops.portfolio.access import get_fund
    from fundops.reports.quarterly.content import latest_quarter

    fund, _access = get_fund(actor, fund_id)
    return latest_quarter(fund, business_today())


def _build_in_background(app: Any, actor: Actor, ask: _Ask, params: str) -> None:
    """:func:`_build` in its own app context and session; a coded refusal is kept on the
    marker for the next reload, anything else logged (the marker then goes stale)."""
    with app.app_context():
        try:
            _build(actor, ask, params)
        except ValidationError as exc:
            db.session.rollback()
            store(MARK, ask.fund_id, params, data_version(), (time.time(), exc), 0)
        except Exception:
            app.logger.exception("building report file %s of fund %s failed", params,
                                 ask.fund_id)
        finally:
            db.session.remove()
