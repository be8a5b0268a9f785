"""Benchmark output capture: a script printing 1,000,000 lines as fast as it can.

Prints (a) the script's wall time with stdout to /dev/null, (b) the wall time of the same
script run by the manager (in-process app, from the execute request to the run recorded as
finished) and its ratio to (a), (c) the stdout lines missing from the run's log file,
(d) the rate at which a Socket.IO subscriber of a real server receives the lines live, and
(e) the delay from print() to arrival in the subscriber for a slow script (one line a
second). Run: ``python bench/capture.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import socketio
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.app import create_app, shutdown_app  # noqa: E402
from server.models import ExecutionLog  # noqa: E402
from server.services.audit import Actor  # noqa: E402
from server.services.registry import EXTENSION_KEY  # noqa: E402
from tests import support  # noqa: E402

LINES, REPEATS, RUN_TIMEOUT, TICKS = 1_000_000, 3, 120.0, 5
USER, PASSWORD, PAYLOAD = "bench", "Bench-Passw0rd", " some payload text"
FLOOD = 'for i in range(1_000_000):\n    print("line", i, "some payload text")\n'
SLOW = (
    f'import time\n\nfor _ in range({TICKS}):\n    print("tick", time.time())\n    time.sleep(1)\n'
)
HEADER = "@description: {}\n@required_level: operator"
SKIPPED = ("[stderr] ", "[debug] ")


def mark(seen: bytearray, line: str) -> None:
    """Flag the index of a ``line N some payload text`` line."""
    if line.startswith("line ") and line.endswith(PAYLOAD):
        number = line[5 : -len(PAYLOAD)]
        if number.isdigit() and int(number) < LINES:
            seen[int(number)] = 1


def lines_in_log(log_path: str) -> int:
    """Return the number of distinct expected stdout lines in a run's log file."""
    seen = bytearray(LINES)
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.startswith(SKIPPED):
                mark(seen, line.rstrip("\n"))
    return seen.count(1)


def script_id(get: Callable[[str], Any], filename: str) -> int:
    group = get("api/script-groups")["items"][0]["id"]
    items = get(f"api/script-groups/{group}/scripts")["items"]
    return next(item["id"] for item in items if item["filename"] == filename)


def plain_run(script: Path) -> float:
    """Wall time of ``python script.py > /dev/null``.

    PYTHON* variables (PYTHONUNBUFFERED in particular) are left out: the manager does not
    pass them to its children either, so both runs have block-buffered stdout.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    started = time.perf_counter()
    subprocess.run([sys.executable, str(script)], stdout=subprocess.DEVNULL, env=env, check=True,
                   timeout=RUN_TIMEOUT)  # fmt: skip
    return time.perf_counter() - started


def under_manager(home: Path, groups: Path, script: Path) -> tuple[float, float, list[int]]:
    """Alternate plain and managed runs, so that load hits both alike; return the median
    plain time, the median managed time (execute to recorded end), the lines lost per run.
    """
    app = create_app(support.make_settings(home, script_groups_path=groups))
    services = app.extensions[EXTENSION_KEY]
    plain, times, lost = [], [], []
    try:
        services.users.create(USER, "bench@example.com", PASSWORD, "admin", Actor.system())
        services.db.remove()
        client = support.JsonClient(app.test_client())
        client.post("/api/auth/login", {"username": USER, "password": PASSWORD})
        flood = script_id(lambda path: client.get("/" + path).get_json(), "flood.py")
        for _ in range(REPEATS):
            plain.append(plain_run(script))
            started = time.perf_counter()
            answer = client.post(f"/api/scripts/{flood}/execute", {"parameters": {}})
            execution_id = answer.get_json()["execution_id"]
            ended = services.executions.wait(execution_id, RUN_TIMEOUT)
            times.append(time.perf_counter() - started)
            status = client.get(f"/api/logs/execution/{execution_id}").get_json()["status"]
            if not ended or status != "completed":
                raise RuntimeError(f"run {execution_id} ended as {status!r}")
            column, uuid = ExecutionLog.log_path, ExecutionLog.execution_uuid
            log_path = services.db.session.scalar(select(column).where(uuid == execution_id))
            services.db.remove()
            lost.append(LINES - lines_in_log(log_path))
    finally:
        shutdown_app(app)
    return statistics.median(plain), statistics.median(times), lost


Event = tuple[int, str, list[str], float, float]  # seq, stream, lines, perf_counter, time


class Subscriber:
    """A logged-in HTTP session plus a Socket.IO client on /logs that records log events.

    python-socketio runs every handler in its own thread, so events may be handled out of
    order: they are kept as they come and put in ``seq`` order afterwards. websocket-client
    checks UTF-8 in pure Python (~1 MB/s) unless told not to; json decoding checks it anyway.
    """

    def __init__(self, url: str) -> None:
        self.url, self.http = url, requests.Session()
        token = self.http.get(url + "api/auth/csrf", timeout=10).json()["csrf_token"]
        body = {"username": USER, "password": PASSWORD}
        login = self.http.post(url + "api/auth/login", json=body,
                               headers={"X-CSRFToken": token}, timeout=10)  # fmt: skip
        login.raise_for_status()
        self.csrf = login.json()["csrf_token"]
        self.execution_id, self.status, self.done = "", "", threading.Event()
        self.events: list[Event] = []
        self.sio = socketio.Client(websocket_extra_options={"skip_utf8_validation": True})
        self.sio.on("log", self._on_log, namespace="/logs")
        self.sio.on("status", self._on_status, namespace="/logs")
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.sio.connect(url, headers={"Cookie": cookie}, namespaces=["/logs"],
                         transports=["websocket"], wait_timeout=10)  # fmt: skip

    def run(self, filename: str) -> list[Event]:
        """Start a script, subscribe at once, wait for its final status; return the events."""
        script = script_id(lambda path: self.http.get(self.url + path, timeout=10).json(), filename)
        self.events, self.status, self.done = [], "", threading.Event()
        answer = self.http.post(self.url + f"api/scripts/{script}/execute",
                                json={"parameters": {}}, headers={"X-CSRFToken": self.csrf},
                                timeout=10)  # fmt: skip
        self.execution_id = answer.json()["execution_id"]
        self.sio.emit("subscribe", {"execution_id": self.execution_id}, namespace="/logs")
        if not self.done.wait(RUN_TIMEOUT):
            self.status = "no final status"
        count, deadline = -1, time.monotonic() + 10
        while count != len(self.events) and time.monotonic() < deadline:
            count = len(self.events)  # let handler threads still running finish
            time.sleep(0.3)
        return sorted(self.events, key=lambda event: event[0])

    def _on_log(self, data: dict[str, Any]) -> None:
        if data["execution_id"] == self.execution_id:
            event = (data["seq"], data["stream"], data["lines"], time.perf_counter(), time.time())
            self.events.append(event)

    def _on_status(self, data: dict[str, Any]) -> None:
        if data["execution_id"] == self.execution_id and data["status"] != "running":
            self.status = data["status"]
            self.done.set()


def tally(events: list[Event]) -> tuple[bytearray, int, float, list[float]]:
    """Drop events whose seq was seen; return line flags, stdout lines, lines/s, delays (ms)."""
    seen, last_seq, total, delays, arrivals = bytearray(LINES), 0, 0, [], []
    for seq, stream, lines, arrived, wall in events:
        if seq <= last_seq or stream != "stdout":
            last_seq = max(seq, last_seq)
            continue
        last_seq, total = seq, total + len(lines)
        arrivals.append(arrived)
        for line in lines:
            if line.startswith("tick "):
                delays.append((wall - float(line.split()[1])) * 1000)
            else:
                mark(seen, line)
    span = max(arrivals) - min(arrivals) if arrivals else 0.0
    return seen, total, seen.count(1) / span if span else 0.0, delays


def live(home: Path, groups: Path) -> tuple[bytearray, int, float, list[float], str]:
    """Run both scripts on a real server; return tally() of the flood, tick delays, statuses."""
    env = {**os.environ, "SCRIPT_GROUPS_PATH": str(groups), "CONDA_AUTO_DETECT": "0",
           "WATCH_SCRIPT_GROUPS": "0"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "desktop.launcher", "create-admin", "--username", USER,
                    "--password", PASSWORD], env={**env, "SCRIPTSMANAGER_HOME": str(home)},
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    server = support.start_server(home, support.free_port(), env=env)
    try:
        subscriber = Subscriber(server.url)
        seen, total, rate, _ = tally(subscriber.run("flood.py"))
        status = subscriber.status
        delays = tally(subscriber.run("slow.py"))[3]
        subscriber.sio.disconnect()
        subscriber.http.close()
        return seen, total, rate, delays, f"{status}, {subscriber.status}"
    finally:
        support.stop_server(server)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp:
        root = Path(tmp)
        writer = support.GroupWriter(root / "groups")
        writer.group("bench", name="Bench")
        flood = writer.script("bench", "flood.py", HEADER.format("1M lines"), FLOOD)
        writer.script("bench", "slow.py", HEADER.format("one line a second"), SLOW)
        base, managed, lost = under_manager(root / "home-app", root / "groups", flood)
        ratio = managed / base
        print(f"baseline, python flood.py > /dev/null: median {base:.2f} s over {REPEATS} runs")
        print(f"manager, execute to recorded end: median {managed:.2f} s = {ratio:.2f}x baseline")
        print(f"stdout lines lost in the log files: {lost} (of {LINES:,} per run)")
        seen, total, rate, delays, status = live(root / "home-server", root / "groups")
    distinct, gap = seen.count(1), f"{seen.find(0)}..{seen.rfind(0)}" if 0 in seen else "none"
    print(f"live: {distinct:,} distinct lines ({total:,} with duplicates), {rate:,.0f} lines/s, "
          f"all arrived: {distinct == LINES}, missing indices: {gap}, final: {status}")  # fmt: skip
    median, worst = (statistics.median(delays), max(delays)) if delays else (-1.0, -1.0)
    print(f"liveness: {len(delays)}/{TICKS} ticks, delay median {median:.0f}, max {worst:.0f} ms")
    print("\nsummary")
    for name, value, target in [
        ("baseline / manager (s)", f"{base:.2f} / {managed:.2f}", ""),
        ("manager / baseline", f"{ratio:.2f}x", "target <= 1.3x"),
        ("lines lost, worst run", f"{max(lost)}", "target 0"),
        ("live lines received", f"{distinct:,}", f"target {LINES:,}"),
        ("live rate (lines/s)", f"{rate:,.0f}", ""),
        ("liveness median / max", f"{median:.0f} / {worst:.0f} ms", "target < 100 ms"),
    ]:
        print(f"  {name:<24}{value:>16}  {target}")


if __name__ == "__main__":
    main()
