"""Job-run leases: status, owner, attempts, heartbeat and lease expiry, error (see
fundops.job_runs). Existing rows: finished when they have a finish time, otherwise
``failed`` with an expired lease, so the next run resumes their period.

job run lease

Revision ID: 0011_job_run_lease
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = "0011_job_run_lease"
down_revision = "0007"
branch_labels = None
depends_on = None

_NEW = ("status", "owner", "attempts", "heartbeat_at", "lease_expires_at", "error")


def upgrade() -> None:
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False,
                                      server_default="finished"))
        batch_op.add_column(sa.Column("owner", sa.String(length=200), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                      server_default="1"))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("error", sa.String(length=500), nullable=True))
    op.execute("UPDATE job_run SET heartbeat_at = started_at, lease_expires_at = started_at")
    op.execute("UPDATE job_run SET status = 'failed', "
               "error = 'unfinished before job leases existed (crashed?)' "
               "WHERE finished_at IS NULL")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.alter_column("owner", server_default=None)
        batch_op.alter_column("attempts", server_default=None)
        batch_op.alter_column("heartbeat_at", existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.alter_column("lease_expires_at", existing_type=sa.DateTime(timezone=True),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        for name in reversed(_NEW):
            batch_op.drop_column(name)
