"""schedules

``schedules`` holds scheduled runs (a script, its values, a cron expression, the owner);
each run records what started it: ``execution_logs.trigger`` ("manual" or "schedule")
and ``execution_logs.schedule_id``. The scheduler's own job table (``apscheduler_jobs``)
is created by its job store at start.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.Column("cron", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("last_execution_uuid", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_schedules_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_schedules_script_id_scripts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["user_projects.id"],
            name=op.f("fk_schedules_project_id_user_projects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules") as batch:
        batch.create_index(batch.f("ix_schedules_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_schedules_script_id"), ["script_id"], unique=False)
    with op.batch_alter_table("execution_logs") as batch:
        batch.add_column(
            sa.Column("trigger", sa.String(length=20), nullable=False, server_default="manual")
        )
        batch.add_column(sa.Column("schedule_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_execution_logs_schedule_id_schedules"),
            "schedules",
            ["schedule_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("execution_logs") as batch:
        batch.drop_constraint(batch.f("fk_execution_logs_schedule_id_schedules"), "foreignkey")
        batch.drop_column("schedule_id")
        batch.drop_column("trigger")
    with op.batch_alter_table("schedules") as batch:
        batch.drop_index(batch.f("ix_schedules_script_id"))
        batch.drop_index(batch.f("ix_schedules_user_id"))
    op.drop_table("schedules")
