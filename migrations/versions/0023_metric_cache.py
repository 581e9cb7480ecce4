"""Shared metrics cache: the change log by fund (``metric_change``: which funds each
committed transaction touched, from which business date) and the computed figures
every server process reuses (``metric_cache``). See fundops/versions.py and
fundops/metrics/cache.py.

Revision ID: 0023_metric_cache
Revises: 0022_notices
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023_metric_cache'
down_revision = '0022_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('metric_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('from_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metric_change')))
    with op.batch_alter_table('metric_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_metric_change_version'), ['version'], unique=False)
    op.create_table('metric_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('params', sa.String(length=200), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('computed_ms', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metric_cache')),
    sa.UniqueConstraint('kind', 'fund_id', 'params',
                        name=op.f('uq_metric_cache_kind_fund_id_params')))


def downgrade() -> None:
    op.drop_table('metric_cache')
    with op.batch_alter_table('metric_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metric_change_version'))
    op.drop_table('metric_change')
