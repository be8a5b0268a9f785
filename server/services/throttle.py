"""Login throttling that slows guessing without letting anyone lock another user out.

Failures are counted per (account, address) pair, per account and per address, over a
sliding window. Past a limit, the next attempt waits, and the wait doubles with every
further failure (10 s, 20 s, 40 s … up to the window). The waits only ever apply to a pair
that has failed itself: a correct password from an address that has not failed for
that account is always accepted, so a flood of wrong guesses from a shared address
(every user of a shared workstation is 127.0.0.1) cannot lock a real user out.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

WIDE_FACTOR = 4  # an account (any address) or an address (any account) tolerates 4× more
MAX_KEYS = 100_000  # memory bound: the oldest counters go first
FIRST_WAIT = 10  # seconds after the limit is reached; doubled with each further failure


@dataclass(frozen=True)
class Lock:
    """A new wait imposed after a failure (for the audit log)."""

    scope: str  # "pair", "account" or "address"
    seconds: int


class LoginThrottle:
    """Count failed logins and say how long a given (account, address) must wait."""

    def __init__(
        self, max_failures: int, window: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, username: str, remote_addr: str) -> int:
        """Return seconds until this pair may try again (0: now)."""
        with self._lock:
            if not self._recent(_pair(username, remote_addr)):
                return 0  # this address has not failed for this account: never held back
            return max(wait for _scope, wait in self._waits(username, remote_addr))

    def record_failure(self, username: str, remote_addr: str) -> Lock | None:
        """Count one failed attempt; return the lock it starts, if it starts one."""
        now = self._clock()
        with self._lock:
            for key in (_pair(username, remote_addr), _account(username), _address(remote_addr)):
                self._failures.setdefault(key, deque()).append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)
            scope, wait = max(self._waits(username, remote_addr), key=lambda item: item[1])
        return Lock(scope, wait) if wait else None

    def reset(self, username: str, remote_addr: str) -> None:
        """Forget the pair's failures after a successful login."""
        with self._lock:
            self._failures.pop(_pair(username, remote_addr), None)

    def _waits(self, username: str, remote_addr: str) -> list[tuple[str, int]]:
        wide = self.max_failures * WIDE_FACTOR
        return [
            ("pair", self._wait(_pair(username, remote_addr), self.max_failures)),
            ("account", self._wait(_account(username), wide)),
            ("address", self._wait(_address(remote_addr), wide)),
        ]

    def _recent(self, key: str) -> deque[float]:
        attempts = self._failures.get(key, deque())
        cutoff = self._clock() - self.window
        while attempts and attempts[0] < cutoff:
            attempts.popleft()
        if not attempts:
            self._failures.pop(key, None)
        return attempts

    def _wait(self, key: str, limit: int) -> int:
        attempts = self._recent(key)
        over = len(attempts) - limit
        if over < 0:
            return 0
        delay = min(self.window, FIRST_WAIT * 2**over)
        remaining = attempts[-1] + delay - self._clock()
        return max(0, int(remaining + 0.999))


def _pair(username: str, remote_addr: str) -> str:
    return f"pair:{username.strip().lower()}@{remote_addr}"


def _account(username: str) -> str:
    return "account:" + username.strip().lower()


def _address(remote_addr: str) -> str:
    return "address:" + remote_addr
