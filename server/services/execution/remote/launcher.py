"""The manager's side of the celery backend: send a run to a worker, relay its stream.

A :class:`RemoteChild` looks like a local child to the engine: the relay thread writes
the worker's output chunks, in order, into two local pipes that the run's ``OutputCapture``
reads, so the log, the live Socket.IO rooms and the replay work as for a local run.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any, BinaryIO

import redis

from server.services.errors import Conflict, Unavailable
from server.services.execution.children import StartRequest
from server.services.execution.process import Usage
from server.services.execution.remote import keys
from server.services.execution.remote.celery_app import celery_app

logger = logging.getLogger(__name__)

START_TIMEOUT = 30.0  # seconds a worker has to start a run it was sent
BLOCK_MS = 1000  # one read of the stream waits at most this long
KEEP_CONTROL = 24 * 3600  # seconds a stop or a cancel waits for a worker that is away
MARKER = ".scriptsmanager-storage"


class CeleryBackend:
    """Runs on `scriptsmanager worker` processes (``EXECUTION_BACKEND=celery``)."""

    name = "celery"

    def __init__(self, broker_url: str, start_timeout: float = START_TIMEOUT) -> None:
        self._redis = redis.Redis.from_url(broker_url)
        self._celery = celery_app(broker_url)
        self._start_timeout = start_timeout
        self._children: list[RemoteChild] = []  # this manager's runs on workers
        self._storage: dict[str, str] = {}
        self._lock = threading.Lock()

    def prepare(self, data_root: Path, groups_root: Path) -> None:
        """Write the shared-storage marker under ``data_root`` and publish it, so that a
        worker can check at its start that it sees the same data folders and groups (when
        the broker is down or restarted, at its next look at the workers)."""
        marker = data_root / MARKER
        marker.parent.mkdir(parents=True, exist_ok=True)
        if not marker.is_file():
            marker.write_text(secrets.token_hex(16), "utf-8")
        token = marker.read_text("utf-8").strip()
        self._storage = {"path": str(marker), "token": token, "groups": str(groups_root)}
        try:
            self._publish()
        except redis.RedisError as exc:
            logger.warning("the broker is not reachable (%s): runs wait for it", exc)

    def _publish(self) -> None:
        """(Re)publish the marker: a restarted broker gets it back at the next look."""
        if self._storage:
            self._redis.set(keys.STORAGE, keys.dumps(self._storage))

    def workers(self) -> list[dict[str, Any]]:
        """Return the registered (live) workers with their queues and load; Unavailable
        when the broker does not answer."""
        found = []
        try:
            self._publish()
            for key in self._redis.scan_iter(match=keys.WORKER_PREFIX + "*", count=100):
                value = self._redis.get(key)
                if value:
                    found.append(json.loads(value))
        except redis.RedisError as exc:
            logger.warning("the broker is not reachable: %s", exc)
            raise Unavailable("The run queue is not reachable now; try again later.") from exc
        return sorted(found, key=lambda worker: worker["name"])

    def check_queue(self, queue: str | None) -> None:
        """Conflict when no live worker serves the group's queue, or when every run slot of
        its workers is taken by this manager's runs (started or being started)."""
        name = keys.queue_of(queue)
        serving = [w for w in self.workers() if name in w.get("queues", [])]
        if not serving:
            raise Conflict(
                "No worker serves the queue {queue} now; start one with scriptsmanager worker.",
                queue=name,
            )
        names = {w["name"] for w in serving}
        capacity = sum(int(w.get("concurrency", 1)) for w in serving)
        with self._lock:
            self._children = [c for c in self._children if not c.ended]
            busy = sum(1 for c in self._children if c.worker in names or c.queue == name)
        if busy >= capacity:
            raise Conflict(
                "The workers of the queue {queue} run {count} scripts, all they may; try "
                "again when one ends.",
                queue=name, count=busy,
            )  # fmt: skip

    def start(self, request: StartRequest) -> RemoteChild:
        """Send the run to its queue and wait for a worker to start it; OSError otherwise."""
        payload = {
            "execution_id": request.execution_id,
            "argv": request.argv,
            "env": request.env,
            "cwd": str(request.cwd),
            "memory_limit_mb": request.memory_limit_mb,
        }
        child = RemoteChild(self._redis, request.execution_id, keys.queue_of(request.queue))
        with self._lock:
            self._children.append(child)  # counts as busy while a worker starts it
        try:
            self._celery.send_task(keys.TASK, args=[payload], queue=child.queue)
            child.wait_started(self._start_timeout)
            registered = {(w["name"], w["host"]) for w in self.workers()}
        except (redis.RedisError, Unavailable) as exc:
            raise OSError(f"the run queue is not reachable ({exc})") from exc
        if (child.worker, child.host) not in registered:  # the proxy goes to workers only
            child.terminate(0)
            child.discard()
            raise OSError(f"{child.worker} ({child.host}) is not a registered worker")
        return child

    def stop_orphan(
        self, record_environment: dict[str, Any], pid: int, started: float | None, grace: float
    ) -> bool:
        """Ask the run's worker to end a tree a stopped manager left; True when the worker
        still reports it (a worker that is away ends it when it starts again)."""
        execution_id = record_environment.get("execution_id")
        if not record_environment.get("worker") or not execution_id:
            return False
        try:
            request_stop(self._redis, execution_id, grace)
            return bool(self._redis.exists(keys.alive(execution_id)))
        except redis.RedisError:
            return False

    def close(self) -> None:
        """Close the broker connections."""
        self._redis.close()


def request_stop(client: redis.Redis, execution_id: str, grace: float) -> None:
    """Ask the worker of a run to end its tree (kept a while for a worker that is away)."""
    client.rpush(keys.control(execution_id), f"stop {grace}")
    client.expire(keys.control(execution_id), KEEP_CONTROL)


class RemoteChild:
    """A run's tree on a worker, seen through its stream in Redis."""

    def __init__(self, client: redis.Redis, execution_id: str, queue: str) -> None:
        self._redis = client
        self._id = execution_id
        self.queue = queue
        self._stream = keys.stream(execution_id)
        self._last = "0"
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        self.stdout: BinaryIO = os.fdopen(out_read, "rb", buffering=0)
        self.stderr: BinaryIO = os.fdopen(err_read, "rb", buffering=0)
        self._sinks = {"stdout": out_write, "stderr": err_write}
        self.pid = 0
        self.create_time: float | None = None
        self.host = "127.0.0.1"
        self.worker = ""
        self._exit: int | None = None
        self._figures = Usage()
        self._notes: list[str] = []
        self._ended = threading.Event()

    def wait_started(self, timeout: float) -> None:
        """Read the stream up to the worker's start; OSError (and the run cancelled) when
        no worker starts it within ``timeout`` seconds or it could not be started."""
        waited = 0.0
        while waited < timeout:
            for fields in self._read():
                if fields["k"] == "started":
                    self._started(fields)
                    threading.Thread(target=self._relay, name=f"relay-{self._id[:8]}",
                                     daemon=True).start()  # fmt: skip
                    return
                if fields["k"] == "end":
                    self._close_sinks()
                    self.discard()
                    raise OSError(f"the worker could not start it: {fields.get('error')}")
            waited += BLOCK_MS / 1000
        request_stop(self._redis, self._id, 0)  # a worker taking it later skips it
        self._close_sinks()
        self.discard()
        raise OSError(f"no worker started it within {timeout:.0f} s")

    @property
    def ended(self) -> bool:
        """Return True once the run's stream was read to its end (or the run not kept)."""
        return self._ended.is_set()

    def discard(self) -> None:
        """Close the pipes' reading ends of a run that is not kept (it did not start)."""
        self._ended.set()
        self.stdout.close()
        self.stderr.close()

    def _started(self, fields: dict[str, Any]) -> None:
        self.pid = int(fields["pid"])
        self.create_time = float(fields["created"])
        self.worker, self.host = fields["worker"], fields["host"]

    def _read(self) -> list[dict[str, Any]]:
        """Return the next entries of the stream (waiting up to BLOCK_MS for some)."""
        answer = self._redis.xread({self._stream: self._last}, count=256, block=BLOCK_MS)
        entries = []
        for _stream, items in answer or []:
            for entry_id, raw in items:
                self._last = entry_id
                entries.append({key.decode(): value for key, value in raw.items()})
        for fields in entries:
            fields["k"] = fields["k"].decode()
            for name in ("worker", "host", "error", "note"):
                if name in fields:
                    fields[name] = fields[name].decode("utf-8", "replace")
        return entries

    def _relay(self) -> None:
        """Pass chunks to the pipes until the end entry, or until the worker is lost."""
        try:
            while self._exit is None:
                entries = self._read()
                for fields in entries:
                    self._take(fields)
                if (
                    not entries
                    and self._exit is None
                    and not self._redis.exists(keys.alive(self._id))
                ):
                    self._notes.append(
                        f"the worker {self.worker} stopped while this run was going; its "
                        "processes are ended when it starts again"
                    )
                    self._exit = -1
        except redis.RedisError as exc:
            self._notes.append(f"the run queue was lost ({exc}); the run's end is unknown")
            self._exit = -1
        finally:
            self._close_sinks()
            self._forget()
            self._ended.set()

    def _take(self, fields: dict[str, Any]) -> None:
        kind = fields["k"]
        if kind in self._sinks:
            _write_all(self._sinks[kind], fields["d"])
        elif kind in ("usage", "end"):
            self._figures.peak_memory_bytes = max(self._figures.peak_memory_bytes,
                                                  int(fields["mem"]))  # fmt: skip
            self._figures.cpu_seconds = max(self._figures.cpu_seconds, float(fields["cpu"]))
            if kind == "end":
                if fields.get("note"):
                    self._notes.append(fields["note"])
                self._exit = int(fields["exit"])

    def _close_sinks(self) -> None:
        for name, fd in list(self._sinks.items()):
            os.close(fd)
            del self._sinks[name]

    def _forget(self) -> None:
        try:
            self._redis.delete(self._stream, keys.alive(self._id))
        except redis.RedisError:
            logger.warning("the stream of %s could not be deleted", self._id)

    def identity(self) -> dict[str, Any]:
        return {"worker": self.worker, "worker_host": self.host, "execution_id": self._id}

    def notes(self) -> list[str]:
        return [f"started on the worker {self.worker} ({self.host}), process {self.pid}"]

    def poll(self) -> tuple[int | None, Any]:
        return (self._exit, None) if self._ended.is_set() else (None, None)

    def sample(self, usage: Usage) -> None:
        usage.peak_memory_bytes = max(usage.peak_memory_bytes, self._figures.peak_memory_bytes)
        usage.cpu_seconds = max(usage.cpu_seconds, self._figures.cpu_seconds)

    def terminate(self, grace: float, wait_root: Any = None) -> None:
        try:
            request_stop(self._redis, self._id, grace)
        except redis.RedisError as exc:
            logger.warning("the stop of %s could not be sent: %s", self._id, exc)
        (wait_root or self._ended.wait)(grace + keys.ALIVE_FOR + 5)

    def end_notes(self) -> list[str]:
        return list(self._notes)

    def release(self) -> None:
        """Nothing is held once the stream is read to its end."""


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to a pipe (the capture that reads it may have closed it)."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        pass
