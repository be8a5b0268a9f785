"""The health report of /health."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from server import __version__
from server.database import Database
from server.models import ExecutionLog, PortAllocation, utcnow
from server.services.storage import StorageState
from server.settings import Settings

MIN_FREE_BYTES = 16 * 1024 * 1024  # below this the data disk counts as full


class HealthService:
    """Summarise whether the manager can serve: healthy, degraded (with reasons) or not."""

    def __init__(self, db: Database, settings: Settings, storage: StorageState) -> None:
        self._db = db
        self._settings = settings
        self._storage = storage

    def report(self) -> dict[str, object]:
        """Return status, reasons, database reachability, disk, running scripts, port usage."""
        database_ok = self._db.is_reachable()
        free = self._free_bytes()
        reasons = [] if database_ok else ["the database cannot be reached"]
        if free is not None and free < MIN_FREE_BYTES:
            reasons.append(f"the data disk is full ({free // 1024} KiB free)")
        elif self._storage.recently_full():
            reasons.append("a write failed for a full disk within the last minute")
        status = "unhealthy" if not database_ok else "degraded" if reasons else "healthy"
        report: dict[str, object] = {
            "status": status,
            "timestamp": utcnow().isoformat() + "Z",
            "version": __version__,
            "database": database_ok,
            "disk": {"free_bytes": free},
        }
        if reasons:
            report["reasons"] = reasons
        if database_ok:
            report.update(self._usage())
        return report

    def _free_bytes(self) -> int | None:
        try:
            return shutil.disk_usage(self._settings._path("base_data_path")).free
        except OSError:
            return None

    def _usage(self) -> dict[str, object]:
        session = self._db.session
        running = session.scalar(select(func.count()).where(ExecutionLog.status == "running"))
        in_use = session.scalar(
            select(func.count()).where(PortAllocation.status.in_(("allocated", "active")))
        )
        size = self._settings.port_range_end - self._settings.port_range_start + 1
        return {"active_scripts": running, "port_usage": {"in_use": in_use, "range_size": size}}
