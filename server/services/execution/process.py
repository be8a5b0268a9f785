"""Child processes: start in their own process group, measure, and end the whole tree.

POSIX: a session per child, SIGTERM then SIGKILL to its process group, RLIMIT_AS.
Windows: a process group and a Job Object per child, CTRL_BREAK then the job's end, the
job's memory limit (``windows_jobs`` explains the mechanics).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import psutil

from server.services.execution import windows_jobs

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

IS_WINDOWS = sys.platform == "win32"
PIPE_BYTES = 1024 * 1024  # a burst of output waits in the pipe, not in a blocked script


@dataclass
class Usage:
    """Resources a process tree used."""

    peak_memory_bytes: int = 0
    cpu_seconds: float = 0.0
    samples: dict[int, float] = field(default_factory=dict)  # pid -> last cpu seconds

    def sample(self, pid: int) -> None:
        """Add the tree's current memory and CPU figures."""
        try:
            root = psutil.Process(pid)
            family = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        rss = 0
        for process in family:
            try:
                with process.oneshot():
                    rss += process.memory_info().rss
                    times = process.cpu_times()
                    self.samples[process.pid] = times.user + times.system
            except psutil.Error:
                continue
        self.peak_memory_bytes = max(self.peak_memory_bytes, rss)
        self.cpu_seconds = max(self.cpu_seconds, sum(self.samples.values()))


def start(
    argv: list[str], env: dict[str, str], cwd: Path, memory_limit_mb: int
) -> subprocess.Popen:
    """Start a child with pipes, no shell, and its own process group (session on POSIX)."""
    options: dict[str, object] = {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "cwd": str(cwd),
        "env": env,
        "close_fds": True,
    }
    if IS_WINDOWS:  # suspended until it is in its job object (see _limit)
        options["creationflags"] = windows_jobs.CHILD_FLAGS
    else:
        options["start_new_session"] = True
    process = subprocess.Popen(argv, **options)  # noqa: S603 - argv list, never a shell
    _widen_pipes(process)
    _limit(process, memory_limit_mb)
    return process


def start_notes(child: subprocess.Popen) -> list[str]:
    """Return what could not be applied to a child at its start (for the run's log)."""
    return _windows_jobs().notes(child.pid) if IS_WINDOWS else []


def release(child: subprocess.Popen) -> None:
    """Let go of what :func:`start` set up for a child whose run ended (Windows: its job
    object, which also ends whatever the run left running)."""
    if IS_WINDOWS:
        _windows_jobs().release(child.pid)


@cache
def _windows_jobs() -> windows_jobs.Jobs:
    from server.services.execution.windows_kernel import Pywin32Kernel

    return windows_jobs.Jobs(Pywin32Kernel())


def _widen_pipes(process: subprocess.Popen) -> None:
    """Give the output pipes PIPE_BYTES where the OS allows it (Linux; 64 KiB otherwise),
    so a script printing fast is not held up while the reader is busy a moment."""
    resize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    for pipe in (process.stdout, process.stderr):
        if resize is None or pipe is None:
            continue
        try:
            fcntl.fcntl(pipe.fileno(), resize, PIPE_BYTES)
        except OSError:  # above the system's limit (fs.pipe-max-size): keep the default
            pass


def create_time(pid: int) -> float | None:
    """Return a process's start time (to recognise it after a restart), None if gone."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def is_same_process(pid: int, started: float | None) -> bool:
    """Return True when ``pid`` still runs and is the process started at ``started``."""
    current = create_time(pid)
    return current is not None and started is not None and abs(current - started) < 0.01


def terminate_tree(
    pid: int, grace: float, wait_root: Callable[[float], bool] | None = None
) -> None:
    """End a process and every descendant: SIGTERM, then SIGKILL after ``grace`` seconds.

    ``wait_root`` waits for the root to end when another thread reaps it (our own child,
    whose exit status the engine collects); without it the root is waited for here.
    On Windows: CTRL_BREAK to the child's process group, then the end of its job object.
    """
    if IS_WINDOWS:
        _windows_jobs().stop(pid, grace, wait_root)
        return
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.Error:
        root, family = None, []
    _signal_group(pid, signal.SIGTERM)
    for process in family:
        _quietly(process.terminate)
    watched = family[1:] if wait_root else family
    root_gone = wait_root(grace) if wait_root else True
    _gone, alive = psutil.wait_procs(watched, timeout=grace if root_gone else 0.1)
    _signal_group(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    for process in alive if root_gone or root is None else [*alive, root]:
        _quietly(process.kill)
    psutil.wait_procs(alive, timeout=5)
    if wait_root and not root_gone:
        wait_root(5)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _quietly(action) -> None:
    try:
        action()
    except psutil.Error:
        pass


def _limit(child: subprocess.Popen, memory_limit_mb: int) -> None:
    """Apply the resource limits: RLIMIT_CORE and RLIMIT_AS on POSIX; on Windows the job
    object (whole tree, memory limit), then let the suspended child run. OSError when a
    Windows child cannot be resumed (it is ended first)."""
    if IS_WINDOWS:
        _contain(child, memory_limit_mb)
        return
    pid = child.pid
    if not hasattr(psutil.Process, "rlimit"):
        return
    try:
        process = psutil.Process(pid)
        process.rlimit(psutil.RLIMIT_CORE, (0, 0))
        if memory_limit_mb > 0:
            limit = memory_limit_mb * 1024 * 1024
            process.rlimit(psutil.RLIMIT_AS, (limit, limit))
    except (psutil.Error, OSError, ValueError):
        logger.warning("could not set resource limits on %s", pid)


def _contain(child: subprocess.Popen, memory_limit_mb: int) -> None:
    try:
        _windows_jobs().contain(child.pid, memory_limit_mb)
    except OSError as exc:
        child.kill()
        child.wait()
        for pipe in (child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()
        raise OSError(f"the process could not be started in its job object: {exc}") from exc


def port_answers(port: int, host: str = "127.0.0.1") -> bool:
    """Return True when something accepts connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.05) as sock:
            return reached_listener(sock)
    except OSError:
        return False


def reached_listener(sock: socket.socket) -> bool:
    """Return False for a socket connected to itself, and reset it as it closes.

    A connect to a free port of the ephemeral range can meet itself (TCP simultaneous
    open, when the kernel picks that very port as the source): nothing listens there, and
    the TIME_WAIT a normal close leaves would keep the script from binding its port.
    """
    if sock.getsockname() != sock.getpeername():
        return True
    linger = struct.pack("HH" if IS_WINDOWS else "ii", 1, 0)  # on, 0 s: close with a reset
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    return False


def poll_exit(child) -> tuple[int | None, Any]:
    """Return (exit code, rusage) once the child ended, (None, None) while it runs."""
    if sys.platform == "win32":
        return child.poll(), None
    try:
        pid, status, rusage = os.wait4(child.pid, os.WNOHANG)
    except ChildProcessError:  # reaped elsewhere (a restarted manager ended a stray run)
        if child.returncode is None:
            child.returncode = -1
        return child.returncode, None
    if pid == 0:
        return None, None
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, rusage
