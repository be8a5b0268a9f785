"""Benchmark script interfaces.

Prints the time from execute to "interface ready" under the manager against a bare
``python script.py`` reaching its first HTTP 200, then opens 100 interfaces at once and
prints the manager's memory and the state after closing them all. Then, against a real
``--server`` with default settings, how long a closed tab (its beacon) and a lost
heartbeat take to free the interface's port. Ports come from the settings' range.
Run: ``make bench`` or ``python bench/interfaces.py``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.app import create_app, shutdown_app  # noqa: E402
from server.services.audit import Actor  # noqa: E402
from server.services.ports import can_bind  # noqa: E402
from server.services.registry import EXTENSION_KEY  # noqa: E402
from server.settings import load_settings  # noqa: E402
from tests.support import (  # noqa: E402
    GroupWriter,
    JsonClient,
    free_port,
    make_settings,
    start_server,
    stop_server,
)

SCRIPT = ROOT / "tests" / "fixtures" / "echo_interface.py"
REPEATS, MANY = 5, 100
TOKEN = "bench-token"


def first_200(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/echo", headers={"X-ScriptsManager-Token": TOKEN}
    )
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=1) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.005)
    raise RuntimeError(f"port {port} never answered")


def bare_start(data: Path) -> float:
    port = free_port()
    args = ["--data-dir", str(data), "--user-level", "operator", "--port", str(port),
            "--project-id", "1", "--project-name", "bench", "--theme", "light",
            "--language", "en"]  # fmt: skip
    env = {**os.environ, "SCRIPTSMANAGER_INTERFACE_TOKEN": TOKEN}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(SCRIPT), *args], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        first_200(port)
        return time.perf_counter() - started
    finally:
        child.terminate()
        child.wait(10)


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="bench-interfaces-"))
    limits = {"max_concurrent_interfaces": MANY, "max_interfaces_per_user": MANY}
    defaults = load_settings(environ={}, home=home / "defaults")
    ports = {
        "port_range_start": defaults.port_range_start,
        "port_range_end": defaults.port_range_end,
    }
    settings = make_settings(home / "home", **ports, **limits)
    writer = GroupWriter(settings.script_groups_path)
    writer.group("bench")
    shutil.copy(SCRIPT, writer.root / "bench" / SCRIPT.name)
    bare = [bare_start(home) for _ in range(REPEATS)]

    app = create_app(settings)
    services = app.extensions[EXTENSION_KEY]
    me = psutil.Process()
    try:
        services.users.create(
            "bench", "b@example.com", "Bench-Passw0rd", "operator", Actor.system()
        )
        services.db.remove()
        client = JsonClient(app.test_client())
        client.post("/api/auth/login", {"username": "bench", "password": "Bench-Passw0rd"})
        gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
        sid = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]["id"]

        def ready_ids() -> dict[str, dict]:
            items = client.get("/api/active-interfaces").get_json()["items"]
            return {s["execution_id"]: s for s in items if s["status"] == "ready"}

        managed = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            execution_id = client.post(
                f"/api/scripts/{sid}/execute", {"parameters": {}}
            ).get_json()["execution_id"]
            while execution_id not in ready_ids():
                time.sleep(0.005)
            managed.append(time.perf_counter() - started)
            session = ready_ids()[execution_id]
            client.post(
                f"/api/scripts/{sid}/close-interface", {"session_id": session["session_id"]}
            )

        idle_rss = me.memory_info().rss
        started = time.perf_counter()
        for _ in range(MANY):
            response = client.post(f"/api/scripts/{sid}/execute", {"parameters": {}})
            assert response.status_code == 202, response.get_json()
        while len(ready_ids()) < MANY:
            time.sleep(0.1)
        all_ready = time.perf_counter() - started
        busy_rss = me.memory_info().rss
        children = len(me.children(recursive=True))
        sessions = list(ready_ids().values())
        started = time.perf_counter()
        for session in sessions:
            client.post(
                f"/api/scripts/{sid}/close-interface", {"session_id": session["session_id"]}
            )
        closing = time.perf_counter() - started
        left_children = len(
            [p for p in me.children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
        )
        ports_free = sum(can_bind(s["port"]) for s in sessions)
        in_use = len(services.ports.in_use())
        services.db.remove()
    finally:
        shutdown_app(app)
        shutil.rmtree(home, ignore_errors=True)

    bare_ms, managed_ms = statistics.median(bare) * 1000, statistics.median(managed) * 1000
    print(f"bare python script.py to first HTTP 200: median {bare_ms:.0f} ms over {REPEATS}")
    print(f"manager execute to interface ready:      median {managed_ms:.0f} ms over {REPEATS}")
    print(f"ratio: {managed_ms / bare_ms:.2f}x")
    print(f"{MANY} interfaces: all ready after {all_ready:.1f} s; {children} child processes")
    each = (busy_rss - idle_rss) / MANY / 1024
    print(f"manager memory: {idle_rss / 1048576:.0f} MiB before, {busy_rss / 1048576:.0f} MiB "
          f"with {MANY} open ({each:.0f} KiB each)")  # fmt: skip
    print(f"closing all {MANY}: {closing:.1f} s; processes left {left_children}, ports free "
          f"{ports_free}/{MANY}, allocations in use {in_use}")  # fmt: skip

    closing_figures()


HEARTBEAT_LOSS_TIMEOUT = 10  # s: SESSION_TIMEOUT for that one figure (the default is 1800)


def closing_figures() -> None:
    """Measure beacon -> port free and heartbeat loss -> port free on a real server."""
    import requests

    for label, extra in (
        ("tab closed (beacon)", {}),
        ("heartbeat lost", {"SESSION_TIMEOUT": str(HEARTBEAT_LOSS_TIMEOUT)}),
    ):
        home = Path(tempfile.mkdtemp(prefix="bench-closing-"))
        groups = GroupWriter(home / "groups")
        groups.group("bench")
        shutil.copy(SCRIPT, groups.root / "bench" / SCRIPT.name)
        env = {**os.environ, "SCRIPT_GROUPS_PATH": str(groups.root), **extra}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop.launcher",
                "create-admin",
                "--username",
                "bench",
                "--password",
                "Bench-Passw0rd",
            ],
            env={**env, "SCRIPTSMANAGER_HOME": str(home / "home")},
            check=True,
            capture_output=True,
        )
        server = start_server(home / "home", free_port(), env=env)
        http = requests.Session()
        try:
            seconds = _time_to_free(server.url, http, beacon=not extra)
        finally:
            http.close()
            stop_server(server)
            shutil.rmtree(home, ignore_errors=True)
        if extra:
            late = seconds - HEARTBEAT_LOSS_TIMEOUT
            print(
                f"{label}: port free {seconds:.1f} s after the last ping "
                f"(SESSION_TIMEOUT {HEARTBEAT_LOSS_TIMEOUT} s + {late:.1f} s; goal: a few s)"
            )
        else:
            print(f"{label}: port free {seconds:.1f} s after the beacon (goal: <= 10 s)")


def _time_to_free(url: str, http, beacon: bool) -> float:
    token = http.get(url + "api/auth/csrf").json()["csrf_token"]
    token = http.post(
        url + "api/auth/login",
        headers={"X-CSRFToken": token},
        json={"username": "bench", "password": "Bench-Passw0rd"},
    ).json()["csrf_token"]
    gid = http.get(url + "api/script-groups").json()["items"][0]["id"]
    sid = http.get(url + f"api/script-groups/{gid}/scripts").json()["items"][0]["id"]
    http.post(
        url + f"api/scripts/{sid}/execute", json={"parameters": {}}, headers={"X-CSRFToken": token}
    )
    session = None
    while session is None:
        items = http.get(url + f"api/scripts/{sid}/interface-status").json()["items"]
        session = next((s for s in items if s["status"] == "ready"), None)
        time.sleep(0.02)
    started = time.perf_counter()
    if beacon:
        http.post(
            url + f"api/interfaces/{session['session_id']}/beacon", data={"csrf_token": token}
        )
    else:
        http.post(
            url + f"api/scripts/{sid}/ping-interface",
            json={"session_id": session["session_id"]},
            headers={"X-CSRFToken": token},
        )
        started = time.perf_counter()
    while not can_bind(session["port"]):
        time.sleep(0.02)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
