"""A company's identity (credit code, registered name, region) is shared by every
organisation; each organisation's record of it (sector, stage, flags, tags, valuations)
stays its own. Two GPs invest in the same company; a parent above both sees it once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.exchange import export_dataset, import_dataset
from fundops.exchange.problems import ImportFailed
from fundops.extensions import db
from fundops.identifiers import make_uscc
from fundops.metrics.lookthrough import look_through, look_through_history
from fundops.models import Company, CompanyIdentity, Fund
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.access import get_company, list_companies
from fundops.portfolio.company_choice import find_companies
from fundops.uow import Actor
from tests.factories import make_company, make_fund, make_user, next_n
from tests.threads import race

M = 1_000_000


@dataclass
class Shared:
    """GP A and GP B each record the same company; guidance fund P is an LP of both funds."""

    gp_a: Actor
    gp_b: Actor
    guidance: Actor
    fund_a: Fund
    fund_b: Fund
    p: Fund
    rec_a: Company
    rec_b: Company
    uscc: str
    users: dict[str, str]  # role → email


def two_gps_one_company() -> Shared:
    """A registers the company first (name, region 440305); B registers the same code with
    another name and region, and its own sector, stage, flags and tags. A invests 100m
    (fair value 120m), B 50m; P holds 1/5 of each fund's commitments."""
    n = next_n()
    user_a, ga = make_user(f"GP A {n}")
    user_b, gb = make_user(f"GP B {n}")
    user_p, g = make_user(f"引导基金 {n}", kind="guidance_fund_manager")
    p = make_fund(g, kind="parent_fund", registration_no=f"P{n}", is_guidance_fund=True)
    fund_a, fund_b = make_fund(ga), make_fund(gb)
    for actor, fund, parent_amount, other_amount in (
        (ga, fund_a, 200, 800),
        (gb, fund_b, 100, 400),
    ):
        lp_p = services.create_investor(actor, "母基金P", "guidance_fund",
                                        fund_registration_no=f"P{n}")
        lp_x = services.create_investor(actor, "民营LP", "private")
        services.add_commitment(actor, fund.id, lp_p.id, str(parent_amount * M), "2020-03-01")
        services.add_commitment(actor, fund.id, lp_x.id, str(other_amount * M), "2020-03-01")
    uscc = make_uscc(f"91440300MA{n:07d}")
    rec_a = make_company(ga, "深圳芯测科技有限公司", uscc=uscc, sector="半导体", stage="growth",
                         region_code="440305", is_hard_tech=True, is_sme=False, tags=["srdi"])
    rec_b = make_company(gb, "芯测科技", uscc=uscc.lower(), sector="集成电路设计", stage="seed",
                         region_code="440300", is_hard_tech=False, is_sme=True,
                         tags=["high_tech", "little_giant"])
    for actor, fund, company, amount in ((ga, fund_a, rec_a, 100), (gb, fund_b, rec_b, 50)):
        ledger.record_investment(actor, fund.id, company_id=company.id, round_name="B",
                                 instrument="ordinary_equity", invested_on="2021-05-10",
                                 amount=str(amount * M))
    ledger.record_holding_valuation(ga, fund_a.id, company_id=rec_a.id, as_of="2022-06-30",
                                    fair_value_amount=str(120 * M))
    return Shared(ga, gb, g, fund_a, fund_b, p, rec_a, rec_b, uscc,
                  {"a": user_a.email, "b": user_b.email, "p": user_p.email})


def test_each_gp_records_the_company_with_its_own_facts(app: Flask) -> None:
    s = two_gps_one_company()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompanyIdentity)) == 1
    identity = db.session.scalar(sa.select(CompanyIdentity))
    assert identity is not None
    assert (identity.uscc, identity.registered_name, identity.region_code) == (
        s.uscc, "深圳芯测科技有限公司", "440305")
    assert s.rec_a.id != s.rec_b.id and s.rec_a.identity_id == s.rec_b.identity_id == identity.id
    # the public facts are the identity's, the private ones each organisation's own
    assert (s.rec_b.name, s.rec_b.uscc, s.rec_b.region_code) == (
        "深圳芯测科技有限公司", s.uscc, "440305")
    assert (s.rec_a.sector, s.rec_a.stage.value, s.rec_a.is_hard_tech, s.rec_a.is_sme) == (
        "半导体", "growth", True, False)
    assert (s.rec_b.sector, s.rec_b.stage.value, s.rec_b.is_hard_tech, s.rec_b.is_sme) == (
        "集成电路设计", "seed", False, True)
    assert [t.value for t in s.rec_a.tag_values] == ["srdi"]
    assert [t.value for t in s.rec_b.tag_values] == ["high_tech", "little_giant"]
    # neither sees the other's record; each lists only its own
    with pytest.raises(NotFound):
        get_company(s.gp_b, s.rec_a.id)
    with pytest.raises(NotFound):
        get_company(s.gp_a, s.rec_b.id)
    assert [c.id for c in list_companies(s.gp_a)] == [s.rec_a.id]
    assert [c.id for c in list_companies(s.gp_b)] == [s.rec_b.id]
    # ... and cannot value or invest through the other's record
    with pytest.raises(NotFound):
        ledger.record_holding_valuation(s.gp_b, s.fund_b.id, company_id=s.rec_a.id,
                                        as_of="2022-06-30", fair_value_amount="1")
    with pytest.raises(NotFound):
        ledger.record_investment(s.gp_b, s.fund_b.id, company_id=s.rec_a.id, round_name="C",
                                 instrument="ordinary_equity", invested_on="2021-06-01",
                                 amount="1")


def test_an_organisation_records_a_company_once(app: Flask) -> None:
    s = two_gps_one_company()
    with pytest.raises(ValidationError) as err:
        make_company(s.gp_b, "芯测", uscc=s.uscc)
    assert (err.value.field, err.value.code) == ("uscc", "company_already_recorded")
    assert s.uscc in str(err.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Company).where(
        Company.uscc == s.uscc)) == 2


def test_parent_above_both_gps_sees_the_company_once(app: Flask) -> None:
    s = two_gps_one_company()
    res = look_through(s.guidance, s.p.id, "2022-12-31", basis="commitment")
    # P holds 200/1000 of A and 100/500 of B: 1/5 · 120m (A's fair value) + 1/5 · 50m (B's cost)
    assert len(res.rows) == 1
    row = res.rows[0]
    assert row.exposure_amount == Decimal("34000000.00") and res.total_exact == 34 * M
    assert sorted(v.fund_id for v in row.via) == sorted([s.fund_a.id, s.fund_b.id])
    assert row.value_basis == "mixed" and res.consistent
    # labelled by the earliest record (A's): its sector, stage and tags, one company each
    assert (row.company_id, row.sector, row.stage, row.tags) == (
        s.rec_a.id, "半导体", "growth", ("srdi",))
    assert [(b.key, b.companies) for b in res.by_sector] == [("半导体", 1)]
    hist = look_through_history(s.guidance, s.p.id, ["2022-12-31"], basis="commitment")
    assert hist.points[0].total_exact == res.total_exact
    assert [k for k, _ in hist.points[0].by_sector] == ["半导体"]
    # each GP's own look-through shows its own record only
    own_b = look_through(s.gp_b, s.fund_b.id, "2022-12-31")
    assert [(r.company_id, r.sector) for r in own_b.rows] == [(s.rec_b.id, "集成电路设计")]


def test_the_parents_own_record_labels_its_view(app: Flask) -> None:
    s = two_gps_one_company()
    rec_p = make_company(s.guidance, "芯测", uscc=s.uscc, sector="硬科技", stage="mature",
                         tags=[])
    services.create_investor(s.guidance, "财政局", "fiscal")
    ledger.record_investment(s.guidance, s.p.id, company_id=rec_p.id, round_name="B",
                             instrument="ordinary_equity", invested_on="2021-05-10",
                             amount=str(10 * M))
    res = look_through(s.guidance, s.p.id, "2022-12-31", basis="commitment")
    assert len(res.rows) == 1
    row = res.rows[0]
    assert (row.company_id, row.sector, row.stage, row.tags) == (rec_p.id, "硬科技", "mature", ())
    assert row.exposure_amount == Decimal("44000000.00") and row.paths == 3 and res.consistent
    # GP B (an outsider to P's books) still sees its own label on its own fund
    assert look_through(s.gp_b, s.fund_b.id, "2022-12-31").rows[0].company_id == s.rec_b.id


def test_concurrent_first_registrations_make_one_identity(app: Flask) -> None:
    n = next_n()
    actors = [make_user(f"并发 GP {n}-{i}")[1] for i in range(3)]
    uscc = make_uscc(f"91440300MB{n:07d}")
    db.session.remove()

    def register(i: int) -> None:
        services.create_company(actors[i % 3], name=f"并发公司 {i}", uscc=uscc, sector="AI",
                                stage="seed", region_code="440300")

    outcomes = race(app, register, list(range(6)), (ValidationError, ConflictError))  # type: ignore[arg-type]
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 3  # one record per organisation
    identities = db.session.scalars(sa.select(CompanyIdentity).where(
        CompanyIdentity.uscc == uscc)).all()
    assert len(identities) == 1
    records = db.session.scalars(sa.select(Company).where(Company.uscc == uscc)).all()
    assert sorted(r.created_by_organisation_id for r in records) == sorted(
        a.organisation_id for a in actors)
    assert {r.identity_id for r in records} == {identities[0].id}
    assert {r.name for r in records} == {identities[0].registered_name}


def test_export_import_round_trips_the_shared_identity(
    app: Flask, backend: str, request: pytest.FixtureRequest, tmp_root: str, tmp_path: Path,
) -> None:
    from tests.integration.test_exchange import second_app

    two_gps_one_company()
    path = tmp_path / "data.json"
    export_dataset(str(path))
    doc = json.loads(path.read_text(encoding="utf-8"))
    with second_app(backend, request, tmp_root):
        import_dataset(str(path))
        identities = db.session.scalars(sa.select(CompanyIdentity)).all()
        records = db.session.scalars(sa.select(Company).order_by(Company.id)).all()
        assert len(identities) == 1 and len(records) == 2
        assert {r.identity_id for r in records} == {identities[0].id}
        assert [r.sector for r in records] == ["半导体", "集成电路设计"]
        again = tmp_path / "again.json"
        export_dataset(str(again))
        redone = json.loads(again.read_text(encoding="utf-8"))["records"]["company"]

        def facts(rows: list[dict[str, object]]) -> list[dict[str, object]]:
            return [{k: v for k, v in r.items() if k not in ("id", "created_by_organisation_id")}
                    for r in rows]

        assert facts(redone) == facts(doc["records"]["company"])
    # records of one code that disagree on the registered name are refused, nothing written
    doc["records"]["company"][1]["name"] = "另一个名字"
    for row in doc["records"]["organisation"]:
        row["name"] += " (copy)"
    for row in doc["records"]["user"]:
        row["email"] = "copy." + row["email"]
    for row in doc["records"]["fund"]:
        if row["registration_no"]:
            row["registration_no"] += "-C"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    problems = "\n".join(caught.value.problems)
    assert "sheet 'company', row 2, field 'name'" in problems
    assert "credit code" in problems


def test_pages_register_a_known_code_and_pick_the_own_record(app: Flask) -> None:
    from tests.conftest import Browser
    from tests.factories import PASSWORD

    s = two_gps_one_company()
    parent = Browser(app.test_client())
    assert parent.login(s.users["p"], PASSWORD).status_code == 302
    # before it has its own record, the parent may pick the records it sees as an LP: the
    # code matches both, so the form offers both by their record numbers
    investment = {"round_name": "B", "instrument": "ordinary_equity",
                  "invested_on": "2021-06-01", "amount": "1000000"}
    url = f"/funds/{s.p.id}/investments/new"
    form = parent.post(url, investment | {"company_id": s.uscc}).get_data(as_text=True)
    assert "2 条企业记录" in form
    assert f'value="{s.rec_a.id}"' in form and f'value="{s.rec_b.id}"' in form
    response = parent.post("/companies/new", {
        "name": "芯测", "uscc": s.uscc, "sector": "硬科技", "stage": "mature",
        "region_code": "110000"}, follow_redirects=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "已登记为 深圳芯测科技有限公司（地区 440305）" in body  # the interface is Chinese
    rec_p = db.session.scalar(sa.select(Company).where(
        Company.created_by_organisation_id == s.guidance.organisation_id))
    assert rec_p is not None and (rec_p.name, rec_p.region_code, rec_p.sector) == (
        "深圳芯测科技有限公司", "440305", "硬科技")
    form = parent.client.get(url).get_data(as_text=True)
    assert f'<option value="{s.uscc}">深圳芯测科技有限公司</option>' in form
    assert f'value="{s.rec_a.id}"' not in form and f'value="{s.rec_b.id}"' not in form
    # the code now means the own record only; the others' records are no longer offered
    assert find_companies(s.guidance.organisation_id, s.uscc) == [rec_p]
    refused = parent.post(url, investment | {"company_id": str(s.rec_a.id)})
    assert refused.status_code == 422 and "没有可使用的企业" in refused.get_data(as_text=True)
    again = parent.post("/companies/new", {
        "name": "芯测", "uscc": s.uscc, "sector": "x", "stage": "seed", "region_code": "110000"})
    assert again.status_code == 422
    text = again.get_data(as_text=True)
    assert s.uscc in text and ("本机构已登记" in text or "already recorded the company" in text)
