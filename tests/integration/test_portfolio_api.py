"""The portfolio write API over HTTP (bearer tokens), against its generated document: a GP
creates a fund and its LPs, commits, previews and posts a capital call (replayed by its
Idempotency-Key), a distribution with an explicit split and a NAV, and reads them back;
refusals write nothing; another organisation gets 404; two racing calls that together
exceed the uncalled capital post once.

The fund: target 10亿; LP A commits 3亿, LP B 1亿 (uncalled 4亿 in all)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask

from fundops.approvals import services as approvals
from fundops.audit import AuditEvent
from fundops.extensions import db
from fundops.idempotency import IdempotencyKey
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, FundValuation
from fundops.portfolio.models import Commitment, Fund, Investor
from fundops.uow import Actor
from tests.factories import make_company, make_user, next_n
from tests.integration.test_syndication_api import API, Client, conforms, refused
from tests.threads import race

FUND = {"name_zh": "深创新一期", "kind": "sub_fund", "currency": "CNY", "vintage": 2020,
        "target_size_amount": "1000000000", "inception_on": "2020-01-01",
        "investment_period_end_on": "2024-12-31", "term_end_on": "2027-12-31",
        "region_code": "440300", "stage": "investing"}


def rows() -> tuple[int, ...]:
    """Row counts of everything a portfolio post writes."""
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))  # type: ignore[misc]
                 for m in (Fund, Investor, Commitment, CashFlow, FundValuation, AuditEvent,
                           IdempotencyKey))


class Gp(Client):
    """A Client that checks every answer against the generated document (the operation's
    response for the status) and keeps the document."""

    def __init__(self, app: Flask, actor: Actor) -> None:
        super().__init__(app, actor)
        self.doc = self.get("/openapi.json").get_json()

    def answer(self, method: str, path: str, response: Any, status: int) -> Any:
        assert response.status_code == status, response.get_data(as_text=True)
        template = API + re.sub(r"/\d+", lambda m: "/{id}", path)
        op = next(ops[method.lower()] for p, ops in self.doc["paths"].items()
                  if re.sub(r"\{[a-z_]+\}", "{id}", p) == template)
        schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
        conforms(self.doc, schema, response.get_json())
        return response.get_json()

    def read(self, path: str) -> Any:
        return self.answer("GET", path, self.get(path), 200)

    def create(self, path: str, body: Any, status: int = 201, key: str | None = None) -> Any:
        headers = self.headers | {"Idempotency-Key": key or uuid.uuid4().hex}
        response = self.http.post(API + path, json=body, headers=headers)
        self.last = response
        return self.answer("POST", path, response, status)


def gp_fund(app: Flask) -> tuple[Gp, Actor, int, list[int]]:
    """A GP that created (through the API) the fund and LP A 3亿 and LP B 1亿."""
    n = next_n()
    _, gp = make_user(f"GP {n}")
    api = Gp(app, gp)
    fund = api.create("/funds", {**FUND, "code": f"SZ{n}"})
    assert api.last.headers["Location"] == f"{API}/funds/{fund['id']}"
    lps = []
    for name, amount in (("A", "300000000"), ("B", "100000000")):
        lp = api.create("/investors", {"name": f"LP {name} {n}", "investor_type": "private"})
        assert api.last.headers["Location"] == f"{API}/investors/{lp['id']}"
        made = api.create(f"/funds/{fund['id']}/commitments",
                          {"investor_id": lp["id"], "amount": amount, "committed_on": "2020-03-01"})
        assert made["amount"] == f"{amount}.00" and made["closing"] == 1
        lps.append(lp["id"])
    return api, gp, fund["id"], lps


def test_a_gp_posts_a_call_a_distribution_and_a_nav_over_http(app: Flask) -> None:
    api, _, fund_id, (a, b) = gp_fund(app)
    assert api.read(f"/investors/{a}")["commitments"][0]["fund_id"] == fund_id
    listed = api.read("/investors")["investors"]
    assert [(i["id"], i["committed_amount"], i["fund_count"]) for i in listed] == [
        (a, "300000000.00", 1), (b, "100000000.00", 1)]

    call = {"value_on": "2021-03-31", "amount": "100000000.01", "purpose": "investment",
            "source_ref": "CALL-1"}
    before = rows()
    preview = api.create(f"/funds/{fund_id}/calls/preview",
                         {"value_on": call["value_on"], "amount": call["amount"]}, status=200)
    assert [(x["investor_id"], x["amount"]) for x in preview["lines"]] == [
        (a, "75000000.01"), (b, "25000000.00")]
    assert rows() == before  # a preview writes nothing

    key = f"call-{uuid.uuid4().hex}"
    posted = api.create(f"/funds/{fund_id}/calls", call, key=key)
    first = api.last
    assert first.headers["Location"] == f"{API}/funds/{fund_id}/entries/{posted['id']}"
    assert "Idempotent-Replayed" not in first.headers
    assert [(x["investor_id"], x["amount"]) for x in posted["allocations"]] == [
        (a, "75000000.01"), (b, "25000000.00")]
    again = api.create(f"/funds/{fund_id}/calls", call, key=key)
    assert again == posted and api.last.headers["Idempotent-Replayed"] == "true"
    assert api.last.headers["Location"] == first.headers["Location"]
    calls = db.session.scalars(sa.select(CashFlow).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.CAPITAL_CALL)).all()
    assert [c.amount for c in calls] == [Decimal("100000000.01")]

    dist = api.create(f"/funds/{fund_id}/distributions", {
        "value_on": "2022-06-30", "amount": "1000000", "distribution_type": "gain",
        "allocation": [{"investor_id": b, "amount": "1000000"}]})
    assert [(x["investor_id"], x["amount"]) for x in dist["allocations"]] == [
        (a, "0.00"), (b, "1000000.00")]
    nav = api.create(f"/funds/{fund_id}/navs", {"as_of": "2022-12-31", "nav_amount": "120000000"})
    assert api.last.headers["Location"] == f"{API}/funds/{fund_id}/navs"
    assert nav["nav_amount"] == "120000000.00"

    ledger = api.read(f"/funds/{fund_id}/ledger")["entries"]
    assert [(e["id"], e["kind"], e["amount"]) for e in ledger] == [
        (dist["id"], "distribution", "1000000.00"), (posted["id"], "capital_call", "100000000.01")]
    detail = api.read(f"/funds/{fund_id}")
    assert (detail["paid_in_amount"], detail["distributed_amount"]) == (
        "100000000.01", "1000000.00")
    assert detail["latest_nav"] == {"as_of": "2022-12-31", "nav_amount": "120000000.00"}
    assert api.read(f"/funds/{fund_id}/entries/{posted['id']}") == posted
    assert api.read(f"/funds/{fund_id}/navs")["navs"][0]["id"] == nav["id"]


def test_bad_amounts_and_unknown_fields_are_422_naming_the_field_and_write_nothing(
        app: Flask) -> None:
    api, _, fund_id, (a, _b) = gp_fund(app)
    url = f"/funds/{fund_id}/calls"
    good = {"value_on": "2021-03-31", "amount": "1000", "purpose": "investment"}
    before = rows()
    for body, field, code in (
            ({**good, "amount": "12.345"}, "amount", "amount_too_many_places"),
            ({**good, "amount": 12.5}, "amount", "syn_amount_not_text"),
            ({**good, "amount": "-5"}, "amount", None),
            ({**good, "amout": "1000"}, "amout", "syn_unknown_field"),
            ({**good, "allocation": [{"investor_id": a, "amount": "1000"},
                                     {"investor_id": a, "amount": "0"}]},
             "allocation", "allocation_investor_twice"),
            ({**good, "allocation": [{"investor_id": a, "amount": "10"}]}, "allocation", None)):
        refused(api.post(url, body), 422, field, code)
    nav = {"as_of": "2022-12-31", "nav_amount": "1"}
    refused(api.post(f"/funds/{fund_id}/navs", {**nav, "nav": "1"}), 422, "nav",
            "syn_unknown_field")
    refused(api.post(f"/funds/{fund_id}/navs", {"as_of": "2022-12-31"}), 422, "nav_amount",
            "required")
    refused(api.post("/funds", {**FUND, "code": "X", "vintage": "2020"}), 422, "vintage")
    refused(api.post(f"/funds/{fund_id}/calls", {**good, "amount": "400000001"}), 422,
            "amount", "call_exceeds_uncalled")
    assert rows() == before


def test_confirmation_hold_and_reversal_as_on_the_pages(app: Flask) -> None:
    api, gp, fund_id, _ = gp_fund(app)
    big = {"value_on": "2021-03-31", "amount": "1000000", "distribution_type": "gain"}
    before = rows()
    warned = refused(api.post(f"/funds/{fund_id}/distributions", big), 409, "confirm",
                     "confirmation_required")
    assert "plausible_distribution_above_gains" in {w["code"] for w in warned["warnings"]}
    refused(api.post(f"/funds/{fund_id}/distributions", {**big, "confirm": True}), 422,
            "confirm_reason")
    assert rows() == before
    dist = api.create(f"/funds/{fund_id}/distributions",
                      {**big, "confirm": True, "confirm_reason": "股息收入"})

    approvals.set_policy(gp, "reversal", "0")
    held = api.create(f"/funds/{fund_id}/entries/{dist['id']}/reverse", {"reason": "错账"},
                      status=202)
    assert (held["status"], held["action"], held["object_id"]) == ("pending", "reversal",
                                                                    dist["id"])
    assert api.last.headers["Location"] == f"{API}/approvals/{held['id']}"
    assert db.session.scalar(sa.select(CashFlow.id).where(CashFlow.reverses_id == dist["id"])) \
        is None
    approvals.set_policy(gp, "reversal", "100000000")  # below the threshold: posts directly
    reversal = api.create(f"/funds/{fund_id}/entries/{dist['id']}/reverse", {"reason": "错账"})
    assert (reversal["reverses_id"], reversal["amount"]) == (dist["id"], "-1000000.00")
    refused(api.post(f"/funds/{fund_id}/entries/{dist['id']}/reverse", {"reason": "again"}),
            409, code="entry_already_reversed")


def test_sub_fund_postings_investments_and_valuations(app: Flask) -> None:
    api, gp, sub_id, _ = gp_fund(app)
    n = next_n()
    parent = api.create("/funds", {**FUND, "code": f"FOF{n}", "kind": "parent_fund",
                                   "registration_no": f"SF{n}"})
    lp = api.create("/investors", {"name": f"母基金 {n}", "investor_type": "guidance_fund",
                                   "fund_registration_no": f"SF{n}"})
    assert lp["is_fund"] is True
    api.create(f"/funds/{sub_id}/commitments", {"investor_id": lp["id"], "amount": "50000000",
                                                "committed_on": "2020-06-01"})
    paid = api.create(f"/funds/{parent['id']}/sub-fund-flows", {
        "kind": "fund_contribution", "target_fund_id": sub_id, "value_on": "2021-04-10",
        "amount": "5000000"})
    assert (paid["kind"], paid["target_fund_id"], paid["amount"]) == (
        "fund_contribution", sub_id, "5000000.00")
    refused(api.post(f"/funds/{sub_id}/sub-fund-flows", {
        "kind": "fund_return", "target_fund_id": parent["id"], "value_on": "2021-04-10",
        "amount": "1"}), 422, "target_fund_id", "no_commitment_in_fund")

    company = make_company(gp)
    inv = api.create(f"/funds/{sub_id}/investments", {
        "company_id": company.id, "round_name": "A", "instrument": "preferred_equity",
        "invested_on": "2021-05-01", "amount": "20000000", "ownership_rate": "0.08"})
    assert api.last.headers["Location"] == f"{API}/companies/{company.id}"
    assert (inv["ownership_rate"], inv["shares"]) == ("0.08000000", None)
    api.create(f"/funds/{sub_id}/holdings/valuations", {
        "company_id": company.id, "as_of": "2021-12-31", "fair_value_amount": "24000000",
        "method": "recent round"})
    [holding] = api.read(f"/funds/{sub_id}/holdings")["holdings"]
    assert (holding["company_id"], holding["invested_amount"], holding["fair_value_amount"]) == (
        company.id, "20000000.00", "24000000.00")
    fee = api.create(f"/funds/{sub_id}/flows", {"kind": "management_fee",
                                                "value_on": "2021-06-30", "amount": "800000"})
    assert fee["kind"] == "management_fee" and fee["allocations"] == []


def test_another_organisation_and_a_read_only_user_get_nowhere(app: Flask) -> None:
    api, gp, fund_id, (a, _b) = gp_fund(app)
    entry = api.create(f"/funds/{fund_id}/calls", {"value_on": "2021-03-31", "amount": "1000",
                                                   "purpose": "investment"})
    ids = {"fund_id": fund_id, "entry_id": entry["id"], "investor_id": a,
           "company_id": make_company(gp).id}
    _, other = make_user(f"Other GP {next_n()}")
    stranger = Client(app, other)
    before = rows()
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("portfolio_api.", "portfolio_ledger_api.")) \
                or not rule.arguments:
            continue
        url = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = stranger.http.open(url, method=method, json={"amount": "1"},
                                          headers=stranger.headers)
            assert response.status_code == 404, f"{method} {url}"
            walked += 1
    assert walked >= 15 and rows() == before
    _, reader = make_user(gp_org_name(gp), role="viewer")
    refused(Client(app, reader).post(f"/funds/{fund_id}/calls", {"amount": "1"}), 403,
            code="role_read_only")
    refused(Client(app, reader).post("/investors", {"name": "x"}), 403, code="role_read_only")


def gp_org_name(actor: Actor) -> str:
    from fundops.auth.models import Organisation

    org = db.session.get(Organisation, actor.organisation_id)
    assert org is not None
    return org.name


def test_two_racing_calls_beyond_the_uncalled_capital_post_once(app: Flask) -> None:
    api, _, fund_id, _ = gp_fund(app)  # 4亿 uncalled
    body = {"value_on": "2021-03-31", "amount": "250000000", "purpose": "investment"}
    headers = api.headers
    db.session.remove()
    replies: list[tuple[int, dict[str, Any]]] = []

    def post(i: int) -> None:
        response = app.test_client().post(
            f"{API}/funds/{fund_id}/calls", json=body,
            headers=headers | {"Idempotency-Key": f"race-{i}-{uuid.uuid4().hex}"})
        replies.append((response.status_code, response.get_json()))

    assert race(app, post, [1, 2], Exception) == ["ok", "ok"]
    statuses = sorted(status for status, _ in replies)
    assert statuses == [201, 422], replies
    refusal = next(body for status, body in replies if status == 422)
    assert (refusal["error"], refusal["field"]) == ("call_exceeds_uncalled", "amount")
    amounts = db.session.scalars(sa.select(CashFlow.amount).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.CAPITAL_CALL))
    assert list(amounts) == [Decimal("250000000.00")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey).where(
        IdempotencyKey.path == f"{API}/funds/{fund_id}/calls")) == 1
