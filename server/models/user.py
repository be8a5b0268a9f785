"""Accounts and their login sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, Created, IntPK, Level, Timestamp


class User(Base):
    """A person who logs in; ``user_level`` is admin, developer, operator or viewer."""

    __tablename__ = "users"

    id: Mapped[IntPK]
    username: Mapped[str] = mapped_column(String(50), unique=True)
    email: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    user_level: Mapped[Level]
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    preferred_theme: Mapped[str] = mapped_column(String(10), default="light")
    created_at: Mapped[Created]
    last_login: Mapped[Timestamp]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The personal desktop's own account (the OS user): signed in by the window, never
    # by a password.
    is_desktop_account: Mapped[bool] = mapped_column(Boolean, default=False)
    # Storage: the admin's quota for this user (None: STORAGE_QUOTA_MB; 0: none), and the
    # last quota state noticed (ok, warning, full), so each crossing is audited once.
    storage_quota_mb: Mapped[int | None] = mapped_column(Integer)
    storage_state: Mapped[str | None] = mapped_column(String(10))

    sessions: Mapped[list[AuthSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class AuthSession(Base):
    """A server-side login session; revoking it logs the browser out."""

    __tablename__ = "auth_sessions"

    id: Mapped[IntPK]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[Created]
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[Timestamp]
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(back_populates="sessions")
