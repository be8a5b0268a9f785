"""``<home>/manager.lock``: held by a running manager, so that commands which need it
stopped (a restore) can tell."""

from __future__ import annotations

import logging
from pathlib import Path

from filelock import FileLock, Timeout

logger = logging.getLogger(__name__)


class ManagerLock:
    """The lock of one home folder."""

    def __init__(self, home: Path) -> None:
        self.path = home / "manager.lock"
        self._lock = FileLock(self.path, mode=0o600)

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another manager holds it."""
        try:
            self._lock.acquire(timeout=0)
            return True
        except Timeout:
            return False

    def release(self) -> None:
        """Give the lock back (if held)."""
        if self._lock.is_locked:
            self._lock.release(force=True)
