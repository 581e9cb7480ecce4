"""Report runs kept as records: one row per version of a (pack kind, subject, quarter) with
what it read (as-of date, data version, inputs hash and manifest, the reason of a new
version), and its files with their bytes, size and SHA-256.

``report_run_file`` is append-only; ``report_run`` refuses DELETE and any UPDATE but of
its ``status`` (current → superseded), by database triggers.

Revision ID: 0021_report_runs
Revises: 0018_waterfalls
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021_report_runs'
down_revision = '0020_lp_payments'
branch_labels = None
depends_on = None

FROZEN_RUN_COLUMNS = (
    "id", "organisation_id", "kind", "subject", "subject_id", "fund_id", "quarter", "as_of",
    "version", "data_version", "inputs_hash", "input_rows", "inputs_manifest", "reason",
    "changes", "created_at", "created_by_id", "created_via")


def _triggers(create: bool) -> None:
    dialect = op.get_bind().dialect.name
    frozen = ", ".join(FROZEN_RUN_COLUMNS)
    # (name, event) per table: the file rows never change; a run row only its status
    triggers = (("report_run_file_no_update", "UPDATE", "report_run_file"),
                ("report_run_file_no_delete", "DELETE", "report_run_file"),
                ("report_run_no_update", f"UPDATE OF {frozen}", "report_run"),
                ("report_run_no_delete", "DELETE", "report_run"))
    for name, event, table in triggers:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
                "EXECUTE FUNCTION fundops_append_only()" if create
                else f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            if create:
                action = event.split()[0]
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {event} ON {table} BEGIN SELECT "
                    f"RAISE(ABORT, 'append-only: {action} on {table} is not allowed'); END")


def upgrade() -> None:
    op.create_table('report_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.Enum('fund', 'organisation', name='runsubject', native_enum=False, length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('current', 'superseded', name='runstatus', native_enum=False, length=32), nullable=False),
    sa.Column('data_version', sa.BigInteger(), nullable=False),
    sa.Column('inputs_hash', sa.String(length=64), nullable=False),
    sa.Column('input_rows', sa.Integer(), nullable=False),
    sa.Column('inputs_manifest', sa.LargeBinary(), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_via', sa.String(length=20), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_report_run_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_report_run_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_report_run_fund_id_fund')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_report_run_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_run')),
    sa.UniqueConstraint('kind', 'subject', 'subject_id', 'quarter', 'version', name=op.f('uq_report_run_kind_subject_subject_id_quarter_version'))
    )
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_run_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_run_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('report_run_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['report_run.id'], name=op.f('fk_report_run_file_run_id_report_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_run_file')),
    sa.UniqueConstraint('run_id', 'name', name=op.f('uq_report_run_file_run_id_name'))
    )
    with op.batch_alter_table('report_run_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_run_file_run_id'), ['run_id'], unique=False)
    _triggers(create=True)


def downgrade() -> None:
    _triggers(create=False)
    with op.batch_alter_table('report_run_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_run_file_run_id'))

    op.drop_table('report_run_file')
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_run_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_report_run_fund_id'))

    op.drop_table('report_run')
