"""Notices: the fund's receiving account (versioned by effective date) and the capital
call and distribution notices, one per LP line of a ledger entry. Both tables are
append-only (database triggers, as for the ledger).

Revision ID: 0022_notices
Revises: 0020_lp_payments
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022_notices'
down_revision = '0021_report_runs'
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("receiving_account", "notice")


def _triggers(create: bool) -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION fundops_append_only()" if create
                else f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action.lower()}")
                if create:
                    op.execute(
                        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, 'append-only: {action} on {table} is not "
                        "allowed'); END")


def _recorded() -> list[sa.Column]:
    return [sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('recorded_by_id', sa.Integer(), nullable=True)]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade() -> None:
    op.create_table('receiving_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('bank_name', sa.String(length=200), nullable=False),
    sa.Column('account_name', sa.String(length=200), nullable=False),
    sa.Column('account_number', sa.String(length=40), nullable=False),
    sa.Column('branch', sa.String(length=200), nullable=False),
    *_recorded(),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_receiving_account_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_receiving_account_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receiving_account'))
    )
    _indexes('receiving_account', 'fund_id')

    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('cash_flow_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('call', 'distribution', name='noticekind', native_enum=False, length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('carry_withheld', sa.BigInteger(), nullable=True),
    sa.Column('committed', sa.BigInteger(), nullable=False),
    sa.Column('paid_in', sa.BigInteger(), nullable=False),
    sa.Column('unfunded', sa.BigInteger(), nullable=False),
    sa.Column('distributed', sa.BigInteger(), nullable=False),
    *_recorded(),
    sa.ForeignKeyConstraint(['account_id'], ['receiving_account.id'], name=op.f('fk_notice_account_id_receiving_account')),
    sa.ForeignKeyConstraint(['cash_flow_id'], ['cash_flow.id'], name=op.f('fk_notice_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_notice_fund_id_fund')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_notice_investor_id_investor')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_notice_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
    sa.UniqueConstraint('cash_flow_id', 'investor_id', name=op.f('uq_notice_cash_flow_id_investor_id')),
    sa.UniqueConstraint('fund_id', 'kind', 'seq', name=op.f('uq_notice_fund_id_kind_seq'))
    )
    _indexes('notice', 'cash_flow_id', 'fund_id', 'investor_id')
    _triggers(create=True)


def downgrade() -> None:
    _triggers(create=False)
    op.drop_table('notice')
    op.drop_table('receiving_account')
