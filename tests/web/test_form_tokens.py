"""One-time form tokens: a resubmitted page form (double click, back + resubmit, retry,
concurrent twins) shows the first result and writes nothing more."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_wtf import FlaskForm

from fundops.auth.models import User
from fundops.extensions import db
from fundops.portfolio.ledger import CashFlow
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import LoanEntry
from fundops.web.formtokens import FormSubmission, TokenForm, mint, verify
from tests.conftest import Browser
from tests.factories import PASSWORD, make_world
from tests.threads import race
from tests.web.test_pages import compile_catalog

_TOKEN_RE = re.compile(r'name="((?:[\w-]+-)?form_token)"[^>]*value="([^"]*)"')
# Page forms without a one-time token: log out, preferences, log in and the code look-up
# (reads only; its audit entry records each look-up).
_UNTOKENED_ACTIONS = ("/logout", "/preferences", "/login", "/verify")
# Approval decisions are guarded by the item's state (a second approve or reject of a
# decided item is a 409) and policies are set, not added: no token needed.
_UNTOKENED_PREFIX = "/approvals/"
# FlaskForms that change nothing or are exempt (see _UNTOKENED_ACTIONS); every other
# FlaskForm of fundops must be a TokenForm.
_UNTOKENED_FORMS = {"LoginForm", "EmptyForm", "VerifyForm", "AsOfForm", "LookThroughForm",
                    "QuarterForm"}


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def token_on(html: str, name: str = "form_token") -> str:
    found = dict(_TOKEN_RE.findall(html))
    assert found.get(name), f"no {name} on the page"
    return found[name]


def calls() -> int:
    return int(db.session.scalar(sa.select(sa.func.count(CashFlow.id))) or 0)


def login(app: Flask, email: str, lang: str = "en") -> Browser:
    db.session.rollback()  # end the test's read transaction before the server writes
    browser = Browser(app.test_client())
    assert browser.login(email, PASSWORD).status_code == 302
    browser.post("/preferences", {"lang": lang, "next": "/"})
    return browser


CALL = {"value_on": "2021-03-31", "amount": "1000000", "purpose": "investment",
        "counterparty": "", "source_ref": "", "memo": "", "action": "post"}


def test_tokens_are_per_user_and_organisation() -> None:
    token = mint("secret", 7, 3)
    assert len(token) <= 64 and token != mint("secret", 7, 3)
    assert verify("secret", token, 7, 3)
    assert not verify("secret", token, 8, 3) and not verify("secret", token, 7, 4)
    assert not verify("other secret", token, 7, 3)
    nonce, _, signature = token.partition(".")
    assert not verify("secret", f"{nonce}x.{signature}", 7, 3)
    assert not verify("secret", nonce, 7, 3) and not verify("secret", "", 7, 3)


def test_every_state_changing_form_class_carries_a_token(app: Flask) -> None:
    def subclasses(cls: type) -> list[type]:
        return [c for s in cls.__subclasses__() for c in (s, *subclasses(s))]

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("fundops.")]
    assert len(ours) > 30
    missing = [c.__name__ for c in ours
               if not issubclass(c, TokenForm) and c.__name__ not in _UNTOKENED_FORMS]
    assert missing == [], f"forms without a one-time token: {missing}"


def test_capital_call_posted_twice_makes_one_entry_and_shows_the_first_result(
        app: Flask) -> None:
    world = make_world()
    browser = login(app, world.gp_user.email)
    url = f"/funds/{world.fund.id}/calls/new"
    page = text(browser.client.get(url))
    token = token_on(page)
    assert token != token_on(text(browser.client.get(url)))  # one token per rendered form
    assert db.session.scalar(sa.select(sa.func.count(FormSubmission.id))) == 0  # GETs write nothing
    before = calls()

    first = browser.post(url, CALL | {"form_token": token})
    assert first.status_code == 302 and calls() == before + 1
    again = browser.post(url, CALL | {"form_token": token})
    assert again.status_code == 303 and calls() == before + 1
    assert again.headers["Location"] == first.headers["Location"] == f"/funds/{world.fund.id}"
    shown = text(browser.client.get(again.headers["Location"]))
    assert "This form was already submitted; showing its result." in shown
    row = db.session.scalar(sa.select(FormSubmission).where(FormSubmission.token == token))
    assert row is not None and row.user_id == world.gp_user.id
    assert row.organisation_id == world.gp.organisation_id
    assert row.result_url == f"/funds/{world.fund.id}"

    browser.post("/preferences", {"lang": "zh_CN", "next": "/"})
    third = browser.post(url, CALL | {"form_token": token})
    assert third.status_code == 303 and calls() == before + 1
    assert "该表单已经提交过；现显示其结果。" in text(browser.client.get(third.headers["Location"]))


def test_refused_input_keeps_the_token_for_the_corrected_form(app: Flask) -> None:
    world = make_world()
    browser = login(app, world.gp_user.email)
    url = f"/funds/{world.fund.id}/calls/new"
    token = token_on(text(browser.client.get(url)))
    before = calls()
    bad_form = browser.post(url, CALL | {"amount": "abc", "form_token": token})
    assert bad_form.status_code == 422 and token_on(text(bad_form)) == token
    too_much = browser.post(url, CALL | {"amount": "900000000", "form_token": token})  # service
    assert too_much.status_code == 422 and token_on(text(too_much)) == token
    preview = browser.post(url, CALL | {"action": "preview", "form_token": token})
    assert preview.status_code == 200 and token_on(text(preview)) == token
    assert calls() == before
    assert browser.post(url, CALL | {"form_token": token}).status_code == 302
    assert browser.post(url, CALL | {"form_token": token}).status_code == 303
    assert calls() == before + 1


def test_a_missing_forged_or_other_users_token_is_refused(app: Flask) -> None:
    world = make_world()
    browser = login(app, world.gp_user.email)
    url = f"/funds/{world.fund.id}/calls/new"
    before = calls()
    missing = browser.post(url, CALL, form_token=False)
    assert missing.status_code == 400 and "one-time token" in text(missing)
    json = browser.post(url, CALL, form_token=False, headers={"Accept": "application/json"})
    assert json.status_code == 400 and json.get_json()["error"] == "form_token_missing"
    other_user = mint(app.secret_key, world.other_user.id, world.other.organisation_id)
    other_org = mint(app.secret_key, world.gp_user.id, world.other.organisation_id)
    for token in (other_user, other_org, "forged.token", "x" * 65):
        response = browser.post(url, CALL | {"form_token": token})
        assert response.status_code == 400, token
    assert calls() == before

    # a token the other GP consumed is not a redirect to their result for this user
    other = login(app, world.other_user.email)
    theirs = other.form_token()
    lp = {"name": "LP of the other GP", "investor_type": "private", "fund_id": "0",
          "form_token": theirs}
    assert other.post("/investors/new", lp).status_code == 302
    assert browser.post(url, CALL | {"form_token": theirs}).status_code == 400
    assert calls() == before


def test_concurrent_identical_posts_write_once_and_answer_the_first_result(
        app: Flask) -> None:
    world = make_world()
    browser = login(app, world.gp_user.email)
    fund_url = f"/funds/{world.fund.id}"
    url = f"{fund_url}/calls/new"
    token = token_on(text(browser.client.get(url)))
    csrf = browser.csrf("/login")
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    clients = []
    for _ in range(4):  # the same browser session, retried / double-clicked
        client = app.test_client()
        client.set_cookie("session", cookie.value)
        clients.append(client)
    before = calls()
    db.session.remove()
    answers: list[tuple[int, str]] = []

    def post(i: int) -> None:
        response = clients[i].post(url, data=CALL | {"form_token": token, "csrf_token": csrf})
        answers.append((response.status_code, response.headers.get("Location", "")))

    outcomes = race(app, post, list(range(4)), Exception)
    assert outcomes == ["ok"] * 4
    assert calls() == before + 1
    statuses = sorted(status for status, _ in answers)
    assert statuses == [302, 303, 303, 303], answers
    assert {location for _, location in answers} <= {fund_url, url}


def test_prefixed_loan_forms_disburse_once(app: Flask) -> None:
    from tests.integration.test_idempotency import funded_loan

    r, loan_id = funded_loan()
    bank_user = db.session.get(User, r.bank.user_id)
    assert bank_user is not None
    browser = login(app, bank_user.email)
    page = text(browser.client.get(f"/loans/{loan_id}"))
    token = token_on(page, "disburse-form_token")
    data = {"disburse-amount": "1000000", "disburse-value_on": "2024-07-10",
            "disburse-memo": "", "disburse-form_token": token}
    first = browser.post(f"/loans/{loan_id}/disburse", data)
    assert first.status_code == 302
    again = browser.post(f"/loans/{loan_id}/disburse", data)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert lending.drawn_amount(loan_id) == Decimal("1000000.00")
    assert db.session.scalar(sa.select(sa.func.count(LoanEntry.id))
                             .where(LoanEntry.loan_id == loan_id)) == 1


_FORM_RE = re.compile(r'<form\b([^>]*)>(.*?)</form>', re.S)
_ACTION_RE = re.compile(r'action="([^"]*)"')


def _loans_in_every_state(r: Any) -> None:
    """Loans applied, active and defaulted next to the approved one, so that every loan
    form shows on some page."""
    from fundops.syndication.loans import events as loan_events

    lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    for default in (False, True):
        loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                      amount="1000000")
        lending.approve_loan(r.bank, loan.id)
        lending.disburse(r.bank, loan.id, amount="1000000", value_on="2024-07-10")
        if default:
            loan_events.declare_default(r.bank, loan.id, value_on="2024-12-31", reason="逾期")


def _loan_book_form(app: Flask, browser: Any, ids_of: tuple[int, int]) -> str:
    """The bank's loan book page (a reporting page, outside the syndication walk): its
    record form carries the bank user's token; returns the form's action."""
    book = browser.client.get("/reports/bank/loan-book")
    (_attrs, body), = [f for f in _FORM_RE.findall(text(book))
                       if "/reports/bank/loan-book/runs" in f[0]]
    assert verify(app.secret_key, token_on(body), *ids_of)
    return "/reports/bank/loan-book/runs"


def _token_forms(app: Flask, browser: Any, urls: list[str],
                 ids_of: tuple[int, int]) -> set[str]:
    """GET each url; every POST form on it (but the untokened ones) carries exactly one
    one-time token minted for this user. Returns the forms' actions (ids as <id>)."""
    seen: set[str] = set()
    for url in urls:
        response = browser.client.get(url)
        assert response.status_code in (200, 302, 404), f"GET {url} -> {response.status_code}"
        html = text(response) if "text/html" in response.content_type else ""  # downloads
        for attrs, body in _FORM_RE.findall(html):
            if 'method="post"' not in attrs.lower():
                continue
            action = (_ACTION_RE.findall(attrs) or [url])[0].split("?")[0].split("#")[0]
            if action.endswith(_UNTOKENED_ACTIONS) or action.startswith(_UNTOKENED_PREFIX):
                continue
            tokens = _TOKEN_RE.findall(body)
            assert len(tokens) == 1, f"GET {url}: form to {action} has {len(tokens)} tokens"
            assert verify(app.secret_key, tokens[0][1], *ids_of), f"{url}: {action}"
            seen.add(re.sub(r"\d+", "<id>", action))
    return seen


def test_every_page_form_that_posts_carries_the_users_token(app: Flask) -> None:
    """Walk every GET page of a GP (portfolio), the GP, bank and pool manager of a linked
    loan: each POST form except log out / preferences / log in / code look-up renders a
    one-time token minted for the viewer. A new form without it fails here."""
    from fundops.syndication.loans import services as _lending
    from tests.factories import fund_with_activity
    from tests.integration.test_app import walk_ids
    from tests.integration.test_linked_loans import build_round
    from tests.integration.test_syndication_tenancy import _world
    from tests.integration.test_tenancy import is_syndication

    world = make_world()
    created = fund_with_activity(world)
    r = build_round()
    ids, _ = _world(r)
    _loans_in_every_state(r)
    loan_ids = [x.id for x in _lending.list_loans(r.bank)]
    portfolio_ids = walk_ids(world, created)
    viewers = [(world.gp_user.id, False)] + [(uid, True) for uid in
                                              (r.gp.user_id, r.bank.user_id,
                                               ids["manager_user_id"])]
    forms_seen: set[str] = set()
    for user_id, syndication in viewers:
        user = db.session.get(User, user_id)
        assert user is not None
        ids_of = (user.id, user.organisation_id)
        browser = login(app, user.email)
        urls = []
        for rule in app.url_map.iter_rules():
            if ("GET" not in (rule.methods or ()) or rule.endpoint == "static"
                    or rule.rule.startswith("/api/")
                    or is_syndication(app, rule.endpoint) != syndication):
                continue
            args = ids | portfolio_ids
            if "loan_id" in rule.arguments:
                urls += [rule.build(args | {"loan_id": x}, append_unknown=False)[1]
                         for x in loan_ids]
                continue
            urls.append(rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1])
        forms_seen |= _token_forms(app, browser, urls, ids_of)
        if user_id == r.bank.user_id:  # the application form shows once a code is verified
            facts = browser.post("/verify", {"code": r.code})
            assert facts.status_code == 200
            (_attrs, body), = [f for f in _FORM_RE.findall(text(facts)) if "/verify/apply" in f[0]]
            assert verify(app.secret_key, token_on(body, "apply-form_token"), *ids_of)
            forms_seen.add("/verify/apply")
            forms_seen.add(_loan_book_form(app, browser, ids_of))
    page_posts = {re.sub(r"<int:\w+>", "<id>", rule.rule) for rule in app.url_map.iter_rules()
                  if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")}
    # a claim form shows only for a defaulted loan enrolled in a funded pool: ClaimForm is a
    # TokenForm (checked above) in the same event-form macro as the other loan forms
    unseen = {p for p in page_posts - forms_seen - set(_UNTOKENED_ACTIONS) - {"/loans/<id>/claims"}
              if not p.startswith(_UNTOKENED_PREFIX)}
    assert unseen == set(), f"page forms not walked: {sorted(unseen)}"
    assert db.session.scalar(sa.select(sa.func.count(FormSubmission.id))) == 0


def test_a_resubmission_never_redirects_off_the_site(app: Flask) -> None:
    """The fallback target of a resubmitted form (the Referer) must be a path of this site:
    ``/\\evil.example`` is ``//evil.example`` to a browser."""
    from fundops.web.formtokens import _local

    with app.test_request_context("/", base_url="http://fundops.test"):
        assert _local("/funds/1?tab=ledger") == "/funds/1?tab=ledger"
        assert _local("http://fundops.test/funds/1") == "/funds/1"
        for outside in ("//evil.example/x", "/\\evil.example", "/\\/evil.example",
                        "https://evil.example/funds/1", "javascript:alert(1)", ""):
            assert _local(outside) is None, outside
