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
    # Plain ADD COLUMN: a batch "recreate" of execution_logs would drop the
    # full-text triggers of 0003 and the descending indexes of 0011.
    op.add_column(
        "execution_logs",
        sa.Column("trigger", sa.String(length=20), nullable=False, server_default="manual"),
    )
    if op.get_bind().dialect.name == "sqlite":  # Alembic adds keys by a batch only
        op.execute(
            "ALTER TABLE execution_logs ADD COLUMN schedule_id INTEGER "
            "REFERENCES schedules (id) ON DELETE SET NULL"
        )
        return
    op.add_column("execution_logs", sa.Column("schedule_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_execution_logs_schedule_id_schedules"),
        "execution_logs",
        "schedules",
        ["schedule_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_execution_logs_schedule_id_schedules", "execution_logs")
    op.drop_column("execution_logs", "schedule_id")  # SQLite 3.35+: plain DROP COLUMN
    op.drop_column("execution_logs", "trigger")
    with op.batch_alter_table("schedules") as batch:
        batch.drop_index(batch.f("ix_schedules_script_id"))
        batch.drop_index(batch.f("ix_schedules_user_id"))
    op.drop_table("schedules")
