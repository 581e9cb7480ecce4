"""Alembic migrations build the schema from empty on both databases, matching the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fundops.extensions import db
from tests.conftest import make_app, migrate


def test_upgrade_from_empty_matches_models(empty_db_url: str) -> None:
    engine = sa.create_engine(empty_db_url)
    assert sa.inspect(engine).get_table_names() == []
    migrate(empty_db_url)
    tables = set(sa.inspect(engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def test_downgrade_to_base_and_up_again(empty_db_url: str) -> None:
    from flask_migrate import downgrade, upgrade

    app = make_app(empty_db_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "cash_flow" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


@pytest.mark.parametrize("table", ["cash_flow", "cash_flow_allocation", "commitment",
                                   "audit_event", "fund_valuation", "investment"])
def test_append_only_tables_refuse_update_and_delete_in_sql(app, table: str) -> None:
    from tests.factories import fund_with_activity, make_world

    fund_with_activity(make_world())
    row_id = db.session.scalar(sa.text(f"SELECT min(id) FROM {table}"))
    assert row_id is not None
    for statement in (f"UPDATE {table} SET id = id WHERE id = :id",
                      f"DELETE FROM {table} WHERE id = :id"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement), {"id": row_id})
        db.session.rollback()
    assert db.session.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE id = :id"),
                             {"id": row_id}) == 1


def test_company_identity_migration_links_existing_companies(empty_db_url: str) -> None:
    """0012 gives every existing company its own identity (with its name and region) and
    keeps the rows that reference companies; afterwards a second organisation can record
    the same credit code, sharing the identity."""
    from flask_migrate import upgrade

    from fundops.identifiers import make_uscc
    from fundops.models import Company, CompanyIdentity
    from fundops.portfolio import services
    from tests.factories import make_user

    codes = [make_uscc("91440300MA5F0000" + d) for d in "12"]
    app = make_app(empty_db_url)
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organisation (name, kind, created_at) "
                "VALUES ('GP 甲', 'gp', '2024-01-01 00:00:00+00:00')"))
            org = conn.execute(sa.text("SELECT id FROM organisation")).scalar_one()
            for i, code in enumerate(codes, start=1):
                conn.execute(sa.text(
                    "INSERT INTO company (created_by_organisation_id, name, uscc, sector, "
                    "is_hard_tech, stage, region_code, is_sme, created_at) VALUES (:org, "
                    ":name, :code, '半导体', :hard, 'seed', '440300', :sme, "
                    "'2024-01-02 00:00:00+00:00')"),
                    {"org": org, "name": f"公司{i}", "code": code, "hard": True, "sme": False})
                conn.execute(sa.text(
                    "INSERT INTO company_tag (company_id, tag) "
                    "SELECT id, 'srdi' FROM company WHERE uscc = :code"), {"code": code})
        upgrade()
        identities = {i.uscc: i for i in db.session.scalars(sa.select(CompanyIdentity))}
        assert sorted(identities) == sorted(codes)
        companies = db.session.scalars(sa.select(Company).order_by(Company.id)).all()
        assert [(c.name, c.uscc, c.sector) for c in companies] == [
            ("公司1", codes[0], "半导体"), ("公司2", codes[1], "半导体")]
        for c in companies:
            identity = identities[c.uscc]
            assert c.identity_id == identity.id
            assert (identity.registered_name, identity.region_code) == (c.name, c.region_code)
            assert [t.value for t in c.tag_values] == ["srdi"]
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        _, other = make_user("GP 乙")
        theirs = services.create_company(other, name="公司一", uscc=codes[0], sector="AI",
                                         stage="growth", region_code="110000")
        assert theirs.identity_id == identities[codes[0]].id and theirs.name == "公司1"
        db.session.remove()
        db.engine.dispose()
