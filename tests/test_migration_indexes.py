"""The migrations build exactly the indexes the models declare: names, columns, directions."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, text

from server.database import Database
from server.models import Base


def indexes(engine: Engine) -> dict[str, tuple[str, list[tuple[str, int]]]]:
    """Return every named index: its table and its key columns with their DESC flag."""
    found = {}
    with engine.connect() as connection:
        named = connection.execute(
            text(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
                "AND name NOT LIKE 'sqlite_autoindex%'"
            )
        )
        for name, table in named.all():
            info = connection.execute(text(f"PRAGMA index_xinfo('{name}')")).all()
            found[name] = (table, [(row[2], row[3]) for row in info if row[5]])
    return found


def test_migrated_indexes_are_the_models_indexes(tmp_path):
    migrated = Database(f"sqlite:///{tmp_path / 'migrated.db'}")
    migrated.migrate()
    declared = create_engine(f"sqlite:///{tmp_path / 'declared.db'}")
    Base.metadata.create_all(declared)
    assert indexes(migrated.engine) == indexes(declared)
    migrated.dispose()
    declared.dispose()


def test_every_run_list_sort_has_an_index_per_direction(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'runs.db'}")
    db.migrate()
    runs = {name: columns for name, (table, columns) in indexes(db.engine).items()
            if table == "execution_logs"}  # fmt: skip
    for key in ("status", "duration_seconds", "script_name", "project_id"):
        for scope in ([("user_id", 0)], []):
            assert [*scope, (key, 0)] in runs.values(), key  # read backwards: descending
            assert [*scope, (key, 0), ("id", 1)] in runs.values(), key  # ascending
    db.dispose()
