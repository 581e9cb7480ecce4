"""The metrics JSON API: the engine's numbers with their terms, token auth, tenancy, bad dates."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from flask import Flask

from fundops.auth.accounts import issue_token
from fundops.metrics import perspectives as P
from fundops.metrics.engine import Position
from tests.factories import make_world
from tests.web.test_metrics_pages import history_world

AS_OF = date(2022, 10, 31)


def get(app: Flask, url: str, email: str | None) -> Any:
    headers = {}
    if email is not None:
        headers["Authorization"] = f"Bearer {issue_token(email=email, label='test')}"
    return app.test_client().get(url, headers=headers)


def rate(value: float | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("1E-10"),
                                                                  rounding=ROUND_HALF_EVEN))


def assert_position(body: dict[str, Any], pos: Position) -> None:
    """The JSON of a position says exactly what the engine computed."""
    for name in ("paid_in", "distributed", "value"):
        assert body[name] == str(getattr(pos, name)), name
    assert body["committed"] == (None if pos.committed is None else str(pos.committed))
    assert body["irr"] == rate(pos.irr)
    assert body["value_on"] == (None if pos.value_on is None else pos.value_on.isoformat())
    assert body["value_age_days"] == pos.value_age_days
    multiples = body["multiples"]
    for name in ("dpi", "rvpi", "tvpi"):
        value = getattr(pos, name)
        assert multiples[name]["value"] == (None if value is None else str(value)), name
    assert multiples["dpi"]["numerator"]["amount"] == str(pos.distributed)
    assert multiples["dpi"]["denominator"]["amount"] == str(pos.paid_in)
    assert multiples["rvpi"]["numerator"]["amount"] == str(pos.value)
    assert multiples["tvpi"]["numerator"]["amount"] == str(pos.distributed + pos.value)
    zh, en = P.DEFINITIONS[pos.perspective]
    assert body["definition"] == {"code": pos.perspective, "zh": zh, "en": en}


def test_fund_metrics_equal_the_engine(app: Flask) -> None:
    world = history_world()
    response = get(app, f"/api/v1/funds/{world.fund.id}/metrics?as_of=2022-10-31",
                   world.gp_user.email)
    assert response.status_code == 200
    body = response.get_json()
    report = P.fund_metrics(world.gp, world.fund.id, AS_OF)
    assert body["as_of"] == "2022-10-31" and body["fund"]["id"] == world.fund.id
    assert body["fund"]["access"] == "manager" and body["currency"] == "CNY"
    assert_position(body["net"], report.net)
    assert body["net"]["value"] == "84000000.00" and body["net"]["value_stale"] is True
    assert body["net"]["value_basis"] == "nav"
    assert body["net"]["value_definition"]["code"] == "nav"
    pic = body["net"]["multiples"]["pic"]
    assert pic == {"value": "0.1500000000",
                   "numerator": {"name": "paid_in", "amount": "90000000.00"},
                   "denominator": {"name": "committed", "amount": "600000000.00"}}
    assert isinstance(body["net"]["irr"], str) and len(body["net"]["irr"].split(".")[1]) == 10
    assert report.gross is not None
    assert_position(body["gross"], report.gross)
    assert [lp["investor_id"] for lp in body["lps"]] == [line.investor_id for line in report.lps]
    for item, line in zip(body["lps"], report.lps, strict=True):
        assert item["investor_name"] == line.investor_name
        assert_position(item, line.position)
    (deal,) = body["deals"]
    assert deal["company_id"] == world.company.id and deal["uscc"] == world.company.uscc
    assert_position(deal, report.deals[0].position)
    assert deal["multiples"]["moic"]["value"] == str(report.deals[0].position.tvpi)
    assert deal["multiples"]["moic"]["denominator"]["name"] == "invested"


def test_perspective_selects_the_parts(app: Flask) -> None:
    world = history_world()
    url = f"/api/v1/funds/{world.fund.id}/metrics?as_of=2022-10-31&perspective="
    body = get(app, url + "deal", world.gp_user.email).get_json()
    assert "deals" in body and not {"net", "gross", "lps"} & set(body)
    body = get(app, url + "fund_net,lps", world.gp_user.email).get_json()
    assert {"net", "lps"} <= set(body) and not {"gross", "deals"} & set(body)
    bad = get(app, url + "everything", world.gp_user.email)
    assert bad.status_code == 422 and bad.get_json()["field"] == "perspective"


def test_not_applicable_is_null_never_zero(app: Flask) -> None:
    world = make_world()
    body = get(app, f"/api/v1/funds/{world.fund.id}/metrics?as_of=2021-01-01",
               world.gp_user.email).get_json()
    net = body["net"]
    assert net["irr"] is None and net["irr_cumulative"] is None
    assert [net["multiples"][m]["value"] for m in ("dpi", "rvpi", "tvpi")] == [None] * 3
    assert net["value_basis"] == "cost" and net["value_on"] is None
    assert body["gross"] is None and body["deals"] == []


def test_history_lp_and_deal_endpoints(app: Flask) -> None:
    world = history_world()
    email, fid = world.gp_user.email, world.fund.id
    body = get(app, f"/api/v1/funds/{fid}/metrics/history?as_of=2022-11-15", email).get_json()
    points = P.quarterly_history(world.gp, fid, date(2022, 11, 15))
    assert [p["on"] for p in body["points"]] == [p.on.isoformat() for p in points]
    assert body["points"][0]["quarter"] == "2020Q1" and body["points"][0]["net"]["irr"] is None
    last = body["points"][-1]
    assert last["quarter"] == "2022-11-15" and last["net"]["tvpi"] == str(points[-1].net.tvpi)
    assert last["net"]["irr"] == rate(points[-1].net.irr)
    assert set(body["definitions"]) == {"fund_net", "fund_gross"}

    lp = world.lps[1]
    body = get(app, f"/api/v1/funds/{fid}/lps/{lp.id}/metrics?as_of=2022-10-31", email).get_json()
    assert body["lp"]["investor_id"] == lp.id and body["as_of"] == "2022-10-31"
    assert_position(body["lp"], P.lp_position(world.gp, fid, lp.id, AS_OF).position)

    url = f"/api/v1/funds/{fid}/deals/{world.company.id}/metrics?as_of=2022-10-31"
    body = get(app, url, email).get_json()
    assert body["deal"]["company_name"] == world.company.name
    assert_position(body["deal"], P.deal_position(world.gp, fid, world.company.id, AS_OF).position)
    # Unknown LP or company in a visible fund: 404.
    assert get(app, f"/api/v1/funds/{fid}/lps/999999/metrics", email).status_code == 404
    assert get(app, f"/api/v1/funds/{fid}/deals/999999/metrics", email).status_code == 404


def _urls(world: Any) -> list[str]:
    fid = world.fund.id
    return [f"/api/v1/funds/{fid}/metrics", f"/api/v1/funds/{fid}/metrics/history",
            f"/api/v1/funds/{fid}/lps/{world.lps[0].id}/metrics",
            f"/api/v1/funds/{fid}/deals/{world.company.id}/metrics"]


def test_token_required_and_other_organisations_get_404(app: Flask) -> None:
    world = history_world()
    for url in _urls(world):
        assert get(app, url, None).status_code == 401, url
        response = get(app, url, world.other_user.email)
        assert response.status_code == 404, url
        assert response.get_json() == {"error": "not_found", "message": "Not found"}
        assert get(app, url, world.gp_user.email).status_code == 200, url


@pytest.mark.parametrize(
    "bad", ["2022-02-30", "31/12/2022", "2022-1-1", "2999-12-31", "1900-01-01"]
)
def test_bad_as_of_is_422_naming_the_field(app: Flask, bad: str) -> None:
    world = history_world()
    for url in _urls(world):
        response = get(app, f"{url}?as_of={bad}", world.gp_user.email)
        assert response.status_code == 422, url
        body = response.get_json()
        assert body["error"] in {"not_a_date", "date_in_future", "date_too_early"}
        assert body["field"] == "as_of" and bad in body["message"]
