"""desktop account

``users.is_desktop_account`` marks the personal desktop's own account: the OS user, an
admin the desktop window signs in without a password.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 21:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("is_desktop_account", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("is_desktop_account")
