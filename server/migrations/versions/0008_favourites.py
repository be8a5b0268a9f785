"""user favourites

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_favourites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_favourites_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_user_favourites_script_id_scripts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_favourites")),
        sa.UniqueConstraint("user_id", "script_id", name=op.f("uq_user_favourites_user_id")),
    )
    with op.batch_alter_table("user_favourites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_favourites_script_id"), ["script_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_favourites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_favourites_script_id"))
    op.drop_table("user_favourites")
