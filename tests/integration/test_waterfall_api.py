"""The waterfall API over HTTP, checked against its generated document: terms put and
read back (exact fraction strings), a refusal named with nothing written, a run posted
(201 with its breakdown; a retry with the same Idempotency-Key replays it), the runs
listed, as-if-liquidated, the reversal; another organisation gets 404."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Flask

from fundops.exits.models import WaterfallRun, WaterfallTerms
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.ledger import CashFlow
from tests.factories import make_fund, make_user, next_n
from tests.integration.test_portfolio_api import Gp
from tests.integration.test_syndication_api import API, refused


def rows() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))  # type: ignore[misc]
                 for m in (WaterfallTerms, WaterfallRun, CashFlow))


def test_waterfall_over_the_api(app: Flask) -> None:
    _, actor = make_user(f"GP {next_n()}")
    _, stranger = make_user(f"Other {next_n()}")
    fund = make_fund(actor)
    lp = services.create_investor(actor, f"LP {next_n()}", "private")
    rec = services.create_investor(actor, f"GP 记录 {next_n()}", "corporate")
    services.add_commitment(actor, fund.id, lp.id, "1000000", "2020-01-01")
    services.add_commitment(actor, fund.id, rec.id, "0.01", "2020-01-01")
    ledger.record_capital_call(actor, fund.id, value_on="2020-01-01", amount="1000000",
                               purpose="investment", split={lp.id: "1000000"})
    ledger.record_valuation(actor, fund.id, as_of="2024-12-30", nav_amount="1800000")
    gp, f = Gp(app, actor), f"/funds/{fund.id}/waterfall"
    empty = gp.read(f"{f}/terms")
    assert empty == {"in_force": None, "versions": []}
    body = {"effective_on": "2020-01-01", "carry_recipient_id": rec.id,
            "structure": "whole_fund", "capital_basis": "with_fees", "hurdle": "compound",
            "hurdle_rate": "0.08", "catch_up": "1", "carry": "0.2"}
    before = rows()

    def put(data: dict[str, object]) -> object:
        return gp.http.put(API + f"{f}/terms", json=data,
                           headers=gp.headers | {"Idempotency-Key": uuid.uuid4().hex})

    refused(put({**body, "carry": "1"}), 422, "carry", "waterfall_carry_range")
    refused(put({**body, "catch_up": "0.1"}), 422, "catch_up", "waterfall_catch_up_below_carry")
    refused(put({**body, "hurdle_rate": "-0.01"}), 422, "hurdle_rate", "waterfall_rate_negative")
    refused(gp.post(f"{f}/runs", {"value_on": "2024-12-30", "amount": "1800000"}),
            422, "value_on", "waterfall_no_terms")
    assert rows() == before
    terms = gp.answer("PUT", f"{f}/terms", put(body), 201)
    assert (terms["carry"], terms["catch_up"]) == ("0.20000000", "1.00000000")
    assert any(c["code"] == "wf_conv_rounding" for c in terms["conventions"])
    liq = gp.answer("GET", f"{f}/as-if-liquidated",
                    gp.get(f"{f}/as-if-liquidated?as_of=2024-12-30"), 200)
    assert (liq["accrued_carry"], liq["net_nav"]) == ("160000.00", "1640000.00")
    metrics = gp.answer("GET", f"/funds/{fund.id}/metrics",
                        gp.get(f"/funds/{fund.id}/metrics?as_of=2024-12-30"), 200)
    assert metrics["net"]["value"] == "1800000.00"  # gross, unchanged
    assert metrics["net_of_carry"]["accrued_carry"] == "160000.00"
    assert metrics["net_of_carry"]["net_nav"] == "1640000.00"
    key = uuid.uuid4().hex
    run = gp.create(f"{f}/runs", {"value_on": "2024-12-30", "amount": "1800000"}, key=key)
    again = gp.create(f"{f}/runs", {"value_on": "2024-12-30", "amount": "1800000"}, key=key)
    assert again["id"] == run["id"] and run["carry"] == "160000.00"
    paid = {s["investor_id"]: s["payment"] for s in run["slices"]}
    assert paid == {lp.id: "1640000.00", rec.id: "160000.00"}
    lp_slice = next(s for s in run["slices"] if s["investor_id"] == lp.id)
    assert (lp_slice["capital"], lp_slice["pref"]) == ("1000000.00", "469328.08")
    assert [r["id"] for r in gp.read(f"{f}/runs")["runs"]] == [run["id"]]
    reversed_run = gp.create(f"{f}/runs/{run['id']}/reverse", {"reason": "typo"})
    assert reversed_run["reversed"]["run_id"] == run["id"]
    other = Gp(app, stranger)
    for path in (f"{f}/terms", f"{f}/runs", f"{f}/as-if-liquidated"):
        refused(other.get(path), 404)
    refused(other.post(f"{f}/runs", {"value_on": "2024-12-30", "amount": "1"}), 404)
