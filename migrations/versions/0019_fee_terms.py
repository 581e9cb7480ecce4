"""Management fees: fee terms per fund (versioned, with tiers), fee drafts with their
calculation lines and per-LP split. Terms, tiers, lines and shares are append-only
(database triggers, as for the ledger); a draft's status is updated under the fund lock.

Revision ID: 0019_fee_terms
Revises: 0018_waterfalls
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019_fee_terms'
down_revision = '0018_waterfalls'
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("fee_terms", "fee_tier", "fee_draft_line", "fee_draft_share")


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


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table('fee_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('frequency', _enum('frequency', 'quarterly', 'semi_annual'), nullable=False),
    sa.Column('timing', _enum('timing', 'advance', 'arrears'), nullable=False),
    sa.Column('source', _enum('paymentsource', 'principal', 'income'), nullable=False),
    sa.Column('offset_rate', sa.BigInteger(), nullable=False),
    sa.Column('charge_in_extension', sa.Boolean(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_fee_terms_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_fee_terms_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_terms'))
    )
    with op.batch_alter_table('fee_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_terms_fund_id'), ['fund_id'], unique=False)

    op.create_table('fee_tier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terms_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('basis', _enum('basis', 'commitment', 'paid_in', 'invested_cost', 'nav'), nullable=False),
    sa.Column('rate', sa.BigInteger(), nullable=False),
    sa.Column('from_on', sa.Date(), nullable=False),
    sa.Column('to_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['terms_id'], ['fee_terms.id'], name=op.f('fk_fee_tier_terms_id_fee_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_tier'))
    )
    with op.batch_alter_table('fee_tier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_tier_terms_id'), ['terms_id'], unique=False)

    op.create_table('fee_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('terms_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('timing', _enum('timing', 'advance', 'arrears'), nullable=False),
    sa.Column('source', _enum('paymentsource', 'principal', 'income'), nullable=False),
    sa.Column('regular_amount', sa.BigInteger(), nullable=False),
    sa.Column('catch_up_amount', sa.BigInteger(), nullable=False),
    sa.Column('fee_amount', sa.BigInteger(), nullable=False),
    sa.Column('income_amount', sa.BigInteger(), nullable=False),
    sa.Column('offset_rate', sa.BigInteger(), nullable=False),
    sa.Column('offset_amount', sa.BigInteger(), nullable=False),
    sa.Column('net_amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', _enum('draftstatus', 'draft', 'posted', 'discarded'), nullable=False),
    sa.Column('live_period', sa.String(length=7), nullable=True),
    sa.Column('call_cash_flow_id', sa.Integer(), nullable=True),
    sa.Column('fee_cash_flow_id', sa.Integer(), nullable=True),
    sa.Column('prepared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prepared_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['call_cash_flow_id'], ['cash_flow.id'], name=op.f('fk_fee_draft_call_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_fee_draft_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['fee_cash_flow_id'], ['cash_flow.id'], name=op.f('fk_fee_draft_fee_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_fee_draft_fund_id_fund')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['user_account.id'], name=op.f('fk_fee_draft_prepared_by_id_user_account')),
    sa.ForeignKeyConstraint(['terms_id'], ['fee_terms.id'], name=op.f('fk_fee_draft_terms_id_fee_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_draft')),
    sa.UniqueConstraint('call_cash_flow_id', name=op.f('uq_fee_draft_call_cash_flow_id')),
    sa.UniqueConstraint('fee_cash_flow_id', name=op.f('uq_fee_draft_fee_cash_flow_id')),
    sa.UniqueConstraint('fund_id', 'live_period', name=op.f('uq_fee_draft_fund_id_live_period'))
    )
    with op.batch_alter_table('fee_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_draft_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_draft_terms_id'), ['terms_id'], unique=False)

    op.create_table('fee_draft_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('linekind', 'regular', 'catch_up'), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=True),
    sa.Column('basis', _enum('basis', 'commitment', 'paid_in', 'invested_cost', 'nav'), nullable=False),
    sa.Column('rate', sa.BigInteger(), nullable=False),
    sa.Column('from_on', sa.Date(), nullable=False),
    sa.Column('to_on', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('base_amount', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['fee_draft.id'], name=op.f('fk_fee_draft_line_draft_id_fee_draft')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_fee_draft_line_investor_id_investor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_draft_line'))
    )
    with op.batch_alter_table('fee_draft_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_draft_line_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_draft_line_investor_id'), ['investor_id'], unique=False)

    op.create_table('fee_draft_share',
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('weight_amount', sa.BigInteger(), nullable=False),
    sa.Column('regular_amount', sa.BigInteger(), nullable=False),
    sa.Column('catch_up_amount', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['fee_draft.id'], name=op.f('fk_fee_draft_share_draft_id_fee_draft')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_fee_draft_share_investor_id_investor')),
    sa.PrimaryKeyConstraint('draft_id', 'investor_id', name=op.f('pk_fee_draft_share'))
    )
    _triggers(create=True)


def downgrade() -> None:
    _triggers(create=False)
    op.drop_table('fee_draft_share')
    with op.batch_alter_table('fee_draft_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_draft_line_investor_id'))
        batch_op.drop_index(batch_op.f('ix_fee_draft_line_draft_id'))

    op.drop_table('fee_draft_line')
    with op.batch_alter_table('fee_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_draft_terms_id'))
        batch_op.drop_index(batch_op.f('ix_fee_draft_fund_id'))

    op.drop_table('fee_draft')
    with op.batch_alter_table('fee_tier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_tier_terms_id'))

    op.drop_table('fee_tier')
    with op.batch_alter_table('fee_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_terms_fund_id'))

    op.drop_table('fee_terms')
