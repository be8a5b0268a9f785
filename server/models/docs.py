"""Recorded versions of script documentation, one row per saved state of one language."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK

DOC_SOURCES = ("edit", "restore", "file")  # "file": found on disk, not saved through the app


class DocVersion(Base):
    """One version of a script's document in one language; numbered 1.. per language."""

    __tablename__ = "doc_versions"
    __table_args__ = (UniqueConstraint("script_id", "language", "version"),)

    id: Mapped[IntPK]
    script_id: Mapped[int] = mapped_column(Integer, ForeignKey("scripts.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(Integer)
    markdown: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)  # bytes of the UTF-8 text
    author_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    author_name: Mapped[str | None] = mapped_column(String(50))  # kept if the user goes
    created_at: Mapped[Created]
    source: Mapped[str] = mapped_column(String(10))
