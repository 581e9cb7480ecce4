"""Company identity shared by credit code: ``company_identity`` (uscc UNIQUE, registered
name, region) and ``company.identity_id``; a company row becomes one organisation's record
of the company, UNIQUE (created_by_organisation_id, identity_id) instead of UNIQUE (uscc).

Existing data: one identity per existing company (the credit code was unique), with the
company's name, region and creation time.

On SQLite the ``company`` table is rebuilt (batch mode) while other tables reference it,
so foreign-key enforcement is switched off for the rebuild (SQLite ignores that pragma
inside a transaction: the open one is committed first) and the references are checked
with ``PRAGMA foreign_key_check`` before it is switched back on.

Revision ID: 0012_company_identity
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0012_company_identity"
down_revision = "0010_login_attempts"
branch_labels = None
depends_on = None


@contextmanager
def _sqlite_foreign_keys_off() -> Iterator[None]:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection
    raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        raw.commit()
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the company rebuild: {broken[:5]}")
    finally:
        raw.commit()
        raw.execute("PRAGMA foreign_keys=ON")


def upgrade() -> None:
    op.create_table(
        "company_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("registered_name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_identity")),
        sa.UniqueConstraint("uscc", name=op.f("uq_company_identity_uscc")),
    )
    op.execute(
        "INSERT INTO company_identity (uscc, registered_name, region_code, created_at) "
        "SELECT uscc, name, region_code, created_at FROM company ORDER BY id"
    )
    with _sqlite_foreign_keys_off():
        with op.batch_alter_table("company", schema=None) as batch_op:
            batch_op.add_column(sa.Column("identity_id", sa.Integer(), nullable=True))
        op.execute(
            "UPDATE company SET identity_id = (SELECT i.id FROM company_identity i "
            "WHERE i.uscc = company.uscc)"
        )
        with op.batch_alter_table("company", schema=None) as batch_op:
            batch_op.alter_column("identity_id", existing_type=sa.Integer(), nullable=False)
            batch_op.drop_constraint("uq_company_uscc", type_="unique")
            batch_op.create_foreign_key(
                batch_op.f("fk_company_identity_id_company_identity"), "company_identity",
                ["identity_id"], ["id"])
            batch_op.create_index(batch_op.f("ix_company_identity_id"), ["identity_id"],
                                  unique=False)
            batch_op.create_unique_constraint(
                batch_op.f("uq_company_created_by_organisation_id_identity_id"),
                ["created_by_organisation_id", "identity_id"])


def downgrade() -> None:
    # Only possible while every credit code has a single record (UNIQUE (uscc) returns).
    with _sqlite_foreign_keys_off():
        with op.batch_alter_table("company", schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f("uq_company_created_by_organisation_id_identity_id"), type_="unique")
            batch_op.drop_index(batch_op.f("ix_company_identity_id"))
            batch_op.drop_constraint(
                batch_op.f("fk_company_identity_id_company_identity"), type_="foreignkey")
            batch_op.drop_column("identity_id")
            batch_op.create_unique_constraint(batch_op.f("uq_company_uscc"), ["uscc"])
    op.drop_table("company_identity")
