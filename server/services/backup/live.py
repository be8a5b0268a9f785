"""Quiet a running manager for a restore's swap, and bring it back on the new data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from server.database import Database
from server.services.catalog.discovery import Discovery
from server.services.execution.engine import ExecutionService
from server.services.gate import RequestGate
from server.services.maintenance import Maintenance
from server.services.ports import PortManager

logger = logging.getLogger(__name__)

DRAIN_TIMEOUT = 30.0  # seconds the swap waits for requests already inside


@dataclass
class LiveRestore:
    """Stop every writer of the data tree (requests, runs, jobs, logs, the database) and
    start them again afterwards, as a fresh start does."""

    gate: RequestGate
    maintenance: Maintenance
    executions: ExecutionService
    db: Database
    discovery: Discovery
    ports: PortManager
    close_logs: Callable[[], None]
    open_logs: Callable[[], None]

    def quiesce(self) -> None:
        """Close the gate, stop runs and interfaces, wait for requests, close files."""
        self.gate.close()
        self.maintenance.pause()
        stopped = self.executions.stop_all("a backup is being restored")
        if not self.gate.drain(DRAIN_TIMEOUT):
            logger.warning("requests still running when the restore swapped the data")
        logger.warning("restore: %d runs stopped; swapping the data tree", stopped)
        self.close_logs()
        self.db.dispose()

    def resume(self) -> None:
        """Reopen logs and the database (migrated), resync the catalog, open the gate."""
        try:
            self.open_logs()
            self.db.migrate()
            with self.db.job():
                self.discovery.scan_all()
                self.executions.recover()
                self.ports.reclaim_orphans(set())
        finally:
            self.maintenance.resume()
            self.gate.open()


@dataclass
class OfflineRestore:
    """The swap of a stopped manager (the CLI): only the database to close and reopen."""

    db: Database

    def quiesce(self) -> None:
        """Close the database."""
        self.db.dispose()

    def resume(self) -> None:
        """Bring the restored database to this version's schema."""
        self.db.migrate()
