"""Benchmark output capture and live logs end to end, on a real ``scriptsmanager --server``.

Each managed run is paired with the same script run plainly, ``python script.py >
/dev/null`` (block-buffered stdout, as the manager's children have), bare and managed
alternating; ratios are medians over REPEATS pairs, so load on the machine hits both alike.

- capture: a script printing 1,000,000 lines as fast as it can. Wall time from the execute
  request to the run recorded as finished (the ``status`` event every connected client
  gets in its user room, then the run's detail polled until it no longer says
  ``running``; polling the detail all along would load the very server being measured),
  over the plain run's wall time. CPU ratio = (the server's own CPU during the run, from
  ``BenchServer.cpu_seconds()``, + the managed script's CPU, from the worker's reaped
  children) / (the plain script's CPU, from ``RUSAGE_CHILDREN``): what the machine spends
  to run and capture the script, over what the script alone costs. Lines lost: expected
  lines missing from the run's log file (worst run).
- stream: a script printing 200,000 lines with a Socket.IO subscriber on ``/logs``
  (subscribed right after the execute request; the replay covers what came before).
  Wall time from the execute request to the last line received, over the plain run's
  wall time; lines lost = lines never received (worst run).
- liveness: a script printing ``time.time()`` every 0.2 s, 15 times, without flushing
  (as ordinary scripts do). Delay from print() to arrival at the subscriber.

Each figure is printed beside its goal; a ratio ≤ 1.00 there meets it.
Run: ``python bench/capture.py``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BenchServer, bench_server, figure, logs_socket  # noqa: E402
from tests.support import GroupWriter  # noqa: E402

LINES, STREAM_LINES, TICKS, TICK, REPEATS = 1_000_000, 200_000, 15, 0.2, 3
WALL_GOAL, CPU_GOAL, STREAM_GOAL, LIVE_GOAL_MS = 1.2, 1.25, 1.5, 100.0
RUN_TIMEOUT, SETTLE = 300.0, 10.0
PAYLOAD = " some payload text"
FLOOD = 'for i in range({n}):\n    print("line", i, "some payload text")\n'
SLOW = 'import time\n\nfor _ in range({n}):\n    print("tick", time.time())\n    time.sleep({t})\n'
HEADER = "@description: {}\n@required_level: operator"
SCRIPTS = {
    "flood.py": FLOOD.format(n=LINES),
    "stream.py": FLOOD.format(n=STREAM_LINES),
    "slow.py": SLOW.format(n=TICKS, t=TICK),
}


def prepare(groups: GroupWriter) -> None:
    groups.group("bench", name="Bench")
    for filename, code in SCRIPTS.items():
        groups.script("bench", filename, HEADER.format(filename), code)


def line_number(line: str) -> int | None:
    """Return N of a ``line N some payload text`` line, None for any other line."""
    if line.startswith("line ") and line.endswith(PAYLOAD):
        number = line[5 : -len(PAYLOAD)]
        if number.isdigit():
            return int(number)
    return None


class Watcher:
    """What a ``/logs`` client saw: final statuses, and one execution's stdout lines."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.statuses: dict[str, str] = {}
        self.watch("", 0)

    def watch(self, execution_id: str, lines: int = 0, ticks: int = 0) -> None:
        """Start counting the stdout lines of ``execution_id`` (``lines`` and ``ticks``
        expected)."""
        with self.lock:
            self.execution_id, self.seen, self.distinct = execution_id, bytearray(lines), 0
            self.expected_ticks = ticks
            self.complete_at, self.last_arrival = 0.0, 0.0
            self.ticks: dict[str, float] = {}  # printed time -> delay (ms), replays deduplicated

    def on_log(self, data: dict[str, Any]) -> None:
        arrived, now = time.perf_counter(), time.time()
        if data.get("execution_id") != self.execution_id or data.get("stream") != "stdout":
            return
        with self.lock:
            for line in data["lines"]:
                if line.startswith("tick "):
                    self.ticks.setdefault(line[5:], (now - float(line[5:])) * 1000)
                number = line_number(line)
                if number is not None and number < len(self.seen) and not self.seen[number]:
                    self.seen[number], self.distinct = 1, self.distinct + 1
            self.last_arrival = arrived
            complete = self.distinct == len(self.seen) and len(self.ticks) >= self.expected_ticks
            if complete and not self.complete_at:
                self.complete_at = arrived
                self.lock.notify_all()

    def on_status(self, data: dict[str, Any]) -> None:
        if data.get("status") not in (None, "running"):
            with self.lock:
                self.statuses[data["execution_id"]] = data["status"]
                self.lock.notify_all()

    def wait_status(self, execution_id: str) -> str:
        """Wait for the final status of ``execution_id`` and return it."""
        with self.lock:
            if not self.lock.wait_for(lambda: execution_id in self.statuses, RUN_TIMEOUT):
                raise RuntimeError(f"no final status for {execution_id} in {RUN_TIMEOUT:g}s")
            return self.statuses[execution_id]

    def wait_complete(self) -> float:
        """Wait (a little) for every expected line; return the last arrival time."""
        with self.lock:
            self.lock.wait_for(lambda: self.complete_at > 0, SETTLE)
            return self.complete_at or self.last_arrival


def plain_run(script: Path) -> tuple[float, float]:
    """Run ``python script > /dev/null``; return its wall and CPU seconds.

    The child's environment is the manager's for its children in what matters here:
    no PYTHON* variables but the encoding, so stdout is block-buffered in both runs.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONIOENCODING="utf-8", PYTHONDONTWRITEBYTECODE="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(script)], stdout=subprocess.DEVNULL, env=env,
                   check=True, timeout=RUN_TIMEOUT)  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def children_cpu(server: BenchServer) -> float:
    """Return the CPU time of the server's reaped children (the scripts it ran)."""
    total = 0.0
    for process in server.server_processes():
        times = process.cpu_times()
        total += times.children_user + times.children_system
    return total


def execute(server: BenchServer, script_id: int) -> str:
    """Start a script as the admin; return the execution id."""
    answer = server.admin.post(f"/api/scripts/{script_id}/execute", {"parameters": {}})
    if answer.status_code != 202:
        raise RuntimeError(f"execute {script_id}: {answer.status_code} {answer.text[:300]}")
    return answer.json()["execution_id"]


def lines_in_log(server: BenchServer, execution_id: str) -> int:
    """Return the number of distinct expected stdout lines in a run's log file."""
    path = next((server.home / "data" / "logs").rglob(f"execution_{execution_id}.log"))
    seen = bytearray(LINES)
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            number = line_number(line.rstrip("\n"))
            if number is not None and number < LINES:
                seen[number] = 1
    return seen.count(1)


def capture_run(
    server: BenchServer, watcher: Watcher, script_id: int
) -> tuple[float, float, float, int]:
    """Run the flood once; return wall seconds, server and script CPU seconds, lines lost."""
    cpu, children = server.cpu_seconds(), children_cpu(server)
    started = time.perf_counter()
    execution_id = execute(server, script_id)
    watcher.wait_status(execution_id)
    detail = server.wait_finished(server.admin, execution_id)
    wall = time.perf_counter() - started
    cpu, children = server.cpu_seconds() - cpu, children_cpu(server) - children
    if detail["status"] != "completed":
        raise RuntimeError(f"flood run {execution_id} ended as {detail['status']!r}")
    return wall, cpu, children, LINES - lines_in_log(server, execution_id)


def stream_run(
    server: BenchServer, watcher: Watcher, sio: Any, script_id: int
) -> tuple[float, int]:
    """Run a script with a live subscriber; return seconds to its last line, lines lost."""
    started = time.perf_counter()
    execution_id = execute(server, script_id)
    watcher.watch(execution_id, STREAM_LINES)
    sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")
    watcher.wait_status(execution_id)
    last = watcher.wait_complete()
    return last - started, STREAM_LINES - watcher.distinct


def bench_capture(server: BenchServer, watcher: Watcher, ids: dict[str, int]) -> None:
    """Print the capture figures: paired plain and managed runs of the flood."""
    plain, managed = [], []
    for _ in range(REPEATS):
        plain.append(plain_run(server.groups.root / "bench" / "flood.py"))
        managed.append(capture_run(server, watcher, ids["bench/flood.py"]))
    walls = [run[0] / base[0] for run, base in zip(managed, plain, strict=True)]
    cpus = [(run[1] + run[2]) / base[1] for run, base in zip(managed, plain, strict=True)]
    print(f"capture: {LINES:,} lines, median of {REPEATS} pairs")
    figure("plain python > /dev/null, wall", statistics.median(p[0] for p in plain), "s")
    figure(
        "managed, execute to recorded finish, wall", statistics.median(m[0] for m in managed), "s"
    )
    figure("wall, managed / plain", statistics.median(walls), "x", WALL_GOAL)
    figure("plain script CPU", statistics.median(p[1] for p in plain), "s")
    figure("managed: server CPU during the run", statistics.median(m[1] for m in managed), "s")
    figure("managed: script CPU", statistics.median(m[2] for m in managed), "s")
    figure("CPU, (server + script) / plain script", statistics.median(cpus), "x", CPU_GOAL)
    figure("lines lost in the log file, worst run", max(m[3] for m in managed), "lines", 0)


def bench_stream(server: BenchServer, watcher: Watcher, sio: Any, ids: dict[str, int]) -> None:
    """Print the streaming figures: paired plain runs and runs with a live subscriber."""
    plain, managed = [], []
    for _ in range(REPEATS):
        plain.append(plain_run(server.groups.root / "bench" / "stream.py")[0])
        managed.append(stream_run(server, watcher, sio, ids["bench/stream.py"]))
    ratios = [run[0] / base for run, base in zip(managed, plain, strict=True)]
    print(f"stream: {STREAM_LINES:,} lines to a Socket.IO subscriber, median of {REPEATS} pairs")
    figure("plain python > /dev/null, wall", statistics.median(plain), "s")
    figure("managed, execute to last line received", statistics.median(m[0] for m in managed), "s")
    figure("wall, managed / plain", statistics.median(ratios), "x", STREAM_GOAL)
    figure("lines never received, worst run", max(m[1] for m in managed), "lines", 0)


def bench_liveness(server: BenchServer, watcher: Watcher, sio: Any, ids: dict[str, int]) -> None:
    """Print the delay from print() to arrival for a slow script, over REPEATS runs."""
    delays: list[float] = []
    for _ in range(REPEATS):
        execution_id = execute(server, ids["bench/slow.py"])
        watcher.watch(execution_id, ticks=TICKS)
        sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")
        watcher.wait_status(execution_id)
        watcher.wait_complete()
        delays.extend(watcher.ticks.values())
    print(f"liveness: a line every {TICK:g} s, {TICKS} lines a run, {REPEATS} runs")
    figure("lines received", len(delays), "lines", REPEATS * TICKS, higher_is_better=True)
    figure("print to arrival, median", statistics.median(delays), "ms")
    figure("print to arrival, max", max(delays), "ms", LIVE_GOAL_MS)


def main() -> None:
    with bench_server("capture", prepare) as server:
        ids = server.scripts()
        watcher = Watcher()
        handlers = {"log": watcher.on_log, "status": watcher.on_status}
        with logs_socket(server.admin, handlers) as sio:
            bench_capture(server, watcher, ids)
            bench_stream(server, watcher, sio, ids)
            bench_liveness(server, watcher, sio, ids)


if __name__ == "__main__":
    main()
