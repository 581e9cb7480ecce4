"""Every table of every page can be downloaded as Excel, by one mechanism for all pages.

An ``after_request`` hook reads each HTML page (GET, 200) and puts a "下载 Excel" link
before each table: the page's own URL plus ``?_xlsx=<key>`` (the table's id, or ``t<n>``).
That link runs the same view — the same login, tenant checks and permissions, and no
writes, as it is a GET — with figures switched on (:mod:`fundops.web.figures`), the
truncated tables in full (:func:`fundops.web.figures.row_limit`) and a paged table with
every row (:mod:`fundops.web.paging`); the hook then reads the
chosen table back from the rendered HTML and answers the workbook instead of the page
(:mod:`fundops.web.table_xlsx`). The security headers are added after this hook, so the
download carries them too.

A table inside a form (an entry grid) or marked ``data-xlsx="off"`` gets no link. A page
whose view answers anything but a 200 HTML page (a redirect to the login, a 404) answers the
same to the download link.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlencode

from flask import Flask, Response, current_app, request
from flask_babel import gettext
from markupsafe import escape

from fundops.i18n import unit_label
from fundops.web import figures
from fundops.web.figures import PARAM
from fundops.web.table_html import Page, Table, read_tables, scan_tables
from fundops.web.table_xlsx import UNIT_SCALE, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,99}$")
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]+")


def init_app(app: Flask) -> None:
    """Register the hook; call it after :func:`fundops.web.security.init_app`, so that
    (hooks running in reverse order) the security headers are set on the download."""
    app.after_request(tables_hook)
    app.jinja_env.globals["row_limit"] = figures.row_limit
    app.jinja_env.filters["plain"] = figures.plain


def tables_hook(response: Response) -> Response:
    if (request.method not in ("GET", "HEAD") or response.status_code != 200
            or response.mimetype != "text/html" or response.is_streamed
            or response.direct_passthrough or request.path.startswith(("/api/", "/static/"))):
        return response
    key = request.args.get(PARAM)
    if key is None:
        return _with_links(response)
    html = response.get_data(as_text=True)
    page = read_tables(html)
    table = page.table(key) if _KEY.match(key) else None
    if table is None:
        return _not_found(key)
    return _download(page, table)


def _with_links(response: Response) -> Response:
    html = response.get_data(as_text=True)
    if "<table" not in html:
        return response
    pieces: list[str] = []
    done = 0
    label = escape(gettext("Download Excel"))
    for table in scan_tables(html):
        if not table.downloadable:
            continue
        href = escape(_url_with(table.key))
        link = (f'<p class="xlsx-link"><a href="{href}" id="xlsx-{escape(table.key)}" '
                f'download>{label}</a></p>\n')
        pieces += [html[done:table.start], link]
        done = table.start
    if not pieces:
        return response
    pieces.append(html[done:])
    response.set_data("".join(pieces))
    return response


def _url_with(key: str) -> str:
    """This page's URL (its own query kept) asking for table ``key``."""
    args = [(k, v) for k, values in request.args.lists() if k != PARAM for v in values]
    return request.path + "?" + urlencode([*args, (PARAM, key)])


def _not_found(key: str) -> Response:
    from fundops.web.errors import respond

    message = gettext("This page has no table %(table)s to download.", table=key[:100])
    return current_app.make_response(respond(404, "table_not_found", message))


def _download(page: Page, table: Table) -> Response:
    title = _title_row(page, table)
    exported = [t for t in page.tables if t.downloadable]
    name = page.title or table.title or "fundops"
    if len(exported) > 1 and table.title and table.title != name:
        name = f"{name} · {table.title}"
    sheet = _SHEET_BAD.sub(" ", table.title or page.title or "").strip(" '")[:31] or "Sheet1"
    data = workbook(table, title, sheet, {"title": name, "subject": table.title,
                                          "author": "fundops"})
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = content_disposition(_filename(name))
    return response


def _title_row(page: Page, table: Table) -> str:
    """The table's heading with its unit note; the unit is added when the heading has
    none but the table has amounts."""
    parts = [p for p in (table.title or page.title, table.unit_note) if p]
    if not table.unit_note:
        units = {m.fmt for row in table.rows for c in row.cells for m in c.marks
                 if m.fmt in UNIT_SCALE}
        if len(units) == 1:
            parts.append(gettext("Amounts in %(unit)s", unit=unit_label(units.pop())))
    return " · ".join(parts)


def _filename(name: str) -> str:
    clean = " ".join(_FILENAME_BAD.sub(" ", name).split())[:150].strip(" .")
    return (clean or "fundops") + ".xlsx"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = " ".join(ascii_name.replace('"', "").replace("\\", "").split())
    ascii_name = re.sub(r"[\s·_-]+\.xlsx$", ".xlsx", ascii_name)
    if ascii_name.strip(" ·.-") in ("", "xlsx"):
        ascii_name = "table.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
