"""Benchmark the server's memory over many runs, on a real ``scriptsmanager --server``.

Reads the resident memory (RSS) of the server's own processes (the arbiter and its
worker, not the scripts) idle after start, then after RUNS quick runs of a script that
prints a few lines, started through the API BATCH at a time, each batch waited for until
recorded finished. Growth after RUNS runs carries the goal; growth per run is that over
RUNS. The RSS after the first WARMUP runs tells one-off growth (caches filled, threads
started) from steady growth: the per-run growth from there on is what a long-lived
server keeps paying. Run: ``python bench/memory.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BenchServer, bench_server, figure  # noqa: E402
from tests.support import GroupWriter  # noqa: E402

RUNS, BATCH, WARMUP, SETTLE = 1_000, 5, 100, 3.0
GROWTH_GOAL_MB, MB = 50.0, 1024 * 1024
QUICK = 'for i in range(5):\n    print("quick line", i)\n'


def prepare(groups: GroupWriter) -> None:
    groups.group("bench", name="Bench")
    groups.script(
        "bench", "quick.py", "@description: A quick run\n@required_level: operator", QUICK
    )


def run_batch(server: BenchServer, script_id: int, size: int) -> int:
    """Start ``size`` runs at once, wait for all to be recorded; return how many failed."""
    ids = []
    for _ in range(size):
        answer = server.admin.post(f"/api/scripts/{script_id}/execute", {"parameters": {}})
        if answer.status_code != 202:
            raise RuntimeError(f"execute: {answer.status_code} {answer.text[:300]}")
        ids.append(answer.json()["execution_id"])
    details = [server.wait_finished(server.admin, execution_id) for execution_id in ids]
    return sum(detail["status"] != "completed" for detail in details)


def run_many(server: BenchServer, script_id: int, count: int) -> int:
    """Run the script ``count`` times, BATCH at a time; return how many runs failed."""
    failed = 0
    for done in range(0, count, BATCH):
        failed += run_batch(server, script_id, min(BATCH, count - done))
    return failed


def main() -> None:
    with bench_server("memory", prepare) as server:
        script_id = server.scripts()["bench/quick.py"]
        time.sleep(SETTLE)  # let start-up work (maintenance threads' first rounds) finish
        idle = server.rss_bytes()
        started = time.perf_counter()
        failed = run_many(server, script_id, WARMUP)
        warm = server.rss_bytes()
        failed += run_many(server, script_id, RUNS - WARMUP)
        elapsed = time.perf_counter() - started
        after = server.rss_bytes()
    print(f"memory: {RUNS:,} runs, {BATCH} at a time, in {elapsed:.0f} s ({failed} failed)")
    figure("server RSS idle after start", idle / MB, "MB")
    figure(f"server RSS after {WARMUP:,} runs", warm / MB, "MB")
    figure(f"server RSS after {RUNS:,} runs", after / MB, "MB")
    figure(f"growth after {RUNS:,} runs", (after - idle) / MB, "MB", GROWTH_GOAL_MB)
    figure("growth per run", (after - idle) / RUNS / 1024, "KB")
    figure(
        f"growth per run after the first {WARMUP:,}", (after - warm) / (RUNS - WARMUP) / 1024, "KB"
    )
    figure("failed runs", failed, "runs", 0)


if __name__ == "__main__":
    main()
