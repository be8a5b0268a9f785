"""Periodic upkeep in one background thread: log retention once a day."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

DAY = 24 * 3600


class Maintenance:
    """Run jobs at fixed intervals until stopped; a failing job is logged and retried."""

    def __init__(self) -> None:
        self._jobs: list[tuple[str, float, Callable[[], object]]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def every(self, name: str, seconds: float, job: Callable[[], object]) -> None:
        """Register a job (before start())."""
        self._jobs.append((name, seconds, job))

    def start(self) -> None:
        """Start the thread; each job first runs one interval after start-up."""
        self._thread = threading.Thread(target=self._run, name="maintenance", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after the job in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        due = {name: time.monotonic() + seconds for name, seconds, _job in self._jobs}
        while self._jobs:
            wait = max(0.0, min(due.values()) - time.monotonic())
            if self._stop.wait(wait):
                return
            for name, seconds, job in self._jobs:
                if time.monotonic() >= due[name]:
                    try:
                        job()
                    except Exception:  # upkeep must go on
                        logger.exception("maintenance job %s failed", name)
                    due[name] = time.monotonic() + seconds
