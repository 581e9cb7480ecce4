"""The exits API over HTTP, checked against its generated document: a partial trade sale
with escrow, the escrow released, a buy-back claim opened and settled (closing the
holding), the lists read back with exact decimal strings; a write-off of another holding
marked tolerated; reversals; refusals are named and write nothing; another organisation
gets 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent
from fundops.exits.models import BuybackClaim, EscrowRelease, ExitEvent
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio.ledger import CashFlow
from tests.factories import fund_with_activity, make_company, make_world
from tests.integration.test_portfolio_api import Gp
from tests.integration.test_syndication_api import refused


def rows() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))  # type: ignore[misc]
                 for m in (ExitEvent, EscrowRelease, BuybackClaim, CashFlow, AuditEvent))


def test_exits_over_the_api(app: Flask) -> None:
    w = make_world()
    fund_with_activity(w)
    other = make_company(w.gp)
    ledger.record_investment(w.gp, w.fund.id, company_id=other.id, round_name="Pre-A",
                             instrument="ordinary_equity", invested_on="2021-01-15",
                             amount="3000000")
    gp = Gp(app, w.gp)
    f = f"/funds/{w.fund.id}"
    sale = gp.answer("POST", f"{f}/exits/trade-sales", gp.post(f"{f}/exits/trade-sales", {
        "company_id": w.company.id, "kind": "equity_transfer", "value_on": "2023-03-31",
        "consideration": "30000000", "shares": "400000", "escrow": "3000000",
        "counterparty": "某产业资本"}), 201)
    assert sale["cost_basis_amount"] == "20000000.00"
    assert sale["realised_gain_amount"] == "10000000.00" and sale["closes_holding"] is False
    release = gp.answer("POST", f"{f}/exits/{sale['id']}/escrow-releases", gp.post(
        f"{f}/exits/{sale['id']}/escrow-releases",
        {"value_on": "2023-09-30", "amount": "3000000", "outcome": "released"}), 201)
    assert release["cash_flow_id"] is not None
    before = rows()
    refused(gp.post(f"{f}/exits/{sale['id']}/escrow-releases",
                    {"value_on": "2023-10-31", "amount": "1", "outcome": "released"}),
            422, "amount", "escrow_above_outstanding")
    refused(gp.post(f"{f}/exits/trade-sales", {
        "company_id": w.company.id, "value_on": "2023-06-30", "consideration": "1",
        "shares": "600000.0001"}), 422, "shares", "shares_above_held")
    refused(gp.post(f"{f}/exits/trade-sales", {
        "company_id": w.company.id, "value_on": "2023-06-30", "consideration": 1.5}),
        422, "consideration")
    assert rows() == before
    claim = gp.answer("POST", f"{f}/buyback-claims", gp.post(f"{f}/buyback-claims", {
        "company_id": w.company.id, "obligor_kind": "company", "obligor_name": "标的公司",
        "trigger": "no_ipo_by_date", "triggered_on": "2023-07-15", "principal": "30000000"}),
        201)
    assert claim["rate"] == "0.08000000" and claim["status"] == "open"
    assert claim["accrued_amount"] is not None
    settled = gp.answer("POST", f"{f}/buyback-claims/{claim['id']}/settle", gp.post(
        f"{f}/buyback-claims/{claim['id']}/settle", {"value_on": "2023-07-15"}), 201)
    # 30,000,000 × (1 + 0.08 × 1,095 / 365) = 37,200,000.00, from 2020-07-15 (3 years)
    assert settled["proceeds_amount"] == "37200000.00" and settled["closes_holding"] is True
    assert settled["cost_basis_amount"] == "30000000.00"
    off = gp.answer("POST", f"{f}/exits/liquidations", gp.post(f"{f}/exits/liquidations", {
        "company_id": other.id, "kind": "write_off", "value_on": "2023-08-31",
        "reason": "破产", "approval_doc": "国资委批复 12 号", "tolerated": True}), 201)
    assert off["realised_gain_amount"] == "-3000000.00" and off["tolerated"] is True
    holdings = gp.answer("GET", f"{f}/exits/holdings", gp.get(f"{f}/exits/holdings"), 200)
    assert holdings["method"] == "average_cost"
    assert {h["status"] for h in holdings["holdings"]} == {"closed"}
    mine = next(h for h in holdings["holdings"] if h["company_id"] == w.company.id)
    assert mine["realised_gain_amount"] == "17200000.00"  # 10M + 7.2M
    exits = gp.answer("GET", f"{f}/exits", gp.get(f"{f}/exits"), 200)["exits"]
    assert [e["kind"] for e in exits] == ["write_off", "buyback", "equity_transfer"]
    assert exits[2]["releases"][0]["amount"] == "3000000.00"
    claims = gp.answer("GET", f"{f}/buyback-claims", gp.get(f"{f}/buyback-claims"), 200)
    assert claims["claims"][0]["status"] == "settled"
    back = gp.answer("POST", f"{f}/exits/{settled['id']}/reverse", gp.post(
        f"{f}/exits/{settled['id']}/reverse", {"reason": "退票"}), 201)
    assert back["reverses_id"] == settled["id"]
    gp.answer("POST", f"{f}/buyback-claims/{claim['id']}/withdraw", gp.post(
        f"{f}/buyback-claims/{claim['id']}/withdraw", {"reason": "放弃"}), 201)
    gp.answer("POST", f"{f}/escrow-releases/{release['id']}/reverse", gp.post(
        f"{f}/escrow-releases/{release['id']}/reverse", {"reason": "退回"}), 201)
    outsider = Gp(app, w.other)
    for path in (f"{f}/exits", f"{f}/exits/holdings", f"{f}/buyback-claims"):
        refused(outsider.get(path), 404)
    before = rows()
    refused(outsider.post(f"{f}/exits/{sale['id']}/reverse", {"reason": "x"}), 404)
    refused(outsider.post(f"{f}/exits/trade-sales", {"company_id": w.company.id}), 404)
    assert rows() == before
