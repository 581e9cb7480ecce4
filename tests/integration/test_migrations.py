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
