"""`scriptsmanager worker`: a Celery worker that runs scripts sent by the manager.

At its start it checks that it sees the manager's data folders and script groups at the
same paths (shared storage), ends the trees it left if it was killed, and registers
itself: a heartbeat key with its host, queues, concurrency and running runs.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from pathlib import Path

import redis
from celery.signals import worker_shutting_down

from server.services.execution.remote import keys
from server.services.execution.remote.celery_app import celery_app
from server.services.execution.remote.worker_run import WorkerIdentity, WorkerRun, reap_orphans

logger = logging.getLogger(__name__)

STOP_GRACE = 5.0  # seconds a run has to end when its worker stops
STOPPING_NOTE = "the worker {name} was stopped: it ended this run"


class StorageNotShared(RuntimeError):
    """This host does not see the manager's data folders where the manager does."""


def check_storage(client: redis.Redis) -> dict[str, str]:
    """Return the manager's published storage; StorageNotShared unless this host sees the
    same marker file (same token) and the script groups at the same paths."""
    raw = client.get(keys.STORAGE)
    if not raw:
        raise StorageNotShared(
            "no manager has published its data folder on this broker yet: start the manager "
            "with EXECUTION_BACKEND=celery first"
        )
    storage = json.loads(raw)
    marker = Path(storage["path"])
    try:
        token = marker.read_text("utf-8").strip()
    except OSError:
        token = None
    if token != storage["token"]:
        raise StorageNotShared(
            f"the manager's data folder is not shared with this host: {marker} is missing or "
            "differs (mount the shared storage at the same path)"
        )
    if not Path(storage["groups"]).is_dir():
        raise StorageNotShared(f"the script groups folder {storage['groups']} is not here")
    return storage


class Worker:
    """One worker process: registration, orphan reaping, the Celery worker loop."""

    def __init__(self, broker_url: str, home: Path, host: str, name: str | None,
                 queues: list[str], concurrency: int) -> None:  # fmt: skip
        self._url = broker_url
        self._redis = redis.Redis.from_url(broker_url)
        runs = home / "worker" / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        self.identity = WorkerIdentity(name or socket.gethostname(), host, runs)
        self.queues = queues or [keys.DEFAULT_QUEUE]
        self.concurrency = concurrency
        self._started = time.time()
        self._runs: set[WorkerRun] = set()
        self._lock = threading.Lock()

    def run(self) -> None:
        """Check, reap, register, then serve until stopped."""
        check_storage(self._redis)
        ended = reap_orphans(self.identity.runs)
        if ended:
            logger.warning("ended %s run trees left by this worker's previous process", ended)
        threading.Thread(target=self._register, daemon=True).start()
        worker_shutting_down.connect(self._end_runs, weak=False)
        app = celery_app(self._url)
        app.task(name=keys.TASK)(self._run_script)
        app.worker_main([
            "worker", "--pool", "threads", "--concurrency", str(self.concurrency),
            "--queues", ",".join(self.queues), "--hostname", f"{self.identity.name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING",
        ])  # fmt: skip

    def _run_script(self, payload: dict) -> None:
        run = WorkerRun(self._redis, self.identity, payload)
        with self._lock:
            self._runs.add(run)
        try:
            run.run()
        finally:
            with self._lock:
                self._runs.discard(run)

    def _end_runs(self, **_signal) -> None:
        """The worker is stopping: it owns its runs' trees, so it ends them first."""
        with self._lock:
            runs = list(self._runs)
        enders = [threading.Thread(target=run.end, args=(STOPPING_NOTE.format(
            name=self.identity.name), STOP_GRACE)) for run in runs]  # fmt: skip
        for ender in enders:
            ender.start()
        for ender in enders:
            ender.join()

    def _register(self) -> None:
        while True:
            value = {
                "name": self.identity.name, "host": self.identity.host, "queues": self.queues,
                "concurrency": self.concurrency, "pid": os.getpid(), "started": self._started,
                "running": len(list(self.identity.runs.glob("*.json"))),
            }  # fmt: skip
            try:
                self._redis.set(keys.worker(self.identity.name), keys.dumps(value),
                                ex=keys.ALIVE_FOR)  # fmt: skip
            except redis.RedisError as exc:
                logger.warning("could not register with the broker: %s", exc)
            time.sleep(keys.ALIVE_EVERY)
