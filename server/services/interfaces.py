"""Interface sessions: find, ping, close; reap the ones nobody keeps alive.

A session is the ``script_processes`` row of a run; it is ``starting`` until the run's
port answers, then ``ready``, and ``closed`` when the run ends. Browser tabs ping it every
HEARTBEAT_INTERVAL; a tab that closes sends a beacon and the session closes after a short
grace (a reload pings again within it). Native windows of the desktop app hold their
session instead: a held session is never reaped, and the window's close event closes it
directly. Windows of a desktop client (``--connect``) renew a one-minute lease: if the
client dies, the session closes within a minute.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.database import Database
from server.models import ExecutionLog, ScriptProcess, utcnow
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, NotFound
from server.services.execution.engine import ExecutionService

OPEN = ("starting", "ready")
CLOSE_GRACE = timedelta(seconds=3)  # a reload within it keeps the session
LEASE = timedelta(seconds=60)  # a desktop client's window renews it every 15 s


class InterfaceService:
    """Manage interface sessions on top of the execution engine."""

    def __init__(
        self, db: Database, executions: ExecutionService, audit: AuditLog, session_timeout: int
    ) -> None:
        self._db = db
        self._executions = executions
        self._audit = audit
        self._timeout = timedelta(seconds=session_timeout)
        self._held: set[str] = set()

    def get(self, session_id: str, user_id: int, is_admin: bool) -> ScriptProcess:
        """Return a session the user owns (admins: any); NotFound otherwise."""
        record = self._db.session.scalar(
            select(ScriptProcess).where(ScriptProcess.tab_session_id == session_id)
        )
        if record is None or (record.user_id != user_id and not is_admin):
            raise NotFound("This interface session does not exist.")
        return record

    def target(self, session_id: str, user_id: int, is_admin: bool) -> tuple[str, int, str]:
        """Return (host, port, token) of a ready session: the only place the proxy may go
        (the host is this machine's loopback, or the registered worker that runs it)."""
        record = self.get(session_id, user_id, is_admin)
        run = self._executions.live_run(record.execution_uuid or "")
        if record.status != "ready" or run is None or run.port != record.flask_port:
            raise NotFound("This interface is not running.")
        return run.process.host, run.port, run.token

    def list(
        self, user_id: int | None, script_id: int | None = None, only_open: bool = True
    ) -> list[ScriptProcess]:
        """Return sessions (one user's, or everyone's when ``user_id`` is None)."""
        query = select(ScriptProcess).where(ScriptProcess.tab_session_id.is_not(None))
        if user_id is not None:
            query = query.where(ScriptProcess.user_id == user_id)
        if script_id is not None:
            query = query.where(ScriptProcess.script_id == script_id)
        if only_open:
            query = query.where(ScriptProcess.status.in_(OPEN))
        return list(self._db.session.scalars(query.order_by(ScriptProcess.id.desc()).limit(200)))

    def script_names(self, records: list[ScriptProcess]) -> dict[str, str]:
        """Return the script name of each session's run, by execution id."""
        ids = [r.execution_uuid for r in records if r.execution_uuid]
        rows = self._db.session.execute(
            select(ExecutionLog.execution_uuid, ExecutionLog.script_name).where(
                ExecutionLog.execution_uuid.in_(ids)
            )
        )
        return dict(rows.all())

    def reopen(self, script_id: int, user_id: int) -> ScriptProcess:
        """Return the user's latest ready session of a script; Conflict when none is live."""
        ready = [s for s in self.list(user_id, script_id) if s.status == "ready"]
        if not ready:
            raise Conflict("This script has no open interface; run it first.")
        return ready[0]

    def ping(self, record: ScriptProcess, lease: bool = False) -> None:
        """Keep a session alive (and cancel a pending close from a reloaded tab); a leased
        ping (a desktop client's window) closes the session if no renewal follows."""
        if record.status not in OPEN:
            raise Conflict("This interface is closed.")
        record.last_ping = utcnow()
        record.close_after = record.last_ping + LEASE if lease else None
        self._db.session.commit()

    def hold(self, session_id: str) -> None:
        """Exempt a session from the heartbeat sweep (a native window shows it)."""
        self._held.add(session_id)

    def release(self, session_id: str) -> None:
        """Let the heartbeat sweep see a session again."""
        self._held.discard(session_id)

    def close_soon(self, record: ScriptProcess) -> None:
        """Close a session after a short grace unless it is pinged again (tab went away)."""
        if record.status in OPEN:
            record.close_after = utcnow() + CLOSE_GRACE
            self._db.session.commit()

    def close(self, record: ScriptProcess, actor: Actor, reason: str = "interface closed") -> None:
        """End the session's run (process tree), free its port and mark it closed."""
        execution_id = record.execution_uuid or ""
        if self._executions.is_live(execution_id):
            self._executions.stop(execution_id, actor, reason=reason)
        self._db.session.refresh(record)
        if record.status != "closed":
            record.status, record.ended_at = "closed", utcnow()
        self._audit.record(actor, "interface.close", f"session:{record.tab_session_id}")
        self._db.session.commit()
        self.release(record.tab_session_id or "")

    def sweep(self) -> int:
        """Close sessions past their close grace or without a heartbeat for SESSION_TIMEOUT."""
        now = utcnow()
        stale = [
            record
            for record in self.list(None)
            if record.status == "ready"
            and record.tab_session_id not in self._held
            and (
                (record.close_after and record.close_after <= now)
                or (record.last_ping and now - record.last_ping > self._timeout)
            )
        ]
        for record in stale:
            reason = "tab closed or lease ended" if record.close_after else "no heartbeat"
            self.close(record, Actor.system(), reason=reason)
        return len(stale)
