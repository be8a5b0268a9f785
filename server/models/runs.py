"""Projects, port allocations, script processes and execution logs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    desc,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Created, IntPK, JsonValue, LongText, Timestamp, utcnow


class UserProject(Base):
    """A user's named project within a group; it owns a data folder."""

    __tablename__ = "user_projects"
    __table_args__ = (UniqueConstraint("user_id", "project_name", "group_id"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    project_name: Mapped[str] = mapped_column(String(100))
    group_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("script_groups.id"))
    description: Mapped[LongText]
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[Created]
    last_accessed: Mapped[Timestamp]


class PortAllocation(Base):
    """A port handed to a script interface; ``status`` is allocated, active or released."""

    __tablename__ = "port_allocations"

    id: Mapped[IntPK]
    port_number: Mapped[int] = mapped_column(Integer, unique=True)
    script_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("scripts.id"))
    user_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    project_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_projects.id", ondelete="SET NULL")
    )
    process_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    allocated_at: Mapped[Created]
    released_at: Mapped[Timestamp]


class ScriptProcess(Base):
    """A run's interface session: its port, and the tab or window that keeps it alive.

    ``status`` is starting, ready or closed; ``tab_session_id`` is the session id.
    """

    __tablename__ = "script_processes"

    id: Mapped[IntPK]
    script_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("scripts.id"))
    user_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    process_id: Mapped[int] = mapped_column(Integer)
    flask_port: Mapped[int | None] = mapped_column(Integer)
    tab_session_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[Created]
    last_ping: Mapped[Timestamp]
    ended_at: Mapped[Timestamp]
    execution_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    project_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_projects.id", ondelete="SET NULL")
    )
    close_after: Mapped[Timestamp]  # a closed tab's grace period ends here (a reload pings)


def _sort_indexes(name: str, key: str) -> tuple[Index, ...]:
    """Return the four indexes of one sort key: one user's runs and everyone's, each in the
    descending order (read backwards) and the ascending one (ties newest first there too)."""
    return (
        Index(f"ix_execution_logs_user_{name}", "user_id", key),
        Index(f"ix_execution_logs_user_{name}_asc", "user_id", key, desc("id")),
        Index(f"ix_execution_logs_{name}", key),
        Index(f"ix_execution_logs_{name}_asc", key, desc("id")),
    )


# The run list reads every sort and filter from an index (migration 0011), so a page is
# found without sorting and a count without reading the runs. Ties are newest first in
# both directions: an index's rowid suffix gives that read backwards (a descending sort),
# and an ``..._asc`` index ending in ``id DESC`` gives it read forwards.
RUN_LIST_INDEXES = (
    Index("ix_execution_logs_user_status_asc", "user_id", "status", desc("id")),
    Index("ix_execution_logs_status_asc", "status", desc("id")),
    *_sort_indexes("duration", "duration_seconds"),
    *_sort_indexes("script_name", "script_name"),
    *_sort_indexes("project", "project_id"),
    Index("ix_execution_logs_user_script", "user_id", "script_id"),
    Index("ix_execution_logs_script", "script_id"),
    Index("ix_execution_logs_start", "start_time"),
)


class ExecutionLog(Base):
    """One run of a script: context, status and (bounded) captured output."""

    __tablename__ = "execution_logs"
    __table_args__ = (
        Index("ix_execution_logs_user_start", "user_id", "start_time"),
        Index("ix_execution_logs_user_status", "user_id", "status"),
        Index("ix_execution_logs_status", "status"),
        *RUN_LIST_INDEXES,
    )

    id: Mapped[IntPK]
    script_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("scripts.id"))
    user_id: Mapped[int | None] = mapped_column(
        Integer,
        ForeignKey("users.id", ondelete="SET NULL"),
        index=True,  # rows in id order
    )
    project_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_projects.id", ondelete="SET NULL")
    )
    session_id: Mapped[str | None] = mapped_column(String(100))
    execution_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    start_time: Mapped[Created]
    end_time: Mapped[Timestamp]
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    output: Mapped[LongText]
    error_output: Mapped[LongText]
    debug_output: Mapped[LongText]
    search_terms: Mapped[LongText]  # words of the output left out of the three above
    exit_code: Mapped[int | None] = mapped_column(Integer)
    parameters: Mapped[JsonValue]
    conda_environment: Mapped[str | None] = mapped_column(String(100))
    flask_port: Mapped[int | None] = mapped_column(Integer)
    log_level: Mapped[str] = mapped_column(String(10), default="INFO")
    tags: Mapped[LongText]
    created_at: Mapped[Created]
    last_updated: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    group_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("script_groups.id"))
    script_name: Mapped[str | None] = mapped_column(String(100))
    pid: Mapped[int | None] = mapped_column(Integer)
    process_create_time: Mapped[float | None] = mapped_column(Float)
    log_path: Mapped[str | None] = mapped_column(String(500))
    peak_memory_bytes: Mapped[int | None] = mapped_column(BigInteger)
    cpu_seconds: Mapped[float | None] = mapped_column(Float)
    trigger: Mapped[str] = mapped_column(String(20), default="manual", server_default="manual")
    schedule_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("schedules.id", ondelete="SET NULL")
    )
    environment: Mapped[JsonValue]  # interpreter, working folder, argv (secrets left out)
