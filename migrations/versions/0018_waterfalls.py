"""Distribution waterfalls: terms per fund (versioned by effective date, with GP-commitment
parties and 让利 tiers), runs with their per-party tier breakdown, and run reversals.
All seven tables are append-only (database triggers, as for the ledger).

Revision ID: 0018_waterfalls
Revises: 0017_interest_transfers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018_waterfalls'
down_revision = '0017_interest_transfers'
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("waterfall_terms", "waterfall_gp_party", "waterfall_concession",
                      "waterfall_beneficiary", "waterfall_run", "waterfall_slice",
                      "waterfall_run_reversal")


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


def upgrade() -> None:
    op.create_table('waterfall_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('structure', sa.Enum('whole_fund', 'deal_by_deal', name='structure', native_enum=False, length=32), nullable=False),
    sa.Column('capital_basis', sa.Enum('with_fees', 'without_fees', name='capitalbasis', native_enum=False, length=32), nullable=False),
    sa.Column('hurdle', sa.Enum('none', 'simple', 'compound', 'irr', name='hurdle', native_enum=False, length=32), nullable=False),
    sa.Column('hurdle_rate', sa.BigInteger(), nullable=False),
    sa.Column('catch_up_rate', sa.BigInteger(), nullable=True),
    sa.Column('carry_rate', sa.BigInteger(), nullable=False),
    sa.Column('holdback_rate', sa.BigInteger(), nullable=False),
    sa.Column('concession_placement', sa.Enum('before_carry', 'after_carry', name='concessionplacement', native_enum=False, length=32), nullable=False),
    sa.Column('carry_recipient_id', sa.Integer(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carry_recipient_id'], ['investor.id'], name=op.f('fk_waterfall_terms_carry_recipient_id_investor')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_waterfall_terms_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_waterfall_terms_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waterfall_terms'))
    )
    with op.batch_alter_table('waterfall_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waterfall_terms_carry_recipient_id'), ['carry_recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waterfall_terms_fund_id'), ['fund_id'], unique=False)

    op.create_table('waterfall_concession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terms_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('government_id', sa.Integer(), nullable=False),
    sa.Column('threshold_rate', sa.BigInteger(), nullable=False),
    sa.Column('share_rate', sa.BigInteger(), nullable=False),
    sa.Column('condition', sa.Enum('reinvestment', 'early_small', name='concessioncondition', native_enum=False, length=32), nullable=True),
    sa.ForeignKeyConstraint(['government_id'], ['investor.id'], name=op.f('fk_waterfall_concession_government_id_investor')),
    sa.ForeignKeyConstraint(['terms_id'], ['waterfall_terms.id'], name=op.f('fk_waterfall_concession_terms_id_waterfall_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waterfall_concession'))
    )
    with op.batch_alter_table('waterfall_concession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waterfall_concession_government_id'), ['government_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waterfall_concession_terms_id'), ['terms_id'], unique=False)

    op.create_table('waterfall_gp_party',
    sa.Column('terms_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_waterfall_gp_party_investor_id_investor')),
    sa.ForeignKeyConstraint(['terms_id'], ['waterfall_terms.id'], name=op.f('fk_waterfall_gp_party_terms_id_waterfall_terms')),
    sa.PrimaryKeyConstraint('terms_id', 'investor_id', name=op.f('pk_waterfall_gp_party'))
    )
    op.create_table('waterfall_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('terms_id', sa.Integer(), nullable=False),
    sa.Column('cash_flow_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('value_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('carry_amount', sa.BigInteger(), nullable=False),
    sa.Column('escrow_amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('conditions', sa.String(length=200), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cash_flow_id'], ['cash_flow.id'], name=op.f('fk_waterfall_run_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_waterfall_run_company_id_company')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_waterfall_run_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_waterfall_run_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['terms_id'], ['waterfall_terms.id'], name=op.f('fk_waterfall_run_terms_id_waterfall_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waterfall_run')),
    sa.UniqueConstraint('cash_flow_id', name=op.f('uq_waterfall_run_cash_flow_id'))
    )
    with op.batch_alter_table('waterfall_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waterfall_run_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waterfall_run_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waterfall_run_terms_id'), ['terms_id'], unique=False)

    op.create_table('waterfall_beneficiary',
    sa.Column('concession_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['concession_id'], ['waterfall_concession.id'], name=op.f('fk_waterfall_beneficiary_concession_id_waterfall_concession')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_waterfall_beneficiary_investor_id_investor')),
    sa.PrimaryKeyConstraint('concession_id', 'investor_id', name=op.f('pk_waterfall_beneficiary'))
    )
    op.create_table('waterfall_run_reversal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('cash_flow_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cash_flow_id'], ['cash_flow.id'], name=op.f('fk_waterfall_run_reversal_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_waterfall_run_reversal_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['run_id'], ['waterfall_run.id'], name=op.f('fk_waterfall_run_reversal_run_id_waterfall_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waterfall_run_reversal')),
    sa.UniqueConstraint('cash_flow_id', name=op.f('uq_waterfall_run_reversal_cash_flow_id')),
    sa.UniqueConstraint('run_id', name=op.f('uq_waterfall_run_reversal_run_id'))
    )
    op.create_table('waterfall_slice',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('capital', sa.BigInteger(), nullable=False),
    sa.Column('pref', sa.BigInteger(), nullable=False),
    sa.Column('catch_up', sa.BigInteger(), nullable=False),
    sa.Column('split', sa.BigInteger(), nullable=False),
    sa.Column('carry_catch_up', sa.BigInteger(), nullable=False),
    sa.Column('carry_split', sa.BigInteger(), nullable=False),
    sa.Column('concession_in', sa.BigInteger(), nullable=False),
    sa.Column('concession_out', sa.BigInteger(), nullable=False),
    sa.Column('ceded_before_carry', sa.BigInteger(), nullable=False),
    sa.Column('payment_amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_waterfall_slice_investor_id_investor')),
    sa.ForeignKeyConstraint(['run_id'], ['waterfall_run.id'], name=op.f('fk_waterfall_slice_run_id_waterfall_run')),
    sa.PrimaryKeyConstraint('run_id', 'investor_id', name=op.f('pk_waterfall_slice'))
    )
    _triggers(create=True)


def downgrade() -> None:
    _triggers(create=False)
    op.drop_table('waterfall_slice')
    op.drop_table('waterfall_run_reversal')
    op.drop_table('waterfall_beneficiary')
    with op.batch_alter_table('waterfall_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waterfall_run_terms_id'))
        batch_op.drop_index(batch_op.f('ix_waterfall_run_fund_id'))
        batch_op.drop_index(batch_op.f('ix_waterfall_run_company_id'))

    op.drop_table('waterfall_run')
    op.drop_table('waterfall_gp_party')
    with op.batch_alter_table('waterfall_concession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waterfall_concession_terms_id'))
        batch_op.drop_index(batch_op.f('ix_waterfall_concession_government_id'))

    op.drop_table('waterfall_concession')
    with op.batch_alter_table('waterfall_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waterfall_terms_fund_id'))
        batch_op.drop_index(batch_op.f('ix_waterfall_terms_carry_recipient_id'))

    op.drop_table('waterfall_terms')
