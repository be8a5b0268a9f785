"""The audit trail: every change, with who, what, when and from where."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK, JsonValue


class AuditEvent(Base):
    """One recorded action; ``scope`` is ``user`` or ``admin``."""

    __tablename__ = "audit_events"

    id: Mapped[IntPK]
    occurred_at: Mapped[Created]
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(50))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[JsonValue]
