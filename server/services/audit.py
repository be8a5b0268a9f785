"""The audit trail: each change goes to the database and to a JSON-lines file."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from server.database import Database
from server.models import AuditEvent, utcnow

logger = logging.getLogger(__name__)

SCOPES = ("user", "admin")


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where."""

    user_id: int | None
    username: str | None
    remote_addr: str | None = None

    @classmethod
    def system(cls) -> Actor:
        """Return the actor of changes made by the manager itself."""
        return cls(None, "system", None)


@dataclass(frozen=True)
class AuditFilters:
    """Criteria of an audit list; None means any."""

    action: str | None = None  # the action starts with this
    username: str | None = None  # exactly this actor
    target: str | None = None  # the target contains this
    date_from: date | None = None
    date_to: date | None = None


class AuditLog:
    """Record actions in ``audit_events`` and ``logs/audit/<scope>_actions.log``."""

    def __init__(self, db: Database, folder: Path) -> None:
        self._db = db
        self._folder = folder
        self._lock = threading.Lock()

    def record(
        self,
        actor: Actor,
        action: str,
        target: str | None = None,
        details: dict[str, Any] | None = None,
        scope: str = "user",
    ) -> None:
        """Store one event in the current session (committed with the change) and the file."""
        if scope not in SCOPES:
            raise ValueError(f"unknown audit scope {scope!r}")
        event = AuditEvent(
            occurred_at=utcnow(),
            user_id=actor.user_id,
            username=actor.username,
            remote_addr=actor.remote_addr,
            scope=scope,
            action=action,
            target=target,
            details=details or {},
        )
        self._db.session.add(event)
        self._append_line(event)

    def record_now(self, actor: Actor, action: str, target: str | None = None) -> None:
        """Store one event and commit it at once: for changes to files, which no database
        change commits along."""
        self.record(actor, action, target)
        self._db.session.commit()

    def record_foreign_read(self, reader: Actor, owner_id: int, action: str, target: str) -> None:
        """Audit (and commit at once) an admin's read of another user's run or data."""
        if reader.user_id == owner_id:
            return
        self.record(reader, action, target, {"owner_id": owner_id}, scope="admin")
        self._db.session.commit()

    def events(
        self, page: int, per_page: int, filters: AuditFilters | None = None
    ) -> tuple[list[AuditEvent], int]:
        """Return one page of events, newest first, and the total."""
        filters = filters or AuditFilters()
        query = select(AuditEvent)
        if filters.action:
            query = query.where(AuditEvent.action.startswith(filters.action, autoescape=True))
        if filters.username:
            query = query.where(AuditEvent.username == filters.username)
        if filters.target:
            query = query.where(AuditEvent.target.contains(filters.target, autoescape=True))
        if filters.date_from is not None:
            start = datetime.combine(filters.date_from, time())
            query = query.where(AuditEvent.occurred_at >= start)
        if filters.date_to is not None and filters.date_to < date.max:  # date.max: no end
            end = datetime.combine(filters.date_to + timedelta(days=1), time())
            query = query.where(AuditEvent.occurred_at < end)
        session = self._db.session
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
        )
        return list(rows), total

    def _append_line(self, event: AuditEvent) -> None:
        line = json.dumps(
            {
                "time": event.occurred_at.isoformat() + "Z",
                "user_id": event.user_id,
                "username": event.username,
                "remote_addr": event.remote_addr,
                "action": event.action,
                "target": event.target,
                "details": event.details,
            },
            ensure_ascii=False,
            default=str,
        )
        path = self._folder / f"{event.scope}_actions.log"
        try:
            with self._lock, path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError:
            logger.exception("could not append to %s", path)
