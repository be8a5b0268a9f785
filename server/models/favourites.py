"""Scripts a user starred to find them again on the dashboard."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK


class UserFavourite(Base):
    """One starred script of one user; gone with either of them."""

    __tablename__ = "user_favourites"
    __table_args__ = (UniqueConstraint("user_id", "script_id"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    script_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("scripts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[Created]
