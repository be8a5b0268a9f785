"""A user's star and note on a run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, IntPK, LongText, utcnow


class RunMark(Base):
    """One user's bookmark and note on one run; gone with either of them.

    ``execution_id`` is the run's database id (``execution_logs.id``), not its UUID.
    """

    __tablename__ = "run_marks"
    __table_args__ = (UniqueConstraint("user_id", "execution_id"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    execution_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("execution_logs.id", ondelete="CASCADE"), index=True
    )
    starred: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[LongText]
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
