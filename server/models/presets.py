"""Parameter sets a user saved for one script."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK, JsonValue, Name, utcnow


class ParameterPreset(Base):
    """A named set of parameter values, private to its owner; gone with the owner."""

    __tablename__ = "parameter_presets"
    __table_args__ = (UniqueConstraint("user_id", "script_id", "name"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    script_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("scripts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[Name]
    parameters: Mapped[JsonValue]
    created_at: Mapped[Created]
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
