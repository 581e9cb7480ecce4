"""LP payments over HTTP, checked against the generated document: terms, issue call (due
date), receipts (a refusal named, nothing written; a retry with the same key replays),
arrears with default interest, the per-LP view, the equalisation preview and post; and the
pages (Chinese): the receivables page, a call's page with its forms, a receipt posted and
refused, the terms form, the equalisation preview and post."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Flask

from fundops.extensions import db
from fundops.reports.payments.models import CallIssue, CallReceipt, Equalisation
from tests.conftest import Browser
from tests.factories import PASSWORD
from tests.integration.test_lp_payments import a_call, commitment_of, later_closer_world, two_lps
from tests.integration.test_portfolio_api import Gp
from tests.integration.test_syndication_api import API, refused


def read(gp: Gp, path: str, query: str) -> Any:
    """A GET with a query string, its answer checked against the document."""
    return gp.answer("GET", path, gp.get(f"{path}?{query}"), 200)


def test_payments_over_the_api(app: Flask) -> None:
    gp_actor, fund, (a, b) = two_lps()
    call = a_call(gp_actor, fund)
    gp, f = Gp(app, gp_actor), f"/funds/{fund.id}/payments"
    assert gp.read(f"{f}/terms") == {"in_force": None, "versions": []}

    def send(method: str, path: str, body: dict[str, object], key: str | None = None) -> object:
        return gp.http.open(API + path, method=method, json=body,
                            headers=gp.headers | {"Idempotency-Key": key or uuid.uuid4().hex})

    refused(send("PUT", f"{f}/terms", {"effective_on": "2024-01-01", "default_rate": "-0.1"}),
            422, "default_rate", "payment_rate_negative")
    terms = gp.answer("PUT", f"{f}/terms", send("PUT", f"{f}/terms", {
        "effective_on": "2024-01-01", "default_rate": "0.0005", "days_to_pay": 30}), 201)
    assert (terms["default_rate"], terms["default_convention"]) == ("0.00050000", "daily")
    refused(send("POST", f"{f}/calls/{call.id}/issue", {"due_on": "2025-02-01"}), 422,
            "due_on", "due_before_call")
    issued = gp.create(f"{f}/calls/{call.id}/issue", {})
    assert (issued["issued_on"], issued["due_on"]) == ("2025-03-01", "2025-03-31")
    before = db.session.scalar(sa.select(sa.func.count(CallReceipt.id)))
    refused(send("POST", f"{f}/calls/{call.id}/receipts", {
        "investor_id": b.id, "received_on": "2025-04-11", "amount": "400000.01"}), 422, "amount",
        "receipt_exceeds_due")
    assert db.session.scalar(sa.select(sa.func.count(CallReceipt.id))) == before
    key = uuid.uuid4().hex
    body = {"investor_id": b.id, "received_on": "2025-04-11", "amount": "100000",
            "bank_reference": "CCB-77"}
    first = gp.answer("POST", f"{f}/calls/{call.id}/receipts",
                      send("POST", f"{f}/calls/{call.id}/receipts", body, key), 201)
    again = send("POST", f"{f}/calls/{call.id}/receipts", body, key)
    assert again.get_json() == first  # type: ignore[attr-defined]
    assert db.session.scalar(sa.select(sa.func.count(CallReceipt.id))) == before + 1
    # B: 400,000 due 2025-03-31; 10 days on 400,000 (2,000) + 20 days on 300,000 (3,000)
    arrears = read(gp, f"{f}/arrears", "as_of=2025-04-30")
    assert (arrears["outstanding"], arrears["interest"]) == ("900000.00", "14000.00")
    lp_view = read(gp, f"{f}/investors/{b.id}", "as_of=2025-04-30")
    (line,) = lp_view["lines"]
    assert (line["outstanding"], line["interest"], line["days_past_due"]) == (
        "300000.00", "5000.00", 30)
    assert [s["days"] for s in line["segments"]] == [10, 20]
    detail = read(gp, f"{f}/calls/{call.id}", "as_of=2025-04-30")
    assert detail["issue"]["due_on"] == "2025-03-31" and len(detail["receipts"]) == 1
    reversal = gp.create(f"{f}/receipts/{first['id']}/reverse", {"reason": "wrong LP"})
    assert reversal["amount"] == "-100000.00" and reversal["reverses_id"] == first["id"]
    lines = read(gp, f"{f}/lines", "as_of=2025-04-30")["lines"]
    assert {x["investor_id"]: x["state"] for x in lines} == {a.id: "overdue", b.id: "overdue"}


def test_equalisation_over_the_api(app: Flask) -> None:
    gp_actor, fund, (a, b, c) = later_closer_world()
    gp, f = Gp(app, gp_actor), f"/funds/{fund.id}/payments"
    cid = commitment_of(fund, c)
    preview = read(gp, f"{f}/equalisation/{cid}", "equalised_on=2025-07-01")
    assert (preview["catch_up"], preview["premium"], preview["id"]) == (
        "10000000.00", "376986.30", None)
    assert {x["investor_id"]: x["delta"] for x in preview["lines"]} == {
        a.id: "-6000000.00", b.id: "-4000000.00", c.id: "10000000.00"}
    posted = gp.create(f"{f}/equalisation", {"commitment_id": cid, "equalised_on": "2025-07-01"})
    assert len(posted["entries"]) == 4 and posted["premium"] == "376986.30"
    refused(gp.http.post(API + f"{f}/equalisation", json={
        "commitment_id": cid, "equalised_on": "2025-07-01"},
        headers=gp.headers | {"Idempotency-Key": uuid.uuid4().hex}), 409, None,
        "equalisation_already_posted")


def _token(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]+)"', html)
    assert match, name
    return match.group(1)


def test_payments_pages_in_chinese(app: Flask) -> None:
    from fundops.auth.models import User

    gp_actor, fund, (a, b) = two_lps()
    call = a_call(gp_actor, fund)
    user = db.session.get(User, gp_actor.user_id)
    assert user is not None
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    browser.client.post("/preferences", data={"lang": "zh_CN", "next": "/",
                                              "csrf_token": browser.csrf()})
    fund_page = browser.client.get(f"/funds/{fund.id}").get_data(as_text=True)
    assert "出资人缴款" in fund_page
    page = browser.client.get(f"/funds/{fund.id}/payments").get_data(as_text=True)
    assert "逾期出资" in page and "无截止日" in page
    terms = browser.post(f"/funds/{fund.id}/payments/terms", {
        "effective_on": "2024-01-01", "days_to_pay": "10", "default_convention": "daily",
        "default_pct": "-0.05", "grace_days": "0", "equalisation_pct": "8",
        "equalisation_compounding": "simple"})
    assert terms.status_code == 422
    terms = browser.post(f"/funds/{fund.id}/payments/terms", {
        "effective_on": "2024-01-01", "days_to_pay": "10", "default_convention": "daily",
        "default_pct": "0.05", "grace_days": "0", "equalisation_pct": "8",
        "equalisation_compounding": "simple"})
    assert terms.status_code == 302
    url = f"/funds/{fund.id}/payments/calls/{call.id}"
    html = browser.client.get(url).get_data(as_text=True)
    assert "发出缴款通知" in html and "登记到账" in html
    bad = browser.post(f"{url}/issue", {"issue-due_on": "2025-02-01",
                                        "issue-form_token": browser.form_token()})
    assert bad.status_code == 422 and "早于缴款日" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CallIssue.id))) == 0
    ok = browser.post(f"{url}/issue", {"issue-form_token": browser.form_token()})
    assert ok.status_code == 302
    receipt = {"receipt-investor_id": str(b.id), "receipt-against": "line",
               "receipt-received_on": "2025-03-20", "receipt-amount": "500000",
               "receipt-form_token": browser.form_token()}
    over = browser.post(f"{url}/receipts", receipt)
    assert over.status_code == 422 and "超过尚未缴付的" in over.get_data(as_text=True)
    done = browser.post(f"{url}/receipts", {**receipt, "receipt-amount": "400,000",
                                            "receipt-form_token": browser.form_token()})
    assert done.status_code == 302
    html = browser.client.get(f"{url}?as_of=2025-03-31").get_data(as_text=True)
    assert "已缴清" in html and "逾期" in html  # B paid; A overdue since 2025-03-11
    lp = browser.client.get(f"/funds/{fund.id}/payments/investors/{a.id}?as_of=2025-03-31")
    assert lp.status_code == 200 and "逾期未缴" in lp.get_data(as_text=True)
    receipt_id = db.session.scalar(sa.select(CallReceipt.id))
    rev = browser.post(f"/funds/{fund.id}/payments/receipts/{receipt_id}/reverse", {
        f"reverse{receipt_id}-reason": "录错", f"reverse{receipt_id}-form_token":
            browser.form_token()})
    assert rev.status_code == 302


def test_equalisation_page_preview_then_post(app: Flask) -> None:
    from fundops.auth.models import User

    gp_actor, fund, (_a, _b, c) = later_closer_world()
    user = db.session.get(User, gp_actor.user_id)
    assert user is not None
    browser = Browser(app.test_client())
    browser.login(user.email, PASSWORD)
    browser.client.post("/preferences", data={"unit": "yuan", "next": "/",
                                              "csrf_token": browser.csrf()})
    url = f"/funds/{fund.id}/payments/equalisation"
    form = {"commitment_id": str(commitment_of(fund, c)), "equalised_on": "2025-07-01"}
    preview = browser.post(url, {**form, "action": "preview"})
    assert preview.status_code == 200
    assert "376,986.30" in preview.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Equalisation.id))) == 0
    posted = browser.post(url, {**form, "action": "post"})
    assert posted.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Equalisation.id))) == 1
    again = browser.post(url, {**form, "action": "post"})
    assert again.status_code == 409
