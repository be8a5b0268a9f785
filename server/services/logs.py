"""Run history: per-user lists with filters and full-text search, details, files, retention."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Select, and_, column, delete, func, select, table, text

from server.database import Database
from server.layout import Layout
from server.models import ExecutionLog, User, UserProject
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.execution.engine import ExecutionService
from server.services.mark_queries import any_noted, noted_runs, starred_condition

logger = logging.getLogger(__name__)

STATUSES = ("running", "completed", "failed", "terminated")
SORTS = {
    "start_time": ExecutionLog.id,  # ids grow with start time and are indexed
    "duration": ExecutionLog.duration_seconds,
    "status": ExecutionLog.status,
    "script": ExecutionLog.script_name,
    "project": ExecutionLog.project_id,
}
_TERM = re.compile(r"[\w.-]+", re.UNICODE)
COUNT_LIMIT = 10_000  # totals are counted up to here ("10000" then means "at least")
SEARCH_COUNT_LIMIT = 1_000  # the same for full-text searches, where each match costs more
SEARCH = table("execution_search", column("rowid"))  # the FTS5 index of migration 0003


def _terms(words: str) -> list[str]:
    terms = _TERM.findall(words)[:10]
    if not terms:
        raise InvalidInput("q: give at least one word to search for.", field="q")
    return terms


class LogFile(Protocol):
    """What removing a run needs: its id and its log file (a record or a row)."""

    id: int
    log_path: str | None


@dataclass(frozen=True)
class LogFilters:
    """Criteria of a run list; None means any."""

    script_id: int | None = None
    project_id: int | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    text: str | None = None
    project_name: str | None = None  # runs in any user's project of this name
    starred: bool | None = None  # runs ``marker`` starred (True) or did not (False)
    marker: int | None = None  # whose marks count: ``starred``, and ``text`` found in notes


class LogService:
    """Query and manage execution records and their log files."""

    def __init__(
        self, db: Database, layout: Layout, executions: ExecutionService, audit: AuditLog
    ) -> None:
        self._db = db
        self._layout = layout
        self._executions = executions
        self._audit = audit

    def list(
        self,
        user_id: int | None,
        filters: LogFilters,
        sort: str = "start_time",
        descending: bool = True,
        page: int = 1,
        per_page: int = 50,
    ) -> tuple[list[ExecutionLog], int]:
        """Return one page of runs (all users' when ``user_id`` is None) and the total.

        The total is counted up to COUNT_LIMIT (SEARCH_COUNT_LIMIT for a text search).
        """
        if sort not in SORTS:
            raise InvalidInput(
                "{field} must be one of {choices}.", field="sort", choices=", ".join(SORTS)
            )
        if filters.status is not None and filters.status not in STATUSES:
            raise InvalidInput(
                "{field} must be one of {choices}.", field="status", choices=", ".join(STATUSES)
            )
        query, rowid = self._query(user_id, filters)
        column = rowid if sort == "start_time" and rowid is not None else SORTS[sort]
        order = [column.desc() if descending else column.asc()]
        if sort != "start_time":
            order.append(ExecutionLog.id.desc())  # a tie-break; ids are already unique
        rows = self._db.session.scalars(
            query.order_by(*order).offset((page - 1) * per_page).limit(per_page)
        )
        cap = COUNT_LIMIT if self._match_expression(filters.text) is None else SEARCH_COUNT_LIMIT
        capped = query.with_only_columns(ExecutionLog.id).limit(cap).subquery()
        total = self._db.session.scalar(select(func.count()).select_from(capped))
        return list(rows), total or 0

    def ids(self, user_id: int | None, filters: LogFilters, limit: int) -> list[int]:
        """Return the ids of matching runs (all users' when ``user_id`` is None), newest first."""
        query, rowid = self._query(user_id, filters)
        newest = (ExecutionLog.id if rowid is None else rowid).desc()
        ids = query.with_only_columns(ExecutionLog.id).order_by(newest).limit(limit)
        return list(self._db.session.scalars(ids))

    def _query(self, user_id: int | None, filters: LogFilters) -> tuple[Select, Any]:
        """Return the query of matching runs and, when it walks the FTS5 index, its rowid."""
        match = self._match_expression(filters.text)
        if match is None:
            return self._filtered(select(ExecutionLog), user_id, filters), None
        found = text("execution_search MATCH :match").bindparams(match=match)
        terms = _terms(filters.text or "")
        if filters.marker is not None and any_noted(self._db.session, filters.marker, terms):
            # A note matches too: runs found by either, in id order (no walk of the index).
            hits = select(SEARCH.c.rowid).where(found).union(noted_runs(filters.marker, terms))
            query = self._filtered(select(ExecutionLog), user_id, filters)
            return query.where(ExecutionLog.id.in_(hits)), None
        # Drive the query from the FTS5 index, walked in rowid order (newest first); the
        # unary + keeps SQLite from starting at the user index and probing FTS per row.
        query = self._filtered(
            select(ExecutionLog)
            .select_from(SEARCH)
            .join(ExecutionLog, ExecutionLog.id == SEARCH.c.rowid)
            .where(found),
            None,
            filters,
        )
        if user_id is not None:
            query = query.where(text("+execution_logs.user_id = :uid").bindparams(uid=user_id))
        return query, SEARCH.c.rowid

    def _filtered(self, query: Select, user_id: int | None, filters: LogFilters) -> Select:
        conditions = []
        if user_id is not None:
            conditions.append(ExecutionLog.user_id == user_id)
        if filters.script_id is not None:
            conditions.append(ExecutionLog.script_id == filters.script_id)
        if filters.project_id is not None:
            conditions.append(ExecutionLog.project_id == filters.project_id)
        if filters.project_name is not None:
            named = select(UserProject.id).where(UserProject.project_name == filters.project_name)
            conditions.append(ExecutionLog.project_id.in_(named))
        if filters.status is not None:
            conditions.append(ExecutionLog.status == filters.status)
        if filters.date_from is not None:
            start = datetime.combine(filters.date_from, datetime.min.time())
            conditions.append(ExecutionLog.start_time >= start)
        if filters.date_to is not None and filters.date_to < date.max:  # date.max: no end
            end = datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time())
            conditions.append(ExecutionLog.start_time < end)
        if filters.min_duration is not None:
            conditions.append(ExecutionLog.duration_seconds >= filters.min_duration)
        if filters.max_duration is not None:
            conditions.append(ExecutionLog.duration_seconds <= filters.max_duration)
        if filters.starred is not None and filters.marker is not None:
            conditions.append(starred_condition(filters.marker, filters.starred))
        if filters.text and self._db.engine.dialect.name != "sqlite":
            terms = _terms(filters.text)  # no FTS5: every word, anywhere in the text
            found = and_(
                *(
                    ExecutionLog.output.ilike(f"%{term}%")
                    | ExecutionLog.error_output.ilike(f"%{term}%")
                    | ExecutionLog.script_name.ilike(f"%{term}%")
                    for term in terms
                )
            )
            if filters.marker is not None:
                found = found | ExecutionLog.id.in_(noted_runs(filters.marker, terms))
            conditions.append(found)
        return query.where(*conditions)

    def _match_expression(self, words: str | None) -> str | None:
        """Return an FTS5 query for ``words`` (every word, quoted) on SQLite, else None."""
        if not words or self._db.engine.dialect.name != "sqlite":
            return None
        return " ".join('"' + term.replace('"', '""') + '"' for term in _terms(words))

    def get(self, execution_id: str, user_id: int, is_admin: bool) -> ExecutionLog:
        """Return a run the user owns (admins: any); NotFound otherwise."""
        record = self._db.session.scalar(
            select(ExecutionLog).where(ExecutionLog.execution_uuid == execution_id)
        )
        if record is None or (record.user_id != user_id and not is_admin):
            raise NotFound("Run {execution_id} does not exist.", execution_id=execution_id)
        return record

    def read(self, execution_id: str, reader: Actor, is_admin: bool) -> ExecutionLog:
        """Return a run the reader may see; an admin reading another user's run is audited."""
        record = self.get(execution_id, reader.user_id or 0, is_admin)
        target = f"execution:{execution_id}"
        self._audit.record_foreign_read(reader, record.user_id, "admin.read_log", target)
        return record

    def latest_running(self, script_id: int, user_id: int) -> ExecutionLog:
        """Return the user's latest running execution of a script; Conflict when none."""
        record = self._db.session.scalar(
            select(ExecutionLog)
            .where(
                ExecutionLog.script_id == script_id,
                ExecutionLog.user_id == user_id,
                ExecutionLog.status == "running",
            )
            .order_by(ExecutionLog.id.desc())
            .limit(1)
        )
        if record is None:
            raise Conflict("You have no running execution of this script.")
        return record

    def script_status(
        self, script_id: int, user_id: int
    ) -> tuple[list[ExecutionLog], ExecutionLog | None]:
        """Return the user's running executions of a script and their latest execution."""
        query = select(ExecutionLog).where(
            ExecutionLog.script_id == script_id, ExecutionLog.user_id == user_id
        )
        session = self._db.session
        running = list(
            session.scalars(query.where(ExecutionLog.status == "running").order_by(ExecutionLog.id))
        )
        latest = session.scalar(query.order_by(ExecutionLog.id.desc()).limit(1))
        return running, latest

    def running(self, user_id: int | None) -> list[ExecutionLog]:
        """Return running executions (one user's, or all when ``user_id`` is None)."""
        query = select(ExecutionLog).where(ExecutionLog.status == "running")
        if user_id is not None:
            query = query.where(ExecutionLog.user_id == user_id)
        return list(self._db.session.scalars(query.order_by(ExecutionLog.id.desc())))

    def outputs(self, record: ExecutionLog) -> dict[str, str]:
        """Return stdout, stderr and debug text: live while running, else as stored."""
        live = self._executions.live_texts(record.execution_uuid)
        if live is not None:
            return live
        return {
            "stdout": record.output or "",
            "stderr": record.error_output or "",
            "debug": record.debug_output or "",
        }

    def log_file(self, record: ExecutionLog) -> Path:
        """Return the path of the run's full log file."""
        path = Path(record.log_path or "")
        if not path.is_file():
            raise NotFound("The log file of this run is gone.")
        return path

    def delete(self, record: ExecutionLog, actor: Actor) -> None:
        """Delete a finished run's record and log file."""
        if record.status == "running":
            raise Conflict("Stop the run before deleting its log.")
        self.remove([record])
        self._audit.record(actor, "log.delete", f"execution:{record.execution_uuid}")
        self._db.session.commit()

    def delete_user_logs(self, user_id: int, actor: Actor) -> int:
        """Delete every finished run of a user."""
        records = list(
            self._db.session.scalars(
                select(ExecutionLog).where(
                    ExecutionLog.user_id == user_id, ExecutionLog.status != "running"
                )
            )
        )
        self.remove(records)
        self._audit.record(
            actor, "log.delete_user", f"user:{user_id}", {"count": len(records)}, scope="admin"
        )
        self._db.session.commit()
        return len(records)

    def stats(self, user_id: int | None) -> dict[str, Any]:
        """Return totals by status, success rate, average duration, top scripts, disk use."""
        session = self._db.session
        scope = [] if user_id is None else [ExecutionLog.user_id == user_id]
        by_status = dict(
            session.execute(
                select(ExecutionLog.status, func.count())
                .where(*scope)
                .group_by(ExecutionLog.status)
            ).all()
        )
        total = sum(by_status.values())
        finished = total - by_status.get("running", 0)
        average = session.scalar(
            select(func.avg(ExecutionLog.duration_seconds)).where(
                *scope, ExecutionLog.duration_seconds.is_not(None)
            )
        )
        top = session.execute(
            select(ExecutionLog.script_name, func.count().label("runs"))
            .where(*scope)
            .group_by(ExecutionLog.script_name)
            .order_by(text("runs DESC"))
            .limit(5)
        ).all()
        paths = session.scalars(select(ExecutionLog.log_path).where(*scope)).all()
        storage = sum(Path(p).stat().st_size for p in paths if p and Path(p).is_file())
        return {
            "total": total,
            "by_status": {status: by_status.get(status, 0) for status in STATUSES},
            "success_rate": round(by_status.get("completed", 0) / finished, 3)
            if finished
            else None,
            "average_duration_seconds": round(float(average), 2) if average is not None else None,
            "top_scripts": [{"script": name, "runs": runs} for name, runs in top],
            "storage_bytes": storage,
        }

    def labels(self, records: list[ExecutionLog]) -> tuple[dict[int, str], dict[int, str]]:
        """Return the user names and project names the records refer to, by id."""
        user_ids = {r.user_id for r in records if r.user_id is not None}
        project_ids = {r.project_id for r in records if r.project_id is not None}
        session = self._db.session
        users = session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
        projects = session.execute(
            select(UserProject.id, UserProject.project_name).where(UserProject.id.in_(project_ids))
        )
        return dict(users.all()), dict(projects.all())

    def remove(self, records: list[LogFile]) -> None:
        """Delete records and their log files (the caller commits)."""
        for record in records:
            if record.log_path:
                Path(record.log_path).unlink(missing_ok=True)
        ids = [record.id for record in records]
        for start in range(0, len(ids), 500):
            self._db.session.execute(
                delete(ExecutionLog).where(ExecutionLog.id.in_(ids[start : start + 500]))
            )
