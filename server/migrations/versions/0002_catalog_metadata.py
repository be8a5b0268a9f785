"""catalog metadata

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 20:52:40.688370
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("script_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("folder", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("declared", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("edited", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("last_scanned", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_script_groups_folder"), ["folder"])

    with op.batch_alter_table("scripts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("declared", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("edited", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("file_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("file_mtime_ns", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_scripts_group_id"), ["group_id", "filename"]
        )


def downgrade() -> None:
    with op.batch_alter_table("scripts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_scripts_group_id"), type_="unique")
        batch_op.drop_column("file_mtime_ns")
        batch_op.drop_column("file_size")
        batch_op.drop_column("warnings")
        batch_op.drop_column("edited")
        batch_op.drop_column("declared")
        batch_op.drop_column("category")

    with op.batch_alter_table("script_groups", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_script_groups_folder"), type_="unique")
        batch_op.drop_column("last_scanned")
        batch_op.drop_column("warnings")
        batch_op.drop_column("edited")
        batch_op.drop_column("declared")
        batch_op.drop_column("folder")
