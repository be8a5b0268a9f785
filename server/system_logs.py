"""System logs: application, error and access files with rotation."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

ACCESS_LOGGER = "scriptsmanager.access"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
_HANDLER_MARK = "_scriptsmanager_handler"


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
    _drop_own_handlers(logging.getLogger())
    _drop_own_handlers(logging.getLogger(ACCESS_LOGGER))
