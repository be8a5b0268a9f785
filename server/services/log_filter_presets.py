"""Saved filters of the Logs page: named sets of run-list query arguments, per user.

The API layer checks the filters by the rules of the list's query arguments and hands
them here as text values; this service keeps them private to their owner.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.database import Database
from server.models import LogFilterPreset, utcnow
from server.services.errors import Conflict, NotFound
from server.services.names import check_name

MAX_PRESETS = 50  # per user
MAX_NAME = 100


class LogFilterPresets:
    """List, save, change and delete a user's filter presets."""

    def __init__(self, db: Database, limit: int = MAX_PRESETS) -> None:
        self._db = db
        self.limit = limit

    def list(self, user_id: int) -> list[LogFilterPreset]:
        """Return the user's presets by name."""
        query = select(LogFilterPreset).where(LogFilterPreset.user_id == user_id)
        order = (func.lower(LogFilterPreset.name), LogFilterPreset.id)
        return list(self._db.session.scalars(query.order_by(*order)))

    def create(self, user_id: int, name: str, filters: dict[str, str]) -> LogFilterPreset:
        """Save a new preset; Conflict on a taken name or beyond the limit."""
        name = check_name(name, MAX_NAME)
        count = self._db.session.scalar(
            select(func.count()).where(LogFilterPreset.user_id == user_id)
        )
        if (count or 0) >= self.limit:
            raise Conflict(
                "You can keep up to {limit} filter presets; delete one first.", limit=self.limit
            )
        self._refuse_taken(user_id, name, None)
        row = LogFilterPreset(user_id=user_id, name=name, filters=filters, created_at=utcnow())
        self._db.session.add(row)
        self._commit(name)
        return row

    def update(
        self, user_id: int, preset_id: int, name: str | None, filters: dict[str, str] | None
    ) -> LogFilterPreset:
        """Rename a preset and/or replace its filters."""
        row = self.get(user_id, preset_id)
        if name is not None:
            name = check_name(name, MAX_NAME)
            self._refuse_taken(user_id, name, row.id)  # before the change: no flush of it yet
            row.name = name
        if filters is not None:
            row.filters = filters
        self._commit(row.name)
        return row

    def delete(self, user_id: int, preset_id: int) -> None:
        """Delete one of the user's presets."""
        self._db.session.delete(self.get(user_id, preset_id))
        self._db.session.commit()

    def get(self, user_id: int, preset_id: int) -> LogFilterPreset:
        """Return the user's preset; NotFound for another user's or none."""
        row = self._db.session.get(LogFilterPreset, preset_id)
        if row is None or row.user_id != user_id:
            raise NotFound("Filter preset {preset_id} does not exist.", preset_id=preset_id)
        return row

    def _refuse_taken(self, user_id: int, name: str, own_id: int | None) -> None:
        taken = self._db.session.scalar(
            select(LogFilterPreset.id).where(
                LogFilterPreset.user_id == user_id, LogFilterPreset.name == name
            )
        )
        if taken is not None and taken != own_id:
            raise Conflict("A filter preset named {name!r} exists already.", name=name)

    def _commit(self, name: str) -> None:
        try:
            self._db.session.commit()
        except IntegrityError as exc:  # a concurrent save took the name first
            self._db.session.rollback()
            raise Conflict("A filter preset named {name!r} exists already.", name=name) from exc
