"""log filter presets and run marks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_filter_presets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_log_filter_presets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_filter_presets")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_log_filter_presets_user_id")),
    )
    op.create_table(
        "run_marks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("execution_id", sa.Integer(), nullable=False),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_run_marks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["execution_logs.id"],
            name=op.f("fk_run_marks_execution_id_execution_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_marks")),
        sa.UniqueConstraint("user_id", "execution_id", name=op.f("uq_run_marks_user_id")),
    )
    with op.batch_alter_table("run_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_run_marks_execution_id"), ["execution_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("run_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_marks_execution_id"))
    op.drop_table("run_marks")
    op.drop_table("log_filter_presets")
