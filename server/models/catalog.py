"""Script groups, scripts, per-user tags, Python environments and metadata history."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK, JsonValue, Level, LongText, Name, Timestamp


class ScriptGroup(Base):
    """A folder of scripts sharing a level, an environment and a description."""

    __tablename__ = "script_groups"

    id: Mapped[IntPK]
    name: Mapped[Name]
    directory_path: Mapped[str] = mapped_column(String(255))
    description: Mapped[LongText]
    required_level: Mapped[Level]
    conda_environment: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    discovered_at: Mapped[Created]
    folder: Mapped[str | None] = mapped_column(String(255), unique=True)
    declared: Mapped[JsonValue]  # normalised metadata.json
    edited: Mapped[JsonValue]  # fields changed in the app (they win over the files)
    warnings: Mapped[JsonValue]
    last_scanned: Mapped[Timestamp]


class Script(Base):
    """One Python file of a group, with its parsed and edited metadata."""

    __tablename__ = "scripts"
    __table_args__ = (UniqueConstraint("group_id", "filename"),)

    id: Mapped[IntPK]
    group_id: Mapped[int] = mapped_column(Integer, ForeignKey("script_groups.id"), index=True)
    filename: Mapped[Name]
    display_name: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[LongText]
    description_long_path: Mapped[str | None] = mapped_column(String(255))
    tags: Mapped[LongText]
    required_level: Mapped[Level]
    parameters: Mapped[JsonValue]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_modified: Mapped[Timestamp]
    category: Mapped[str | None] = mapped_column(String(100))
    declared: Mapped[JsonValue]  # header, then scripts/script_metadata.json
    edited: Mapped[JsonValue]  # fields changed in the app (they win over the files)
    warnings: Mapped[JsonValue]
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_mtime_ns: Mapped[int | None] = mapped_column(BigInteger)


class UserScriptTag(Base):
    """A user's own tags on one script."""

    __tablename__ = "user_script_tags"
    __table_args__ = (UniqueConstraint("user_id", "script_id"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    script_id: Mapped[int] = mapped_column(Integer, ForeignKey("scripts.id"))
    tags: Mapped[LongText]
    created_at: Mapped[Created]


class CondaEnvironment(Base):
    """A detected Python environment a group can run in."""

    __tablename__ = "conda_environments"

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    path: Mapped[str] = mapped_column(String(255))
    python_version: Mapped[str | None] = mapped_column(String(20))
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)
    detected_at: Mapped[Created]
    last_verified: Mapped[Timestamp]


class MetadataHistory(Base):
    """One edit of a script's metadata: who changed which field from what to what."""

    __tablename__ = "metadata_history"

    id: Mapped[IntPK]
    script_id: Mapped[int] = mapped_column(Integer, ForeignKey("scripts.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    username: Mapped[str] = mapped_column(String(50))
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[JsonValue]
    new_value: Mapped[JsonValue]
    changed_at: Mapped[Created]
    source: Mapped[str] = mapped_column(Text, default="edit")
