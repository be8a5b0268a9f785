"""storage quotas

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch "recreate" of users would cascade into the tables that
    # reference it (projects, sessions) with foreign keys on; the same holds for the downgrade.
    op.add_column("users", sa.Column("storage_quota_mb", sa.Integer(), nullable=True))
    op.add_column("users", sa.Column("storage_state", sa.String(length=10), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "storage_state")  # SQLite 3.35+ drops columns in place
    op.drop_column("users", "storage_quota_mb")
