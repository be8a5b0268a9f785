"""Benchmark the run list end to end: 100,000 runs of two users, every sort and filter.

A real ``scriptsmanager --server`` (bench/harness.py) gets two operators, ann and bob, with
three projects each. The server is stopped while 100,000 runs (2/3 of them ann's) are
bulk-inserted into its SQLite file (the FTS5 triggers index them) and started again. Then,
for every sort in both directions, the main filters and full-text searches (a common word,
one in 5% of the runs and a rare one, alone and sorted), it prints the median and p95
latency of ``GET /api/logs/execution`` as ann, and of the admin's list of everyone's runs,
each against the 10 ms goal. Run: ``python bench/logsearch.py`` (about two minutes).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BenchServer, HttpClient, bench_server, figure, percentile  # noqa: E402
from server.models import ExecutionLog, RunMark, utcnow  # noqa: E402
from server.settings import load_settings  # noqa: E402
from tests.support import GroupWriter  # noqa: E402

ROWS, BATCH, QUERIES, GOAL_MS = 100_000, 5_000, 40, 10
SCRIPTS = ("calibrate.py", "export_csv.py", "sync_inventory.py", "plot_trend.py")
SCRIPT_WEIGHTS = (8, 4, 2, 1)
STATUSES = ["completed"] * 80 + ["failed"] * 15 + ["terminated"] * 5
WORDS = (
    "reading sensor value batch file row column record checksum sample channel pressure "
    "temperature voltage current flow rate window average median peak valve pump motor "
    "station line shift operator report export import upload download retry timeout "
    "connected closed opened queued parsed written skipped merged matched calibrated"
).split()
COMMON, MIDDLE, RARE = "sensor", "ferrule", "zirconium"  # ~55%, 5% and 0.01% of the runs
LONG_EVERY = 50  # one run in 50 keeps a long output (8 KB), as busy scripts do
STAR_EVERY = 97
SPAN = timedelta(days=90)


def prepare(groups: GroupWriter) -> None:
    groups.group("bench", name="Bench", required_level="operator")
    for name in SCRIPTS:
        groups.script("bench", name, "@description: A bench script", "print('ok')\n")


def output_text(rng: random.Random, n: int) -> str:
    """Log lines of run ``n``: a few hundred characters, 8 KB for one run in LONG_EVERY."""
    steps = 120 if n % LONG_EVERY == 0 else rng.randint(4, 9)
    lines = []
    for step in range(steps):
        words = " ".join(rng.choices(WORDS, k=rng.randint(4, 8)))
        lines.append(f"step {step}: {words} id={rng.randint(1, 99_999)} ok={rng.random():.3f}")
    if n % 20 == 3:
        lines.insert(rng.randrange(len(lines)), f"check: {MIDDLE} seated")
    if n % 10_000 == 7:
        lines.insert(rng.randrange(len(lines)), f"note: {RARE} sample")
    return "\n".join(lines)


def run_rows(rng: random.Random, world: dict[str, Any], start: int) -> list[dict[str, Any]]:
    """Rows ``start`` to ``start + BATCH``: start times grow with the id over SPAN."""
    now, rows = utcnow(), []
    for n in range(start, start + BATCH):
        owner = world["ann"] if n % 3 else world["bob"]
        began = now - SPAN * (1 - n / ROWS)
        status = rng.choice(STATUSES)
        duration = rng.randint(1, 600)
        script = rng.choices(SCRIPTS, SCRIPT_WEIGHTS)[0]
        rows.append(
            {
                "execution_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "user_id": owner["id"],
                "script_id": world["scripts"][script],
                "script_name": script,
                "group_id": world["group"],
                "project_id": rng.choice(owner["projects"]),
                "status": status,
                "start_time": began,
                "end_time": began + timedelta(seconds=duration),
                "duration_seconds": duration,
                "exit_code": 0 if status == "completed" else 1,
                "output": output_text(rng, n),
                "error_output": "Traceback: ValueError bad row" if status == "failed" else "",
                "parameters": {"station": rng.randint(1, 40), "mode": rng.choice("abc")},
                "log_path": f"/nonexistent/execution_{n}.log",
            }
        )
    return rows


def fill(database: Path, world: dict[str, Any]) -> float:
    """Insert ROWS runs and ann's stars into the stopped server's database; return seconds."""
    rng, started = random.Random(42), time.perf_counter()
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        for start in range(0, ROWS, BATCH):
            connection.execute(insert(ExecutionLog.__table__), run_rows(rng, world, start))
        first = connection.exec_driver_sql("SELECT min(id) FROM execution_logs").scalar_one()
        stars = [
            {"user_id": world["ann"]["id"], "execution_id": first + n, "starred": True,
             "updated_at": utcnow()}
            for n in range(1, ROWS, STAR_EVERY) if n % 3
        ]  # fmt: skip
        connection.execute(insert(RunMark.__table__), stars)
    engine.dispose()
    return time.perf_counter() - started


def make_user(server: BenchServer, name: str, group: int) -> dict[str, Any]:
    """Create an operator with two projects besides the default one; return id and projects."""
    client = server.create_user(name)
    user_id = client.get("/api/auth/user").json()["user"]["id"]
    client.get(f"/api/projects?group_id={group}")  # creates the default project
    for project in ("line_a", "line_b"):
        client.post("/api/projects", {"group_id": group, "project_name": project})
    projects = client.get(f"/api/projects?group_id={group}").json()["items"]
    return {"id": user_id, "projects": [project["id"] for project in projects]}


def timed(client: HttpClient, path: str) -> tuple[float, float, dict[str, Any]]:
    """Median and p95 latency in ms of QUERIES requests (after one to warm up), last body."""
    body = client.get(path).json()
    times = []
    for _ in range(QUERIES):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:300]}")
        body = answer.json()
    return statistics.median(times), percentile(times, 0.95), body


def cases(world: dict[str, Any]) -> list[tuple[str, str]]:
    """The run lists measured for ann, as (label, query string)."""
    sorts = [
        (f"sort={sort}&order={order}", f"sort={sort}&order={order}")
        for sort in ("start_time", "duration", "status", "script", "project")
        for order in ("desc", "asc")
    ]
    today = date.today()
    month_ago = (today - timedelta(days=30)).isoformat()
    week_before = (today - timedelta(days=36)).isoformat()
    filters = [
        ("status=failed", "status=failed"),
        ("status=terminated&sort=duration", "status=terminated&sort=duration"),
        ("script_id (1 run in 15)", f"script_id={world['scripts'][SCRIPTS[-1]]}"),
        ("project_id", f"project_id={world['ann']['projects'][1]}"),
        ("date_from (last 7 days)", f"date_from={(today - timedelta(days=7)).isoformat()}"),
        ("date_from&date_to (a week, a month ago)", f"date_from={week_before}&date_to={month_ago}"),
        ("min_duration=590", "min_duration=590"),
        ("max_duration=5&sort=duration&order=asc", "max_duration=5&sort=duration&order=asc"),
        ("starred=true", "starred=true"),
        ("page=20&sort=duration", "page=20&sort=duration"),
    ]
    searches = [
        (f"q={word} ({kind}){suffix}", f"q={word}{query}")
        for word, kind in ((COMMON, "common"), (MIDDLE, "5%"), (RARE, "rare"))
        for suffix, query in (("", ""), (" sort=duration", "&sort=duration"),
                              (" sort=status asc", "&sort=status&order=asc"))
    ]  # fmt: skip
    return sorts + filters + searches


def report(client: HttpClient, label: str, path: str) -> None:
    median, p95, body = timed(client, path)
    shown = f"{body['total']:,}{'+' if body.get('total_is_lower_bound') else ''}"
    figure(f"{label} [{shown}] median", median, "ms", goal=GOAL_MS)
    figure(f"{label} p95", p95, "ms", goal=GOAL_MS)


def main() -> None:
    with bench_server("logsearch", prepare) as server:
        group = server.admin.get("/api/script-groups").json()["items"][0]["id"]
        scripts = server.scripts()
        world = {
            "group": group,
            "scripts": {name: scripts[f"bench/{name}"] for name in SCRIPTS},
            "ann": make_user(server, "ann", group),
            "bob": make_user(server, "bob", group),
        }
        url = load_settings(server.env).database_url
        database = Path(make_url(url).database or "")
        seconds: list[float] = []
        server.restart(lambda: seconds.append(fill(database, world)))
        size = database.stat().st_size / 1048576
        print(f"{ROWS:,} runs inserted in {seconds[0]:.1f} s (FTS too), database {size:.0f} MB")
        ann = server.login("ann")
        print(f"\nann's runs (about {ROWS * 2 // 3:,}): GET /api/logs/execution?...")
        for label, query in cases(world):
            report(ann, label, f"/api/logs/execution?{query}")
        print("\neveryone's runs, as the admin: GET /api/admin/logs/execution?...")
        for sort in ("start_time", "duration", "status", "script", "project"):
            for order in ("desc", "asc"):
                query = f"sort={sort}&order={order}"
                report(server.admin, query, f"/api/admin/logs/execution?{query}")
        for label, query in (("status=failed", "status=failed"), (f"q={COMMON}", f"q={COMMON}")):
            report(server.admin, label, f"/api/admin/logs/execution?{query}")


if __name__ == "__main__":
    main()
