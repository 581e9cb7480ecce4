"""interest_transfer and buyout_option: transfers of LP interests (份额转让) and the
guidance fund's buy-out options; a commitment row may now be negative (a transfer's seller
row), never 0: ``ck_commitment_amount_positive`` becomes ``ck_commitment_amount_nonzero``.

On SQLite the commitment table is rebuilt (batch mode) for the new check, with foreign-key
enforcement off during the rebuild and checked afterwards, and its append-only triggers
are created again. A downgrade refuses while a negative commitment row exists.

Revision ID: 0017_interest_transfers
Revises: 0016_exit_reminders
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_interest_transfers"
down_revision = "0016_exit_reminders"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("interest_transfer",)
OLD_CHECK = ("amount_positive", "amount > 0")
NEW_CHECK = ("amount_nonzero", "amount <> 0")


def _triggers(tables: tuple[str, ...], create: bool) -> None:
    dialect = op.get_bind().dialect.name
    for table in tables:
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


def _swap_commitment_check(old: tuple[str, str], new: tuple[str, str]) -> None:
    """Replace the commitment amount check (SQLite: rebuild the table, then its triggers)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(f"ck_commitment_{old[0]}"), "commitment", type_="check")
        op.create_check_constraint(op.f(f"ck_commitment_{new[0]}"), "commitment", new[1])
        return
    raw = bind.connection.dbapi_connection
    raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        with op.batch_alter_table(
                "commitment", recreate="always",
                table_args=(sa.CheckConstraint(new[1], name=op.f(f"ck_commitment_{new[0]}")),),
                reflect_args=[]) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_commitment_{old[0]}"), type_="check")
        raw.commit()
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
    finally:
        raw.commit()
        raw.execute("PRAGMA foreign_keys=ON")
    _triggers(("commitment",), create=True)


def upgrade() -> None:
    _swap_commitment_check(OLD_CHECK, NEW_CHECK)
    op.create_table('buyout_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('window_from', sa.Date(), nullable=False),
    sa.Column('window_to', sa.Date(), nullable=False),
    sa.Column('eligible', sa.Enum('social_lps', 'gp', 'social_lps_and_gp', name='eligiblebuyers', native_enum=False, length=32), nullable=False),
    sa.Column('gp_investor_id', sa.Integer(), nullable=True),
    sa.Column('rate', sa.BigInteger(), nullable=False),
    sa.Column('interest_base', sa.Enum('original', 'unreturned', name='interestbase', native_enum=False, length=32), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_buyout_option_fund_id_fund')),
    sa.ForeignKeyConstraint(['gp_investor_id'], ['investor.id'], name=op.f('fk_buyout_option_gp_investor_id_investor')),
    sa.ForeignKeyConstraint(['holder_id'], ['investor.id'], name=op.f('fk_buyout_option_holder_id_investor')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_buyout_option_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buyout_option'))
    )
    with op.batch_alter_table('buyout_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_buyout_option_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_buyout_option_holder_id'), ['holder_id'], unique=False)

    op.create_table('interest_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('s_fund', 'buyout_option', 'early_exit', name='transferkind', native_enum=False, length=32), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('transfer_on', sa.Date(), nullable=False),
    sa.Column('fraction', sa.BigInteger(), nullable=False),
    sa.Column('commitment_amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_in_amount', sa.BigInteger(), nullable=False),
    sa.Column('price_basis', sa.Enum('formula', 'negotiated', 'cost_plus_interest', 'appraisal', name='pricebasis', native_enum=False, length=32), nullable=False),
    sa.Column('price_amount', sa.BigInteger(), nullable=False),
    sa.Column('formula_price_amount', sa.BigInteger(), nullable=True),
    sa.Column('reference_on', sa.Date(), nullable=True),
    sa.Column('reference_nav_amount', sa.BigInteger(), nullable=True),
    sa.Column('discount_rate', sa.BigInteger(), nullable=True),
    sa.Column('calls_after_amount', sa.BigInteger(), nullable=True),
    sa.Column('distributions_after_amount', sa.BigInteger(), nullable=True),
    sa.Column('rate', sa.BigInteger(), nullable=True),
    sa.Column('interest_base', sa.Enum('original', 'unreturned', name='interestbase', native_enum=False, length=32), nullable=True),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.Enum('not_set_up', 'idle_over_year', 'off_policy', 'not_per_charter', 'other_breach', name='earlyexittrigger', native_enum=False, length=32), nullable=True),
    sa.Column('appraisal_ref', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.Enum('beijing', 'shanghai', 'zhejiang', 'ningbo', 'guangdong', 'jiangsu', 'anhui', 'other', name='transferplatform', native_enum=False, length=32), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('seller_commitment_id', sa.Integer(), nullable=False),
    sa.Column('buyer_commitment_id', sa.Integer(), nullable=False),
    sa.Column('cash_flow_id', sa.Integer(), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['buyer_commitment_id'], ['commitment.id'], name=op.f('fk_interest_transfer_buyer_commitment_id_commitment')),
    sa.ForeignKeyConstraint(['buyer_id'], ['investor.id'], name=op.f('fk_interest_transfer_buyer_id_investor')),
    sa.ForeignKeyConstraint(['cash_flow_id'], ['cash_flow.id'], name=op.f('fk_interest_transfer_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_interest_transfer_fund_id_fund')),
    sa.ForeignKeyConstraint(['option_id'], ['buyout_option.id'], name=op.f('fk_interest_transfer_option_id_buyout_option')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_interest_transfer_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['reverses_id'], ['interest_transfer.id'], name=op.f('fk_interest_transfer_reverses_id_interest_transfer')),
    sa.ForeignKeyConstraint(['seller_commitment_id'], ['commitment.id'], name=op.f('fk_interest_transfer_seller_commitment_id_commitment')),
    sa.ForeignKeyConstraint(['seller_id'], ['investor.id'], name=op.f('fk_interest_transfer_seller_id_investor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_transfer')),
    sa.UniqueConstraint('buyer_commitment_id', name=op.f('uq_interest_transfer_buyer_commitment_id')),
    sa.UniqueConstraint('cash_flow_id', name=op.f('uq_interest_transfer_cash_flow_id')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_interest_transfer_reverses_id')),
    sa.UniqueConstraint('seller_commitment_id', name=op.f('uq_interest_transfer_seller_commitment_id'))
    )
    with op.batch_alter_table('interest_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_transfer_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_transfer_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_transfer_option_id'), ['option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interest_transfer_seller_id'), ['seller_id'], unique=False)
    _triggers(APPEND_ONLY_TABLES, create=True)


def downgrade() -> None:
    negative = op.get_bind().execute(
        sa.text("SELECT count(*) FROM commitment WHERE amount < 0")).scalar_one()
    if negative:
        raise RuntimeError(f"0017: {negative} negative commitment rows (transfers) exist; "
                           "nothing changed")
    _triggers(APPEND_ONLY_TABLES, create=False)
    with op.batch_alter_table('interest_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_transfer_seller_id'))
        batch_op.drop_index(batch_op.f('ix_interest_transfer_option_id'))
        batch_op.drop_index(batch_op.f('ix_interest_transfer_fund_id'))
        batch_op.drop_index(batch_op.f('ix_interest_transfer_buyer_id'))

    op.drop_table('interest_transfer')
    with op.batch_alter_table('buyout_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_buyout_option_holder_id'))
        batch_op.drop_index(batch_op.f('ix_buyout_option_fund_id'))

    op.drop_table('buyout_option')
    _swap_commitment_check(NEW_CHECK, OLD_CHECK)
