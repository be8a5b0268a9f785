"""Interface ports: handed out from PORT_RANGE_START..END, recorded, checked by binding.

The ``port_allocations`` table has one row per port (unique), so two managers sharing a
database can never hold the same port: a port is taken by inserting its row or by a
conditional update of a released row, and only one of two racing writers succeeds.
"""

from __future__ import annotations

import itertools
import logging
import socket
import sys
import threading
import time
from datetime import timedelta

import psutil
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.database import Database
from server.models import PortAllocation, utcnow
from server.services.errors import Conflict

logger = logging.getLogger(__name__)

IN_USE = ("allocated", "active")
ORPHAN_AGE = timedelta(seconds=60)  # an allocation this old must have a live process
BIND_RETRY_DELAY = 0.02


def can_bind(port: int) -> bool:
    """Return True when 127.0.0.1:port can be bound right now (as a script's server would)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if sys.platform != "win32":
            # As Flask/Werkzeug do: a port whose old connections linger in TIME_WAIT is
            # usable; one with a listener is not. (On Windows the flag would allow stealing.)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class PortManager:
    """Allocate, activate and release interface ports."""

    def __init__(self, db: Database, start: int, end: int, bind_attempts: int) -> None:
        self._db = db
        self.start, self.end = start, end
        self._attempts = max(1, bind_attempts)
        self._lock = threading.Lock()
        self._next = itertools.cycle(range(start, end + 1))

    def allocate(
        self,
        script_id: int | None,
        user_id: int | None,
        project_id: int | None,
        preferred: int | None = None,
    ) -> int:
        """Return a free port now recorded as allocated, ``preferred`` when it is in the range
        and free; raise Conflict when none is left."""
        with self._lock:
            session = self._db.session
            taken = set(
                session.scalars(
                    select(PortAllocation.port_number).where(PortAllocation.status.in_(IN_USE))
                )
            )
            if (
                preferred is not None
                and self.start <= preferred <= self.end
                and preferred not in taken
                and self._bindable(preferred)
                and self._claim(preferred, script_id, user_id, project_id)
            ):
                return preferred
            for _ in range(self.end - self.start + 1):
                port = next(self._next)
                if port in taken or not self._bindable(port):
                    continue
                if self._claim(port, script_id, user_id, project_id):
                    return port
        raise Conflict("No free interface port is left; close an interface and try again.")

    def activate(self, port: int, pid: int) -> None:
        """Record the process now owning a port."""
        self._set(port, status="active", process_id=pid)

    def release(self, port: int) -> None:
        """Give a port back."""
        self._set(port, status="released", released_at=utcnow())

    def in_use(self) -> list[PortAllocation]:
        """Return the allocations not released."""
        return list(
            self._db.session.scalars(
                select(PortAllocation)
                .where(PortAllocation.status.in_(IN_USE))
                .order_by(PortAllocation.port_number)
            )
        )

    def reclaim_orphans(self, live_ports: set[int], min_age: timedelta = ORPHAN_AGE) -> int:
        """Release ports whose process is gone (a crash, a lost child); return how many."""
        cutoff = utcnow() - min_age
        orphans = [
            allocation.port_number
            for allocation in self.in_use()
            if allocation.port_number not in live_ports
            and allocation.allocated_at < cutoff
            and not (allocation.process_id and psutil.pid_exists(allocation.process_id))
        ]
        for port in orphans:
            self.release(port)
        if orphans:
            logger.warning("released orphaned ports %s", orphans)
        return len(orphans)

    def _bindable(self, port: int) -> bool:
        for attempt in range(self._attempts):
            if can_bind(port):
                return True
            if attempt + 1 < self._attempts:
                time.sleep(BIND_RETRY_DELAY)
        logger.info("port %s is busy outside the manager; skipped", port)
        return False

    def _claim(
        self, port: int, script_id: int | None, user_id: int | None, project_id: int | None
    ) -> bool:
        session = self._db.session
        values = {
            "script_id": script_id,
            "user_id": user_id,
            "project_id": project_id,
            "process_id": None,
            "status": "allocated",
            "allocated_at": utcnow(),
            "released_at": None,
        }
        claimed = session.execute(
            update(PortAllocation)
            .where(PortAllocation.port_number == port, PortAllocation.status == "released")
            .values(**values)
        ).rowcount
        if not claimed:
            exists = session.scalar(
                select(PortAllocation.id).where(PortAllocation.port_number == port)
            )
            if exists:
                session.rollback()
                return False
            session.add(PortAllocation(port_number=port, **values))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
        return True

    def _set(self, port: int, **values: object) -> None:
        session = self._db.session
        session.execute(
            update(PortAllocation).where(PortAllocation.port_number == port).values(**values)
        )
        session.commit()
