"""Ledger foundation: organisations, users, funds, investors, commitments, ledger,
valuations, companies, investments and the audit trail; append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 05:36:44.682421
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY_TABLES = (
    "commitment",
    "cash_flow",
    "cash_flow_allocation",
    "fund_valuation",
    "holding_valuation",
    "investment",
    "audit_event",
)


def create_append_only_triggers() -> None:
    """Posted financial rows and audit events can never be updated or deleted."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION fundops_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME; "
            "END; $$ LANGUAGE plpgsql"
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION fundops_append_only()"
            )
    elif dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'append-only: {action} on {table} is not allowed'); END"
                )


def drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS fundops_append_only()")
    elif dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def upgrade() -> None:
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('guidance_fund_manager', 'gp', 'bank', 'platform_operator', 'guarantor', name='orgkind', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    op.create_table('company',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('sector', sa.String(length=100), nullable=False),
    sa.Column('is_hard_tech', sa.Boolean(), nullable=False),
    sa.Column('stage', sa.Enum('seed', 'start_up', 'growth', 'mature', name='companystage', native_enum=False, length=32), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('is_sme', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_organisation_id'], ['organisation.id'], name=op.f('fk_company_created_by_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company')),
    sa.UniqueConstraint('uscc', name=op.f('uq_company_uscc'))
    )
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_created_by_organisation_id'), ['created_by_organisation_id'], unique=False)

    op.create_table('fund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.Enum('parent_fund', 'sub_fund', 'direct_vehicle', 'ma_fund', 's_fund', name='fundkind', native_enum=False, length=32), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('vintage', sa.Integer(), nullable=False),
    sa.Column('target_size_amount', sa.BigInteger(), nullable=False),
    sa.Column('inception_on', sa.Date(), nullable=False),
    sa.Column('investment_period_end_on', sa.Date(), nullable=False),
    sa.Column('term_end_on', sa.Date(), nullable=False),
    sa.Column('extension_end_on', sa.Date(), nullable=True),
    sa.Column('stage', sa.Enum('raising', 'investing', 'managing', 'exiting', 'extended', 'liquidated', name='fundstage', native_enum=False, length=32), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('registration_no', sa.String(length=40), nullable=True),
    sa.Column('is_guidance_fund', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_fund_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_fund_organisation_id_code')),
    sa.UniqueConstraint('registration_no', name=op.f('uq_fund_registration_no'))
    )
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.Enum('admin', 'maker', 'checker', 'viewer', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('is_active_flag', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_user_account_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.String(length=100), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_api_token_token_sha256'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('auth_method', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('event_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_audit_event_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_event_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('cash_flow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('capital_call', 'distribution', 'investment', 'proceeds', 'management_fee', 'expense', 'fund_contribution', 'fund_return', name='cashflowkind', native_enum=False, length=32), nullable=False),
    sa.Column('call_purpose', sa.Enum('investment', 'management_fee', 'fund_expenses', 'other', name='callpurpose', native_enum=False, length=32), nullable=True),
    sa.Column('distribution_type', sa.Enum('return_of_capital', 'gain', 'income', name='distributiontype', native_enum=False, length=32), nullable=True),
    sa.Column('recallable', sa.Boolean(), nullable=False),
    sa.Column('value_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('counterparty', sa.String(length=200), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('target_fund_id', sa.Integer(), nullable=True),
    sa.Column('source_ref', sa.String(length=100), nullable=True),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_cash_flow_company_id_company')),
    sa.ForeignKeyConstraint(['target_fund_id'], ['fund.id'], name=op.f('fk_cash_flow_target_fund_id_fund')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_cash_flow_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_cash_flow_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['reverses_id'], ['cash_flow.id'], name=op.f('fk_cash_flow_reverses_id_cash_flow')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_flow')),
    sa.UniqueConstraint('fund_id', 'source_ref', name=op.f('uq_cash_flow_fund_id_source_ref')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_cash_flow_reverses_id'))
    )
    with op.batch_alter_table('cash_flow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_flow_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cash_flow_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cash_flow_target_fund_id'), ['target_fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cash_flow_value_on'), ['value_on'], unique=False)

    op.create_table('company_tag',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.Enum('srdi', 'little_giant', 'high_tech', name='companytag', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_company_tag_company_id_company')),
    sa.PrimaryKeyConstraint('company_id', 'tag', name=op.f('pk_company_tag'))
    )
    op.create_table('fund_stage_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('raising', 'investing', 'managing', 'exiting', 'extended', 'liquidated', name='fundstage', native_enum=False, length=32), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_fund_stage_change_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_fund_stage_change_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_stage_change'))
    )
    with op.batch_alter_table('fund_stage_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_stage_change_fund_id'), ['fund_id'], unique=False)

    op.create_table('fund_valuation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('nav_amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_fund_valuation_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_fund_valuation_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_valuation'))
    )
    with op.batch_alter_table('fund_valuation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_valuation_fund_id'), ['fund_id'], unique=False)

    op.create_table('holding_valuation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('fair_value_amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('method', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_holding_valuation_company_id_company')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_holding_valuation_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_holding_valuation_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holding_valuation'))
    )
    with op.batch_alter_table('holding_valuation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holding_valuation_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_holding_valuation_fund_id'), ['fund_id'], unique=False)

    op.create_table('investor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('investor_type', sa.Enum('fiscal', 'guidance_fund', 'state_owned', 'private', 'insurance', 'bank_aic', 'social_security', 'corporate', 'individual', name='investortype', native_enum=False, length=32), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_investor_fund_id_fund')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_investor_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investor')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_investor_organisation_id_name'))
    )
    with op.batch_alter_table('investor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investor_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_investor_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('cash_flow_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cash_flow_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['cash_flow_id'], ['cash_flow.id'], name=op.f('fk_cash_flow_allocation_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_cash_flow_allocation_investor_id_investor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_flow_allocation')),
    sa.UniqueConstraint('cash_flow_id', 'investor_id', name=op.f('uq_cash_flow_allocation_cash_flow_id_investor_id'))
    )
    with op.batch_alter_table('cash_flow_allocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_flow_allocation_cash_flow_id'), ['cash_flow_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cash_flow_allocation_investor_id'), ['investor_id'], unique=False)

    op.create_table('commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('investor_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('committed_on', sa.Date(), nullable=False),
    sa.Column('closing', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_commitment_amount_positive')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_commitment_fund_id_fund')),
    sa.ForeignKeyConstraint(['investor_id'], ['investor.id'], name=op.f('fk_commitment_investor_id_investor')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_commitment_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment'))
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_investor_id'), ['investor_id'], unique=False)

    op.create_table('investment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('round_name', sa.String(length=50), nullable=False),
    sa.Column('instrument', sa.Enum('ordinary_equity', 'preferred_equity', 'convertible', 'debt', 'other', name='instrument', native_enum=False, length=32), nullable=False),
    sa.Column('invested_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('shares', sa.BigInteger(), nullable=True),
    sa.Column('ownership_rate', sa.BigInteger(), nullable=True),
    sa.Column('cash_flow_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cash_flow_id'], ['cash_flow.id'], name=op.f('fk_investment_cash_flow_id_cash_flow')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_investment_company_id_company')),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_investment_fund_id_fund')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_investment_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investment')),
    sa.UniqueConstraint('cash_flow_id', name=op.f('uq_investment_cash_flow_id'))
    )
    with op.batch_alter_table('investment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investment_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_investment_fund_id'), ['fund_id'], unique=False)


    create_append_only_triggers()

def downgrade() -> None:
    drop_append_only_triggers()
    with op.batch_alter_table('investment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investment_fund_id'))
        batch_op.drop_index(batch_op.f('ix_investment_company_id'))

    op.drop_table('investment')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_investor_id'))
        batch_op.drop_index(batch_op.f('ix_commitment_fund_id'))

    op.drop_table('commitment')
    with op.batch_alter_table('cash_flow_allocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cash_flow_allocation_investor_id'))
        batch_op.drop_index(batch_op.f('ix_cash_flow_allocation_cash_flow_id'))

    op.drop_table('cash_flow_allocation')
    with op.batch_alter_table('investor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investor_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_investor_fund_id'))

    op.drop_table('investor')
    with op.batch_alter_table('holding_valuation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holding_valuation_fund_id'))
        batch_op.drop_index(batch_op.f('ix_holding_valuation_company_id'))

    op.drop_table('holding_valuation')
    with op.batch_alter_table('fund_valuation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_valuation_fund_id'))

    op.drop_table('fund_valuation')
    with op.batch_alter_table('fund_stage_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_stage_change_fund_id'))

    op.drop_table('fund_stage_change')
    op.drop_table('company_tag')
    with op.batch_alter_table('cash_flow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cash_flow_target_fund_id'))
        batch_op.drop_index(batch_op.f('ix_cash_flow_value_on'))
        batch_op.drop_index(batch_op.f('ix_cash_flow_fund_id'))
        batch_op.drop_index(batch_op.f('ix_cash_flow_company_id'))

    op.drop_table('cash_flow')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_organisation_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_organisation_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('fund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_organisation_id'))

    op.drop_table('fund')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_created_by_organisation_id'))

    op.drop_table('company')
    op.drop_table('organisation')
