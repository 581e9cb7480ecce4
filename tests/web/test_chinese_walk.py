"""Every page and form in Chinese, good and bad input, shows no English sentence.

The demo portfolio is loaded once (SQLite). Each kind of demo user (GP, the GP's
checker, guidance-fund manager, provincial parent manager, bank, platform) logs in with
the Chinese interface; every HTML page reachable by following links is fetched (and every
GET route of the HTML blueprints is checked to have been reached), and every POST form on
those pages is submitted once empty and once with wrong values. The visible text (tags,
scripts and styles stripped; titles, placeholders and button labels kept) must not
contain two consecutive English words, apart from a short allow-list of product terms.
The login page, the 403, 404 and 500 pages are walked too.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import FreshContextClient, make_app, migrate
from tests.web.test_pages import compile_catalog

HTML_BLUEPRINTS = ("auth", "portfolio", "metrics", "syndication", "exits", "exit_transfers",
                   "reports_quarterly", "reports_statements", "reports_payments",
                   "reports_fees", "report_runs", "reports_notices")
USERS = ("gp@demo.fundops.cn", "gp.checker@demo.fundops.cn", "guidance@demo.fundops.cn",
         "province@demo.fundops.cn", "bank@demo.fundops.cn", "platform@demo.fundops.cn")
PER_ENDPOINT = 2
"""Distinct URLs fetched per endpoint and user (ids differ only in data, not in wording)."""
SKIP_POSTS = ("/logout", "/preferences")

# Tokens that are legitimate in a Chinese page: metric names, codes, units, product names.
ALLOWED_WORDS = {
    "IRR", "DPI", "TVPI", "RVPI", "PME", "KS", "CNY", "USD", "HKD", "EUR", "API", "USCC", "LP",
    "LPs", "GP", "GPs", "NAV", "XIRR", "MOIC", "PIC", "JSON", "CSV", "YYYY", "MM", "DD", "ISO",
    "UTC", "AMAC", "SME", "SRDI", "AI", "AIC", "S", "FundOps", "fundops", "Direct", "Alpha",
    "ID", "M", "A", "IT", "SaaS", "PE", "VC", "AMC", "ESG", "BD", "CEO", "CFO", "OK", "PDF",
    "IPO", "QFLP", "RMB", "B", "C", "D", "E", "Pre", "Series", "Angel", "English",
}
# The policy-rule parameters (and stage values) are JSON the user types into the rule form.
ALLOWED_IDENTIFIERS = {"max_share", "min_share", "region_prefix", "min_ratio", "max_deal",
                       "max_ratio", "start_up"}
_SNAKE = re.compile(r"(?<![A-Za-z0-9_\-/.])[a-z]+(?:_[a-z0-9]+)+(?![A-Za-z0-9_\-/])")
_WORD = r"(?<![A-Za-z0-9_@.\-/])[A-Za-z]+(?![A-Za-z0-9_@\-/])"
_PAIR = re.compile(rf"{_WORD}(?:[ \t]+{_WORD})+")


class _Text(HTMLParser):
    """Collects the visible text of a page (and the text-like attributes users read)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name in ("title", "placeholder", "aria-label", "alt"):
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(p.split()) for p in parser.parts if p.strip()]


def english_in(html: str, names: set[str]) -> list[str]:
    """Runs of two or more English words (outside the allow-list and proper names) and
    internal snake_case names (``fund_net``, ``gov_share_cap`` …)."""
    found = []
    for text in visible_text(html):
        chunk = text
        for name in names:
            chunk = chunk.replace(name, " ")
        for match in _SNAKE.finditer(chunk):
            if match.group(0) not in ALLOWED_IDENTIFIERS:
                found.append(f"{match.group(0)}   ⟨{chunk[:160]}⟩")
        for match in _PAIR.finditer(chunk):
            words = [w for w in match.group(0).split() if w not in ALLOWED_WORDS]
            if len(words) >= 2:
                found.append(f"{' '.join(words)}   ⟨{chunk[:160]}⟩")
    return found


class _Forms(HTMLParser):
    """The POST forms of a page: action and their fields (name → kind, value, options)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = {"action": a.get("action", ""), "fields": {}}
                self.forms.append(self._form)
            return
        if tag == "option" and self._form is not None and self._select:
            kind, first = self._form["fields"][self._select]
            if not first and a.get("value") not in (None, "", "0"):
                self._form["fields"][self._select] = (kind, a["value"])
            return
        if self._form is None or not a.get("name"):
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button") and a["name"] in fields:
                return
            fields.setdefault(a["name"], (kind, a.get("value", "")))
        elif tag == "textarea":
            fields.setdefault(a["name"], ("textarea", ""))
        elif tag == "select":
            self._select = a["name"]
            fields.setdefault(a["name"], ("select", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


HIDDEN_KEEP = ("csrf_token", "form_token", "token", "next", "action")


def bad_payloads(  # noqa: C901, PLR0912 - one branch per kind of input
        fields: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    """The form posted with every input empty, then with wrong values of each kind."""
    def keep(name: str, kind: str, value: str) -> bool:
        return kind == "hidden" or name in HIDDEN_KEEP

    empty = {n: (v if keep(n, k, v) else "") for n, (k, v) in fields.items()
             if k not in ("checkbox", "submit", "button")}
    wrong: dict[str, str] = {}
    for name, (kind, value) in fields.items():
        if keep(name, kind, value) or kind in ("submit", "button"):
            wrong[name] = value
        elif kind == "checkbox":
            wrong[name] = "y"
        elif kind == "select":
            wrong[name] = "999999"
        elif kind == "date" or "date" in name or name.endswith("_on") or name == "as_of":
            wrong[name] = "2024-02-30"
        elif kind == "email" or "email" in name:
            wrong[name] = "not-an-email"
        elif kind == "password":
            wrong[name] = "x"
        elif name == "params":
            wrong[name] = '{"max_share": "1.5"}'
        else:
            wrong[name] = "-1.234x"
    # Well-formed but refused by the services: far too large, long before any fund began.
    refused = dict(wrong.items())
    for name, (kind, value) in fields.items():
        if name in refused and not (kind == "hidden" or name in HIDDEN_KEEP):
            if kind == "select":
                refused[name] = value  # the first real option
            elif kind == "date" or "date" in name or name.endswith("_on") or name == "as_of":
                refused[name] = "1990-01-01"
            elif kind not in ("checkbox", "email", "password", "submit", "button"):
                refused[name] = "9999999999999" if name != "params" else '{"max_share": "x"}'
    return [empty, wrong, refused]


@pytest.fixture(scope="module")
def demo_app(tmp_root: str) -> Iterator[Flask]:
    from fundops.demo import load_demo
    from fundops.extensions import db

    compile_catalog()
    url = f"sqlite:///{os.path.join(tmp_root, 'walk-' + uuid.uuid4().hex + '.sqlite3')}"
    migrate(url)
    app = make_app(url, PROPAGATE_EXCEPTIONS=False)
    app.test_client_class = FreshContextClient

    def boom() -> str:
        raise RuntimeError("deliberate failure for the 500 page")

    app.add_url_rule("/_walk_boom", "walk_boom", boom)
    with app.app_context():
        load_demo()  # with exits: an IPO and its sell-down, a trade sale with escrow partly
        db.session.commit()  # released, an open buy-back claim, a write-off, transfers, waterfalls
        yield app
        db.session.remove()
        db.engine.dispose()


def proper_names(app: Flask) -> set[str]:
    """Names typed into the demo data (funds, LPs, companies, products …): data, not UI."""
    import sqlalchemy as sa

    from fundops.extensions import db

    names: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in ("name", "name_en", "name_zh", "display_name", "counterparty", "round_name",
                       "method", "memo", "reason", "sector", "source_citation", "label", "note"):
            if column in table.c:
                rows = db.session.execute(sa.select(table.c[column]).distinct()).scalars()
                names.update(str(v) for v in rows if v and re.search("[A-Za-z]{2}", str(v)))
    # valuation methods the exits store when the walk posts one (bilingual data labels,
    # like the demo's own methods above): a reversal the walk makes shows on the IPO page
    from fundops.exits.postings import EXIT_METHOD, REVERSAL_METHOD
    from fundops.exits.services import ESCROW_METHOD

    names.update((EXIT_METHOD, REVERSAL_METHOD, ESCROW_METHOD))
    return {n for n in names if n.strip()}


def login(client: FlaskClient, email: str) -> None:
    from fundops.demo import DEMO_PASSWORD

    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert token
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302, email
    client.post("/preferences", data={"lang": "zh_CN", "next": "/",
                                      "csrf_token": token.group(1)})


class Walker:
    def __init__(self, app: Flask, names: set[str]) -> None:
        self.app = app
        self.names = names
        self.problems: dict[str, set[str]] = defaultdict(set)
        self.reached: set[str] = set()
        self.posted: set[str] = set()

    def endpoint(self, path: str, method: str = "GET") -> str | None:
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(path, method=method)
        except Exception:  # noqa: BLE001 - not a route of ours (or wrong method)
            return None
        return str(endpoint)

    def check(self, where: str, response: Any, posted_to: str = "") -> None:
        """Record English in an HTML answer (a redirect's stub body is never shown)."""
        if "text/html" not in response.content_type or 300 <= response.status_code < 400:
            return
        for hit in english_in(response.get_data(as_text=True), self.names):
            self.problems[hit].add(where)

    def walk(self, client: FlaskClient, who: str) -> None:
        seen: set[str] = set()
        per_endpoint: dict[str, int] = defaultdict(int)
        queue = ["/"]
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            endpoint = self.endpoint(urlsplit(path).path)
            if endpoint is None or endpoint.split(".")[0] not in HTML_BLUEPRINTS:
                continue
            if per_endpoint[endpoint] >= PER_ENDPOINT:
                continue
            per_endpoint[endpoint] += 1
            response = client.get(path)
            assert response.status_code < 500, (who, path, response.status_code)
            self.check(f"{who} GET {path}", response)
            if response.status_code != 200:
                continue
            self.reached.add(endpoint)
            if "text/html" not in response.content_type:
                continue  # a download (xlsx, PDF, CSV): reached, no page to read
            html = response.get_data(as_text=True)
            for href in re.findall(r'href="([^"#]+)', html):
                if "_xlsx=" in href:
                    continue  # a table's Excel download (tests/web/test_table_downloads.py)
                target = urljoin(path, href.replace("&amp;", "&"))
                if urlsplit(target).netloc in ("", "localhost"):
                    queue.append(urlsplit(target).path + (
                        "?" + urlsplit(target).query if urlsplit(target).query else ""))
            self.post_all(client, who, path, html)

    def post_all(self, client: FlaskClient, who: str, page: str, html: str) -> None:
        for number, form in enumerate(post_forms(html)):
            action = urljoin(page, form["action"] or page)
            target = urlsplit(action).path
            endpoint = self.endpoint(target, "POST")
            if endpoint is None or target in SKIP_POSTS or (who, endpoint) in self.posted:
                continue
            self.posted.add((who, endpoint))  # type: ignore[arg-type]
            for payload in bad_payloads(form["fields"]):
                fresh = post_forms(client.get(page).get_data(as_text=True))
                if number < len(fresh):  # a fresh rendering: new CSRF / one-time tokens
                    for name, (kind, value) in fresh[number]["fields"].items():
                        if kind == "hidden" or name in HIDDEN_KEEP:
                            payload[name] = value
                response = client.post(action, data=payload)
                assert response.status_code < 500, (who, action, payload, response.status_code)
                self.check(f"{who} POST {target} {payload}", response, target)
                if response.status_code in (302, 303):
                    follow = client.get(response.headers["Location"])
                    self.check(f"{who} after POST {target}", follow)


def test_every_page_and_form_in_chinese_has_no_english_sentence(demo_app: Flask) -> None:
    walker = Walker(demo_app, proper_names(demo_app))
    anonymous = demo_app.test_client()
    walker.check("anonymous GET /login", anonymous.get("/login"))
    walker.reached.add("auth.login")
    walker.check("anonymous GET / (redirect)", anonymous.get("/", follow_redirects=True))
    walker.post_all(
        anonymous, "anonymous", "/login", anonymous.get("/login").get_data(as_text=True)
    )
    for email in USERS:
        client = demo_app.test_client()
        login(client, email)
        walker.walk(client, email)
        for path, status in (("/funds/999999", 404), ("/_walk_boom", 500)):
            response = client.get(path)
            assert response.status_code == status
            walker.check(f"{email} GET {path}", response)
    checker = demo_app.test_client()
    login(checker, "gp.checker@demo.fundops.cn")
    forbidden = checker.get("/funds/new")
    assert forbidden.status_code == 403
    walker.check("checker GET /funds/new (403)", forbidden)

    get_endpoints = {
        r.endpoint
        for r in demo_app.url_map.iter_rules()
        if "GET" in (r.methods or set()) and r.endpoint.split(".")[0] in HTML_BLUEPRINTS
    }
    report = "\n".join(f"{hit}\n      at {sorted(where)[0]} (+{len(where) - 1})"
                       for hit, where in sorted(walker.problems.items()))
    assert not walker.problems, f"English on Chinese pages:\n{report}"
    assert get_endpoints - walker.reached == set(), "pages never reached by any demo user"


def test_the_walk_finds_english_when_there_is_some() -> None:
    page = ("<html><head><style>p {color: red}</style><script>var a = 'not shown'</script>"
            "</head><body><p>基金 IRR 与 DPI</p><p title='Please log in'>登录</p>"
            "<p>gp@demo.fundops.cn 91440300MA5FXXXX fund-7</p></body></html>")
    assert [h.split("   ")[0] for h in english_in(page, set())] == ["Please log in"]
    assert english_in("<p>5000000000.00 exceeds the LPs' total</p>", set())
    assert english_in("<p>Alpha Capital Fund</p>", {"Alpha Capital Fund"}) == []
    assert [h.split()[0] for h in english_in("<td>视角 fund_net</td>", set())] == ["fund_net"]
