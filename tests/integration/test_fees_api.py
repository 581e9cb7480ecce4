"""The management-fee API over HTTP, checked against its generated document: terms put
and read back (exact fraction strings), bad terms named with nothing written, a draft
prepared (201 with its lines and split; a retry with the same Idempotency-Key replays
it), listed, posted once (the second post is a 409), another discarded; another
organisation gets 404 on every route."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask

from fundops.extensions import db
from fundops.portfolio import services
from fundops.portfolio.ledger import CashFlow
from fundops.reports.fees.models import FeeDraft, FeeTerms
from tests.factories import make_fund, make_user, next_n
from tests.integration.test_portfolio_api import Gp
from tests.integration.test_syndication_api import API, refused


def rows() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))  # type: ignore[misc]
                 for m in (FeeTerms, FeeDraft, CashFlow))


def test_fees_over_the_api(app: Flask) -> None:
    _, actor = make_user(f"GP {next_n()}")
    _, stranger = make_user(f"Other {next_n()}")
    fund = make_fund(actor, inception_on="2025-01-01", investment_period_end_on="2025-02-14",
                     term_end_on="2029-12-31", extension_end_on="2031-12-31")
    a = services.create_investor(actor, f"LP A {next_n()}", "private")
    b = services.create_investor(actor, f"LP B {next_n()}", "private")
    services.add_commitment(actor, fund.id, a.id, "60000000", "2025-01-01")
    services.add_commitment(actor, fund.id, b.id, "40000000", "2025-01-01")
    gp, f = Gp(app, actor), f"/funds/{fund.id}/fees"
    assert gp.read(f"{f}/terms") == {"in_force": None, "versions": []}
    assert gp.read(f"{f}/drafts") == {"drafts": []}
    body = {"effective_on": "2025-01-01", "frequency": "quarterly", "timing": "advance",
            "source": "principal", "offset_rate": "0.8",
            "tiers": [{"basis": "commitment", "rate": "0.02", "from_on": "2025-01-01",
                       "to_on": "2025-02-14"},
                      {"basis": "invested_cost", "rate": "0.015", "from_on": "2025-02-15"}]}

    def put(data: dict[str, object]) -> object:
        return gp.http.put(API + f"{f}/terms", json=data,
                           headers=gp.headers | {"Idempotency-Key": uuid.uuid4().hex})

    before = rows()
    tier = body["tiers"][0]  # type: ignore[index]
    refused(put({**body, "tiers": [{**tier, "rate": "-0.02"}]}), 422, "tiers[0].rate",
            "fee_rate_negative")
    refused(put({**body, "tiers": [tier, {**tier, "basis": "nav"}]}), 422, "tiers",
            "fee_tiers_overlap")
    refused(put({**body, "tiers": [{**tier, "basis": "gav"}]}), 422, "tiers[0].basis",
            "fee_basis_unknown")
    refused(gp.post(f"{f}/drafts", {"period": "2025Q1"}), 422, "period", "fee_no_terms")
    assert rows() == before
    terms = gp.answer("PUT", f"{f}/terms", put(body), 201)
    assert [(t["basis"], t["rate"], t["to_on"]) for t in terms["tiers"]] == [
        ("commitment", "0.02000000", "2025-02-14"), ("invested_cost", "0.01500000", None)]
    assert gp.read(f"{f}/terms")["in_force"]["id"] == terms["id"]
    refused(gp.post(f"{f}/drafts", {"period": "2024Q4"}), 422, "period",
            "fee_period_before_inception")
    key = uuid.uuid4().hex
    draft = gp.create(f"{f}/drafts", {"period": "2025Q1", "fee_income": "100000"}, key=key)
    again = gp.create(f"{f}/drafts", {"period": "2025Q1", "fee_income": "100000"}, key=key)
    assert again["id"] == draft["id"]
    # 100,000,000 × 2 % × 45 / 365 = 246,575.34 (no investment: the invested cost is 0)
    assert (draft["fee"], draft["offset"], draft["net_fee"], draft["status"]) == (
        "246575.34", "80000.00", "166575.34", "draft")
    assert [(x["basis"], x["base"], x["days"]) for x in draft["lines"]] == [
        ("commitment", "100000000.00", 45), ("invested_cost", "0.00", 45)]
    assert {s["investor_id"]: s["amount"] for s in draft["shares"]} == {
        a.id: "99945.20", b.id: "66630.14"}
    refused(gp.post(f"{f}/drafts", {"period": "2025Q1"}), 409, None, "fee_draft_exists")
    assert [d["id"] for d in gp.read(f"{f}/drafts")["drafts"]] == [draft["id"]]
    assert gp.read(f"{f}/drafts/{draft['id']}")["period"] == "2025Q1"
    posted = gp.create(f"{f}/drafts/{draft['id']}/post", {}, status=200)
    assert posted["status"] == "posted" and posted["call_cash_flow_id"]
    fee = db.session.get(CashFlow, posted["fee_cash_flow_id"])
    assert fee is not None and str(fee.amount) == "166575.34"
    refused(gp.post(f"{f}/drafts/{draft['id']}/post", {}), 409, None, "fee_draft_not_live")
    q2 = gp.create(f"{f}/drafts", {"period": "2025Q2"})
    gone = gp.create(f"{f}/drafts/{q2['id']}/discard", {"reason": "重算"}, status=200)
    assert (gone["status"], gone["reason"]) == ("discarded", "重算")
    other = Gp(app, stranger)
    for path in (f"{f}/terms", f"{f}/drafts", f"{f}/drafts/{draft['id']}"):
        refused(other.get(path), 404)
    for path, data in ((f"{f}/drafts", {"period": "2025Q3"}),
                       (f"{f}/drafts/{q2['id']}/post", {}),
                       (f"{f}/drafts/{q2['id']}/discard", {"reason": "x"})):
        refused(other.post(path, data), 404)
