"""interface sessions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:20:45.468756
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("script_processes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("execution_uuid", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("close_after", sa.DateTime(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_script_processes_execution_uuid"), ["execution_uuid"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_script_processes_project_id_user_projects"),
            "user_projects",
            ["project_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("script_processes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_script_processes_project_id_user_projects"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_script_processes_execution_uuid"))
        batch_op.drop_column("close_after")
        batch_op.drop_column("project_id")
        batch_op.drop_column("execution_uuid")
