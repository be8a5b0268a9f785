"""Prometheus metrics: what ``GET /metrics`` exposes to a monitoring server.

Each app has its own registry (``prometheus_client``). Request latency is observed by the
request hooks as requests end, labelled by route pattern (``/api/logs/execution/<id>``,
never the concrete URL), so the series stay few. Everything else is read when scraped:

- runs recorded, by script and status, and their durations as a histogram, from one
  grouped query over the run table (the figures survive restarts and follow retention;
  a clean-up that deletes runs makes them drop, which Prometheus reads as a reset);
- runs and interface sessions active now, ports allocated out of the range;
- Socket.IO clients connected to the live logs;
- the last system backup's result, finish time and the backups kept.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select

from server.database import Database
from server.models import ExecutionLog, PortAllocation, ScriptProcess
from server.services.backup.service import BackupService
from server.settings import Settings

DURATION_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 14400)  # seconds (durations are whole)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The app's registry: latency observed per request, the rest read when scraped."""

    def __init__(self, db: Database, settings: Settings, backups: BackupService) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._latency = Histogram(
            "scriptsmanager_http_request_duration_seconds",
            "Time to answer an HTTP request, by route pattern, method and status.",
            ("route", "method", "status"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._clients: set[str] = set()
        self._clients_lock = threading.Lock()
        self.registry.register(_StateCollector(db, settings, backups, self.client_count))

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self._latency.labels(route, method, str(status)).observe(seconds)

    def client_connected(self, sid: str) -> None:
        """A live-log client connected."""
        with self._clients_lock:
            self._clients.add(sid)

    def client_gone(self, sid: str) -> None:
        """A live-log client disconnected."""
        with self._clients_lock:
            self._clients.discard(sid)

    def client_count(self) -> int:
        """Return the live-log clients connected now."""
        with self._clients_lock:
            return len(self._clients)

    def exposition(self) -> bytes:
        """Return every metric in the Prometheus text format."""
        return generate_latest(self.registry)


class _StateCollector(Collector):
    """Metrics read from the database and the services at each scrape."""

    def __init__(self, db: Database, settings: Settings, backups: BackupService, clients):
        self._db = db
        self._settings = settings
        self._backups = backups
        self._clients = clients

    def describe(self) -> list[Metric]:
        """Nothing to describe ahead: the families are built at each scrape."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Yield the current figures (one database session, ended at once)."""
        with self._db.job():
            yield from _run_families(self._db)
            yield from self._activity()
        yield GaugeMetricFamily(
            "scriptsmanager_socketio_clients",
            "Socket.IO clients connected to the live logs.",
            value=self._clients(),
        )
        yield from _backup_families(self._backups.status())

    def _activity(self) -> Iterator[Metric]:
        session = self._db.session
        running = session.scalar(
            select(func.count()).select_from(ExecutionLog).where(ExecutionLog.status == "running")
        )
        interfaces = session.scalar(
            select(func.count()).select_from(ScriptProcess).where(ScriptProcess.status == "ready")
        )
        ports = session.scalar(
            select(func.count())
            .select_from(PortAllocation)
            .where(PortAllocation.status.in_(("allocated", "active")))
        )
        size = self._settings.port_range_end - self._settings.port_range_start + 1
        yield GaugeMetricFamily("scriptsmanager_active_runs", "Runs running now.", running)
        yield GaugeMetricFamily(
            "scriptsmanager_active_interfaces", "Interface sessions ready now.", interfaces
        )
        yield GaugeMetricFamily("scriptsmanager_ports_in_use", "Ports allocated to runs.", ports)
        yield GaugeMetricFamily("scriptsmanager_ports_total", "Ports in the range.", size)


def _run_families(db: Database) -> Iterator[Metric]:
    """Yield the recorded runs by script and status, and the finished runs' durations."""
    duration = ExecutionLog.duration_seconds
    buckets = [func.sum(case((duration <= bound, 1), else_=0)) for bound in DURATION_BUCKETS]
    query = select(
        func.coalesce(ExecutionLog.script_name, ""),
        ExecutionLog.status,
        func.count(),
        func.count(duration),
        func.coalesce(func.sum(duration), 0),
        *buckets,
    ).group_by(ExecutionLog.script_name, ExecutionLog.status)
    runs = GaugeMetricFamily(
        "scriptsmanager_runs", "Runs recorded, by script and status.", labels=("script", "status")
    )
    durations = HistogramMetricFamily(
        "scriptsmanager_run_duration_seconds",
        "Durations of the recorded runs that ended, by script and status.",
        labels=("script", "status"),
    )
    for script, status, count, timed, total, *within in db.session.execute(query):
        runs.add_metric((script, status), count)
        if timed:
            cumulative = [(str(b), n or 0) for b, n in zip(DURATION_BUCKETS, within, strict=True)]
            durations.add_metric((script, status), [*cumulative, ("+Inf", timed)], total)
    yield runs
    yield durations


def _backup_families(status: dict[str, object]) -> Iterator[Metric]:
    """Yield the last backup's result (1 for the result it had) and the backups kept."""
    kept = GaugeMetricFamily(
        "scriptsmanager_backups_kept", "Complete system backups kept.", status["count"]
    )
    yield kept
    last = status.get("last_result")
    if not isinstance(last, dict) or last.get("kind") != "backup":
        return
    result = GaugeMetricFamily(
        "scriptsmanager_backup_last_result",
        "The last system backup's result (1 on its result).",
        labels=("result",),
    )
    result.add_metric((str(last.get("result")),), 1)
    yield result
    finished = _timestamp(last.get("finished"))
    if finished is not None:
        yield GaugeMetricFamily(
            "scriptsmanager_backup_last_finished_timestamp_seconds",
            "When the last system backup finished (Unix time).",
            finished,
        )


def _timestamp(value: object) -> float | None:
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None
