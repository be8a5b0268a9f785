"""The request gate: while a restore swaps the data tree, requests wait outside (503) and
the swap waits for those already inside to finish."""

from __future__ import annotations

import threading

from server.services.errors import ServiceError


class RestoreInProgress(ServiceError):
    """The data is being restored; the request may be sent again shortly (503)."""

    status = 503
    code = "restore_in_progress"

    def __init__(self) -> None:
        super().__init__("A backup is being restored; try again in a minute.")
        self.retry_after = 30


class RequestGate:
    """Count requests inside; close to new ones and wait for the count to reach zero."""

    def __init__(self) -> None:
        self._inside = 0
        self._closed = False
        self._changed = threading.Condition()

    @property
    def closed(self) -> bool:
        """Return True while requests are refused."""
        return self._closed

    def enter(self) -> None:
        """Let a request in; RestoreInProgress while closed."""
        with self._changed:
            if self._closed:
                raise RestoreInProgress()
            self._inside += 1

    def leave(self) -> None:
        """Count a request out (only one that entered)."""
        with self._changed:
            self._inside -= 1
            if self._closed:  # only a restore waits for the requests inside to end
                self._changed.notify_all()

    def close(self) -> None:
        """Refuse new requests."""
        with self._changed:
            self._closed = True

    def drain(self, timeout: float) -> bool:
        """Wait for the requests inside to finish; False if some still are after timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._inside <= 0, timeout)

    def open(self) -> None:
        """Let requests in again."""
        with self._changed:
            self._closed = False
