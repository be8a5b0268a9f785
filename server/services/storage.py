"""Failures of the storage underneath: a full disk or a database busy beyond its wait.

Both are the machine's state, not a bug: they are answered 507 and 503 with a clear
message, and a full disk marks /health degraded until writes succeed again.
"""

from __future__ import annotations

import errno
import threading
import time

from sqlalchemy.exc import DBAPIError

from server.services.errors import ServiceError, StorageFull, Unavailable

FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
SQLITE_FULL = {"SQLITE_FULL"}
SQLITE_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}
POSTGRES_FULL = {"53100"}  # disk_full
POSTGRES_BUSY = {"55P03", "40P01", "57014"}  # lock_not_available, deadlock, statement timeout
RETRY_AFTER = 5  # seconds
FULL_MESSAGE = "The server's disk is full: nothing was changed. Free some space and retry."
BUSY_MESSAGE = "The database is busy; nothing was changed. Try again in a few seconds."
RECENT = 60.0  # seconds a write failure keeps /health degraded after the last one


def _driver_codes(exc: DBAPIError) -> set[str]:
    orig = exc.orig
    names = {getattr(orig, "sqlite_errorname", None), getattr(orig, "sqlstate", None)}
    message = str(orig).lower()
    if "database or disk is full" in message:
        names.add("SQLITE_FULL")
    if "database is locked" in message or "database table is locked" in message:
        names.add("SQLITE_BUSY")
    return {name for name in names if name}


def storage_error(exc: BaseException) -> ServiceError | None:
    """Return the service error for a full disk or a busy database; None for anything else."""
    if isinstance(exc, OSError) and exc.errno in FULL_ERRNOS:
        return StorageFull(FULL_MESSAGE)
    if isinstance(exc, DBAPIError):
        codes = _driver_codes(exc)
        if (
            codes & (SQLITE_FULL | POSTGRES_FULL)
            or isinstance(exc.orig, OSError)
            and (exc.orig.errno in FULL_ERRNOS)
        ):
            return StorageFull(FULL_MESSAGE)
        if codes & (SQLITE_BUSY | POSTGRES_BUSY):
            return Unavailable(BUSY_MESSAGE, retry_after=RETRY_AFTER)
    return None


class StorageState:
    """Remember the last time the disk refused a write (for /health)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_full: float | None = None

    def note_full(self) -> None:
        """Record that a write failed because the disk is full."""
        with self._lock:
            self._last_full = time.monotonic()

    def recently_full(self) -> bool:
        """Return True when a write failed for a full disk within the last minute."""
        with self._lock:
            last = self._last_full
        return last is not None and time.monotonic() - last < RECENT
