"""Windows process trees: a Job Object per run, and a graceful stop by CTRL_BREAK.

Graceful stop. Windows has no SIGTERM between processes; the nearest equivalent is the
console's CTRL_BREAK_EVENT, which Python delivers as ``signal.SIGBREAK`` and whose default
handler ends the process, as SIGTERM's default action does. GenerateConsoleCtrlEvent only
reaches the processes of a group that are attached to the *caller's* console. Children
start with CREATE_NEW_PROCESS_GROUP (their pid is the group id; descendants inherit it)
and CREATE_NO_WINDOW (a console of their own without a window: nothing flashes, and a
break can never hit the manager or the terminal it runs in). The manager cannot send the
event itself: a windowed app or a service has no console, and a console manager does not
share its console with the children. Attaching the manager to a child's console is no way
out either: FreeConsole/AttachConsole act on the whole process, would take the manager's
console from its other threads and race between two stops. So every stop starts a
short-lived helper (an argv list, never a shell; DETACHED_PROCESS, so it owns no console)
that attaches to the child's console (the root, else another member of the job when the
root already exited), ignores the event itself through a handler that returns TRUE (set
after attaching, which resets the handler list) and calls
GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, group). That works whatever console the manager
has, or none. (Jupyter interrupts kernels through an inherited event the kernel waits
for; that needs the child's cooperation, which an arbitrary script does not give.)

Whole tree. psutil's children() walks the live tree only: a grandchild whose parent already
exited escapes it. Every child is therefore assigned to a Job Object with
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: a stop ends the job after the grace period, and a
manager that crashes (its handle closes) leaves nothing behind. The child is created
suspended, assigned, then resumed, so it cannot start a process before it is in the job.
When a run ends its job is closed, which also ends what the run left running.

Memory. MAX_MEMORY_PER_SCRIPT becomes the job's memory limit: the memory committed by the
whole tree (RLIMIT_AS, per process, does not exist here). A limit that cannot be applied
is logged and reported in the run's debug output.

Everything that talks to the kernel sits in ``windows_kernel.Pywin32Kernel``; :class:`Jobs`
holds the sequencing and takes the kernel as an argument, so tests give it a fake.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

logger = logging.getLogger(__name__)

# Values of winnt.h, so the flags can be computed (and tested) where pywin32 is absent.
JOB_OBJECT_LIMIT_JOB_MEMORY = 0x00000200
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
CREATE_SUSPENDED = 0x00000004
CREATE_NEW_PROCESS_GROUP = 0x00000200
CREATE_NO_WINDOW = 0x08000000
CHILD_FLAGS = CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW | CREATE_SUSPENDED
KILLED_EXIT_CODE = 1
ROOT_REAP_TIMEOUT = 5.0


def limit_flags(memory_limit_mb: int) -> tuple[int, int]:
    """Return the job's limit flags and memory limit in bytes for MAX_MEMORY_PER_SCRIPT."""
    if memory_limit_mb <= 0:
        return JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, 0
    flags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_JOB_MEMORY
    return flags, memory_limit_mb * 1024 * 1024


class Kernel(Protocol):
    """The Windows calls :class:`Jobs` needs; each failure raises OSError."""

    def create_job(self) -> Any: ...
    def set_limits(self, job: Any, flags: int, memory_bytes: int) -> None: ...
    def assign(self, job: Any, pid: int) -> None: ...
    def resume(self, pid: int) -> None: ...
    def members(self, job: Any) -> list[int]: ...
    def terminate_job(self, job: Any, exit_code: int) -> None: ...
    def close(self, job: Any) -> None: ...
    def send_break(self, group: int, members: Sequence[int]) -> bool: ...
    def wait_gone(self, pids: Sequence[int], timeout: float) -> None: ...
    def kill_tree(self, pid: int) -> None: ...


@dataclass
class Job:
    """A child's job object (None when it could not be made) and what was not applied."""

    handle: Any
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stops: int = 0  # stops in progress: the handle stays open until the last one ends
    released: bool = False


class Jobs:
    """The job objects of this manager's live children, by pid."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()

    def contain(self, pid: int, memory_limit_mb: int) -> list[str]:
        """Put a suspended child in a new job with its limits, then resume it; return what
        could not be applied. OSError when the child cannot be resumed."""
        notes: list[str] = []
        job = Job(self._new_job(memory_limit_mb, notes), notes)
        if job.handle is not None:
            try:
                self._kernel.assign(job.handle, pid)
            except OSError as exc:
                notes.append(f"the run is not in a job object ({exc}): stray processes "
                             "may outlive a stop, and no memory limit applies")  # fmt: skip
                self._kernel.close(job.handle)
                job.handle = None
        for note in notes:
            logger.warning("process %s: %s", pid, note)
        with self._lock:
            self._jobs[pid] = job
        try:
            self._kernel.resume(pid)
        except OSError:
            self.release(pid)
            raise
        return notes

    def _new_job(self, memory_limit_mb: int, notes: list[str]) -> Any:
        """Return a job handle with the limits set (None when none could be created)."""
        try:
            job = self._kernel.create_job()
        except OSError as exc:
            notes.append(f"no job object could be created ({exc}): stray processes may "
                         "outlive a stop, and no memory limit applies")  # fmt: skip
            return None
        flags, memory = limit_flags(memory_limit_mb)
        try:
            self._kernel.set_limits(job, flags, memory)
        except OSError as exc:
            if memory:
                notes.append(f"the memory limit of {memory_limit_mb} MiB could not be "
                             f"applied ({exc})")  # fmt: skip
            try:
                self._kernel.set_limits(job, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, 0)
            except OSError as again:
                notes.append(f"the run's processes may outlive a crashed manager ({again})")
        return job

    def notes(self, pid: int) -> list[str]:
        """Return what could not be applied to a child at its start."""
        with self._lock:
            job = self._jobs.get(pid)
        return list(job.notes) if job else []

    def stop(
        self, pid: int, grace: float, wait_root: Callable[[float], bool] | None = None
    ) -> None:
        """Send CTRL_BREAK to the child's group, give it ``grace`` seconds, then end the job
        (or, without one, the live tree). ``wait_root`` as in ``process.terminate_tree``."""
        job = self._hold(pid)
        try:
            deadline = time.monotonic() + grace
            if grace > 0:
                self._break(pid, job)
            root_gone = wait_root(grace) if wait_root else True
            remaining = max(0.0, deadline - time.monotonic())
            self._kernel.wait_gone(self._members(job, pid), remaining)
            self._kill(job, pid)
            if wait_root and not root_gone:
                wait_root(ROOT_REAP_TIMEOUT)
        finally:
            self._let_go(job)

    def release(self, pid: int) -> None:
        """Forget a child whose run ended: closing its job ends whatever it left running."""
        with self._lock:
            job = self._jobs.pop(pid, None)
        if job is not None:
            with job.lock:
                job.released = True
            self._let_go(job, held=False)

    def _hold(self, pid: int) -> Job | None:
        with self._lock:
            job = self._jobs.get(pid)
        if job is not None:
            with job.lock:
                job.stops += 1
        return job

    def _let_go(self, job: Job | None, held: bool = True) -> None:
        """End a stop's hold; close the handle once released and no stop uses it."""
        if job is None:
            return
        with job.lock:
            if held:
                job.stops -= 1
            if not job.released or job.stops or job.handle is None:
                return
            handle, job.handle = job.handle, None
        self._kernel.close(handle)

    def _members(self, job: Job | None, pid: int) -> list[int]:
        """Return the job's processes (the root alone without a job)."""
        if job is None or job.handle is None:
            return [pid]
        try:
            with job.lock:
                return self._kernel.members(job.handle) if job.handle is not None else []
        except OSError as exc:
            logger.warning("could not list the processes of %s's job: %s", pid, exc)
            return [pid]

    def _break(self, pid: int, job: Job | None) -> None:
        members = self._members(job, pid)
        candidates = [pid, *(member for member in members if member != pid)]
        if not self._kernel.send_break(pid, candidates):
            logger.info("no CTRL_BREAK could reach process group %s", pid)

    def _kill(self, job: Job | None, pid: int) -> None:
        if job is not None and job.handle is not None:
            try:
                with job.lock:
                    if job.handle is not None:
                        self._kernel.terminate_job(job.handle, KILLED_EXIT_CODE)
                return
            except OSError as exc:
                logger.warning("could not end the job of %s (%s): ending its tree", pid, exc)
        self._kernel.kill_tree(pid)
