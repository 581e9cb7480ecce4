"""Report-run pages and API: a fund's runs with versions, reasons and files (SHA-256,
download of the stored bytes), running a quarter from the page, the bank's loan book
page; another organisation gets 404; the pages are in Chinese."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.reports.runs.models import ReportRun, ReportRunFile
from fundops.reports.runs.services import run_pack
from tests.conftest import Browser
from tests.factories import PASSWORD, fund_with_activity, make_user, make_world
from tests.integration.report_world import TEST_KIND, use_test_pack
from tests.integration.test_report_bank import loan_book_world
from tests.integration.test_syndication_api import API, Client, conforms
from tests.web.test_chinese_walk import english_in, proper_names

Q = "2022Q4"


@pytest.fixture(autouse=True)
def _pack(app: Flask) -> None:
    use_test_pack()


def _content(file_id: int) -> bytes:
    return db.session.scalar(sa.select(ReportRunFile.content).where(
        ReportRunFile.id == file_id)) or b""


def _two_versions() -> tuple[object, ReportRun, ReportRun]:
    world = make_world()
    ids = fund_with_activity(world)
    v1 = run_pack(world.gp, TEST_KIND, world.fund.id, Q).run
    ledger.reverse_entry(world.gp, world.fund.id, ids["distribution"], "录入错误")
    v2 = run_pack(world.gp, TEST_KIND, world.fund.id, Q).run
    db.session.commit()
    return world, v1, v2


def _chinese(app: Flask, browser: Browser, url: str) -> str:
    response = browser.client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert english_in(html, proper_names(app)) == [], url
    return html


def test_a_funds_runs_and_a_run_page_in_chinese(app: Flask, browser: Browser) -> None:
    world, v1, v2 = _two_versions()
    browser.login(world.gp_user.email, PASSWORD)
    html = _chinese(app, browser, f"/reports/funds/{world.fund.id}/runs")
    assert 'id="run-form"' in html and f'id="run-{v1.id}"' in html and f'id="run-{v2.id}"' in html
    assert "已被取代" in html and "当前版本" in html and "本季度首次运行" in html
    assert "台账分录: 新增 1 条, 其中 1 条为对 #" in html and "净额 -1,200.00 万元" in html
    page = _chinese(app, browser, f"/reports/runs/{v2.id}")
    file = v2.files[0]
    assert v2.inputs_hash in page and file.sha256 in page and "第 2 版" in page
    download = browser.client.get(f"/reports/runs/{v2.id}/files/{file.id}")
    assert download.status_code == 200 and download.data == _content(file.id)
    assert hashlib.sha256(download.data).hexdigest() == file.sha256
    assert download.headers["X-Content-SHA256"] == file.sha256
    assert download.mimetype == "text/csv" and "attachment" in download.headers[
        "Content-Disposition"]
    index = _chinese(app, browser, "/reports/runs")
    assert f"/reports/funds/{world.fund.id}/runs" in index and 'id="nav-reports"' in index
    other = Browser(app.test_client())
    other.login(world.other_user.email, PASSWORD)
    for url in (f"/reports/funds/{world.fund.id}/runs", f"/reports/runs/{v1.id}",
                f"/reports/runs/{v1.id}/files/{file.id}",
                f"/reports/runs/{v2.id}/files/{v1.files[0].id}"):  # a file of another run
        assert other.client.get(url).status_code == 404, url
    assert browser.client.get(f"/reports/runs/{v2.id}/files/{v1.files[0].id}").status_code == 404
    assert world.fund.name_zh not in other.client.get("/reports/runs").get_data(as_text=True)


def test_running_a_quarter_from_the_page(app: Flask, browser: Browser) -> None:
    world = make_world()
    ids = fund_with_activity(world)
    db.session.commit()
    browser.login(world.gp_user.email, PASSWORD)
    url = f"/reports/funds/{world.fund.id}/runs"
    first = browser.post(url, {"kind": TEST_KIND, "quarter": Q})
    assert first.status_code == 302
    run = db.session.scalars(sa.select(ReportRun)).one()
    assert first.headers["Location"].endswith(f"/reports/runs/{run.id}")
    assert "报告运行已记录：第 1 版。" in browser.client.get(
        first.headers["Location"]).get_data(as_text=True)
    again = browser.post(url, {"kind": TEST_KIND, "quarter": Q})
    assert again.headers["Location"].endswith(f"/reports/runs/{run.id}")
    assert "沿用该版本及其文件" in browser.client.get(
        again.headers["Location"]).get_data(as_text=True)
    ledger.reverse_entry(world.gp, world.fund.id, ids["call"], "金额错误")
    db.session.commit()
    third = browser.post(url, {"kind": TEST_KIND, "quarter": Q})
    v2 = db.session.scalars(sa.select(ReportRun).where(ReportRun.version == 2)).one()
    assert third.headers["Location"].endswith(f"/reports/runs/{v2.id}")
    for bad in ({"kind": TEST_KIND, "quarter": "2019Q4"},  # before inception: not offered
                {"kind": "nope", "quarter": Q}, {}):
        refused = browser.post(url, bad)
        assert refused.status_code == 422 and 'id="run-form"' in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ReportRun.id))) == 2
    viewer_user, _ = make_user(world.gp_user.organisation.name, role="viewer")
    viewer = Browser(app.test_client())
    viewer.login(viewer_user.email, PASSWORD)
    assert 'id="run-form"' not in viewer.client.get(url).get_data(as_text=True)
    assert viewer.post(url, {"kind": TEST_KIND, "quarter": Q}).status_code == 403
    other = Browser(app.test_client())
    other.login(world.other_user.email, PASSWORD)
    assert other.post(url, {"kind": TEST_KIND, "quarter": Q}).status_code == 404


def test_the_bank_loan_book_page(app: Flask, browser: Browser,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from fundops.auth.models import User

    w = loan_book_world(monkeypatch)
    bank_user = db.session.get(User, w.bank.user_id)
    browser.login(bank_user.email, PASSWORD)
    html = _chinese(app, browser, "/reports/bank/loan-book?quarter=2024Q3")
    assert f'id="book-loan-{w.loan.id}"' in html and "正常" in html
    assert "=HYPERLINK(&#34;http://x.example&#34;,&#34;点我&#34;)" in html  # escaped text
    assert "900.00" in html  # 9,000,000 yuan outstanding in 万元
    refused = browser.client.get("/reports/bank/loan-book?quarter=2099Q1")
    assert refused.status_code == 200 and "尚未结束" in refused.get_data(as_text=True)
    xlsx = browser.client.get("/reports/bank/loan-book.xlsx?quarter=2024Q3")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    posted = browser.post("/reports/bank/loan-book/runs", {"quarter": "2024Q3"})
    assert posted.status_code == 302
    run = db.session.scalars(sa.select(ReportRun)).one()
    assert _content(run.files[0].id) == xlsx.data  # the page's download is the run's bytes
    page = _chinese(app, browser, f"/reports/runs/{run.id}")
    assert "贷款台账-2024Q3.xlsx" in page
    assert f'id="run-{run.id}"' in _chinese(app, browser, "/reports/bank/loan-book")
    gp = Browser(app.test_client())
    gp_user = db.session.get(User, w.gp.user_id)
    gp.login(gp_user.email, PASSWORD)
    assert gp.client.get("/reports/bank/loan-book").status_code == 302
    assert gp.client.get("/reports/bank/loan-book.xlsx").status_code == 302
    assert gp.post("/reports/bank/loan-book/runs", {"quarter": "2024Q3"}).status_code == 404
    assert gp.client.get(f"/reports/runs/{run.id}").status_code == 404


def test_the_api_lists_runs_and_serves_the_stored_bytes(app: Flask) -> None:
    world, v1, v2 = _two_versions()
    gp, other = Client(app, world.gp), Client(app, world.other)
    doc = gp.get("/openapi.json").get_json()
    listed = gp.get(f"/funds/{world.fund.id}/report-runs")
    assert listed.status_code == 200
    conforms(doc, {"$ref": "#/components/schemas/ReportRunListOut"}, listed.get_json())
    runs = listed.get_json()["runs"]
    assert [(r["id"], r["version"], r["status"]) for r in runs] == [
        (v2.id, 2, "current"), (v1.id, 1, "superseded")]
    change = runs[0]["changes"][0]
    assert change["source"] == "cash_flow" and change["amounts"] == [
        {"currency": "CNY", "amount": "-12000000.00"}]
    assert runs[0]["reason"].startswith("ledger entries: 1 added, of which 1 reversal(s)")
    one = gp.get(f"/report-runs/{v2.id}").get_json()
    assert one["inputs_hash"] == v2.inputs_hash and one["as_of"] == "2022-12-31"
    assert one["created_via"] == "session" and one["created_by"]
    file = one["files"][0]
    got = gp.http.get(file["url"], headers=gp.headers)
    assert got.status_code == 200 and got.mimetype == "application/octet-stream"
    assert hashlib.sha256(got.data).hexdigest() == file["sha256"] == v2.files[0].sha256
    assert [r["id"] for r in gp.get("/report-runs?quarter=2022q4").get_json()["runs"]] == [
        v2.id, v1.id]
    assert gp.get("/report-runs?quarter=2023Q1").get_json() == {"runs": []}
    assert gp.get("/report-runs?quarter=soon").status_code == 422
    assert gp.get(f"/report-runs?kind={TEST_KIND}").get_json()["runs"][0]["id"] == v2.id
    for path in (f"/funds/{world.fund.id}/report-runs", f"/report-runs/{v1.id}",
                 f"/report-runs/{v1.id}/files/{v1.files[0].id}"):
        assert other.get(path).status_code == 404, path
    assert other.get("/report-runs").get_json() == {"runs": []}
    assert gp.http.get(f"{API}/report-runs/{v2.id}").status_code == 401  # no token
