"""Crash and reap: what a killed manager started is ended by the next one on its home.

Alice runs a long script (with a child process of its own) and an interface script; the
manager's whole process group gets SIGKILL (no clean stop can run). A new manager on the
same home must end every process the dead one started, free their ports, and settle
their runs (not ``running``) and interface sessions (not open).
"""

from __future__ import annotations

import os
import re
import signal

import psutil
import pytest

from server.services.ports import can_bind
from tests.support import wait_for

SECURITY_CLASS = "crash and reap"
MANAGER_OPTIONS = {"env": {"STOP_GRACE_PERIOD": "2"}}  # a private manager: it gets killed


def alive(pid: int) -> bool:
    """Return True while the process exists and is not a zombie."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def script_processes(manager) -> dict[int, str]:
    """Return the live processes under the manager that run the suite's scripts."""
    root = psutil.Process(manager.server.process.pid)
    found = {}
    for process in root.children(recursive=True):
        try:
            cmdline = " ".join(process.cmdline())
        except psutil.Error:
            continue
        if str(manager.groups) in cmdline or "time.sleep(600)" in cmdline:
            found[process.pid] = cmdline[-80:]
    return found


@pytest.fixture(scope="module")
def crashed(manager):
    """Start the runs, SIGKILL the manager, record what was left, start a new manager."""
    alice = manager.login("alice")
    sleeper = manager.run(alice, "sleeper.py")
    child = wait_for(lambda: re.search(r"CHILD (\d+)", alice.get(
        f"/api/logs/execution/{sleeper}").json()["output"]), 60)  # fmt: skip
    session = manager.interface(alice)
    runs = {sleeper: alice.get(f"/api/logs/execution/{sleeper}").json()["flask_port"],
            session["execution_id"]: session["port"]}  # fmt: skip
    processes = script_processes(manager)
    assert int(child.group(1)) in processes, (child.group(1), processes)
    assert len(processes) >= 3, processes  # sleeper, its child, the interface
    os.killpg(manager.server.process.pid, signal.SIGKILL)
    manager.server.process.wait(60)
    survivors = {pid: cmd for pid, cmd in processes.items() if alive(pid)}
    manager.start()  # same home, same environment
    yield {"runs": runs, "processes": processes, "survivors": survivors,
           "session": session["session_id"]}  # fmt: skip
    for pid in processes:  # whatever the new manager left: this test started it
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_the_next_manager_ends_every_child(crashed, bad):
    try:
        wait_for(lambda: not any(alive(pid) for pid in crashed["processes"]), 60)
    except AssertionError:
        pass
    # They run in sessions of their own, so most outlive the SIGKILL; either way, none may
    # be left once the next manager is up.
    for pid, cmdline in crashed["processes"].items():
        outlived = "outlived the kill, " if pid in crashed["survivors"] else ""
        bad.check(not alive(pid), f"still running ({outlived}not reaped): {pid} {cmdline}")
    bad.assert_none()


def test_their_ports_are_free(manager, crashed, bad):
    ports = [port for port in crashed["runs"].values() if port]
    try:
        wait_for(lambda: all(can_bind(port) for port in ports), 60)
    except AssertionError:
        pass
    for port in ports:
        bad.check(can_bind(port), f"port {port} is still taken")
    used = {item["port"] for item in manager.admin().get("/api/admin/ports").json()["items"]}
    bad.check(not used & set(ports), f"ports still allocated: {sorted(used & set(ports))}")
    bad.assert_none()


def test_their_runs_and_sessions_are_settled(manager, crashed, bad):
    alice = manager.login("alice")
    for execution_id in crashed["runs"]:
        detail = alice.get(f"/api/logs/execution/{execution_id}").json()
        bad.check(detail["status"] != "running", f"{execution_id} is still {detail['status']}")
    sessions = manager.admin().get("/api/active-interfaces").json()["items"]
    bad.check(crashed["session"] not in [s["session_id"] for s in sessions], "session still open")
    running = alice.get("/api/executions/running").json()["items"]
    bad.check(running == [], f"runs listed as running: {[r['execution_id'] for r in running]}")
    bad.assert_none()
