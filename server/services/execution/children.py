"""The lifecycle contract of a run's process, whichever backend owns it.

A backend's ``start`` returns a :class:`Child`: its output pipes (read by the run's
``OutputCapture``), its exit, its resource figures, a way to end its whole tree, and the
host its interface listens on. :class:`LocalChild` is a child process of this manager;
``remote.launcher.RemoteChild`` is one that a Celery worker started on its host.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from server.services.execution import process as processes
from server.services.execution.process import Usage

LOCALHOST = "127.0.0.1"


@dataclass(frozen=True)
class StartRequest:
    """What starting a run's process needs: the same contract on every backend."""

    execution_id: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    memory_limit_mb: int
    queue: str | None = None  # celery: the group's queue, None for the default one


class Child(Protocol):
    """A started run's process tree, as the engine and its monitor see it."""

    pid: int
    create_time: float | None
    host: str  # where the run's interface port listens
    stdout: BinaryIO
    stderr: BinaryIO

    def identity(self) -> dict[str, Any]:
        """Return what the run's record keeps to find the tree again (e.g. its worker)."""

    def notes(self) -> list[str]:
        """Return what could not be applied at the start (for the run's log)."""

    def poll(self) -> tuple[int | None, Any]:
        """Return (exit code, rusage or None) once it ended, (None, None) while it runs."""

    def sample(self, usage: Usage) -> None:
        """Add the tree's current memory and CPU figures to ``usage``."""

    def terminate(self, grace: float, wait_root: Any = None) -> None:
        """End the whole tree: a graceful stop, then a kill after ``grace`` seconds."""

    def end_notes(self) -> list[str]:
        """Return what the run's log should say about how it ended (e.g. a lost worker)."""

    def release(self) -> None:
        """Let go of what the start set up, once the run is recorded."""


class Backend(Protocol):
    """Where runs' processes start: this manager (``local``) or Celery workers."""

    name: str

    def start(self, request: StartRequest) -> Child:
        """Start a run's process; OSError when it cannot be started."""

    def prepare(self, data_root: Path, groups_root: Path) -> None:
        """Get ready at the manager's start (the data folders and groups it serves)."""

    def check_queue(self, queue: str | None) -> None:
        """Raise Conflict when nothing would start a run of ``queue`` now."""

    def workers(self) -> list[dict[str, Any]]:
        """Return the live workers, with their queues and load (none for local runs)."""

    def stop_orphan(
        self, record_environment: dict[str, Any], pid: int, started: float | None, grace: float
    ) -> bool:
        """End a tree that a stopped manager left running; True when it was still there."""

    def close(self) -> None:
        """Release the backend's connections."""


class LocalChild:
    """A child process of this manager (its own session or process group)."""

    host = LOCALHOST

    def __init__(self, process: subprocess.Popen) -> None:
        self._process = process
        self.pid = process.pid
        self.create_time = processes.create_time(process.pid)
        self.stdout: BinaryIO = process.stdout  # type: ignore[assignment]
        self.stderr: BinaryIO = process.stderr  # type: ignore[assignment]

    def identity(self) -> dict[str, Any]:
        return {}

    def notes(self) -> list[str]:
        return processes.start_notes(self._process)

    def poll(self) -> tuple[int | None, Any]:
        return processes.poll_exit(self._process)

    def sample(self, usage: Usage) -> None:
        if self._process.returncode is None:  # once reaped, the pid may be another's
            usage.sample(self.pid)

    def terminate(self, grace: float, wait_root: Any = None) -> None:
        processes.terminate_tree(self.pid, grace, wait_root)

    def end_notes(self) -> list[str]:
        return []

    def release(self) -> None:
        processes.release(self._process)


class LocalBackend:
    """Runs as child processes of this manager (``EXECUTION_BACKEND=local``)."""

    name = "local"

    def start(self, request: StartRequest) -> Child:
        """Start the process; OSError when it cannot be started."""
        process = processes.start(request.argv, request.env, request.cwd, request.memory_limit_mb)
        return LocalChild(process)

    def prepare(self, data_root: Path, groups_root: Path) -> None:
        """Nothing to prepare."""

    def check_queue(self, queue: str | None) -> None:
        """Local runs have no queues: nothing to check."""

    def workers(self) -> list[dict[str, Any]]:
        """Local runs have no workers."""
        return []

    def stop_orphan(
        self, record_environment: dict[str, Any], pid: int, started: float | None, grace: float
    ) -> bool:
        """End a run's tree left by a stopped manager; True when it was still there."""
        if pid and processes.is_same_process(pid, started):
            processes.terminate_tree(pid, grace)
            return True
        return False

    def close(self) -> None:
        """Nothing to close."""


def backend_for(backend: str, broker_url: str) -> Backend:
    """Return the execution backend a manager's settings choose."""
    if backend == "celery":
        from server.services.execution.remote.launcher import CeleryBackend

        return CeleryBackend(broker_url)
    return LocalBackend()
