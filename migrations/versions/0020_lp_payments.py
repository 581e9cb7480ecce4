"""LP payments: payment terms per fund (versioned by effective date), capital calls issued
with their due dates (a side table keyed by the call's ledger entry), receipts against call
lines and default-interest charges, the charges, and later closers' equalisations. All six
tables are append-only (database triggers, as for the ledger).

Revision ID: 0020_lp_payments
Revises: 0018_waterfalls
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020_lp_payments'
down_revision = '0019_fee_terms'
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("payment_terms", "call_issue", "interest_charge", "call_receipt",
                      "equalisation", "equalisation_line")


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
    op.create_table('payment_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('days_to_pay', sa.Integer(), nullable=False),
    sa.Column('default_rate', sa.BigInteger(), nullable=False),
    sa.Column('default_convention', sa.Enum('daily', 'annual_act365', name='defaultconvention', native_enum=False, length=32), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('equalisation_rate', sa.BigInteger(), nullable=False),
    sa.Column('equalisation_compounding', sa.Enum('simple', 'annual', name='premiumcompounding', native_enum=False, length=32), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    *_recorded(),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_payment_terms_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_payment_terms_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_terms'))
    )
    _indexes('payment_terms', 'fund_id')

    op.create_table('call_issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('cash_flow_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('terms_id', sa.Integer(), nullable=True),
    *_recorded(),
    sa.ForeignKeyConstraint(['cash_flow_id'], ['cash_flow.id'], name=op.f('fk_call_issue_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_call_issue_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_call_issue_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['terms_id'], ['payment_terms.id'], name=op.f('fk_call_issue_terms_id_payment_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_issue')),
    sa.UniqueConstraint('cash_flow_id', name=op.f('uq_call_issue_cash_flow_id'))
    )
    _indexes('call_issue', 'fund_id')

    op.create_table('interest_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('accrued_to', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    *_recorded(),
    sa.ForeignKeyConstraint(['allocation_id'], ['cash_flow_allocation.id'], name=op.f('fk_interest_charge_allocation_id_cash_flow_allocation')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_interest_charge_fund_id_fund')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_interest_charge_investor_id_investor')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_interest_charge_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_charge'))
    )
    _indexes('interest_charge', 'allocation_id', 'fund_id', 'investor_id')

    op.create_table('call_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('charge_id', sa.Integer(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('bank_reference', sa.String(length=100), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    *_recorded(),
    sa.ForeignKeyConstraint(['allocation_id'], ['cash_flow_allocation.id'], name=op.f('fk_call_receipt_allocation_id_cash_flow_allocation')),
    sa.ForeignKeyConstraint(['charge_id'], ['interest_charge.id'], name=op.f('fk_call_receipt_charge_id_interest_charge')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_call_receipt_fund_id_fund')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_call_receipt_investor_id_investor')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_call_receipt_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['reverses_id'], ['call_receipt.id'], name=op.f('fk_call_receipt_reverses_id_call_receipt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_receipt')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_call_receipt_reverses_id'))
    )
    _indexes('call_receipt', 'allocation_id', 'charge_id', 'fund_id', 'investor_id')

    op.create_table('equalisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('equalised_on', sa.Date(), nullable=False),
    sa.Column('rate', sa.BigInteger(), nullable=False),
    sa.Column('compounding', sa.Enum('simple', 'annual', name='premiumcompounding', native_enum=False, length=32), nullable=False),
    sa.Column('catch_up_amount', sa.BigInteger(), nullable=False),
    sa.Column('premium_amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('premium_call_id', sa.Integer(), nullable=True),
    sa.Column('refund_id', sa.Integer(), nullable=False),
    sa.Column('premium_distribution_id', sa.Integer(), nullable=True),
    *_recorded(),
    sa.ForeignKeyConstraint(['call_id'], ['cash_flow.id'], name=op.f('fk_equalisation_call_id_cash_flow')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitment.id'], name=op.f('fk_equalisation_commitment_id_commitment')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_equalisation_fund_id_fund')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_equalisation_investor_id_investor')),
    sa.ForeignKeyConstraint(['premium_call_id'], ['cash_flow.id'], name=op.f('fk_equalisation_premium_call_id_cash_flow')),
    sa.ForeignKeyConstraint(['premium_distribution_id'], ['cash_flow.id'], name=op.f('fk_equalisation_premium_distribution_id_cash_flow')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_equalisation_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['refund_id'], ['cash_flow.id'], name=op.f('fk_equalisation_refund_id_cash_flow')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equalisation')),
    sa.UniqueConstraint('call_id', name=op.f('uq_equalisation_call_id')),
    sa.UniqueConstraint('commitment_id', name=op.f('uq_equalisation_commitment_id')),
    sa.UniqueConstraint('premium_call_id', name=op.f('uq_equalisation_premium_call_id')),
    sa.UniqueConstraint('premium_distribution_id', name=op.f('uq_equalisation_premium_distribution_id')),
    sa.UniqueConstraint('refund_id', name=op.f('uq_equalisation_refund_id'))
    )
    _indexes('equalisation', 'fund_id', 'investor_id')

    op.create_table('equalisation_line',
    sa.Column('equalisation_id', sa.Integer(), nullable=False),
    sa.Column('earlier_call_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('delta', sa.BigInteger(), nullable=False),
    sa.Column('premium_paid', sa.BigInteger(), nullable=False),
    sa.Column('premium_received', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['earlier_call_id'], ['cash_flow.id'], name=op.f('fk_equalisation_line_earlier_call_id_cash_flow')),
    sa.ForeignKeyConstraint(['equalisation_id'], ['equalisation.id'], name=op.f('fk_equalisation_line_equalisation_id_equalisation')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_equalisation_line_investor_id_investor')),
    sa.PrimaryKeyConstraint('equalisation_id', 'earlier_call_id', 'investor_id', name=op.f('pk_equalisation_line'))
    )
    _indexes('equalisation_line', 'earlier_call_id')
    _triggers(create=True)


def downgrade() -> None:
    _triggers(create=False)
    for table in ("equalisation_line", "equalisation", "call_receipt", "interest_charge",
                  "call_issue", "payment_terms"):
        op.drop_table(table)
