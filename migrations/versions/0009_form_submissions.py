"""One-time tokens of rendered web forms: UNIQUE token, the user and organisation it was
minted for and the first submission's result URL (see fundops.web.formtokens).

form submissions

Revision ID: 0009_form_submissions
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = "0009_form_submissions"
down_revision = "0012_company_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("result_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_form_submission_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_form_submission_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submission")),
        sa.UniqueConstraint("token", name=op.f("uq_form_submission_token")),
    )


def downgrade() -> None:
    op.drop_table("form_submission")
