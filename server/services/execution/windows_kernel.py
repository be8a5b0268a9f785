"""The Windows calls behind ``windows_jobs.Jobs``: pywin32 for job objects, psutil for
processes, and the short-lived CTRL_BREAK helper (``windows_jobs`` says why a helper).

Imports of pywin32 are guarded, so this module imports everywhere; without pywin32 no job
object can be created, which ``Jobs`` reports as for any other failure.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import psutil

from server.resources import RUN_SCRIPT_VARIABLE, is_frozen
from server.services.execution.windows_jobs import CREATE_NEW_PROCESS_GROUP, ROOT_REAP_TIMEOUT

try:
    import pywintypes
    import win32api
    import win32con
    import win32job
except ImportError:  # not Windows, or pywin32 missing: runs then have no job object
    pywintypes = win32api = win32con = win32job = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

DETACHED_PROCESS = 0x00000008
HELPER_FLAGS = CREATE_NEW_PROCESS_GROUP | DETACHED_PROCESS
HELPER_TIMEOUT = 10.0  # seconds; it normally ends within a fraction of one
KERNEL_ERRORS: tuple[type[Exception], ...] = (
    (psutil.Error, pywintypes.error) if pywintypes else (psutil.Error,)
)

# The helper: stdlib only, so any interpreter (or the packaged app) runs it. Exit status:
# 0 sent, 2 no console of the group could be attached, 3 the event could not be sent.
BREAK_PROGRAM = """\
import ctypes, sys
from ctypes import wintypes
kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
group, *members = (int(arg) for arg in sys.argv[1:])
kernel32.FreeConsole()
if not any(kernel32.AttachConsole(pid) for pid in members):
    sys.exit(2)
Handler = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)
ignore = Handler(lambda event: True)
kernel32.SetConsoleCtrlHandler(ignore, True)
sys.exit(0 if kernel32.GenerateConsoleCtrlEvent(1, group) else 3)
"""


def helper_command(group: int, members: Sequence[int], frozen: bool, executable: str) -> list[str]:
    """Return the helper's argv: ``python -I -c``, or the packaged app in script mode."""
    numbers = [str(group), *map(str, members)]
    if frozen:  # the app's executable runs a script file, but has no -c
        return [executable, str(_helper_file()), *numbers]
    return [executable, "-I", "-c", BREAK_PROGRAM, *numbers]


@cache
def _helper_file() -> Path:
    """Write the helper once into a private temporary folder; return its path."""
    path = Path(tempfile.mkdtemp(prefix="scriptsmanager-")) / "ctrl_break.py"
    path.write_text(BREAK_PROGRAM, encoding="utf-8")
    return path


def _os_errors(action: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a kernel call so pywin32 and psutil failures raise OSError."""

    def call(*args: Any) -> Any:
        try:
            return action(*args)
        except KERNEL_ERRORS as exc:
            raise OSError(str(exc)) from exc

    return call


class Pywin32Kernel:
    """The real calls: pywin32 for job objects, psutil for processes."""

    @_os_errors
    def create_job(self) -> Any:
        if win32job is None:
            raise OSError("pywin32 is not installed")
        return win32job.CreateJobObject(None, "")  # not inheritable: our handle is the last

    @_os_errors
    def set_limits(self, job: Any, flags: int, memory_bytes: int) -> None:
        kind = win32job.JobObjectExtendedLimitInformation
        info = win32job.QueryInformationJobObject(job, kind)
        info["BasicLimitInformation"]["LimitFlags"] = flags
        info["JobMemoryLimit"] = memory_bytes
        win32job.SetInformationJobObject(job, kind, info)

    @_os_errors
    def assign(self, job: Any, pid: int) -> None:
        access = win32con.PROCESS_SET_QUOTA | win32con.PROCESS_TERMINATE
        process = win32api.OpenProcess(access, False, pid)
        try:
            win32job.AssignProcessToJobObject(job, process)
        finally:
            process.Close()

    @_os_errors
    def resume(self, pid: int) -> None:
        psutil.Process(pid).resume()  # NtResumeProcess: Popen keeps no thread handle

    @_os_errors
    def members(self, job: Any) -> list[int]:
        info = win32job.QueryInformationJobObject(job, win32job.JobObjectBasicProcessIdList)
        pids = info.get("ProcessIdList", ()) if isinstance(info, dict) else info
        return [int(pid) for pid in pids]

    @_os_errors
    def terminate_job(self, job: Any, exit_code: int) -> None:
        win32job.TerminateJobObject(job, exit_code)

    @_os_errors
    def close(self, job: Any) -> None:
        job.Close()

    def send_break(self, group: int, members: Sequence[int]) -> bool:
        argv = helper_command(group, members, is_frozen(), sys.executable)
        env = {k: v for k, v in os.environ.items() if k.upper() in ("SYSTEMROOT", "PATH")}
        if is_frozen():
            env[RUN_SCRIPT_VARIABLE] = "1"
        try:
            done = subprocess.run(  # noqa: S603 - argv list, never a shell
                argv, env=env, capture_output=True, timeout=HELPER_TIMEOUT,
                creationflags=HELPER_FLAGS if sys.platform == "win32" else 0, close_fds=True,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.warning("the CTRL_BREAK helper failed: %s", exc)
            return False
        return done.returncode == 0

    def wait_gone(self, pids: Sequence[int], timeout: float) -> None:
        processes = []
        for pid in pids:
            try:
                processes.append(psutil.Process(pid))
            except psutil.Error:
                continue
        psutil.wait_procs(processes, timeout=timeout)

    def kill_tree(self, pid: int) -> None:
        try:
            root = psutil.Process(pid)
            family = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        for process in family:
            try:
                process.kill()
            except psutil.Error:
                continue
        psutil.wait_procs(family, timeout=ROOT_REAP_TIMEOUT)
