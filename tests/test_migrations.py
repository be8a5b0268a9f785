"""Schema migrations from an empty database, idempotent, on SQLite (in WAL mode) and, under
``python -m tests.postgres``, on PostgreSQL too."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from server.database import HEAD_REVISION, MIGRATIONS, Database
from server.models import Base
from tests.support import TEST_DATABASE_VARIABLE, fresh_database

SPEC_TABLES = {
    "users",
    "script_groups",
    "scripts",
    "user_script_tags",
    "conda_environments",
    "user_projects",
    "port_allocations",
    "script_processes",
    "execution_logs",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database of each kind (PostgreSQL only when a test server is given)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not os.environ.get(TEST_DATABASE_VARIABLE):
        pytest.skip("no PostgreSQL test server (run under python -m tests.postgres)")
    with fresh_database() as url:
        yield url


def test_migrations_create_every_table_and_match_the_models(database_url):
    db = Database(database_url)
    db.migrate()
    tables = set(inspect(db.engine).get_table_names())
    assert SPEC_TABLES | {"audit_events", "metadata_history", "auth_sessions"} <= tables
    assert set(Base.metadata.tables) <= tables
    for name, table in Base.metadata.tables.items():
        columns = {column["name"] for column in inspect(db.engine).get_columns(name)}
        assert columns == set(table.columns.keys()), name
    db.dispose()


def test_migrating_twice_keeps_the_data(database_url):
    url = database_url
    db = Database(url)
    db.migrate()
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (username, email, password_hash, user_level, "
                "preferred_language, preferred_theme, created_at, is_active) VALUES "
                "('kept', 'k@example.com', 'x', 'viewer', 'en', 'light', '2026-01-01', :on)"
            ),
            {"on": True},
        )
    db.dispose()
    again = Database(url)
    again.migrate()
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT username FROM users")).scalar_one() == "kept"
    again.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 10000
    db.dispose()


def test_the_head_revision_is_the_newest_migration():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


UP_TO_DATE_START = """
import sys
from server.database import Database
database = Database(sys.argv[1])
database.migrate()
print(database.revision(), "alembic" in sys.modules)
"""


def test_a_start_on_an_up_to_date_database_does_without_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"

    def start() -> str:
        done = subprocess.run([sys.executable, "-c", UP_TO_DATE_START, url], capture_output=True,
                              text=True, timeout=120, check=True)  # fmt: skip
        return done.stdout.strip()

    assert start() == f"{HEAD_REVISION} True"  # an empty database: migrated by alembic
    assert start() == f"{HEAD_REVISION} False"
