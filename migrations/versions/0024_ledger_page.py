"""A page of a fund's ledger, and funds' latest NAVs, without sorting every row.

``ix_cash_flow_fund_value_on_id`` (cash_flow: fund_id, value_on, id) lets the fund page
read its 25 newest entries (ORDER BY value_on DESC, id DESC LIMIT 25) by walking the
index backwards, instead of reading and sorting every entry of the fund (12 ms on
SQLite for a fund of 5,800 entries; 0.1 ms with the index).
``ix_fund_valuation_fund_as_of_id`` (fund_valuation: fund_id, as_of, id) gives each
fund's latest NAV as the last entry of its range (a parent's 200 sub-funds: 8.7 ms →
under 1 ms). ``ix_cash_flow_fund_target`` (cash_flow: fund_id, target_fund_id, kind,
amount; only the rows with a target fund) covers a parent's sums per sub-fund (11,000
entries: 10 ms → 2.8 ms); ``ix_cash_flow_fund_company`` (fund_id, company_id, kind,
amount; only the rows with a company) covers a fund's sums per holding (8.4 → 1.7 ms).

Revision ID: 0024_ledger_page
Revises: 0023_metric_cache
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024_ledger_page'
down_revision = '0023_metric_cache'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cash_flow_fund_value_on_id', 'cash_flow',
                    ['fund_id', 'value_on', 'id'], unique=False)
    op.create_index('ix_fund_valuation_fund_as_of_id', 'fund_valuation',
                    ['fund_id', 'as_of', 'id'], unique=False)
    op.create_index('ix_cash_flow_fund_target', 'cash_flow',
                    ['fund_id', 'target_fund_id', 'kind', 'amount'], unique=False,
                    sqlite_where=sa.text('target_fund_id IS NOT NULL'),
                    postgresql_where=sa.text('target_fund_id IS NOT NULL'))
    op.create_index('ix_cash_flow_fund_company', 'cash_flow',
                    ['fund_id', 'company_id', 'kind', 'amount'], unique=False,
                    sqlite_where=sa.text('company_id IS NOT NULL'),
                    postgresql_where=sa.text('company_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_cash_flow_fund_company', table_name='cash_flow')
    op.drop_index('ix_cash_flow_fund_target', table_name='cash_flow')
    op.drop_index('ix_fund_valuation_fund_as_of_id', table_name='fund_valuation')
    op.drop_index('ix_cash_flow_fund_value_on_id', table_name='cash_flow')
