"""Engine, per-thread sessions and schema migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION = "0015"  # the newest of migrations/versions (a test holds the two equal)
SQLITE_BUSY_TIMEOUT_MS = 10_000


class Database:
    """The engine and a thread-scoped session registry.

    Request handlers use :attr:`session` (removed at the end of each request); background
    jobs wrap their work in :meth:`job`.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self._sessions = scoped_session(sessionmaker(self.engine, expire_on_commit=False))

    @property
    def session(self) -> Session:
        """Return the session of the current thread."""
        return self._sessions()

    @property
    def session_factory(self) -> sessionmaker:
        """Return the factory of every session (a target for session events)."""
        return self._sessions.session_factory

    def remove(self) -> None:
        """Close the current thread's session (end of a request or job)."""
        self._sessions.remove()

    @contextmanager
    def job(self) -> Iterator[Session]:
        """Give a background job its own session, committed on success."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
        finally:
            self._sessions.remove()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent). Alembic is loaded only for
        a database that is behind, so a start on an up-to-date one does without it."""
        if self.revision() == HEAD_REVISION:
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        """Return the schema's revision (None for a database without one)."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._sessions.remove()
        self.engine.dispose()


POOL_SIZE, POOL_OVERFLOW = 32, 64  # the server runs up to 64 request threads


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=POOL_SIZE,  # kept open: opening a connection costs more than a query
        max_overflow=POOL_OVERFLOW,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads through the OS page cache, shared by every pooled connection, instead of a
    # private copy of each page per connection.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()
