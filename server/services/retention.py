"""Log retention: how long each level's runs are kept, what a clean-up would remove, the clean-up.

The days are the settings ``LOG_RETENTION_DAYS_<LEVEL>`` (declared once, in
``server/settings/declared.py``). An admin's change is written to ``<home>/config.json``,
the settings layer that belongs to the install, so the next start reads the same value;
a level whose days come from the environment cannot be changed here (the environment
would win again at the next start).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from server.database import Database
from server.models import ExecutionLog, User, utcnow
from server.security.levels import LEVELS
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput
from server.services.logs import LogService
from server.settings import Settings
from server.settings.loading import MAX_RETENTION_DAYS, sources


def setting_name(level: str) -> str:
    """Return the name of the setting holding a level's retention days."""
    return f"log_retention_days_{level}"


@dataclass
class Removal:
    """What a clean-up removes for one level or one user."""

    runs: int = 0
    bytes: int = 0


@dataclass
class UserRemoval(Removal):
    """What a clean-up removes of one user's runs (no name: the user is gone)."""

    user_id: int | None = None
    username: str | None = None
    level: str = "viewer"


class RetentionService:
    """Keep the retention days, preview a clean-up and apply it."""

    def __init__(self, db: Database, audit: AuditLog, logs: LogService, settings: Settings) -> None:
        self._db = db
        self._audit = audit
        self._logs = logs
        self._config_file = settings.config_file
        self._days = {level: getattr(settings, setting_name(level)) for level in LEVELS}
        found = sources(settings)
        env_names = {item.name: item.metadata["env"] for item in fields(Settings)}
        self._locked = {  # the environment would win again at the next start
            level: env_names[setting_name(level)]
            for level in LEVELS
            if found[setting_name(level)] == "environment"
        }
        self._lock = threading.Lock()

    def days(self) -> dict[str, int]:
        """Return the retention days of each level."""
        return dict(self._days)

    def locked(self) -> dict[str, str]:
        """Return the levels whose days the environment sets, with the variable's name."""
        return dict(self._locked)

    def apply_to(self, settings: Settings) -> Settings:
        """Return ``settings`` carrying the current days (for the configuration page)."""
        return replace(settings, **{setting_name(lv): d for lv, d in self._days.items()})

    def update(self, changes: dict[str, int], actor: Actor) -> dict[str, int]:
        """Set some levels' days, store them in config.json and audit the change."""
        for level, days in changes.items():
            if level not in LEVELS:
                raise InvalidInput("{field}: not a user level.", field=f"days.{level}")
            if not 1 <= days <= MAX_RETENTION_DAYS:
                raise InvalidInput(
                    "{field}: a number of days within 1..{most}.",
                    field=f"days.{level}",
                    most=MAX_RETENTION_DAYS,
                )
            if level in self._locked:
                raise Conflict(
                    "{variable} sets this in the environment; change it there.",
                    variable=self._locked[level],
                )
        with self._lock:
            self._write_config(changes)
            self._days.update(changes)
        self._audit.record(actor, "settings.log_retention", None, {"days": changes}, scope="admin")
        self._db.session.commit()
        return self.days()

    def preview(
        self, text: str | None = None, now: datetime | None = None
    ) -> tuple[dict[str, Removal], list[UserRemoval]]:
        """Return what a clean-up now would remove per level, and per user (largest first;
        ``text``: only users whose name contains it)."""
        levels = {level: Removal() for level in LEVELS}
        users: dict[int | None, UserRemoval] = {}
        for row in self._expired(now or utcnow()):
            size = _size(row.log_path)
            user = users.setdefault(
                row.user_id,
                UserRemoval(user_id=row.user_id, username=row.username, level=row.level),
            )
            for removal in (levels[row.level], user):
                removal.runs += 1
                removal.bytes += size
        needle = (text or "").casefold()
        found = [u for u in users.values() if needle in (u.username or "").casefold()]
        return levels, sorted(found, key=lambda u: (-u.bytes, -u.runs, u.username or ""))

    def cleanup(self, actor: Actor, now: datetime | None = None) -> int:
        """Delete every finished run older than its owner's retention; return how many."""
        removed = self._expired(now or utcnow())
        self._logs.remove(removed)
        self._audit.record(actor, "log.cleanup", None, {"removed": len(removed)}, scope="admin")
        self._db.session.commit()
        return len(removed)

    def _expired(self, now: datetime) -> list[Any]:
        """Return the finished runs past their owner's retention: rows of id, user_id,
        log_path, the owner's username and level."""
        level = func.coalesce(User.user_level, "viewer")  # a deleted owner: the shortest
        cutoffs: list[ColumnElement[bool]] = [
            and_(level == name, ExecutionLog.start_time < now - timedelta(days=days))
            for name, days in self._days.items()
        ]
        columns = (ExecutionLog.id, ExecutionLog.user_id, ExecutionLog.log_path, User.username)
        query = (
            select(*columns, level.label("level"))
            .outerjoin(User, User.id == ExecutionLog.user_id)
            .where(ExecutionLog.status != "running", or_(*cutoffs))
            .order_by(ExecutionLog.id)
        )
        return list(self._db.session.execute(query).all())

    def _write_config(self, changes: dict[str, int]) -> None:
        """Set ``logging.retention_days.<level>`` in config.json, keeping everything else."""
        path = self._config_file
        document: dict[str, Any] = {}
        if path.exists():
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise Conflict(
                    "{file} cannot be read ({error}); fix it first.", file=path.name, error=exc
                ) from exc
            if not isinstance(document, dict):
                raise Conflict("{file} is not a JSON object; fix it first.", file=path.name)
        logging_part = document.setdefault("logging", {})
        if not isinstance(logging_part, dict) or not isinstance(
            logging_part.setdefault("retention_days", {}), dict
        ):
            raise Conflict(
                "{file}: logging.retention_days is not an object; fix it first.", file=path.name
            )
        logging_part["retention_days"].update(changes)
        _atomic_json(path, document)


def _size(log_path: str | None) -> int:
    try:
        return Path(log_path).stat().st_size if log_path else 0
    except OSError:
        return 0


def _atomic_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
