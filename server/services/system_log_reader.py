"""Read the manager's own logs (application, error, access) newest first, filtered."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from server.services.errors import InvalidInput
from server.system_logs import access_log

SYSTEM_LOGS = ("application", "error", "access")
LEVELED = ("application", "error")  # the access log's lines carry no level
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The first line of a record of server.system_logs.FORMAT: "<asctime> <LEVEL> [name] ...".
RECORD_START = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (" + "|".join(LEVELS) + r") ")


@dataclass(frozen=True)
class LogRecord:
    """One record of a system log: its first line's time and level, and all its lines."""

    time: str | None
    level: str | None
    text: str


class SystemLogReader:
    """Read ``logs/system/<name>.log``; records run over several lines (tracebacks)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def tail(
        self,
        name: str,
        level: str | None = None,
        text: str | None = None,
        page: int = 1,
        per_page: int = 50,
        lines: int | None = None,
    ) -> tuple[list[LogRecord], int]:
        """Return one page of records, newest first, and how many match.

        ``level`` keeps records of that level and above (application and error logs only);
        ``text`` keeps records containing it (any case); ``lines`` reads only the file's
        last lines.
        """
        if name not in SYSTEM_LOGS:
            raise InvalidInput(
                "{field} must be one of {choices}.", field="name", choices=", ".join(SYSTEM_LOGS)
            )
        if level is not None and name not in LEVELED:
            raise InvalidInput("level applies to the application and error logs.", field="level")
        if level is not None and level not in LEVELS:
            raise InvalidInput(
                "{field} must be one of {choices}.", field="level", choices=", ".join(LEVELS)
            )
        if name == "access":
            access_log.flush()  # the lines of the last moments are still queued
        records = self._records(self._folder / f"{name}.log", name in LEVELED, lines)
        if level is not None:
            floor = LEVELS.index(level)
            records = [r for r in records if r.level and LEVELS.index(r.level) >= floor]
        if text:
            needle = text.casefold()
            records = [r for r in records if needle in r.text.casefold()]
        start = (page - 1) * per_page
        return records[start : start + per_page], len(records)

    @staticmethod
    def _records(path: Path, leveled: bool, lines: int | None) -> list[LogRecord]:
        """Return the file's records, newest first (an absent file has none)."""
        if not path.is_file():
            return []
        with path.open(encoding="utf-8", errors="replace") as handle:
            tail: deque[str] = deque(handle, maxlen=lines)
        records: list[LogRecord] = []
        pending: list[str] = []  # continuation lines seen before their record's first line
        for line in reversed(tail):
            line = line.rstrip("\n")
            match = RECORD_START.match(line) if leveled else None
            if leveled and match is None:
                pending.append(line)
                continue
            body = "\n".join([line, *reversed(pending)])
            pending = []
            time, level = (match.group(1), match.group(2)) if match else (None, None)
            records.append(LogRecord(time, level, body))
        if pending:  # the window began inside a record
            records.append(LogRecord(None, None, "\n".join(reversed(pending))))
        return records
