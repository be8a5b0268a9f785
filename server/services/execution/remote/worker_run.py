"""One run on a worker: start the tree, stream its output to Redis, obey stops, report.

The worker owns the tree: it starts it with the same contract as the manager's local
backend (argv, no shell, its own session, the memory limit), ends it on ``stop``, and keeps
a file per run in its own folder so that trees left by a killed worker are ended when it
starts again.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from server.resources import sdk_folder
from server.services.execution import process as processes
from server.services.execution.process import Usage
from server.services.execution.remote import keys

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
KEEP_STREAM = 24 * 3600  # seconds an unread stream is kept (a manager that is away)


@dataclass(frozen=True)
class WorkerIdentity:
    """Who a worker is: its name, the host its interfaces listen on, its run folder."""

    name: str
    host: str
    runs: Path  # one JSON file per live run: pid and start time


class WorkerRun:
    """Run one payload sent by the manager, to its end."""

    def __init__(self, client: redis.Redis, identity: WorkerIdentity, payload: dict[str, Any]):
        self._redis = client
        self._me = identity
        self._id = str(payload["execution_id"])
        self._payload = payload
        self._stream = keys.stream(self._id)
        self._exited = threading.Event()
        self._usage = Usage()
        self._pid = 0
        self._note = ""  # why the worker itself ended the run (it is stopping)

    def run(self) -> None:
        """Start the tree and follow it to its end (nothing when the run was cancelled)."""
        if self._redis.exists(keys.control(self._id)):
            logger.warning("run %s was cancelled before it started", self._id)
            return
        try:
            child = self._start()
        except OSError as exc:
            self._add({"k": "end", "exit": -1, "mem": 0, "cpu": 0, "error": str(exc)})
            return
        self._pid = child.pid
        record = self._me.runs / f"{self._id}.json"
        facts = {"pid": child.pid, "created": processes.create_time(child.pid)}
        record.write_text(json.dumps(facts))
        try:
            self._follow(child)
        finally:
            record.unlink(missing_ok=True)
            processes.release(child)

    def _start(self):
        payload = self._payload
        env = {**payload["env"], "PYTHONPATH": str(sdk_folder())}  # this host's SDK
        env["SCRIPTSMANAGER_INTERFACE_HOST"] = self._me.host
        return processes.start(
            list(payload["argv"]), env, Path(payload["cwd"]), int(payload["memory_limit_mb"])
        )

    def _follow(self, child) -> None:
        self._beat()
        created = processes.create_time(child.pid) or 0.0
        self._add({"k": "started", "pid": child.pid, "created": created,
                   "worker": self._me.name, "host": self._me.host})  # fmt: skip
        readers = [
            threading.Thread(target=self._pump, args=(name, pipe), daemon=True)
            for name, pipe in (("stdout", child.stdout), ("stderr", child.stderr))
        ]
        for reader in readers:
            reader.start()
        threading.Thread(target=self._obey, args=(child.pid,), daemon=True).start()
        exit_code = self._wait(child)
        for reader in readers:
            reader.join(5)
        if any(reader.is_alive() for reader in readers):  # descendants hold the pipes
            processes.terminate_tree(child.pid, 0)
            for reader in readers:
                reader.join(5)
        end = {"k": "end", "exit": exit_code, "mem": self._usage.peak_memory_bytes,
               "cpu": round(self._usage.cpu_seconds, 3)}  # fmt: skip
        self._add({**end, "note": self._note} if self._note else end)
        self._redis.expire(self._stream, KEEP_STREAM)

    def _wait(self, child) -> int:
        """Reap the child, beating and sampling meanwhile; return its exit code."""
        delay, last_beat = 0.01, time.monotonic()
        while True:
            exit_code, rusage = processes.poll_exit(child)
            if exit_code is not None:
                break
            if time.monotonic() - last_beat >= keys.ALIVE_EVERY:
                self._usage.sample(child.pid)
                self._beat()
                self._add({"k": "usage", "mem": self._usage.peak_memory_bytes,
                           "cpu": round(self._usage.cpu_seconds, 3)})  # fmt: skip
                last_beat = time.monotonic()
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        self._exited.set()
        if rusage is not None:
            cpu = rusage.ru_utime + rusage.ru_stime
            self._usage.cpu_seconds = max(self._usage.cpu_seconds, cpu)
        return exit_code

    def _pump(self, name: str, pipe) -> None:
        fd = pipe.fileno()
        try:
            while data := os.read(fd, CHUNK):
                self._add({"k": name, "d": data})
        except OSError:
            pass
        finally:
            pipe.close()

    def _obey(self, pid: int) -> None:
        """End the tree when the manager asks (Stop, the time limit, a restart)."""
        while not self._exited.is_set():
            try:
                popped = self._redis.blpop([keys.control(self._id)], timeout=1)
            except redis.RedisError:
                time.sleep(1)
                continue
            if popped:
                grace = float(popped[1].decode().split()[1])
                processes.terminate_tree(pid, grace, self._exited.wait)
                return

    def end(self, note: str, grace: float) -> None:
        """End the run's tree because the worker stops (the note goes to the run's log)."""
        if self._pid and not self._exited.is_set():
            self._note = note
            processes.terminate_tree(self._pid, grace, self._exited.wait)

    def _beat(self) -> None:
        self._redis.set(keys.alive(self._id), self._me.name, ex=keys.ALIVE_FOR)

    def _add(self, fields: dict[str, Any]) -> None:
        self._redis.xadd(self._stream, {k: v if isinstance(v, bytes) else str(v)
                                        for k, v in fields.items()})  # fmt: skip


def reap_orphans(runs: Path) -> int:
    """End the trees a killed worker left (its run files); return how many were there."""
    ended = 0
    for record in runs.glob("*.json"):
        try:
            facts = json.loads(record.read_text())
            if processes.is_same_process(int(facts["pid"]), facts.get("created")):
                processes.terminate_tree(int(facts["pid"]), 2.0)
                ended += 1
        except (OSError, ValueError, KeyError):
            logger.warning("run file %s could not be read", record)
        record.unlink(missing_ok=True)
    return ended
