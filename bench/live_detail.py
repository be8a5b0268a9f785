"""Benchmark a live run's detail under polling: does a client polling it slow the run?

Starts ``scriptsmanager --server`` with a script printing 200,000 lines and runs it,
alternately, without polling and with a client asking for its detail every 10 ms with
``after`` (the cursor of the previous answer), REPEATS times each. Prints the median wall
time of each (the run's start to its end, as recorded), their ratio (goal ≤ 1.1×), the
server's CPU time per run, and the polls made with the median and p95 size of an answer.
Run: ``make bench`` or ``python bench/live_detail.py``.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ADMIN, BenchServer, HttpClient, bench_server, figure, percentile  # noqa: E402
from tests.support import GroupWriter  # noqa: E402

LINES, REPEATS, POLL_EVERY, RATIO_GOAL = 200_000, 7, 0.010, 1.1
SETTLE_EVERY = 0.25  # how often the unpolled run is checked for its end
FLOOD = (
    f"for n in range({LINES}):\n"
    "    print(f'row {n} reading pressure value batch=17 channel=4 status=ok')\n"
)


def prepare(groups: GroupWriter) -> None:
    groups.group("bench", name="Bench")
    groups.script("bench", "flood.py", "@description: Many lines\n@required_level: operator",
                  FLOOD)  # fmt: skip


class Poller(threading.Thread):
    """Send a GET every POLL_EVERY seconds until told to stop: the run's detail, with
    ``after`` once it has a cursor (it stops by itself once the run has ended), or another
    path; keep the size of each answer (of the detail: each given while the run went)."""

    def __init__(self, client: HttpClient, execution_id: str, path: str | None) -> None:
        super().__init__(name="poller", daemon=True)
        self.client, self.path = client, path or f"/api/logs/execution/{execution_id}"
        self.follows = path is None
        self.stop = threading.Event()
        self.sizes: list[int] = []
        self.lines = 0

    def run(self) -> None:
        cursor, due = None, time.perf_counter()
        while not self.stop.is_set():
            answer = self.client.get(self.path if cursor is None else f"{self.path}?after={cursor}")
            if self.follows:
                body = answer.json()
                if body["status"] != "running":
                    return
                self.lines += body["output"].count("\n")
                cursor = body.get("cursor")
            self.sizes.append(len(answer.content))
            due += POLL_EVERY
            time.sleep(max(0.0, due - time.perf_counter()))


def one_run(server: BenchServer, script_id: int, client: HttpClient, polled: bool = False,
            path: str | None = None) -> tuple[float, float, Poller | None]:  # fmt: skip
    """Run the script once, ``polled`` by ``client`` (its detail, or ``path`` when given);
    return its recorded duration, the server's CPU time meanwhile and the poller."""
    cpu = server.cpu_seconds()
    answer = server.admin.post(f"/api/scripts/{script_id}/execute", {"parameters": {}})
    execution_id = answer.json()["execution_id"]
    poller = Poller(client, execution_id, path) if polled else None
    if poller is not None:
        poller.start()
    detail = settled(server.admin, execution_id)
    if poller is not None:
        poller.stop.set()
        poller.join()
    if detail["status"] != "completed":
        raise RuntimeError(f"run {execution_id} ended as {detail['status']!r}")
    return detail["duration_seconds"], server.cpu_seconds() - cpu, poller


def settled(client: HttpClient, execution_id: str) -> dict:
    """Wait, asking rarely, until the run is recorded as ended; return its detail."""
    while True:
        detail = client.get(f"/api/logs/execution/{execution_id}").json()
        if detail["status"] != "running":
            return detail
        time.sleep(SETTLE_EVERY)


def main() -> None:
    with bench_server("live-detail", prepare) as server:
        script_id = server.scripts()["bench/flood.py"]
        client = server.login(ADMIN)
        one_run(server, script_id, client)  # warm up: imports, caches, the first log folder
        modes = {"not polled": (False, None), "polled": (True, None),
                 "/health polled": (True, "/health")}  # fmt: skip
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        cpu: dict[str, list[float]] = {mode: [] for mode in modes}
        sizes, polls, lines = [], [], []
        for _ in range(REPEATS):  # alternate, so that a change of load hits every mode
            for mode, (polled, path) in modes.items():
                duration, used, poller = one_run(server, script_id, client, polled, path)
                times[mode].append(duration)
                cpu[mode].append(used)
                if mode == "polled" and poller is not None:
                    sizes += poller.sizes
                    polls.append(len(poller.sizes))
                    lines.append(poller.lines)
        report(times, cpu, sizes, polls, lines)


def report(times: dict[str, list[float]], cpu: dict[str, list[float]], sizes: list[int],
           polls: list[int], lines: list[int]) -> None:  # fmt: skip
    """Print the figures: medians over the repeats."""
    print(f"live detail under polling ({LINES:,} lines, a poll every "
          f"{POLL_EVERY * 1000:g} ms with after, median of {REPEATS})")  # fmt: skip
    median = {mode: statistics.median(values) for mode, values in times.items()}
    figure("wall time, not polled", median["not polled"], "s")
    figure("wall time, detail polled with after", median["polled"], "s")
    figure("detail polled / not polled", median["polled"] / median["not polled"], "×", RATIO_GOAL)
    for mode, values in cpu.items():
        figure(f"server CPU per run, {mode}", statistics.median(values), "s")
    figure("polls per run", statistics.median(polls), "")
    extra = statistics.median(cpu["polled"]) - statistics.median(cpu["not polled"])
    figure("server CPU per poll", extra / statistics.median(polls) * 1000, "ms")
    figure("stdout lines delivered to the poller per run", statistics.median(lines), "")
    figure("poll answer size, median", statistics.median(sizes) / 1024, "KiB")
    figure("poll answer size, p95", percentile(sizes, 0.95) / 1024, "KiB")
    # The floor: the same rate of the cheapest request there is, for comparison.
    figure("reference: /health polled / not polled", median["/health polled"] /
           median["not polled"], "×")  # fmt: skip


if __name__ == "__main__":
    main()
