"""The benchmarks' harness: a real ``scriptsmanager --server`` on a private home.

:class:`BenchServer` writes script groups, makes an admin with ``create-admin``, starts the
server on a free port, hands out logged-in :class:`HttpClient` objects (cookies and CSRF
token as a browser holds them) and reads the server's CPU time and memory. :func:`figure`
prints one result next to its goal as a ratio, the same way in every benchmark.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import GroupWriter, free_port, start_server, stop_server  # noqa: E402

ADMIN, PASSWORD = "benchadmin", "Bench-Passw0rd-1"
REQUEST_TIMEOUT = 120
WAIT_TIMEOUT = 300
IDLE_REUSE = 1.5  # seconds; gunicorn closes a kept-alive connection idle for 2 s


class HttpClient:
    """A ``requests`` session logged in to a manager, sending the CSRF token on mutations."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only, never through an environment proxy
        self.csrf = self.http.get(self.base + "/api/auth/csrf", timeout=REQUEST_TIMEOUT).json()[
            "csrf_token"
        ]
        self.last_request = time.monotonic()

    def call(self, method: str, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        """Send one request; raise on a 5xx (a benchmark never hides a server error)."""
        headers = {"X-CSRFToken": self.csrf} if method != "GET" else {}
        if time.monotonic() - self.last_request > IDLE_REUSE:
            # A request sent as the server closes an idle connection fails with no answer
            # (and a POST is not retried): after a pause, start on a fresh connection.
            for adapter in self.http.adapters.values():
                adapter.close()
        answer = self.http.request(method, self.base + path, json=json, headers=headers,
                                   timeout=REQUEST_TIMEOUT, **kwargs)  # fmt: skip
        self.last_request = time.monotonic()
        if answer.status_code >= 500:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        if answer.headers.get("content-type", "").startswith("application/json"):
            body = answer.json()
            if isinstance(body, dict) and "csrf_token" in body:
                self.csrf = body["csrf_token"]
        return answer

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, json={} if json is None else json, **kwargs)

    def cookies(self) -> str:
        """Return the session cookie as a ``Cookie`` header (for a Socket.IO client)."""
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())

    def close(self) -> None:
        self.http.close()


class BenchServer:
    """One real manager on a private home, its groups written by ``prepare``."""

    def __init__(
        self,
        root: Path,
        prepare: Callable[[GroupWriter], None] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.home = root / "home"
        self.groups = GroupWriter(root / "groups")
        if prepare is not None:
            prepare(self.groups)
        self.env = {
            **os.environ,
            "SCRIPTSMANAGER_HOME": str(self.home),
            "SCRIPT_GROUPS_PATH": str(self.groups.root),
            "CONDA_AUTO_DETECT": "0",
            "WATCH_SCRIPT_GROUPS": "0",
            **(env or {}),
        }
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            self.env.pop(name, None)
        self._cli("create-admin", "--username", ADMIN, "--password", PASSWORD)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.launched = time.perf_counter()
        self.server = start_server(self.home, self.port, env=self.env)
        self.healthy = time.perf_counter()  # /health answered (the harness polls every 0.1 s)
        self.process = psutil.Process(self.server.process.pid)
        self.clients: list[HttpClient] = []
        try:
            self.admin = self.login(ADMIN)
        except BaseException:
            self.stop()  # the server runs already: never leave it behind
            raise

    def restart(self, while_stopped: Callable[[], None] | None = None) -> None:
        """Stop the server by PID, run ``while_stopped`` (say, write into its database), start
        it again on the same port and log the admin in afresh (other clients log in again)."""
        stop_server(self.server)
        if while_stopped is not None:
            while_stopped()
        self.server = start_server(self.home, self.port, env=self.env)
        self.process = psutil.Process(self.server.process.pid)
        self.admin = self.login(ADMIN)

    def _cli(self, *args: str) -> None:
        command = [sys.executable, "-m", "desktop.launcher", *args]
        subprocess.run(command, env=self.env, check=True, capture_output=True, timeout=120)

    def login(self, username: str, password: str = PASSWORD) -> HttpClient:
        """Return a new client logged in as ``username``."""
        client = HttpClient(self.url)
        answer = client.post("/api/auth/login", {"username": username, "password": password})
        if answer.status_code != 200:
            raise RuntimeError(f"login {username}: {answer.status_code} {answer.text[:300]}")
        self.clients.append(client)
        return client

    def create_user(self, username: str, level: str = "operator") -> HttpClient:
        """Create a user through the admin API and return a client logged in as them."""
        body = {"username": username, "email": f"{username}@example.com",
                "password": PASSWORD, "user_level": level}  # fmt: skip
        answer = self.admin.post("/api/admin/users", body)
        if answer.status_code != 201:
            raise RuntimeError(f"create {username}: {answer.status_code} {answer.text[:300]}")
        return self.login(username)

    def server_processes(self) -> list[psutil.Process]:
        """Return the server's own processes (the arbiter and its worker), not scripts."""
        return [self.process, *self.process.children(recursive=False)]

    def cpu_seconds(self) -> float:
        """Return the CPU time (user + system) the server's own processes have used."""
        total = 0.0
        for process in self.server_processes():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def rss_bytes(self) -> int:
        """Return the resident memory of the server's own processes."""
        return sum(process.memory_info().rss for process in self.server_processes())

    def scripts(self) -> dict[str, int]:
        """Return every script the admin sees, ``group folder/filename`` -> id."""
        found: dict[str, int] = {}
        for group in self.admin.get("/api/script-groups").json()["items"]:
            items = self.admin.get(f"/api/script-groups/{group['id']}/scripts").json()["items"]
            found.update({f"{group['folder']}/{item['filename']}": item["id"] for item in items})
        return found

    def wait_finished(self, client: HttpClient, execution_id: str) -> dict[str, Any]:
        """Wait until a run is recorded as finished and return its detail."""
        deadline = time.monotonic() + WAIT_TIMEOUT
        while time.monotonic() < deadline:
            detail = client.get(f"/api/logs/execution/{execution_id}").json()
            if detail["status"] != "running":
                return detail
            time.sleep(0.02)
        raise RuntimeError(f"run {execution_id} did not finish within {WAIT_TIMEOUT}s")

    def stop(self) -> None:
        """Close the clients and stop the server by PID."""
        for client in self.clients:
            client.close()
        if self.server.process.poll() is None:
            stop_server(self.server)


@contextmanager
def bench_server(
    prefix: str,
    prepare: Callable[[GroupWriter], None] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[BenchServer]:
    """Run a :class:`BenchServer` in a fresh temporary folder, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix=f"bench-{prefix}-"))
    try:
        server = BenchServer(root, prepare, env)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def logs_socket(
    client: HttpClient, handlers: dict[str, Callable[[Any], None]]
) -> Iterator[socketio.Client]:
    """Connect a Socket.IO client to ``/logs`` with ``client``'s session; disconnect after.

    Each event's handler runs in its own thread (python-socketio's client), so events may
    be handled out of order. websocket-client checks UTF-8 in pure Python unless told not
    to, which would make the client, not the server, the bottleneck.
    """
    sio = socketio.Client(websocket_extra_options={"skip_utf8_validation": True})
    for event, handler in handlers.items():
        sio.on(event, handler, namespace="/logs")
    sio.connect(client.base, headers={"Cookie": client.cookies()}, namespaces=["/logs"],
                transports=["websocket"], wait_timeout=10)  # fmt: skip
    try:
        yield sio
    finally:
        sio.disconnect()


def figure(label: str, value: float, unit: str, goal: float | None = None,
           higher_is_better: bool = False) -> None:  # fmt: skip
    """Print one figure, and beside it its goal and the ratio (≤ 1.00 meets the goal)."""
    text = f"  {label:<58} {value:>10.2f} {unit}"
    if goal is not None:
        ratio = _ratio(value, goal, higher_is_better)
        sign = "≥" if higher_is_better else "≤"
        verdict = "ok" if round(ratio, 2) <= 1.0 else "MISSED"
        text += f"   goal {sign} {goal:g} {unit}   ratio {ratio:.2f} {verdict}"
    print(text, flush=True)


def _ratio(value: float, goal: float, higher_is_better: bool) -> float:
    low, high = (value, goal) if higher_is_better else (goal, value)
    if low == 0:
        return 0.0 if high == 0 else float("inf")
    return high / low


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` (0–1) percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
