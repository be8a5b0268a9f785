"""Benchmark script interfaces end to end on a real ``scriptsmanager --server``.

The server's interface ports are a block of ports found free at run time
(``PORT_RANGE_START``/``END`` in its environment); nothing here names a port.

1. Readiness, ``REPEATS`` rounds, each a bare spawn then a managed run (paired, so a busy
   moment of the machine weighs on both): a bare spawn of ``tests/fixtures/echo_interface.py``
   (the interpreter, argv and folder the manager recorded for its own run of it, on a free
   port) to its first HTTP 200; through the server, POST execute → the ``interface`` ready
   event on Socket.IO (what the page waits for) → the first 200 through the manager's
   proxy, on the interfaces' origin. The headline is "ready minus bare".
2. ``MANY`` interfaces at once: time until all are ready, the server's memory, then closing
   them all: processes, ports, allocations and sessions left.
3. A closed tab (its beacon) and a lost heartbeat (``SESSION_TIMEOUT`` 10 s, on a second
   server): how long until the interface's port is free.
Run: ``make bench`` or ``python bench/interfaces.py``.
"""

from __future__ import annotations

import http.client
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BenchServer, HttpClient, bench_server, figure  # noqa: E402
from tests.security.harness import free_port_block  # noqa: E402
from tests.support import GroupWriter, free_port  # noqa: E402

SCRIPT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "echo_interface.py"
REPEATS, MANY = 10, 100
POLL = 0.001  # s between HTTP attempts while waiting for a first 200
START_TIMEOUT = 120  # s for one interface to answer on a loaded machine
HEARTBEAT_LOSS_TIMEOUT = 10  # s: SESSION_TIMEOUT of the second server (the default is 1800)
READY_GOAL_MS, BEACON_GOAL_S, HEARTBEAT_LATE_GOAL_S = 50, 10, 5


def prepare(groups: GroupWriter) -> None:
    """Put the echo interface in the group ``bench``."""
    groups.group("bench")
    (groups.root / "bench" / SCRIPT.name).write_bytes(SCRIPT.read_bytes())


def server_env(**extra: str) -> dict[str, str]:
    """Return a server's environment: its own block of free ports, limits above MANY."""
    start = free_port_block(MANY + 20)
    return {"PORT_RANGE_START": str(start), "PORT_RANGE_END": str(start + MANY + 19),
            "MAX_CONCURRENT_INTERFACES": str(MANY), "MAX_INTERFACES_PER_USER": str(MANY),
            "INTERFACE_START_TIMEOUT": str(START_TIMEOUT), **extra}  # fmt: skip


class InterfaceEvents:
    """Hear the user's ``interface`` events on Socket.IO, as the run page does."""

    def __init__(self, server: BenchServer, client: HttpClient) -> None:
        self._heard: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("interface", self._on_interface, namespace="/logs")
        self.sio.connect(server.url, headers={"Cookie": client.cookies()}, namespaces=["/logs"],
                         transports=["websocket"], wait_timeout=30)  # fmt: skip

    def _on_interface(self, data: dict[str, Any]) -> None:
        with self._changed:
            self._heard[(data["execution_id"], data["status"])] = (time.perf_counter(), data)
            self._changed.notify_all()

    def wait(self, execution_id: str, status: str = "ready") -> tuple[float, dict[str, Any]]:
        """Return (time heard, event) of a run's event; raise if it does not come."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: self._heard.get((execution_id, status)), START_TIMEOUT
            )
        if not found:
            raise RuntimeError(f"no {status!r} interface event for {execution_id}")
        return found

    def close(self) -> None:
        self.sio.disconnect()


@dataclass(frozen=True)
class Launch:
    """How the manager started the script: interpreter, argv after it, working folder."""

    python: str
    argv: list[str]
    cwd: str

    def on_port(self, port: int) -> list[str]:
        """Return the command line with ``--port`` set to ``port``."""
        argv = list(self.argv)
        argv[argv.index("--port") + 1] = str(port)
        return [self.python, *argv]


def until_200(get: Callable[[], int]) -> float:
    """Call ``get`` every POLL seconds until it answers 200; return when it did."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if get() == 200:
                return time.perf_counter()
        except OSError:  # not listening yet (requests' errors are OSErrors too)
            pass
        time.sleep(POLL)
    raise RuntimeError("no HTTP 200 in time")


def bare_get(port: int, token: str) -> int:
    """Return the status of one GET /echo straight to the script."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/echo", headers={"X-ScriptsManager-Token": token})
        return connection.getresponse().status
    finally:
        connection.close()


def bare_once(launch: Launch) -> float:
    """Return the seconds from spawning the script alone to its first 200."""
    port, token = free_port(), secrets.token_urlsafe(16)
    env = {**os.environ, "SCRIPTSMANAGER_INTERFACE_TOKEN": token}
    started = time.perf_counter()
    child = subprocess.Popen(launch.on_port(port), cwd=launch.cwd, env=env,  # noqa: S603
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        return until_200(lambda: bare_get(port, token)) - started
    finally:
        child.terminate()
        child.wait(30)


class Interfaces:
    """One user's interface runs of the echo script on a bench server."""

    def __init__(self, server: BenchServer, username: str) -> None:
        self.server = server
        self.client = server.create_user(username)
        self.script_id = server.scripts()[f"bench/{SCRIPT.name}"]
        self.events = InterfaceEvents(server, self.client)
        self.proxy_origin = server.server.interface_url.rstrip("/")

    def execute(self) -> str:
        """Start a run of the script; return its execution id."""
        answer = self.client.post(f"/api/scripts/{self.script_id}/execute", {"parameters": {}})
        if answer.status_code != 202:
            raise RuntimeError(f"execute: {answer.status_code} {answer.text[:300]}")
        return answer.json()["execution_id"]

    def proxy_get(self, event: dict[str, Any]) -> int:
        """Return the status of one GET /echo through the manager's proxy."""
        url = f"{self.proxy_origin}{event['url']}app/echo"
        return self.client.http.get(url, timeout=30).status_code

    def close(self, session_id: str) -> None:
        """Close an interface session (its run ends)."""
        self.client.post(f"/api/scripts/{self.script_id}/close-interface",
                         {"session_id": session_id})  # fmt: skip

    def once(self) -> tuple[float, float]:
        """Return seconds from POST execute to the ready event and to the proxy's first 200."""
        started = time.perf_counter()
        execution_id = self.execute()
        heard, event = self.events.wait(execution_id)
        answered = until_200(lambda: self.proxy_get(event))
        self.close(event["session_id"])
        self.server.wait_finished(self.client, execution_id)
        return heard - started, answered - started

    def launch(self) -> Launch:
        """Run the script once under the manager and return how it was started."""
        execution_id = self.execute()
        _heard, event = self.events.wait(execution_id)
        self.close(event["session_id"])
        detail = self.server.wait_finished(self.client, execution_id)["environment"]
        return Launch(detail["python"], detail["argv"], detail["working_directory"])


def readiness(interfaces: Interfaces) -> None:
    """Print bare spawn against execute → ready → first proxied 200, paired per round."""
    launch = interfaces.launch()  # also warms the caches both sides read
    bare_once(launch)
    bare, ready, proxied = [], [], []
    for _ in range(REPEATS):
        bare.append(bare_once(launch) * 1000)
        managed = interfaces.once()
        ready.append(managed[0] * 1000)
        proxied.append(managed[1] * 1000)
    print(f"Readiness, {REPEATS} rounds (bare spawn, then the same script through the server):")
    for label, values in (("bare spawn to first HTTP 200", bare),
                          ("execute to interface ready (Socket.IO event)", ready),
                          ("execute to first 200 through the proxy", proxied)):  # fmt: skip
        figure(f"{label}, median", statistics.median(values), "ms")
        figure(f"{label}, worst", max(values), "ms")
    over = [r - b for r, b in zip(ready, bare, strict=True)]
    over_proxy = [p - b for p, b in zip(proxied, bare, strict=True)]
    figure("ready minus bare, median", statistics.median(over), "ms", READY_GOAL_MS)
    figure("ready minus bare, worst", max(over), "ms")
    figure("first proxied 200 minus bare, median", statistics.median(over_proxy), "ms")


def listened(ports: list[int]) -> set[int]:
    """Return which of ``ports`` a socket listens on (read from the kernel, no connect)."""
    wanted = set(ports)
    return {c.laddr.port for c in psutil.net_connections("tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr.port in wanted}  # fmt: skip


def script_processes(server: BenchServer) -> list[psutil.Process]:
    """Return the live processes under the server that are not the server itself."""
    own = {process.pid for process in server.server_processes()}
    found = []
    for process in server.process.children(recursive=True):
        try:
            if process.pid not in own and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


def many_at_once(interfaces: Interfaces) -> None:
    """Print what MANY interfaces opened at once cost, and what closing them leaves."""
    server = interfaces.server
    idle = server.rss_bytes()
    started = time.perf_counter()
    ids = [interfaces.execute() for _ in range(MANY)]
    events = [interfaces.events.wait(execution_id)[1] for execution_id in ids]
    all_ready = time.perf_counter() - started
    busy, children = server.rss_bytes(), len(script_processes(server))
    started = time.perf_counter()
    for event in events:
        interfaces.close(event["session_id"])
    closing = time.perf_counter() - started
    for execution_id in ids:
        server.wait_finished(interfaces.client, execution_id)
    print(f"{MANY} interfaces at once:")
    figure("all ready after", all_ready, "s")
    figure("script processes while open", children, "")
    figure("server memory before", idle / 1048576, "MiB")
    figure(f"server memory with {MANY} open", busy / 1048576, "MiB")
    figure("server memory per open interface", (busy - idle) / MANY / 1024, "KiB")
    figure(f"closing all {MANY} (close-interface one after another)", closing, "s")
    figure("script processes left", len(script_processes(server)), "", 0)
    figure("ports still listened on", len(listened([e["port"] for e in events])), "", 0)
    figure("port allocations in use", len(server.admin.get("/api/admin/ports").json()["items"]),
           "", 0)  # fmt: skip
    figure("sessions left open",
           len(interfaces.client.get("/api/active-interfaces").json()["items"]), "", 0)  # fmt: skip


def time_to_free(interfaces: Interfaces, leave: Callable[[dict[str, Any]], None]) -> float:
    """Open an interface, ``leave`` it; return the seconds until nothing listens on its port."""
    execution_id = interfaces.execute()
    _heard, event = interfaces.events.wait(execution_id)
    started = time.perf_counter()
    leave(event)
    deadline = time.monotonic() + START_TIMEOUT + HEARTBEAT_LOSS_TIMEOUT
    while listened([event["port"]]):
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {event['port']} never freed")
        time.sleep(0.02)
    return time.perf_counter() - started


def closed_tab(interfaces: Interfaces) -> None:
    """Print how long a tab's beacon takes to free its interface's port."""
    client = interfaces.client

    def beacon(event: dict[str, Any]) -> None:
        client.call("POST", f"/api/interfaces/{event['session_id']}/beacon",
                    data={"csrf_token": client.csrf})  # fmt: skip

    figure("tab closed (beacon): port free after", time_to_free(interfaces, beacon), "s",
           BEACON_GOAL_S)  # fmt: skip


def lost_heartbeat() -> None:
    """Print how long past SESSION_TIMEOUT a session without pings keeps its port."""
    env = server_env(SESSION_TIMEOUT=str(HEARTBEAT_LOSS_TIMEOUT))
    with bench_server("interfaces-heartbeat", prepare, env) as server:
        interfaces = Interfaces(server, "engineer")
        try:

            def last_ping(event: dict[str, Any]) -> None:
                interfaces.client.post(f"/api/scripts/{interfaces.script_id}/ping-interface",
                                       {"session_id": event["session_id"]})  # fmt: skip

            late = time_to_free(interfaces, last_ping) - HEARTBEAT_LOSS_TIMEOUT
            label = f"heartbeat lost: port free {HEARTBEAT_LOSS_TIMEOUT} s (SESSION_TIMEOUT) +"
            figure(label, late, "s", HEARTBEAT_LATE_GOAL_S)
        finally:
            interfaces.events.close()


def main() -> None:
    with bench_server("interfaces", prepare, server_env()) as server:
        interfaces = Interfaces(server, "engineer")
        try:
            readiness(interfaces)
            many_at_once(interfaces)
            print("Closing:")
            closed_tab(interfaces)
        finally:
            interfaces.events.close()
    lost_heartbeat()


if __name__ == "__main__":
    main()
