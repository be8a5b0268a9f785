"""System logs: application, error and access files with rotation.

A request only appends its access line to :data:`access_log`; a thread writes the lines
through the access logger a few times a second, and at exit.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from logging.handlers import RotatingFileHandler
from pathlib import Path

ACCESS_LOGGER = "scriptsmanager.access"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
_HANDLER_MARK = "_scriptsmanager_handler"
ACCESS_FORMAT = '%s "%s %s" %s %.1fms'  # address, method, path, status, milliseconds
FLUSH_EVERY = 0.25  # seconds between writes of the queued access lines


def configure_logging(folder: Path, level: str = "INFO") -> None:
    """Send logs to logs/system/{application,error,access}.log (idempotent per folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    _drop_own_handlers(root)
    root.setLevel(min(root.level or logging.WARNING, logging.getLevelName(level.upper())))
    root.addHandler(_file_handler(folder / "application.log", level.upper()))
    root.addHandler(_file_handler(folder / "error.log", "ERROR"))

    access = logging.getLogger(ACCESS_LOGGER)
    _drop_own_handlers(access)
    access.setLevel(logging.INFO)
    access.propagate = False
    access.addHandler(_file_handler(folder / "access.log", "INFO", "%(message)s"))


def _file_handler(path: Path, level: str, fmt: str = FORMAT) -> logging.Handler:
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(fmt))
    setattr(handler, _HANDLER_MARK, True)
    return handler


def _drop_own_handlers(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            logger.removeHandler(handler)
            handler.close()


def close_logging() -> None:
    """Close the system log files (a restore is about to move them)."""
    access_log.flush()
    _drop_own_handlers(logging.getLogger())
    _drop_own_handlers(logging.getLogger(ACCESS_LOGGER))


class AccessLog:
    """Access lines queued by requests, written by one thread off the request path."""

    def __init__(self) -> None:
        self._lines: deque[tuple[str, str, str, int, float]] = deque()
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()  # one writer at a time, so lines keep their order

    def record(self, address: str, method: str, path: str, status: int, ms: float) -> None:
        """Queue one request's line (starting the writer thread at the first)."""
        self._lines.append((address, method, path, status, ms))
        if self._writer is None:
            self._start()

    def flush(self) -> None:
        """Write every queued line now."""
        logger = logging.getLogger(ACCESS_LOGGER)
        with self._lock:
            while self._lines:
                logger.info(ACCESS_FORMAT, *self._lines.popleft())

    def _start(self) -> None:
        with self._lock:
            if self._writer is None:
                self._writer = threading.Thread(target=self._run, name="access-log", daemon=True)
                self._writer.start()

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_EVERY)
            self.flush()


access_log = AccessLog()
atexit.register(access_log.flush)
