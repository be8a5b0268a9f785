"""The logged-in users of recent requests, kept in memory so a request needs no query.

An entry is a live session's user as last read from the database. It is dropped the moment
the database session flushes a change to that user or that session, and every entry is
dropped by a bulk update or delete of the users or sessions tables (logout, revoke all, a
restore), and dropped again when that change commits: a request that read the old row
in between cannot keep it. A reader puts what it read only if nothing was dropped since it
began (:meth:`SessionCache.generation`). An entry is also only trusted until its session's
next sliding touch is due, so the sliding expiry is still written to the database as before.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from server.models import AuthSession, User

if TYPE_CHECKING:
    from server.services.auth import SessionUser

WATCHED_TABLES = {User.__tablename__, AuthSession.__tablename__}
PENDING = "session_cache.pending"  # Session.info key: what to drop again at commit
EVERYTHING = "*"


@dataclass(frozen=True)
class CachedSession:
    """A live session's user and the session's times when it was read."""

    user: SessionUser
    last_seen: datetime
    expires_at: datetime


class SessionCache:
    """Token digest -> :class:`CachedSession`, invalidated by the database's own writes."""

    watched_tables = WATCHED_TABLES  # a bulk update or delete of these drops every entry
    pending_key = PENDING

    def __init__(self) -> None:
        self._entries: dict[str, CachedSession] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def watch(self, sessions: sessionmaker) -> None:
        """Drop entries whenever a session made by ``sessions`` writes users or sessions."""
        event.listen(sessions, "after_flush", self._after_flush)
        event.listen(sessions, "do_orm_execute", self._on_execute)
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(
            sessions, "after_rollback", lambda session: session.info.pop(self.pending_key, None)
        )

    @property
    def generation(self) -> int:
        """A number that changes with every drop; read it before reading the database."""
        return self._generation

    def get(self, digest: str) -> CachedSession | None:
        return self._entries.get(digest)

    def put(self, digest: str, entry: CachedSession, generation: int) -> None:
        """Keep an entry read since ``generation``, unless something was dropped since."""
        with self._lock:
            if generation == self._generation:
                self._entries[digest] = entry

    def drop(self, keys: set[str | int]) -> None:
        """Drop the entries of these token digests and user ids (everything for ``"*"``)."""
        with self._lock:
            self._generation += 1
            if EVERYTHING in keys:
                self._entries.clear()
                return
            for digest, entry in list(self._entries.items()):
                if digest in keys or entry.user.id in keys:
                    del self._entries[digest]

    def _changed(self, session: Session, keys: set[str | int]) -> None:
        if keys:
            session.info.setdefault(self.pending_key, set()).update(keys)
            self.drop(keys)

    def _after_flush(self, session: Session, _context: object) -> None:
        self._changed(session, self._keys_of({*session.new, *session.dirty, *session.deleted}))

    def _keys_of(self, changed: set[object]) -> set[str | int]:
        """Return the keys that written rows invalidate: user ids and session digests."""
        keys: set[str | int] = {item.id for item in changed if isinstance(item, User)}
        keys |= {item.token_hash for item in changed if isinstance(item, AuthSession)}
        return keys

    def _on_execute(self, state: ORMExecuteState) -> None:
        if state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            if getattr(table, "name", None) in self.watched_tables:
                self._changed(state.session, {EVERYTHING})

    def _after_commit(self, session: Session) -> None:
        keys = session.info.pop(self.pending_key, None)
        if keys:
            self.drop(keys)
