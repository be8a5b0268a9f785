"""Personal API tokens: a secret a user hands to a script or a tool instead of a login."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK, Name, Timestamp


class ApiToken(Base):
    """One token of a user, kept as the SHA-256 digest of its secret only.

    ``prefix`` is the start of the secret, shown so that its owner can tell tokens apart;
    a token stops working when ``expires_at`` passes or once ``revoked_at`` is set.
    """

    __tablename__ = "api_tokens"

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[Name]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[Created]
    expires_at: Mapped[Timestamp]
    last_used_at: Mapped[Timestamp]
    revoked_at: Mapped[Timestamp]
