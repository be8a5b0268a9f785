"""Run history: per-user lists with filters and full-text search, details, files, retention."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import defer

from server.database import Database
from server.layout import Layout
from server.models import ExecutionLog, User, UserProject
from server.services import live_output
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.execution.engine import ExecutionService
from server.services.run_list import SORTS, STATUSES, Listing, LogFilters, RunPage, RunQuery

logger = logging.getLogger(__name__)

COUNT_LIMIT = 10_000  # totals are counted up to here; more is "at least 10,000"
SEARCH_COUNT_LIMIT = 1_000  # the same for full-text searches, where each match costs more
# Texts a list never shows, left in the database (up to MAX_OUTPUT_IN_DATABASE each).
LIST_DEFERRED = (
    ExecutionLog.output,
    ExecutionLog.error_output,
    ExecutionLog.debug_output,
    ExecutionLog.search_terms,
    ExecutionLog.environment,
)
LIST_OPTIONS = tuple(defer(column) for column in LIST_DEFERRED)


class LogFile(Protocol):
    """What removing a run needs: its id and its log file (a record or a row)."""

    id: int
    log_path: str | None


class LogService:
    """Query and manage execution records and their log files."""

    def __init__(
        self,
        db: Database,
        layout: Layout,
        executions: ExecutionService,
        audit: AuditLog,
        count_limit: int = COUNT_LIMIT,
        search_count_limit: int = SEARCH_COUNT_LIMIT,
    ) -> None:
        self._db = db
        self._layout = layout
        self._executions = executions
        self._audit = audit
        self._count_limit = count_limit
        self._search_count_limit = search_count_limit

    def list(
        self,
        user_id: int | None,
        filters: LogFilters,
        sort: str = "start_time",
        descending: bool = True,
        page: int = 1,
        per_page: int = 50,
        texts: bool = False,
    ) -> RunPage:
        """Return one page of runs (every user's when ``user_id`` is None) and their total,
        counted up to the count limit (the search count limit for a full-text search); the
        rows' output texts are loaded only with ``texts``."""
        if sort not in SORTS:
            raise InvalidInput(
                "{field} must be one of {choices}.", field="sort", choices=", ".join(SORTS)
            )
        if filters.status is not None and filters.status not in STATUSES:
            raise InvalidInput(
                "{field} must be one of {choices}.", field="status", choices=", ".join(STATUSES)
            )
        query = RunQuery(self._db.session, Listing(user_id, filters, sort, descending))
        offset = (page - 1) * per_page
        options = () if texts else LIST_OPTIONS
        rows = query.page_rows(offset, per_page, options)
        seen = offset + len(rows) if rows else 0  # runs known to be in the list
        if len(rows) < per_page and (rows or offset == 0):
            return RunPage(rows, seen)  # the list ends on this page
        cap = self._search_count_limit if filters.text else self._count_limit
        counted = max(query.count(cap), seen)
        if counted > cap:
            return RunPage(rows, max(cap, seen), total_is_lower_bound=True)
        return RunPage(rows, counted)

    def ids(self, user_id: int | None, filters: LogFilters, limit: int) -> list[int]:
        """Return the ids of matching runs (all users' when ``user_id`` is None), newest first."""
        return RunQuery(self._db.session, Listing(user_id, filters)).page_ids(0, limit)

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

    def live_tail(self, record: ExecutionLog, after: int | None) -> live_output.LiveOutput | None:
        """Return a running run's output tail (of what followed the cursor ``after`` when
        given), None when the run is not running here."""
        run = self._executions.live_run(record.execution_uuid)
        if record.status != "running" or run is None:
            return None
        return live_output.read(run.capture, after)

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
