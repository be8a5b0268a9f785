"""Login throttling: failed attempts counted per user name and per address."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

IP_FACTOR = 4


class LoginThrottle:
    """Refuse logins after too many failures within a sliding window."""

    def __init__(
        self, max_failures: int, window: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, username: str, remote_addr: str) -> int:
        """Return seconds until an attempt is accepted again (0: accepted now)."""
        with self._lock:
            waits = [
                self._wait(self._user_key(username), self.max_failures),
                self._wait(self._addr_key(remote_addr), self.max_failures * IP_FACTOR),
            ]
        return max(waits)

    def record_failure(self, username: str, remote_addr: str) -> None:
        """Count one failed attempt for the user name and the address."""
        now = self._clock()
        with self._lock:
            for key in (self._user_key(username), self._addr_key(remote_addr)):
                self._failures.setdefault(key, deque()).append(now)

    def reset(self, username: str) -> None:
        """Forget the failures of a user name after a successful login."""
        with self._lock:
            self._failures.pop(self._user_key(username), None)

    def _wait(self, key: str, limit: int) -> int:
        attempts = self._failures.get(key)
        if not attempts:
            return 0
        cutoff = self._clock() - self.window
        while attempts and attempts[0] < cutoff:
            attempts.popleft()
        if not attempts:
            self._failures.pop(key, None)
            return 0
        if len(attempts) < limit:
            return 0
        return max(1, int(attempts[-limit] + self.window - self._clock()) + 1)

    @staticmethod
    def _user_key(username: str) -> str:
        return "user:" + username.strip().lower()

    @staticmethod
    def _addr_key(remote_addr: str) -> str:
        return "addr:" + remote_addr
