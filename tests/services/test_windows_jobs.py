"""Windows process trees: the job-object and CTRL_BREAK sequencing, against a recording
stand-in for the Windows kernel (the same methods as ``windows_kernel.Pywin32Kernel``)."""

from __future__ import annotations

import subprocess
import sys

import psutil
import pytest

from server.services.execution import windows_kernel
from server.services.execution.windows_jobs import (
    JOB_OBJECT_LIMIT_JOB_MEMORY,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    KILLED_EXIT_CODE,
    Jobs,
    limit_flags,
)

KILL_ON_CLOSE = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
MiB = 1024 * 1024


class FakeKernel:
    """Records every call; ``fail`` names the calls that raise OSError."""

    def __init__(self, members=(), fail=(), memory_refused=False):
        self.calls: list[tuple] = []
        self._members = list(members)
        self._fail = set(fail)
        self._memory_refused = memory_refused

    def _call(self, *call):
        self.calls.append(call)
        if call[0] in self._fail:
            raise OSError(f"{call[0]} refused")

    def create_job(self):
        self._call("create_job")
        return "job-1"

    def set_limits(self, job, flags, memory_bytes):
        self._call("set_limits", job, flags, memory_bytes)
        if self._memory_refused and memory_bytes:
            raise OSError("quota refused")

    def assign(self, job, pid):
        self._call("assign", job, pid)

    def resume(self, pid):
        self._call("resume", pid)

    def members(self, job):
        self._call("members", job)
        return list(self._members)

    def terminate_job(self, job, exit_code):
        self._call("terminate_job", job, exit_code)

    def close(self, job):
        self._call("close", job)

    def send_break(self, group, members):
        self._call("send_break", group, list(members))
        return True

    def wait_gone(self, pids, timeout):
        self._call("wait_gone", list(pids), timeout)

    def kill_tree(self, pid):
        self._call("kill_tree", pid)

    def names(self):
        return [call[0] for call in self.calls]


def test_memory_limit_flags_follow_the_setting():
    assert limit_flags(0) == (KILL_ON_CLOSE, 0)
    assert limit_flags(-1) == (KILL_ON_CLOSE, 0)
    assert limit_flags(512) == (KILL_ON_CLOSE | JOB_OBJECT_LIMIT_JOB_MEMORY, 512 * MiB)


def test_a_child_is_assigned_to_its_job_before_it_runs():
    kernel = FakeKernel()
    notes = Jobs(kernel).contain(40, 256)
    assert notes == []
    assert kernel.calls == [
        ("create_job",),
        ("set_limits", "job-1", KILL_ON_CLOSE | JOB_OBJECT_LIMIT_JOB_MEMORY, 256 * MiB),
        ("assign", "job-1", 40),
        ("resume", 40),
    ]


def test_a_refused_memory_limit_is_reported_and_the_job_still_kills_on_close(caplog):
    kernel = FakeKernel(memory_refused=True)
    jobs = Jobs(kernel)
    notes = jobs.contain(41, 128)
    assert len(notes) == 1 and "memory limit of 128 MiB could not be applied" in notes[0]
    assert ("set_limits", "job-1", KILL_ON_CLOSE, 0) in kernel.calls
    assert kernel.names()[-2:] == ["assign", "resume"]
    assert jobs.notes(41) == notes
    assert "memory limit of 128 MiB" in caplog.text


def test_without_a_job_the_child_still_runs_and_a_stop_ends_its_live_tree():
    kernel = FakeKernel(fail={"create_job"})
    jobs = Jobs(kernel)
    notes = jobs.contain(42, 0)
    assert "no job object could be created" in notes[0]
    assert kernel.names() == ["create_job", "resume"]
    kernel.calls.clear()
    jobs.stop(42, 3)
    assert kernel.names() == ["send_break", "wait_gone", "kill_tree"]
    assert kernel.calls[0] == ("send_break", 42, [42])


def test_a_refused_assignment_closes_the_job_and_is_reported():
    kernel = FakeKernel(fail={"assign"})
    notes = Jobs(kernel).contain(43, 0)
    assert "not in a job object" in notes[0]
    assert kernel.names() == ["create_job", "set_limits", "assign", "close", "resume"]


def test_a_child_that_cannot_be_resumed_is_an_error_and_its_job_is_closed():
    kernel = FakeKernel(fail={"resume"})
    jobs = Jobs(kernel)
    with pytest.raises(OSError, match="resume refused"):
        jobs.contain(44, 0)
    assert kernel.names()[-1] == "close"
    assert jobs.notes(44) == []


def test_stop_breaks_first_waits_the_grace_period_then_ends_the_job():
    kernel = FakeKernel(members=[50, 51, 52])
    jobs = Jobs(kernel)
    jobs.contain(50, 0)
    kernel.calls.clear()

    def wait_root(timeout):
        kernel.calls.append(("wait_root", timeout))
        return True

    jobs.stop(50, 5, wait_root)
    assert kernel.names() == [
        "members", "send_break", "wait_root", "members", "wait_gone", "terminate_job",
    ]  # fmt: skip
    assert kernel.calls[1] == ("send_break", 50, [50, 51, 52])
    assert kernel.calls[2] == ("wait_root", 5)
    waited = kernel.calls[4]
    assert waited[1] == [50, 51, 52] and 0 <= waited[2] <= 5
    assert kernel.calls[5] == ("terminate_job", "job-1", KILLED_EXIT_CODE)


def test_a_root_that_outlives_the_grace_period_is_reaped_after_the_job_ends():
    kernel = FakeKernel(members=[60])
    jobs = Jobs(kernel)
    jobs.contain(60, 0)
    kernel.calls.clear()
    waits = []

    def wait_root(timeout):
        waits.append(timeout)
        kernel.calls.append(("wait_root", timeout))
        return len(waits) > 1  # still running at the end of the grace period

    jobs.stop(60, 2, wait_root)
    assert kernel.names()[-2:] == ["terminate_job", "wait_root"]
    assert waits == [2, 5.0]


def test_a_stop_without_grace_sends_no_break():
    kernel = FakeKernel(members=[71])  # the root already exited; a grandchild holds output
    jobs = Jobs(kernel)
    jobs.contain(70, 0)
    kernel.calls.clear()
    jobs.stop(70, 0)
    assert "send_break" not in kernel.names()
    assert kernel.names()[-1] == "terminate_job"


def test_the_break_tries_the_root_console_first_then_the_survivors():
    kernel = FakeKernel(members=[81, 82])  # the root 80 is gone, its children are not
    jobs = Jobs(kernel)
    jobs.contain(80, 0)
    jobs.stop(80, 1)
    assert ("send_break", 80, [80, 81, 82]) in kernel.calls


def test_a_job_that_cannot_be_ended_falls_back_to_the_live_tree():
    kernel = FakeKernel(members=[90], fail={"terminate_job"})
    jobs = Jobs(kernel)
    jobs.contain(90, 0)
    jobs.stop(90, 0)
    assert kernel.names()[-2:] == ["terminate_job", "kill_tree"]


def test_releasing_a_run_closes_its_job():
    kernel = FakeKernel()
    jobs = Jobs(kernel)
    jobs.contain(100, 0)
    jobs.release(100)
    assert kernel.names()[-1] == "close"
    jobs.release(100)  # twice: nothing more
    assert kernel.names().count("close") == 1


def test_a_release_during_a_stop_keeps_the_job_open_until_the_stop_ends_it():
    kernel = FakeKernel(members=[110])
    jobs = Jobs(kernel)
    jobs.contain(110, 0)
    kernel.calls.clear()

    def wait_root(timeout):  # the monitor sees the root exit and lets the run go
        jobs.release(110)
        return True

    jobs.stop(110, 1, wait_root)
    names = kernel.names()
    assert names[-2:] == ["terminate_job", "close"]


def test_a_process_of_an_earlier_manager_is_broken_then_its_tree_killed():
    kernel = FakeKernel()
    Jobs(kernel).stop(120, 4)
    assert kernel.names() == ["send_break", "wait_gone", "kill_tree"]
    assert kernel.calls[1] == ("wait_gone", [120], pytest.approx(4, abs=1))


def test_the_helper_runs_from_argv_never_a_shell():
    argv = windows_kernel.helper_command(7, [7, 8], frozen=False, executable="python.exe")
    assert argv == ["python.exe", "-I", "-c", windows_kernel.BREAK_PROGRAM, "7", "7", "8"]
    compile(windows_kernel.BREAK_PROGRAM, "ctrl_break.py", "exec")  # valid Python


def test_the_packaged_app_runs_the_helper_as_a_script_file():
    argv = windows_kernel.helper_command(7, [7], frozen=True, executable="scriptsmanager.exe")
    assert argv[0] == "scriptsmanager.exe" and argv[2:] == ["7", "7"]
    with open(argv[1], encoding="utf-8") as helper:
        assert helper.read() == windows_kernel.BREAK_PROGRAM


def test_the_real_kernel_without_pywin32_stops_a_child_through_psutil(caplog):
    """Where pywin32 is missing (here: not Windows) no job can be made; the psutil parts
    of the real kernel still resume, wait for and end the child."""
    if windows_kernel.win32job is not None:
        pytest.skip("pywin32 is installed: job objects are available")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        jobs = Jobs(windows_kernel.Pywin32Kernel())
        notes = jobs.contain(child.pid, 64)
        assert "pywin32 is not installed" in notes[0]
        jobs.stop(child.pid, 0.2)  # the break cannot reach it here: the grace runs out
        assert child.wait(timeout=5) is not None
        assert not psutil.pid_exists(child.pid) or psutil.Process(child.pid).status() == "zombie"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
