"""Metrics reference data: per-fund policy rules (with effective dates) and index levels.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 06:24:58.577820
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('index_code', sa.String(length=40), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    # ScaledDecimal(6): the level times 10**6 as an integer
    sa.Column('level', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('level > 0', name=op.f('ck_index_level_level_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_level')),
    sa.UniqueConstraint('index_code', 'on', name=op.f('uq_index_level_index_code_on'))
    )
    op.create_table('policy_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('rule_type', sa.String(length=40), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('basis', sa.String(length=12), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('source_citation', sa.String(length=300), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("basis IN ('subscribed', 'paid_in')", name=op.f('ck_policy_rule_basis_known')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_policy_rule_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_policy_rule_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_rule')),
    sa.UniqueConstraint('fund_id', 'rule_type', 'effective_from', name=op.f('uq_policy_rule_fund_id_rule_type_effective_from'))
    )
    with op.batch_alter_table('policy_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_rule_fund_id'), ['fund_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('policy_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_rule_fund_id'))

    op.drop_table('policy_rule')
    op.drop_table('index_level')
