"""Log-in attempts per email and client address, for throttling and lockout that hold
across server processes (see fundops.auth.throttle).

Revision ID: 0010_login_attempts
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = "0010_login_attempts"
down_revision = "0013_approvals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_email_attempted_at", "login_attempt",
                    ["email", "attempted_at"], unique=False)
    op.create_index("ix_login_attempt_ip_attempted_at", "login_attempt",
                    ["ip", "attempted_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_login_attempt_ip_attempted_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_email_attempted_at", table_name="login_attempt")
    op.drop_table("login_attempt")
