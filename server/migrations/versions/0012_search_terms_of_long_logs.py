"""search terms of long logs

The full-text index also reads ``execution_logs.search_terms``: the words of the part of
a long output the record leaves out (its start and end are stored; the middle is only in
the log file).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 19:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = ("output", "error_output", "parameters", "script_name")


def fts_statements(columns: tuple[str, ...]) -> list[str]:
    """Return the statements creating the FTS5 index over ``columns`` and its triggers."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{name}" for name in columns)
    old = ", ".join(f"old.{name}" for name in columns)
    return [
        f"""CREATE VIRTUAL TABLE execution_search USING fts5({names},
            content='execution_logs', content_rowid='id', tokenize='unicode61')""",
        f"""CREATE TRIGGER execution_search_insert AFTER INSERT ON execution_logs BEGIN
            INSERT INTO execution_search(rowid, {names}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER execution_search_delete AFTER DELETE ON execution_logs BEGIN
            INSERT INTO execution_search(execution_search, rowid, {names})
            VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER execution_search_update
            AFTER UPDATE OF {names} ON execution_logs BEGIN
            INSERT INTO execution_search(execution_search, rowid, {names})
            VALUES ('delete', old.id, {old});
            INSERT INTO execution_search(rowid, {names}) VALUES (new.id, {new});
        END""",
        "INSERT INTO execution_search(execution_search) VALUES ('rebuild')",
    ]


DROP_FTS = [
    "DROP TRIGGER IF EXISTS execution_search_update",
    "DROP TRIGGER IF EXISTS execution_search_delete",
    "DROP TRIGGER IF EXISTS execution_search_insert",
    "DROP TABLE IF EXISTS execution_search",
]


def upgrade() -> None:
    op.add_column("execution_logs", sa.Column("search_terms", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP_FTS + fts_statements((*COLUMNS, "search_terms")):
            op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("execution_logs") as batch_op:  # a recreate: triggers go
        batch_op.drop_column("search_terms")
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP_FTS + fts_statements(COLUMNS):
            op.execute(statement)
