"""Fuzzing in the suite (issue 9 item 4): Schemathesis generates requests from the API's
own OpenAPI document (``GET /api/v1/openapi.json``) for EVERY operation it lists and sends
them to the WSGI app; each answer is checked against the document.

- Seeded and bounded: Hypothesis runs derandomized (the same requests every run, no
  example database, no shrinking) with a fixed number of valid and invalid examples per
  operation (:data:`BUDGET`); the whole run fits in a few minutes on SQLite.
- A seeded world: a GP with a funded fund, LPs, ledger entries, a company, a signed term
  sheet with a verification code, a bank with a product and loans (one drawn, with a
  warrant), a risk pool with the drawn loan enrolled, a held approval request, a parent
  fund of funds (:func:`seed_world`). Each request is sent as one of the seeded users
  (bearer token) with a fresh ``Idempotency-Key``; its path parameters (and top-level body
  fields) whose name the world knows take that user's real ids most of the time, another
  organisation's or the generated value otherwise. No route is named: a new operation of
  the document is fuzzed as it is (a new parameter name is listed in the figures).
- Examples accumulate writes (nothing is rolled back between them): what matters is that
  no answer is a 5xx and none contradicts the document.

Checks: no server error; status code, content type, headers and body as documented; a
request the document calls invalid is refused (4xx), and one it calls valid is never
refused for its *shape* (a 422 with a request-shape code of :mod:`fundops.api.fields`,
or a 400). The figures (operations, requests, failures by check) are printed.
"""

from __future__ import annotations

import itertools
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fundops.approvals import services as approvals
from fundops.auth.accounts import issue_token
from fundops.auth.models import User
from fundops.exits import ipo
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.pools import services as pools
from fundops.syndication.term_sheets.models import VerificationCode
from fundops.uow import Actor
from tests.factories import make_user, next_n
from tests.integration.test_lookthrough import build_fof
from tests.integration.test_risk_pools import HUBEI, drawn_loan, funded_round, pool_for

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

PREFIX = "/api/v1"
BUDGET = 2400
"""Requests of the whole run: each operation gets ``BUDGET // operations`` examples (12 to
40), two thirds valid, one third invalid. Measured: 2,340 requests over 65 operations in
40 s to 150 s on the shared 2-core machine (≈ 20–60 ms a request, more than half of it
Hypothesis generating)."""


def examples_per_mode(operations: int) -> dict[GenerationMode, int]:
    each = min(40, max(12, BUDGET // max(operations, 1)))
    return {GenerationMode.POSITIVE: each - each // 3, GenerationMode.NEGATIVE: each // 3}


SHAPE_CODES = frozenset({
    "syn_body_not_object", "syn_not_an_object", "syn_unknown_field", "syn_not_an_integer",
    "syn_not_a_string", "syn_not_in_values", "syn_amount_not_text", "syn_not_a_list",
    "not_boolean"})
"""The request-shape refusals of :mod:`fundops.api.fields` (a valid request never gets one)."""

NOT_THE_API = ("api-docs", "api")
"""Blueprints under /api/v1 that are not operations of the document: the document itself
(``api-docs``) and the temporary hand-written legacy blueprint (``api``, until the last
route has moved to flask-smorest)."""


class ShapeRefused(Failure):
    """A request the document calls valid was refused for its shape."""

    kind_title = "Valid request refused"


def valid_data_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
    """A positive case (every component valid per the document) must not be answered with
    a request-shape 422 or a 400 (the Idempotency-Key the document allows)."""
    meta = case.meta
    if meta is None or any(c.mode.is_negative for c in meta.components.values()):
        return None
    code = None
    if response.status_code in (400, 422):
        try:
            code = response.json().get("error")
        except ValueError:
            code = "not JSON"
    if response.status_code == 400 or code in SHAPE_CODES:
        raise ShapeRefused(operation=case.operation.label, message=(
            f"{response.status_code} {code}: {response.text[:300]}"))
    return None


CONFIG = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": ["400", "401", "403", "404", "405", "413", "415", "422"]}}})
"""An invalid request is refused before the service runs: no 2xx, and no 409 either (a
409 is the service's answer to a request the parser let through)."""

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection,
          valid_data_acceptance]


@dataclass
class Persona:
    """A seeded user: its bearer token and its organisation's objects by parameter name."""

    token: str
    examples: dict[str, list[Any]]


@dataclass
class World:
    """The seeded users, and every real value by parameter name (any organisation's)."""

    personas: list[Persona]
    examples: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, actor: Actor, **examples: list[Any]) -> None:
        user = db.session.get(User, actor.user_id)
        assert user is not None
        self.personas.append(Persona(issue_token(email=user.email, label="fuzz"), examples))
        for name, values in examples.items():
            self.examples.setdefault(name, []).extend(
                v for v in values if v not in self.examples.get(name, []))


def seed_exits(gp: Actor, fund_id: int, company_id: int) -> dict[str, list[Any]]:
    """A partial sale with escrow (part released) and an open buy-back claim on the
    holding: the exit routes' ids."""
    from fundops.exits import claims
    from fundops.exits import services as exits

    sale = exits.record_trade_sale(gp, fund_id, company_id=company_id, kind="trade_sale",
                                   value_on="2025-01-31", fraction="0.1",
                                   consideration="8000000", escrow="1000000")
    release = exits.release_escrow(gp, sale.id, value_on="2025-02-28", amount="100000",
                                   outcome="released")
    claim = claims.open_claim(gp, fund_id, company_id=company_id, obligor_kind="founders",
                              obligor_name="创始人", trigger="other", triggered_on="2025-03-31")
    return {"exit_id": [sale.id], "release_id": [release.id], "claim_id": [claim.id]}


def seed_world() -> World:
    """One of everything the API reaches, through the real services."""
    r = funded_round()
    fund_id, company_id = r.ts.lead_fund_id, r.ts.company_id
    lps = [services.create_investor(r.gp, f"LP fuzz {i} {next_n()}", "private")
           for i in range(2)]
    for lp in lps:
        services.add_commitment(r.gp, fund_id, lp.id, "100000000", "2020-03-01")
    entries = [r.lead_entry, ledger.record_distribution(
        r.gp, fund_id, value_on="2024-12-31", amount="1000000", distribution_type="gain").id]
    entries.append(ledger.record_valuation(r.gp, fund_id, as_of="2024-12-31",
                                           nav_amount="120000000").id)
    entries.append(ledger.record_holding_valuation(
        r.gp, fund_id, company_id=company_id, as_of="2024-12-31",
        fair_value_amount="70000000").id)
    drawn = drawn_loan(r, "10000000")
    applied = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id,
                                     amount="1000000")
    warrant = loan_events.add_warrant(r.bank, drawn.id, holder_name="银行投资子公司",
                                      coverage="0.1", window_from="2024-07-10",
                                      window_to="2027-07-10")
    manager, pool = pool_for(r, [dict(party) for party in HUBEI])
    pools.add_contribution(manager, pool.id, funder="省财政", amount="500000000",
                           contributed_on="2024-01-02")
    pools.enrol_loan(r.bank, pool.id, drawn.id, "2024-07-10")
    org = db.session.get(User, r.gp.user_id).organisation.name  # type: ignore[union-attr]
    _, maker = make_user(org, role="maker")
    _, checker = make_user(org, role="checker")
    approvals.set_policy(r.gp, "capital_call", "1000000")
    held = approvals.submit(maker, "capital_call", {
        "fund_id": fund_id, "value_on": "2024-08-01", "amount": "20000000",
        "purpose": "investment"})
    listing = ipo.record_listing(r.gp, fund_id, company_id, "2025-01-15", "SSE", "688001",
                                 "400000000", "1000000", "general", False)
    from fundops.exits import transfer_options, transfers
    from tests.integration.test_fees import fee_objects
    from tests.integration.test_waterfalls import waterfall_objects

    gov = services.create_investor(r.gp, f"引导基金 fuzz {next_n()}", "guidance_fund")
    services.add_commitment(r.gp, fund_id, gov.id, "10000000", "2020-03-01")
    option = transfer_options.create_option(
        r.gp, fund_id, holder_id=gov.id, window_from="2025-01-01", window_to="2030-12-31",
        eligible="social_lps", rate="0.03")
    transfer = transfers.record_transfer(
        r.gp, fund_id, seller_id=lps[0].id, buyer_id=lps[1].id, transfer_on="2025-01-31",
        commitment_amount="50000000", reference_on="2024-12-31", reference_nav="1000000",
        discount_rate="0.1")
    fof = build_fof()
    codes = list(db.session.scalars(sa.select(VerificationCode.id).where(
        VerificationCode.term_sheet_id == r.ts.id)))
    gp: dict[str, list[Any]] = {
        "fund_id": [fund_id], "lead_fund_id": [fund_id], "investor_id": [lp.id for lp in lps],
        "company_id": [company_id], "entry_id": entries, "cash_flow_id": entries,
        "term_sheet_id": [r.ts.id], "code_id": codes,
        "allocation_id": [a.id for a in r.ts.allocations], "request_id": [held.id],
        "listing_id": [listing.id], "transfer_id": [transfer.id], "option_id": [option.id],
        **seed_exits(r.gp, fund_id, company_id),
        "run_id": [waterfall_objects(r.gp, fund_id, lps[-1].id, "2025-03-31")["run_id"]],
        "draft_id": [fee_objects(r.gp, fund_id)["draft_id"]]}
    world = World([])
    world.add(r.gp, **gp)
    world.add(checker, **gp)
    world.add(r.bank, loan_id=[drawn.id, applied.id], product_id=[r.product_id],
              warrant_id=[warrant.id], pool_id=[pool.id], code=[r.code])
    world.add(manager, pool_id=[pool.id], bank_id=[r.bank.organisation_id],
              member_bank_ids=[[r.bank.organisation_id]], loan_id=[drawn.id])
    world.add(fof.guidance, fund_id=[fof.p.id], target_fund_id=[fof.a.id, fof.b.id],
              company_id=[fof.x.id])
    return world


@dataclass
class Tally:
    """The run's figures."""

    operations: int = 0
    requests: int = 0
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    per_operation: dict[str, Counter[int]] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    by_check: Counter[str] = field(default_factory=Counter)
    no_example: set[str] = field(default_factory=set)

    def answered(self, label: str, mode: GenerationMode, status: int) -> None:
        self.requests += 1
        self.statuses.setdefault(mode.value, Counter())[status] += 1
        self.per_operation.setdefault(label, Counter())[status] += 1

    def server_errors(self) -> int:
        return sum(n for by in self.statuses.values() for s, n in by.items() if s >= 500)

    def crash(self, operation: str, exc: Exception, case: Any) -> None:
        self.by_check["Server error"] += 1
        where = [f for f in traceback.extract_tb(exc.__traceback__) if "/fundops/" in f.filename
                 ] or traceback.extract_tb(exc.__traceback__)
        self.failures.setdefault((operation, f"Server error: {type(exc).__name__}"), (
            f"{exc} at {where[-1].filename}:{where[-1].lineno}\n"
            f"{case.as_curl_command(headers={'Authorization': '…'})}"[:900]))

    def record(self, group: FailureGroup, case: Any, response: Any) -> None:
        for failure in group.exceptions:
            self.by_check[failure.title] += 1
            self.failures.setdefault((failure.operation or "?", failure.title), (
                f"{failure.message[:600]}\n{response.status_code} {response.text[:300]}\n"
                f"{case.as_curl_command(headers={'Authorization': '…'})[:600]}"))


_keys = itertools.count(1)


def _value(name: str, given: Any, data: st.DataObject, persona: Persona, world: World,
           tally: Tally) -> Any:
    """One of the caller's own values (6 in 10, when it has one), any organisation's, or
    the generated value (2 in 10; Hypothesis favours small draws, so 0 is "own")."""
    if name not in world.examples:
        tally.no_example.add(name)
        return given
    pick = data.draw(st.integers(0, 9))
    if pick >= 8:
        return given
    own = persona.examples.get(name) if pick < 6 else None
    return data.draw(st.sampled_from(own or world.examples[name]))


def _adjust(case: Any, data: st.DataObject, world: World, tally: Tally) -> None:
    """A seeded user's token, real values part of the time (in the components generated
    valid: a negative one stays as generated), a fresh Idempotency-Key."""
    meta = case.meta
    negative = {loc for loc in ParameterLocation if meta is not None and meta.is_negative_at(loc)}
    names = set(case.path_parameters or {}) | set(
        case.body if isinstance(case.body, dict) else {})
    owners = [p for p in world.personas if names & set(p.examples)]
    persona = data.draw(st.sampled_from(owners or world.personas))
    if ParameterLocation.PATH not in negative:
        for name, given in list((case.path_parameters or {}).items()):
            case.path_parameters[name] = _value(name, given, data, persona, world, tally)
    if ParameterLocation.BODY not in negative and isinstance(case.body, dict):
        for name in [n for n in case.body if n in world.examples]:
            case.body[name] = _value(name, case.body[name], data, persona, world, tally)
    headers = case.headers if case.headers is not None else {}
    headers["Authorization"] = f"Bearer {persona.token}"
    if ParameterLocation.HEADER not in negative or "Idempotency-Key" not in headers:
        headers["Idempotency-Key"] = f"fuzz-{next(_keys)}"
    case.headers = headers
    case.meta  # noqa: B018 — revalidates which components are still negative


def fuzz_operation(operation: Any, world: World, tally: Tally, operations: int) -> None:
    """The operation's valid then invalid examples; failures are collected, not raised."""
    for mode, count in examples_per_mode(operations).items():
        _fuzz(operation, mode, count, world, tally)
    tally.operations += 1


def _fuzz(operation: Any, mode: GenerationMode, count: int, world: World, tally: Tally) -> None:
    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        _adjust(case, data, world, tally)
        try:
            response = case.call()
        except Exception as exc:  # noqa: BLE001 — the app raised (TESTING propagates): a 500
            tally.answered(operation.label, mode, 500)
            tally.crash(operation.label, exc, case)
            return
        tally.answered(operation.label, mode, response.status_code)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            tally.record(group, case, response)

    run()


def api_operations(app: Flask) -> set[tuple[str, str]]:
    """(method, rule) of every /api/v1 route of the URL map, the document's own and the
    legacy blueprint's left out (:data:`NOT_THE_API`)."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.rule.startswith(PREFIX + "/")
            and rule.endpoint.split(".")[0] not in NOT_THE_API
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def test_fuzz_every_operation_of_the_document(app: Flask, record_property: Any) -> None:
    world = seed_world()
    db.session.remove()
    schema = schemathesis.openapi.from_wsgi(
        PREFIX + "/openapi.json", app, config=CONFIG,
        headers={"Authorization": f"Bearer {world.personas[0].token}"})
    results = list(schema.get_all_operations())
    broken = [r.err() for r in results if not isinstance(r, Ok)]
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    tally, started = Tally(), time.monotonic()
    for operation in operations:
        fuzz_operation(operation, world, tally, len(operations))
    per_mode = " + ".join(f"{n} {mode.value}" for mode, n in
                          examples_per_mode(len(operations)).items())
    violations = sum(n for check, n in tally.by_check.items() if check != "Server error")
    for name, value in (("fuzz_operations", tally.operations),
                        ("fuzz_requests", tally.requests),
                        ("fuzz_server_errors", tally.server_errors()),
                        ("fuzz_violations", violations)):
        record_property(name, value)
    lines = [(f"fuzz: {tally.operations} operations, {tally.requests} requests "
              f"({per_mode} per operation) in {time.monotonic() - started:.0f} s; "
              f"server errors {tally.server_errors()}; violations {violations} "
              f"{dict(tally.by_check)}; path parameters without examples "
              f"{sorted(tally.no_example) or 'none'}")]
    lines += [f"  {mode}: {dict(sorted(by.items()))}"
              for mode, by in sorted(tally.statuses.items())]
    lines += [f"  {label}: {dict(sorted(by.items()))}"
              for label, by in sorted(tally.per_operation.items())]
    lines += [f"--- {label}: {title}\n{message}"
              for (label, title), message in sorted(tally.failures.items())]
    print("\n" + "\n".join(lines))  # noqa: T201 — the figures (shown with -s or on failure)
    assert not broken
    assert tally.operations == len(api_operations(app))
    assert tally.server_errors() == 0
    assert not tally.failures
