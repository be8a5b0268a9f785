"""The health report of /health."""

from __future__ import annotations

from sqlalchemy import func, select

from server import __version__
from server.database import Database
from server.models import ExecutionLog, PortAllocation, utcnow
from server.settings import Settings


class HealthService:
    """Summarise whether the manager can serve."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings

    def report(self) -> dict[str, object]:
        """Return status, database reachability, running scripts and port usage."""
        database_ok = self._db.is_reachable()
        report: dict[str, object] = {
            "status": "healthy" if database_ok else "unhealthy",
            "timestamp": utcnow().isoformat() + "Z",
            "version": __version__,
            "database": database_ok,
        }
        if database_ok:
            session = self._db.session
            report["active_scripts"] = session.scalar(
                select(func.count()).where(ExecutionLog.status == "running")
            )
            in_use = session.scalar(
                select(func.count()).where(PortAllocation.status.in_(("allocated", "active")))
            )
            size = self._settings.port_range_end - self._settings.port_range_start + 1
            report["port_usage"] = {"in_use": in_use, "range_size": size}
        return report
