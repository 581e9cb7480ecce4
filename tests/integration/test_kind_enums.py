"""Kinds kept as enums (migration 0014): the stored strings are the former literals, they
survive the migration both ways on a database with rows, and unknown values stop it."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

from fundops.extensions import db
from tests.conftest import make_app

ROOT = Path(__file__).parents[2]
COLUMNS = (("warrant", "status"), ("risk_pool_party", "role"), ("risk_pool_claim", "binding"),
           ("risk_pool_claim_share", "role"), ("policy_rule", "rule_type"),
           ("policy_rule", "basis"), ("policy_rule", "params"), ("api_token", "scope"))


def _migration() -> ModuleType:
    path = ROOT / "migrations" / "versions" / "0014_kind_enums.py"
    spec = importlib.util.spec_from_file_location("migration_0014", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_enum_values_are_the_former_literals() -> None:
    from fundops.auth.models import TokenScope
    from fundops.calc.loss_sharing import ClaimLimit, PoolRole
    from fundops.calc.policy import RULE_CHECKS, RULE_PARAMS, PolicyBasis, RuleType
    from fundops.calc.schedules import RepaymentType, SizingTerm
    from fundops.metrics.engine import Perspective
    from fundops.roles import Role
    from fundops.syndication.enums import RepaymentType as StoredRepaymentType
    from fundops.syndication.enums import WarrantStatus

    values = {cls: [m.value for m in cls] for cls in (
        WarrantStatus, PoolRole, ClaimLimit, RuleType, PolicyBasis, TokenScope, Role,
        Perspective, SizingTerm, RepaymentType)}
    assert values == {
        WarrantStatus: ["open", "exercised", "expired"],
        PoolRole: ["pool", "government", "guarantor", "re_guarantor", "tech_investment", "bank"],
        ClaimLimit: ["", "balance", "per_loan", "per_company", "per_year", "party_cap"],
        RuleType: ["gov_share_cap", "reinvest_multiple", "early_stage_min_share",
                   "small_company_min_share", "hard_tech_min_share", "single_deal_max",
                   "deployment_min_ratio", "idle_max_ratio", "paid_in_min_ratio"],
        PolicyBasis: ["subscribed", "paid_in"],
        TokenScope: ["read"],
        Role: ["admin", "maker", "checker", "viewer"],
        Perspective: ["fund_net", "lp_net", "fund_gross", "deal"],
        SizingTerm: ["product_cap", "equity_arrived", "post_money"],
        RepaymentType: ["equal_instalment", "equal_principal", "interest_only"],
    }
    assert StoredRepaymentType is RepaymentType  # the model stores calc's enum
    assert list(RULE_PARAMS) == list(RULE_CHECKS) == list(RuleType)
    # StrEnum: members still equal (and hash like) the strings compared elsewhere
    assert WarrantStatus.OPEN == "open" and {"per_loan": 1}[ClaimLimit.PER_LOAN] == 1
    assert not ClaimLimit.NONE and f"warrant.{WarrantStatus.EXPIRED}" == "warrant.expired"
    # the migration converts exactly these values
    kinds = _migration().KINDS
    assert {key: values for key, (_, values, _) in kinds.items()} == {
        ("warrant", "status"): tuple(values[WarrantStatus]),
        ("risk_pool_party", "role"): tuple(values[PoolRole]),
        ("risk_pool_claim", "binding"): tuple(values[ClaimLimit]),
        ("risk_pool_claim_share", "role"): tuple(values[PoolRole]),
        ("policy_rule", "rule_type"): tuple(values[RuleType]),
        ("policy_rule", "basis"): tuple(values[PolicyBasis]),
        ("api_token", "scope"): tuple(values[TokenScope]),
    }


def test_actor_role_is_the_role_enum() -> None:
    from fundops.roles import Role
    from fundops.uow import Actor

    assert Actor(1, 2, "checker").role is Role.CHECKER
    assert Actor(1, 2, Role.ADMIN).role is Role.ADMIN
    with pytest.raises(ValueError, match="'superuser' is not a valid Role"):
        Actor(1, 2, "superuser")


def test_labels_cover_every_member() -> None:
    from fundops.calc.loss_sharing import ClaimLimit, PoolRole
    from fundops.calc.policy import PolicyBasis, RuleType
    from fundops.metrics import parent_views
    from fundops.syndication.enums import WarrantStatus
    from fundops.syndication.pools import forms

    assert set(forms.ROLE_LABELS) == set(PoolRole)
    assert set(forms.BINDING_LABELS) == set(ClaimLimit) - {ClaimLimit.NONE}
    assert set(forms.WARRANT_LABELS) == set(WarrantStatus)
    assert set(parent_views.RULE_TYPE_LABELS) == set(RuleType)
    assert set(parent_views.POLICY_BASIS_LABELS) == set(PolicyBasis)


def _world() -> None:
    """A warrant, a pool with two claims (a cap binds on one, nothing on the other), a
    policy rule and an API token, all through the services."""
    from fundops.auth.accounts import issue_token
    from fundops.metrics.policy import set_policy_rule
    from fundops.syndication.loans import events as loan_events
    from fundops.syndication.pools import services as pools
    from tests.factories import make_fund, make_user
    from tests.integration.test_risk_pools import HUBEI, drawn_loan, funded_round, pool_for

    r = funded_round()
    manager, pool = pool_for(r, HUBEI, cap_per_loan="5000000")
    pools.add_contribution(manager, pool.id, funder="省财政", amount="100000000",
                           contributed_on="2024-01-02")
    for amount in ("10000000", "5000000"):
        loan = drawn_loan(r, amount)
        pools.enrol_loan(r.bank, pool.id, loan.id, "2024-07-10")
        loan_events.declare_default(r.bank, loan.id, value_on="2025-03-31", reason="停止经营")
        pools.file_claim(r.bank, loan.id, "2025-04-15")
    loan_events.add_warrant(
        r.bank,
        drawn_loan(r, "1000000").id,
        holder_name="持有人",
        coverage="0.1",
        window_from="2024-07-10",
        window_to="2026-07-10",
    )
    user, gp = make_user("GP 规则")
    fund = make_fund(gp)
    set_policy_rule(gp, fund.id, "early_stage_min_share",
                    {"min_share": "0.70", "stages": ["start_up", "seed"]}, "paid_in",
                    "2024-01-01", "《管理办法》第十条")
    issue_token(email=user.email, label="对接")


def _stored() -> dict[str, list[str]]:
    """The raw stored text of every converted column, in row order."""
    out = {}
    with db.engine.connect() as conn:
        for table, column in COLUMNS:
            out[f"{table}.{column}"] = list(conn.execute(sa.text(
                f"SELECT CAST({column} AS TEXT) FROM {table} ORDER BY id")).scalars())
    return out


EXPECTED = {
    "warrant.status": ["open"],
    "risk_pool_party.role": ["pool", "bank"],
    "risk_pool_claim.binding": ["per_loan", ""],
    "risk_pool_claim_share.role": ["pool", "bank", "pool", "bank"],
    "policy_rule.rule_type": ["early_stage_min_share"],
    "policy_rule.basis": ["paid_in"],
    "api_token.scope": ["read"],
}


def test_0014_keeps_the_stored_strings_down_and_up(empty_db_url: str) -> None:
    from flask_migrate import downgrade, upgrade

    from fundops.metrics.models import PolicyRule
    from fundops.syndication.enums import WarrantStatus
    from fundops.syndication.loans.models import Warrant
    from fundops.syndication.pools.models import RiskPoolClaim

    app = make_app(empty_db_url)
    with app.app_context():
        upgrade()
        _world()
        db.session.remove()
        written = _stored()
        params = written.pop("policy_rule.params")
        assert written == EXPECTED
        assert [json.loads(p) for p in params] == [
            {"min_share": "0.70", "stages": ["seed", "start_up"]}]

        downgrade(revision="0009_form_submissions")
        assert _stored() == written | {"policy_rule.params": params}
        with db.engine.connect() as conn:
            columns = {c["name"]: c["type"] for c in sa.inspect(conn).get_columns("policy_rule")}
        assert isinstance(columns["params"], sa.Text)

        upgrade()
        assert _stored() == written | {"policy_rule.params": params}
        assert db.session.scalar(sa.select(Warrant.status)) is WarrantStatus.OPEN
        rule = db.session.scalars(sa.select(PolicyRule)).one()
        assert rule.params_dict == {"min_share": "0.70", "stages": ["seed", "start_up"]}
        assert [c.binding for c in db.session.scalars(
            sa.select(RiskPoolClaim).order_by(RiskPoolClaim.id))] == ["per_loan", ""]
        db.session.remove()
        with db.engine.connect() as conn:  # the rebuilt tables keep their guards
            checks = {c["name"] for c in sa.inspect(conn).get_check_constraints("policy_rule")}
            assert "ck_policy_rule_basis_known" in checks
        for statement in ("UPDATE risk_pool_claim SET loss = loss",
                          "DELETE FROM risk_pool_claim_share"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), \
                    db.engine.begin() as conn:
                conn.execute(sa.text(statement))
        db.engine.dispose()


def test_0014_refuses_unknown_stored_values(empty_db_url: str,
                                           caplog: pytest.LogCaptureFixture) -> None:
    from alembic.migration import MigrationContext
    from flask_migrate import downgrade, upgrade

    app = make_app(empty_db_url)
    with app.app_context():
        upgrade()
        _world()
        db.session.remove()
        downgrade(revision="0009_form_submissions")
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE warrant SET status = 'lost'"))
            conn.execute(sa.text("UPDATE policy_rule SET params = 'not json'"))
        with pytest.raises(SystemExit):  # flask-migrate logs the RuntimeError's text
            upgrade()
        assert re.search(r"0014: unknown stored values, nothing changed: warrant\.status: "
                         r"\[\(1, 'lost'\)\]; policy_rule\.params of row 1 is not JSON",
                         caplog.text)
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == (
                "0009_form_submissions")
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE warrant SET status = 'expired'"))
            conn.execute(sa.text("UPDATE policy_rule SET params = '{\"min_share\": \"0.5\"}'"))
        upgrade()
        assert _stored()["warrant.status"] == ["expired"]
        db.engine.dispose()


def test_exchange_files_keep_the_strings_and_refuse_unknown_kinds(app: object,
                                                                   tmp_path: Path) -> None:
    """Exported kinds are the plain strings, ``params`` the canonical JSON text; an
    unknown role, limit or rule type, or params that are no JSON object, is a problem
    naming the field (nothing written), not a database error."""
    from fundops.exchange import ImportFailed, export_dataset, import_dataset
    from tests.integration.test_exchange import foreign, load_records, table_counts, write_dataset

    _world()
    export_dataset(str(tmp_path / "clean.json"))
    records = load_records(tmp_path / "clean.json")
    assert [r["status"] for r in records["warrant"]] == ["open"]
    assert [r["role"] for r in records["risk_pool_party"]] == ["pool", "bank"]
    assert [r["binding"] for r in records["risk_pool_claim"]] == ["per_loan", ""]
    assert [(r["rule_type"], r["basis"], r["params"]) for r in records["policy_rule"]] == [
        ("early_stage_min_share", "paid_in",
         '{"min_share": "0.70", "stages": ["seed", "start_up"]}')]
    records = foreign(records)
    records["risk_pool_party"][0]["role"] = "sponsor"
    records["risk_pool_claim"][0]["binding"] = "per_month"
    records["policy_rule"][0]["rule_type"] = "gov_share_floor"
    records["policy_rule"][0]["params"] = "[1, 2]"
    path = tmp_path / "bad.json"
    write_dataset(path, records)
    before = table_counts()
    with pytest.raises(ImportFailed) as caught:
        import_dataset(str(path))
    problems = "\n".join(caught.value.problems)
    for sheet, field, value in (("policy_rule", "rule_type", "gov_share_floor"),
                                ("risk_pool_party", "role", "sponsor"),
                                ("risk_pool_claim", "binding", "per_month")):
        assert re.search(rf"sheet '{sheet}', row 1, field '{field}': .*{value}", problems)
    assert re.search(r"sheet 'policy_rule', row 1, field 'params': .*JSON object", problems)
    db.session.rollback()
    assert table_counts() == before
