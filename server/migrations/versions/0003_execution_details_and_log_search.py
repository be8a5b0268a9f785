"""execution details and log search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 21:04:21.679899
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("execution_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("script_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("process_create_time", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("log_path", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("peak_memory_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("cpu_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("environment", sa.JSON(), nullable=True))
        batch_op.create_index("ix_execution_logs_status", ["status"], unique=False)
        batch_op.create_index(
            "ix_execution_logs_user_start", ["user_id", "start_time"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_execution_logs_group_id_script_groups"),
            "script_groups",
            ["group_id"],
            ["id"],
        )

    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_UP:
            op.execute(statement)


# Note for later migrations: a batch "recreate" of execution_logs drops these triggers;
# recreate them afterwards (or use plain operations, as 0005 does).
# Full-text index over the stored output and parameters of runs (SQLite FTS5, external
# content: the text stays in execution_logs; triggers keep the index in step).
FTS_UP = [
    """CREATE VIRTUAL TABLE execution_search USING fts5(
        output, error_output, parameters, script_name,
        content='execution_logs', content_rowid='id', tokenize='unicode61')""",
    """CREATE TRIGGER execution_search_insert AFTER INSERT ON execution_logs BEGIN
        INSERT INTO execution_search(rowid, output, error_output, parameters, script_name)
        VALUES (new.id, new.output, new.error_output, new.parameters, new.script_name);
    END""",
    """CREATE TRIGGER execution_search_delete AFTER DELETE ON execution_logs BEGIN
        INSERT INTO execution_search(execution_search, rowid, output, error_output,
            parameters, script_name)
        VALUES ('delete', old.id, old.output, old.error_output, old.parameters, old.script_name);
    END""",
    """CREATE TRIGGER execution_search_update
        AFTER UPDATE OF output, error_output, parameters, script_name ON execution_logs BEGIN
        INSERT INTO execution_search(execution_search, rowid, output, error_output,
            parameters, script_name)
        VALUES ('delete', old.id, old.output, old.error_output, old.parameters, old.script_name);
        INSERT INTO execution_search(rowid, output, error_output, parameters, script_name)
        VALUES (new.id, new.output, new.error_output, new.parameters, new.script_name);
    END""",
]
FTS_DOWN = [
    "DROP TRIGGER IF EXISTS execution_search_update",
    "DROP TRIGGER IF EXISTS execution_search_delete",
    "DROP TRIGGER IF EXISTS execution_search_insert",
    "DROP TABLE IF EXISTS execution_search",
]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_DOWN:
            op.execute(statement)
    with op.batch_alter_table("execution_logs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_execution_logs_group_id_script_groups"), type_="foreignkey"
        )
        batch_op.drop_index("ix_execution_logs_user_start")
        batch_op.drop_index("ix_execution_logs_status")
        batch_op.drop_column("environment")
        batch_op.drop_column("cpu_seconds")
        batch_op.drop_column("peak_memory_bytes")
        batch_op.drop_column("log_path")
        batch_op.drop_column("process_create_time")
        batch_op.drop_column("pid")
        batch_op.drop_column("script_name")
        batch_op.drop_column("group_id")
