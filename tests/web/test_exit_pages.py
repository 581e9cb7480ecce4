"""The exit pages through the test client: the fund page links to its exits; a GP records a
partial trade sale with escrow, releases the escrow, opens and settles a buy-back claim
(the holding closes), writes off another holding as tolerated and reverses the buy-back;
refused input is shown on its field in Chinese and writes nothing; a resubmitted form
acts once; the average-cost method is stated on the page; another organisation gets 404."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.exits.enums import ClaimStatus
from fundops.exits.models import BuybackClaim, EscrowRelease, ExitEvent
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from tests.factories import fund_with_activity, make_company, make_world
from tests.web.test_pages import compile_catalog, field_error, text
from tests.web.test_pool_pages import browser_for

TABLES = ("exit_event", "escrow_release", "buyback_claim", "cash_flow", "holding_valuation",
          "audit_event")


@pytest.fixture(scope="module", autouse=True)
def _catalog() -> None:
    compile_catalog()


def writes() -> tuple[int, ...]:
    db.session.rollback()
    return tuple(db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in TABLES)


def test_exit_pages_story(app: Flask) -> None:
    w = make_world()
    fund_with_activity(w)
    other = make_company(w.gp)
    ledger.record_investment(w.gp, w.fund.id, company_id=other.id, round_name="天使",
                             instrument="ordinary_equity", invested_on="2021-01-15",
                             amount="3000000")
    fund_id, company_id, other_id = w.fund.id, w.company.id, other.id
    gp = browser_for(app, w.gp, lang="zh_CN")
    fund_page = text(gp.client.get(f"/funds/{fund_id}"))
    assert f'href="/funds/{fund_id}/exits"' in fund_page
    assert "成本方法：按持仓加权平均成本" in text(gp.client.get(f"/funds/{fund_id}/exits"))
    base = f"/funds/{fund_id}/exits"
    before = writes()
    bad = gp.post(f"{base}/trade-sale", {
        "company_id": company_id, "kind": "trade_sale", "value_on": "2023-03-31",
        "consideration": "30000000", "shares": "2000000"})
    assert bad.status_code == 422
    assert "超过持有的" in field_error(text(bad), "shares")
    bad = gp.post(f"{base}/trade-sale", {
        "company_id": company_id, "kind": "trade_sale", "value_on": "2020-01-31",
        "consideration": "30000000"})
    assert bad.status_code == 422 and "早于本基金对" in field_error(text(bad), "value_on")
    assert writes() == before
    token = gp.form_token()
    sale = {"company_id": company_id, "kind": "equity_transfer", "value_on": "2023-03-31",
            "consideration": "30000000", "fraction_pct": "40", "escrow": "3000000",
            "counterparty": "产业资本", "form_token": token}
    assert gp.post(f"{base}/trade-sale", sale).status_code == 302
    assert gp.post(f"{base}/trade-sale", sale).status_code in (302, 303)  # resubmitted: once
    events = db.session.scalars(sa.select(ExitEvent)).all()
    assert len(events) == 1 and events[0].cost_basis_amount == 20000000
    event_id = events[0].id
    page = text(gp.client.get(base))
    assert "老股转让" in page and f'href="{base}/{event_id}/escrow"' in page
    assert gp.post(f"{base}/{event_id}/escrow", {
        "value_on": "2023-09-30", "amount": "3000000", "outcome": "released"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EscrowRelease)) == 1
    assert gp.post(f"{base}/claims/new", {
        "company_id": company_id, "obligor_kind": "company", "obligor_name": "标的公司",
        "trigger": "no_ipo_by_date", "triggered_on": "2023-07-15", "rate_pct": "8",
        "method": "simple"}).status_code == 302
    db.session.rollback()
    claim = db.session.scalars(sa.select(BuybackClaim)).one()
    assert str(claim.rate) == "0.08000000"  # 8 % typed on the page
    settle_page = text(gp.client.get(f"{base}/claims/{claim.id}/settle"))
    assert "减资" in settle_page
    assert gp.post(f"{base}/claims/{claim.id}/settle",
                   {"value_on": "2023-07-15"}).status_code == 302
    page = text(gp.client.get(base))
    assert re.search(rf'id="exit-holding-{company_id}">.*?已关闭', page, re.S)
    assert gp.post(f"{base}/liquidation", {
        "company_id": other_id, "kind": "write_off", "value_on": "2023-08-31",
        "reason": "破产清算终结", "approval_doc": "批复 1 号", "tolerated": "y"}).status_code == 302
    db.session.rollback()
    buyback = db.session.scalars(sa.select(ExitEvent).where(
        ExitEvent.buyback_claim_id == claim.id)).one()
    conflict = gp.post(f"{base}/{event_id}/reverse", {"reason": "错录"})
    assert conflict.status_code == 409 and "请先冲销" in text(conflict)
    assert gp.post(f"{base}/{buyback.id}/reverse", {"reason": "退票"}).status_code == 302
    db.session.rollback()
    assert db.session.get(BuybackClaim, claim.id).status is ClaimStatus.OPEN  # type: ignore[union-attr]
    page = text(gp.client.get(base))
    assert "已容亏" in page and "冲销" in page
    outsider = browser_for(app, w.other)
    for url in (base, f"{base}/trade-sale", f"{base}/{event_id}/reverse",
                f"{base}/claims/{claim.id}/settle"):
        assert outsider.client.get(url).status_code == 404
