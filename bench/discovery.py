"""Benchmark discovery end to end: 1,000 scripts in 50 groups, on a real ``--server``.

- cold start: a fresh home (empty database) on the 1,000-script tree, hot reload on (the
  default), from launching the server process to /health answering (the first scan runs
  before the server answers; the harness polls /health every 0.1 s), and to the catalog
  API (the groups, then each group's scripts) listing all 1,000 scripts, login included.
  Paired with cold starts on an empty groups folder (which goes first alternates), after
  one unmeasured start; medians of REPEATS pairs, and the first scan's own time as the
  server reports it (``GET /api/admin/discovery``). The goals are on the difference:
  what 1,000 scripts add to a start. "Cold" is the database, not the disk cache: the
  tree was just written.
- rescan: ``POST /api/admin/discovery/scan`` with nothing changed (headers are re-read
  only when a file's size or mtime changed); wall time of the request, median of
  RESCANS, and the scan's own time as the server reports it.
- hot reload: write a new script file into a group, time until that group's script list
  in the API has it; HOT_FILES files one after another; median and max.

Each figure is printed beside its goal; a ratio ≤ 1.00 there meets it.
Run: ``python bench/discovery.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BenchServer, bench_server, figure  # noqa: E402
from tests.support import GroupWriter  # noqa: E402

GROUPS, SCRIPTS_PER_GROUP, REPEATS, RESCANS, HOT_FILES = 50, 20, 5, 5, 7
SCRIPTS = GROUPS * SCRIPTS_PER_GROUP
START_GOAL, RESCAN_GOAL, HOT_GOAL = 3.0, 1.0, 2.0
WAIT, WATCH = 60.0, {"WATCH_SCRIPT_GROUPS": "1"}
HEADER = """@description: Benchmark script {n}
@description_es: Script de prueba {n}
@required_level: operator
@category: bench
@tags: bench,generated
@parameters: [
  {{"name": "value", "type": "float", "required": true, "min": 0}},
  {{"name": "mode", "type": "select", "options": ["a", "b"], "default": "a"}}
]"""


def build_tree(writer: GroupWriter) -> None:
    for g in range(GROUPS):
        writer.group(f"group_{g:02d}", name=f"Group {g:02d}")
        for s in range(SCRIPTS_PER_GROUP):
            writer.script(f"group_{g:02d}", f"script_{s:02d}.py", HEADER.format(n=s))


def start_times(server: BenchServer, expected: int) -> tuple[float, float]:
    """Return seconds from launch to /health and to the catalog listing ``expected`` scripts."""
    deadline = time.monotonic() + WAIT
    while len(server.scripts()) < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the catalog did not list {expected} scripts in {WAIT:g}s")
        time.sleep(0.02)
    return server.healthy - server.launched, time.perf_counter() - server.launched


def cold_start(full: bool) -> tuple[float, float, float]:
    """Start a server on a fresh home, on the 1,000-script tree or an empty one; return the
    seconds to /health, to the catalog listing every script, and of the first scan itself."""
    with bench_server("discovery", build_tree if full else None, env=WATCH) as server:
        health, catalog = start_times(server, SCRIPTS if full else 0)
        first = server.admin.get("/api/admin/discovery").json()["last_scan"]["seconds"]
    return health, catalog, first


def rescan_times(server: BenchServer) -> tuple[list[float], list[float], int]:
    """Rescan RESCANS times; return the request times, the scans' own times, scripts seen."""
    walls, scans, scripts = [], [], 0
    for _ in range(RESCANS):
        started = time.perf_counter()
        answer = server.admin.post("/api/admin/discovery/scan")
        walls.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise RuntimeError(f"rescan: {answer.status_code} {answer.text[:300]}")
        report = answer.json()["last_scan"]
        scans.append(report["seconds"])
        scripts = report["scripts"]
    return walls, scans, scripts


def hot_reload_delays(server: BenchServer) -> list[float]:
    """Write HOT_FILES new scripts one by one; return each one's delay until listed."""
    group = next(g for g in server.admin.get("/api/script-groups").json()["items"]
                 if g["folder"] == "group_00")  # fmt: skip
    delays = []
    for attempt in range(HOT_FILES):
        name = f"new_{attempt}.py"
        written = time.perf_counter()
        server.groups.script("group_00", name, HEADER.format(n=attempt))
        while True:
            items = server.admin.get(f"/api/script-groups/{group['id']}/scripts").json()["items"]
            if any(item["filename"] == name for item in items):
                break
            if time.perf_counter() - written > WAIT:
                raise RuntimeError(f"{name} not listed within {WAIT:g}s")
            time.sleep(0.01)
        delays.append(time.perf_counter() - written)
    return delays


def print_starts(empty: list[tuple[float, ...]], full: list[tuple[float, ...]]) -> None:
    """Print the cold-start figures (medians, and the median of paired differences)."""
    print(f"cold start: {SCRIPTS:,} scripts in {GROUPS} groups vs none, median of {REPEATS} pairs")
    whats = ("launch to /health answering", "launch to catalog listing all", "first scan itself")
    for index, what in enumerate(whats):
        extra = [f[index] - e[index] for e, f in zip(empty, full, strict=True)]
        goal = START_GOAL if index < 2 else None
        figure(f"empty tree, {what}", statistics.median(e[index] for e in empty), "s")
        figure(f"{SCRIPTS:,} scripts, {what}", statistics.median(f[index] for f in full), "s")
        figure(f"added by {SCRIPTS:,} scripts, {what}", statistics.median(extra), "s", goal)


def main() -> None:
    cold_start(False)  # the first start reads the interpreter and app from disk: unmeasured
    empty, full = [], []
    for attempt in range(REPEATS):
        for is_full in (False, True) if attempt % 2 == 0 else (True, False):
            (full if is_full else empty).append(cold_start(is_full))
    with bench_server("discovery-reload", build_tree, env=WATCH) as server:
        start_times(server, SCRIPTS)
        walls, scans, scripts = rescan_times(server)
        delays = hot_reload_delays(server)
    print_starts(empty, full)
    print(f"rescan, nothing changed: {scripts:,} scripts, median of {RESCANS}")
    figure("POST /api/admin/discovery/scan, request", statistics.median(walls), "s", RESCAN_GOAL)
    figure("the scan itself, as the server reports it", statistics.median(scans), "s")
    print(f"hot reload: new file to listed in the API, {HOT_FILES} files")
    figure("median", statistics.median(delays), "s")
    figure("max", max(delays), "s", HOT_GOAL)


if __name__ == "__main__":
    main()
