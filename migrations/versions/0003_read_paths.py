"""Read paths: composite indexes for per-fund aggregates and a write counter.

- ``ix_cash_flow_fund_kind_value_on`` (cash_flow: fund_id, kind, value_on, amount: a
  covering index, so per-kind sums up to a date never read the table) and
  ``ix_holding_valuation_holding_as_of`` (holding_valuation: fund_id, company_id, as_of)
  let the metrics read one fund's entries of one kind, or each holding's latest
  valuation, without touching the other rows.
- ``data_version``: one row counting audited write transactions; cached metrics are
  keyed by it (see ``fundops.audit.DataVersion``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cash_flow_fund_kind_value_on', 'cash_flow',
                    ['fund_id', 'kind', 'value_on', 'amount'], unique=False)
    op.create_index('ix_holding_valuation_holding_as_of', 'holding_valuation',
                    ['fund_id', 'company_id', 'as_of'], unique=False)
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    op.drop_table('data_version')
    op.drop_index('ix_holding_valuation_holding_as_of', table_name='holding_valuation')
    op.drop_index('ix_cash_flow_fund_kind_value_on', table_name='cash_flow')
