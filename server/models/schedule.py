"""Scheduled runs: a script, its values and a cron expression, run in the owner's name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK, JsonValue, utcnow


class Schedule(Base):
    """A run repeated at the times of a cron expression, private to its owner.

    A deleted script leaves the schedule behind with no script (SET NULL), so that its
    owner finds it paused with the reason instead of seeing it vanish; a deleted owner
    takes their schedules along.
    """

    __tablename__ = "schedules"

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    script_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("scripts.id", ondelete="SET NULL"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_projects.id", ondelete="SET NULL")
    )
    parameters: Mapped[JsonValue]  # as submitted (secrets included: the run needs them)
    cron: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    paused_reason: Mapped[str | None] = mapped_column(Text)  # a stored Message (JSON)
    created_at: Mapped[Created]
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    last_execution_uuid: Mapped[str | None] = mapped_column(String(36))
