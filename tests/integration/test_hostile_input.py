"""Hostile input is bad input: NUL bytes, lone surrogates, invalid percent-encodings, JSON
nested 100,000 deep and oversized bodies get a 4xx naming the field (never a 500), on the
API and on the pages, and nothing at all is written."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.extensions import db
from fundops.syndication.loans import services as lending
from fundops.web.request_guard import json_depth
from tests.conftest import Browser
from tests.factories import PASSWORD
from tests.integration.test_linked_loans import build_round
from tests.integration.test_syndication_api import API, Client


def table_counts() -> dict[str, int]:
    """Rows per table, but the log-in attempts (the test logs in between)."""
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables if t.name != "login_attempt"}


def raw_post(client: Client, path: str, body: bytes,
             content_type: str = "application/json") -> Any:
    headers = client.headers | {"Idempotency-Key": uuid.uuid4().hex}
    return client.http.post(API + path, data=body, content_type=content_type, headers=headers)


def assert_refused(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["error"] == code, body
    assert body["message"]
    if field is not None:
        assert body["field"] == field, body


def test_json_depth_counts_brackets_outside_strings() -> None:
    assert json_depth(b'1') == 0
    assert json_depth(b'{"a": [1, {"b": "[[[[{{{"}]}') == 3
    assert json_depth(b'["\\"[[[", [[]]]') == 3
    assert json_depth(b"[" * 100_000 + b"]" * 100_000, stop_above=64) == 65
    # an unclosed string of escaped quotes: one linear pass (a backtracking scan was
    # quadratic: 32 KB took 4 s, so 2 MB would hold a worker for hours); brackets inside
    # the unclosed string do not count
    assert json_depth(b'"' + b'\\"' * 1_000_000) == 0
    assert json_depth(b'[1, "' + b'\\"[' * 1_000_000) == 1


def test_hostile_json_is_refused_naming_the_field(app: Flask) -> None:
    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    bank, gp = Client(app, r.bank), Client(app, r.gp)
    product = {"name": "p", "alpha": "0.3", "beta": "0.05", "cap_amount": "50000000",
               "tenor_months": 24, "rate_type": "fixed", "fixed_rate": "0.04",
               "repayment_type": "equal_principal", "collateral": "credit"}
    new_ts = {"company_id": r.ts.company_id, "lead_fund_id": r.ts.lead_fund_id,
              "round_name": "B", "instrument": "preferred_equity", "round_size": "100000000",
              "pre_money": "400000000", "post_money": "500000000",
              "long_stop_on": "2025-12-31", "lead_amount": "60000000"}
    decline = f"/loans/{loan.id}/decline"
    db.session.commit()
    before = table_counts()

    # NUL in several text fields, in a nested line and in a key
    assert_refused(bank.post(decline, {"note": "a\u0000"}), 422, "text_nul", "note")
    assert_refused(bank.post("/loan-products", product | {"name": "投联贷\u0000"}), 422,
                   "text_nul", "name")
    assert_refused(gp.post("/term-sheets", new_ts | {"round_name": "\u0000"}), 422,
                   "text_nul", "round_name")
    assert_refused(gp.post("/term-sheets", new_ts | {"co_investors": [
        {"investor_name": "ok", "amount": "1"}, {"investor_name": "V\u0000C", "amount": "1"}]}),
        422, "text_nul", "co_investors[1].investor_name")
    assert_refused(bank.post(decline, {"no\u0000te": "x"}), 422, "text_nul", "no\\u0000te")
    assert_refused(bank.post("/term-sheets/verify", {"code": "\u0000"}), 422, "text_nul", "code")
    # a lone surrogate, as a JSON escape and as (invalid) UTF-8 bytes
    assert_refused(raw_post(bank, decline, b'{"note": "x\\ud800y"}'), 422, "text_surrogate",
                   "note")
    assert_refused(raw_post(bank, decline, b'{"note": "\\udfff"}'), 422, "text_surrogate", "note")
    assert_refused(raw_post(bank, decline, b'{"\\ud800": "x"}'), 422, "text_surrogate",
                   "\\ud800")
    assert_refused(raw_post(bank, decline, b'{"note": "\xed\xa0\x80"}'), 422, "text_not_utf8",
                   "body")
    assert_refused(raw_post(bank, "/loan-products", b'"\\u0000"'), 422, "text_nul", "body")
    # nested 100,000 deep (top level and under a field), and just past the limit
    deep = b"[" * 100_000 + b"]" * 100_000
    assert_refused(raw_post(bank, decline, deep), 422, "json_too_deep", "body")
    assert_refused(raw_post(bank, decline, b'{"note": ' + deep + b"}"), 422, "json_too_deep")
    assert_refused(raw_post(gp, "/term-sheets", b"{" + b'"a":{' * 100_000 + b"}" * 100_001),
                   422, "json_too_deep")
    assert_refused(raw_post(bank, decline, b"[" * 65 + b"]" * 65), 422, "json_too_deep")
    # 64 deep parses and reaches the view, which refuses the shape (not a JSON object)
    assert_refused(
        raw_post(bank, decline, b"[" * 64 + b"]" * 64), 422, "syn_body_not_object", "body"
    )
    # a 3 MB JSON body; a 21 MB body of any type
    big = json.dumps({"note": "x" * (3 * 1024 * 1024)}).encode()
    assert_refused(raw_post(bank, decline, big), 413, "json_body_too_large")
    assert "2 MB" in raw_post(bank, decline, big).get_json()["message"]
    assert_refused(raw_post(bank, decline, b"x" * (21 * 1024 * 1024), "text/plain"), 413,
                   "body_too_large")
    # query strings: invalid percent-encoding and NUL name the parameter
    response = bank.http.get(API + "/loans?status=%ff%fe", headers=bank.headers)
    assert_refused(response, 422, "text_not_utf8", "status")
    response = bank.http.get(API + "/loans?st%00atus=x", headers=bank.headers)
    assert_refused(response, 422, "text_nul", "st\\u0000atus")
    response = bank.http.get(API + "/loans?s=%ed%a0%80", headers=bank.headers)
    assert_refused(response, 422, "text_not_utf8", "s")
    # the ordinary request still works
    assert bank.get(f"/loans/{loan.id}").status_code == 200
    assert table_counts() == before
    assert bank.post(decline, {"note": "额度不足 ☃"}).status_code == 200


def test_hostile_form_posts_and_queries_on_pages(app: Flask, browser: Browser) -> None:
    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    from fundops.auth.models import User

    gp_email = db.session.get(User, r.gp.user_id).email  # type: ignore[union-attr]
    bank_email = db.session.get(User, r.bank.user_id).email  # type: ignore[union-attr]
    db.session.commit()
    assert browser.login(gp_email, PASSWORD).status_code == 302
    token = browser.csrf("/companies/new")
    company = {"name": "新公司\u0000", "uscc": "91350100M000100Y43", "sector": "AI",
               "stage": "seed", "region_code": "440300", "csrf_token": token}
    before = table_counts()

    response = browser.client.post("/companies/new", data=company)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "name" in page and "NUL" in page and '<html lang="zh-CN">' in page
    # raw url-encoded bodies: invalid UTF-8 and an encoded surrogate
    for raw, field in ((b"name=%ff&sector=AI", "name"), (b"sector=%ed%a0%80", "sector"),
                       (b"na%00me=x", "na\\u0000me")):
        response = browser.client.post("/companies/new", data=raw + b"&csrf_token=" +
                                       token.encode(),
                                       content_type="application/x-www-form-urlencoded")
        assert response.status_code == 422, raw
        assert field in response.get_data(as_text=True)
    # multipart form fields
    response = browser.client.post("/companies/new", data=company,
                                   content_type="multipart/form-data")
    assert response.status_code == 422
    # in English, the same refusal in English
    browser.post("/preferences", {"lang": "en", "next": "/"})
    response = browser.client.post("/companies/new", data=company)
    assert response.status_code == 422
    assert "name contains a NUL character" in response.get_data(as_text=True)
    # a query string on a page
    response = browser.client.get("/companies?q=%ff")
    assert response.status_code == 422 and "q" in response.get_data(as_text=True)
    assert browser.client.get("/companies/?x=%00").status_code in (404, 422)

    browser.client.post("/logout", data={"csrf_token": browser.csrf("/")})
    assert browser.login(bank_email, PASSWORD).status_code == 302
    token = browser.csrf("/loan-products")
    response = browser.client.post(f"/loans/{loan.id}/decline",
                                   data={"note": "拒绝\u0000", "csrf_token": token})
    assert response.status_code == 422
    response = browser.client.post("/loan-products", data={
        "name": "\u0000", "currency": "CNY", "alpha": "0.3", "beta": "0.05",
        "cap_amount": "1000", "tenor_months": "12", "rate_type": "fixed",
        "fixed_rate": "0.04", "repayment_type": "interest_only", "collateral": "credit",
        "csrf_token": token})
    assert response.status_code == 422
    response = browser.client.post("/loan-products", data=b"x" * (21 * 1024 * 1024),
                                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert table_counts() == before


@pytest.mark.parametrize("path", ["/login", "/companies/new"])
def test_hostile_login_and_anonymous_posts(app: Flask, browser: Browser, path: str) -> None:
    before = table_counts()
    response = browser.client.post(path, data={"email": "a\u0000@example.cn",
                                               "password": "x", "csrf_token": browser.csrf()})
    assert response.status_code == 422
    assert table_counts() == before
