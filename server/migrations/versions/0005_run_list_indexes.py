"""run list indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 21:24:48.387481
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain index operations: a batch "recreate" would drop the full-text triggers of 0003.
    # (user_id, status) carries the rowid too, so a filtered list is read in id order.
    op.create_index("ix_execution_logs_user_status", "execution_logs", ["user_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_execution_logs_user_status", table_name="execution_logs")
