"""Contract drift: 405 with ``Allow`` on every route, out-of-range ids a plain 404 on every
/api/v1 route whatever the method, and the error codes the API answers are documented."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask

from fundops.syndication.loans import services as lending
from tests.integration.test_linked_loans import build_round
from tests.integration.test_syndication_api import API, Client, conforms

WRONG = ("GET", "POST", "PUT", "PATCH", "DELETE")


def sample_url(rule: Any, **values: Any) -> str:
    args = {name: values.get(name, 1) for name in rule.arguments}
    if "filename" in args:
        args["filename"] = "fundops.css"
    return str(rule.build(args, append_unknown=False)[1])


def test_every_route_answers_a_wrong_method_with_405_and_allow(app: Flask) -> None:
    client = app.test_client()
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        url = sample_url(rule)
        allowed = set(adapter.allowed_methods(url))
        for method in WRONG:
            if method in allowed:
                continue
            response = client.open(url, method=method)
            assert response.status_code == 405, f"{method} {url}"
            assert set(response.headers["Allow"].split(", ")) == allowed, f"{method} {url}"
            if url.startswith("/api/"):
                assert response.get_json()["error"] == "method_not_allowed"
            checked += 1
    assert checked > 150


def test_out_of_range_ids_are_404_on_every_api_route_and_method(app: Flask) -> None:
    r = build_round()
    bank, gp = Client(app, r.bank), Client(app, r.gp)
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API) or not rule.arguments:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for name in rule.arguments:
                for bad in (0, 2**31, 2**63, "007", "-1", "1.0"):
                    url = sample_url(rule, **{name: 1234567}).replace("/1234567", f"/{bad}")
                    for who in (bank, gp):
                        response = who.http.open(url, method=method, json={"note": "x"},
                                                 headers=who.headers)
                        assert response.status_code == 404, f"{method} {url}"
                        assert response.get_json()["error"] == "not_found"
                        walked += 1
    assert walked > 300
    assert bank.get("/loan-products/0").status_code == 404
    assert bank.get(f"/loan-products/{r.product_id}").status_code == 200
    assert bank.get(f"/loan-products/{2**31 - 1}").status_code == 404


def test_documented_error_codes_are_the_ones_answered(app: Flask) -> None:
    r = build_round()
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    bank = Client(app, r.bank)
    doc = bank.get("/openapi.json").get_json()
    responses = doc["components"]["responses"]
    for ops in doc["paths"].values():
        for method, op in ops.items():
            if method == "parameters":
                continue  # the path's own parameters (its ids), not an operation
            assert ("413" in op["responses"]) == ("requestBody" in op), op["operationId"]
            assert ("400" in op["responses"]) == any(
                p["name"] == "Idempotency-Key" for p in op.get("parameters", [])), op["operationId"]

    def answered(response: Any, status: int, component: str) -> None:
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        body = response.get_json()
        conforms(doc, {"$ref": "#/components/schemas/Error"}, body)
        assert body["error"] in responses[component]["x-error-codes"], body

    approve = API + f"/loans/{loan.id}/approve"
    answered(bank.http.post(approve, headers=bank.headers), 400, "BadRequest")
    answered(bank.http.post(approve, headers=bank.headers | {"Idempotency-Key": "k" * 256}),
             400, "BadRequest")
    answered(bank.http.post(approve, headers=bank.headers | {"Idempotency-Key": "a\tb"}),
             400, "BadRequest")
    decline = f"/loans/{loan.id}/decline"
    answered(bank.post(decline, {"note": "a\u0000"}), 422, "Invalid")
    answered(bank.post(decline, data=b'{"note": "\\ud800"}', content_type="application/json"),
             422, "Invalid")
    answered(bank.post(decline, data=b"[" * 70 + b"]" * 70, content_type="application/json"),
             422, "Invalid")
    answered(bank.post(decline, data=json.dumps({"note": "x" * 3_000_000}),
                       content_type="application/json"), 413, "TooLarge")
    answered(bank.get("/loans/0"), 404, "NotFound")
    answered(app.test_client().get(API + "/loans"), 401, "Unauthorized")


def test_the_generated_document_lists_every_api_route_and_only_those(app: Flask) -> None:
    """100 % of the /api/v1 routes (every method) are operations of the generated
    document, each with its path parameters; no operation lacks a route; and no
    interactive docs page is served (it would load its assets from a CDN)."""
    r = build_round()
    doc = Client(app, r.gp).get("/openapi.json").get_json()
    documented = {(path, method) for path, item in doc["paths"].items()
                  for method in item if method != "parameters"}
    routed: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/") or rule.endpoint == "api-docs.openapi_json":
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            routed.add((path, method.lower()))
            item = doc["paths"].get(path, {})
            params = item.get("parameters", []) + item.get(method.lower(), {}).get(
                "parameters", [])
            assert {p["name"] for p in params if p["in"] == "path"} == set(rule.arguments), path
    assert routed == documented, (routed - documented, documented - routed)
    assert len(routed) >= 60
    served = {rule.rule for rule in app.url_map.iter_rules()}
    assert not [u for u in served if any(ui in u for ui in ("swagger", "redoc", "rapidoc"))]
