"""Filter sets a user saved on the Logs page."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK, JsonValue, Name


class LogFilterPreset(Base):
    """A named set of run-list filters (query arguments as text), private to its owner."""

    __tablename__ = "log_filter_presets"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[Name]
    filters: Mapped[JsonValue]
    created_at: Mapped[Created]
