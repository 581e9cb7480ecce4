"""Parent-fund JSON API: look-through, leverage and policy equal the services, with their terms.

Fixture: the three-level fund-of-funds of ``test_lookthrough`` with the rules of ``test_policy``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

import pytest
from flask import Flask

from fundops.auth.accounts import issue_token
from fundops.auth.models import User
from fundops.calc.lookthrough import quantize_fraction
from fundops.extensions import db
from fundops.metrics.leverage import leverage
from fundops.metrics.lookthrough import look_through
from fundops.metrics.policy import policy_indicators
from fundops.uow import Actor
from tests.integration.test_lookthrough import build_fof
from tests.integration.test_policy import with_rules

AS_OF = date(2022, 12, 31)


def get(app: Flask, url: str, actor: Actor | None) -> Any:
    headers = {}
    if actor is not None:
        user = db.session.get(User, actor.user_id)
        assert user is not None
        headers["Authorization"] = f"Bearer {issue_token(email=user.email, label='test')}"
    return app.test_client().get(url, headers=headers)


def s(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def test_look_through_equals_the_service(app: Flask) -> None:
    f = build_fof()
    response = get(app, f"/api/v1/funds/{f.p.id}/look-through?as_of=2022-12-31", f.guidance)
    assert response.status_code == 200
    body = response.get_json()
    lt = look_through(f.guidance, f.p.id, AS_OF, "paid_in")
    assert body["fund"]["id"] == f.p.id and body["as_of"] == "2022-12-31"
    assert (body["basis"], body["holding_value"], body["amount_unit"]) == (
        "paid_in",
        "fair_value",
        "yuan",
    )
    assert body["definition"]["code"] == "look_through" and body["definition"]["zh"]
    assert body["share_definition"]["code"] == "paid_in"
    assert body["total_amount"] == str(lt.total_amount)
    assert body["direct_amount"] == str(quantize_fraction(lt.direct_total_exact)) == "10000000.00"
    assert body["consistent"] is True and lt.consistent
    assert [x["fund_id"] for x in body["sub_funds"]] == [x.sub_fund_id for x in lt.sub_funds]
    for got, want in zip(body["sub_funds"], lt.sub_funds, strict=True):
        share = got["share"]
        assert (share["value"], share["basis"]) == (str(want.share_rate), "paid_in")
        assert share["numerator"]["amount"] == str(want.share_numerator)
        assert share["denominator"]["amount"] == str(want.share_denominator)
        assert share["numerator"]["name"] and share["denominator"]["name"]
        assert got["attributed_amount"] == str(want.attributed_amount)
        assert got["fund_code"] in (f.a.code, f.b.code)
    assert body["rows_total"] == len(lt.rows) == 4 and body["limit"] == 100
    for got, want in zip(body["rows"], lt.rows, strict=True):
        assert (got["company_id"], got["exposure_amount"], got["paths"], got["value_basis"]) == (
            want.company_id, str(want.exposure_amount), want.paths, want.value_basis)
        assert got["tags"] == list(want.tags) and got["stage"] == want.stage
        assert [p["fund_id"] for p in got["via"]] == [p.fund_id for p in want.via]
    x = next(r for r in body["rows"] if r["company_id"] == f.x.id)
    assert x["paths"] == 3 and x["value_basis"] == "mixed"
    for name, items in (("sector", lt.by_sector), ("stage", lt.by_stage),
                        ("region", lt.by_region), ("tag", lt.by_tag)):
        got_items = body["breakdowns"][name]
        assert [(b["key"], b["exposure_amount"], b["companies"]) for b in got_items] == [
            (b.key, str(b.exposure_amount), b.companies) for b in items]
        for got_b, want_b in zip(got_items, items, strict=True):
            share = got_b["share_of_total"]
            assert share["value"] == s(want_b.share_of_total)
            assert share["denominator"]["amount"] == str(lt.total_amount)


def test_look_through_basis_and_limit(app: Flask) -> None:
    f = build_fof()
    url = f"/api/v1/funds/{f.p.id}/look-through?as_of=2022-12-31&basis=commitment&limit=2"
    body = get(app, url, f.guidance).get_json()
    lt = look_through(f.guidance, f.p.id, AS_OF, "commitment")
    assert body["basis"] == "commitment" and body["total_amount"] == str(lt.total_amount)
    assert body["rows_total"] == 4 and body["limit"] == 2
    assert [r["company_id"] for r in body["rows"]] == [r.company_id for r in lt.rows[:2]]
    assert body["sub_funds"][0]["share"]["value"] == "0.2000000000"  # P/A = 1/5 of commitments


def test_leverage_equals_the_service(app: Flask) -> None:
    f = build_fof()
    body = get(app, f"/api/v1/funds/{f.p.id}/leverage?as_of=2022-12-31", f.guidance).get_json()
    rep = leverage(f.guidance, f.p.id, AS_OF)
    assert body["as_of"] == "2022-12-31"
    assert body["government_investor_types"] == ["fiscal", "guidance_fund"]
    assert len(body["ratios"]) == len(rep.ratios) == 10
    for got, want in zip(body["ratios"], rep.ratios, strict=True):
        assert (
            got["definition"],
            got["basis"],
            got["label_zh"],
            got["label_en"],
            got["formula"],
        ) == (want.definition, want.basis, want.label_zh, want.label_en, want.formula)
        assert got["value"] == s(want.value)
        assert got["numerator"]["amount"] == str(want.numerator)
        assert got["denominator"]["amount"] == str(want.denominator)
        assert got["denominator"]["name"] == "guidance-fund contribution"
    amp = body["ratios"][0]
    assert (amp["value"], amp["numerator"]["amount"], amp["denominator"]["amount"]) == (
        "5.0000000000", "1500000000.00", "300000000.00")
    assert [x["fund_id"] for x in body["sub_funds"]] == [f.a.id, f.b.id]
    a = body["sub_funds"][0]
    assert (a["committed_total"], a["guidance_paid_in"]) == ("1000000000.00", "150000000.00")
    assert [r["value"] for r in a["ratios"]] == [s(r.value) for r in rep.sub_funds[0].ratios]
    early = get(app, f"/api/v1/funds/{f.p.id}/leverage?as_of=2021-04-30", f.guidance).get_json()
    assert {r["value"] for r in early["ratios"] if r["basis"] == "paid_in"} == {None}


def test_policy_equals_the_service(app: Flask) -> None:
    f = with_rules()
    body = get(app, f"/api/v1/funds/{f.p.id}/policy?as_of=2022-12-31", f.guidance).get_json()
    rep = policy_indicators(f.guidance, f.p.id, AS_OF)
    assert body["guidance"]["fund_id"] == f.p.id and body["guidance"]["role"] == "guidance"
    pairs = [(body["guidance"], rep.guidance), *zip(body["sub_funds"], rep.sub_funds, strict=True)]
    for got_f, want_f in pairs:
        assert got_f["breach_count"] == len(want_f.breaches)
        for got, want in zip(got_f["indicators"], want_f.indicators, strict=True):
            assert (got["code"], got["basis"], got["value"], got["breach"]) == (
                want.code, want.basis, s(want.value), want.breach)
            assert got["numerator"]["amount"] == str(want.numerator)
            assert got["denominator"]["amount"] == str(want.denominator)
            assert got["label_zh"] == want.label_zh and got["formula"] == want.formula
            if want.rule is None:
                assert got["rule"] is None
            else:
                assert got["rule"]["threshold"] == str(want.rule.threshold)
                assert got["rule"]["effective_from"] == want.rule.effective_from.isoformat()
                assert got["rule"]["comparison"] == want.rule.comparison
    assert [x["fund_id"] for x in body["breaches"]] == [f.a.id, f.b.id]
    a_codes = {(i["code"], i["basis"]) for i in body["breaches"][0]["indicators"]}
    assert a_codes == {("reinvestment_achievement", "subscribed"), ("small_company_share", None)}
    gov = body["breaches"][1]["indicators"][0]
    assert (gov["code"], gov["value"], gov["rule"]["threshold"], gov["rule"]["fund_id"]) == (
        "gov_share", "0.4000000000", "0.35", f.b.id)
    assert (gov["numerator"]["amount"], gov["denominator"]["amount"]) == (
        "200000000.00",
        "500000000.00",
    )


def _ratios(body: Any) -> list[dict[str, Any]]:
    """Every ratio object (value, numerator, denominator) anywhere in a reply."""
    if isinstance(body, list):
        return [r for x in body for r in _ratios(x)]
    if not isinstance(body, dict):
        return []
    own = [body] if {"value", "numerator", "denominator"} <= body.keys() else []
    return own + [r for x in body.values() for r in _ratios(x)]


@pytest.mark.parametrize("path", ["leverage", "loan-leverage", "policy"])
def test_ratios_recompute_from_the_replys_own_amounts_to_ten_places(app: Flask,
                                                                    path: str) -> None:
    """A supervisor's system dividing the reply's amounts gets the reply's ratio exactly to
    the stated 10 places (half-even), not just to the 4 places pages show."""
    f = with_rules()
    body = get(app, f"/api/v1/funds/{f.p.id}/{path}?as_of=2022-12-31", f.guidance).get_json()
    ratios = _ratios(body)
    assert len(ratios) >= 4
    finer = 0
    for r in ratios:
        num, den = Decimal(r["numerator"]["amount"]), Decimal(r["denominator"]["amount"])
        if den == 0:
            assert r["value"] is None
            continue
        want = quantize_fraction(Fraction(num) / Fraction(den), 10)
        assert r["value"] == f"{want:f}", r
        finer += want != want.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    if path != "loan-leverage":  # (no loans in this fixture: 0 / x)
        assert finer > 0  # some figures need more than 4 places, and the reply gives them


@pytest.mark.parametrize("path", ["look-through", "leverage", "policy"])
def test_token_tenancy_and_bad_input(app: Flask, path: str) -> None:
    f = build_fof()
    url = f"/api/v1/funds/{f.p.id}/{path}"
    assert get(app, url, None).status_code == 401
    missing = get(app, url, f.outsider)
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert f.p.name_zh not in missing.get_data(as_text=True)
    assert get(app, f"/api/v1/funds/999999/{path}", f.guidance).status_code == 404
    for bad in ("2022-02-30", "31/12/2022", "2999-01-01"):
        response = get(app, f"{url}?as_of={bad}", f.guidance)
        assert response.status_code == 422, bad
        assert response.get_json()["field"] == "as_of"
    assert get(app, url, f.guidance).status_code == 200  # today by default
    # A sub-fund's GP cannot see the parent fund that invests in it.
    assert get(app, url, f.gp_a).status_code == 404


def test_look_through_rejects_bad_basis_and_limit(app: Flask) -> None:
    f = build_fof()
    base = f"/api/v1/funds/{f.p.id}/look-through?as_of=2022-12-31"
    for query, field in (("&basis=nav", "basis"), ("&limit=-1", "limit"), ("&limit=ten", "limit"),
                         ("&limit=100001", "limit")):
        response = get(app, base + query, f.guidance)
        assert response.status_code == 422, query
        assert response.get_json()["field"] == field
    assert get(app, base + "&limit=0", f.guidance).get_json()["rows"] == []
