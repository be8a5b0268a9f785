"""Benchmark run history: 100,000 stored executions of two users.

Bulk-inserts the rows (the FTS5 triggers index them as they go), then prints the median and
p95 latency of the run list (page 1 of 50), of the list filtered by status, and of full-text
search for a common and a rare word, each over 50 queries, and for comparison a plain
``LIKE '%word%'`` on the output. Run: ``python bench/logsearch.py``.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.app import create_app, shutdown_app  # noqa: E402
from server.models import ExecutionLog, utcnow  # noqa: E402
from server.services.audit import Actor  # noqa: E402
from server.services.logs import LogFilters  # noqa: E402
from server.services.registry import EXTENSION_KEY, Services  # noqa: E402
from tests.support import make_settings  # noqa: E402

ROWS, BATCH, QUERIES, LIKE_RUNS = 100_000, 5_000, 50, 5
STATUSES = ["completed"] * 80 + ["failed"] * 15 + ["terminated"] * 5
SCRIPTS = [f"{name}.py" for name in ("calibrate", "export_csv", "sync_inventory", "plot_trend")]
WORDS = (
    "reading sensor value batch file row column record checksum sample channel pressure "
    "temperature voltage current flow rate window average median peak valve pump motor "
    "station line shift operator report export import upload download retry timeout "
    "connected closed opened queued parsed written skipped merged matched calibrated"
).split()
COMMON, RARE = "sensor", ["zirconium", "quasar", "marmalade"]  # rare: ~0.01% of the rows
RARE_EVERY = 10_000
PASSWORD = "Bench-Passw0rd"
Query = Callable[[], tuple[list[ExecutionLog], int]]


def output_text(rng: random.Random, n: int) -> str:
    """A few hundred characters of log lines; one row in RARE_EVERY carries a rare word."""
    lines = []
    for step in range(rng.randint(4, 9)):
        words = " ".join(rng.choices(WORDS, k=rng.randint(4, 8)))
        lines.append(f"step {step}: {words} id={rng.randint(1, 99_999)} ok={rng.random():.3f}")
    if n % RARE_EVERY == 7:
        lines.insert(rng.randrange(len(lines)), f"note: {RARE[(n // RARE_EVERY) % len(RARE)]}")
    return "\n".join(lines)


def rows(rng: random.Random, user_ids: list[int], start: int, count: int) -> list[dict[str, Any]]:
    """Rows start..start+count; start times grow with the id, over the last 90 days."""
    now, span = utcnow(), timedelta(days=90).total_seconds()
    batch = []
    for n in range(start, start + count):
        began = now - timedelta(seconds=span * (1 - n / ROWS))
        status = rng.choice(STATUSES)
        duration = rng.randint(1, 600)
        batch.append(
            {
                "execution_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "user_id": user_ids[0 if n % 3 else 1],  # about 2/3 and 1/3
                "script_name": rng.choice(SCRIPTS),
                "status": status,
                "start_time": began,
                "end_time": began + timedelta(seconds=duration),
                "duration_seconds": duration,
                "exit_code": 0 if status == "completed" else 1,
                "output": output_text(rng, n),
                "error_output": "Traceback: ValueError bad row" if status == "failed" else "",
                "parameters": {"station": rng.randint(1, 40), "mode": rng.choice("abc")},
                "log_path": f"/var/logs/execution_{n}.log",
            }
        )
    return batch


def fill(services: Services, user_ids: list[int]) -> float:
    """Insert ROWS rows in batches inside one transaction; return the seconds it took."""
    rng = random.Random(42)
    started = time.perf_counter()
    with services.db.engine.begin() as connection:
        for start in range(0, ROWS, BATCH):
            connection.execute(insert(ExecutionLog.__table__), rows(rng, user_ids, start, BATCH))
    return time.perf_counter() - started


def timed(services: Services, query: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median and p95 in ms over ``runs`` calls (each in a fresh session), last result."""
    query()  # warm the page cache and the statement cache
    services.db.remove()
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = query()
        times.append((time.perf_counter() - started) * 1000)
        services.db.remove()
    p95 = statistics.quantiles(times, n=20)[18] if runs >= 20 else max(times)
    return statistics.median(times), p95, result


def like(services: Services, user_id: int, word: str) -> tuple[list[ExecutionLog], int]:
    """The list query with ``output LIKE '%word%'`` instead of full-text search."""
    where = [ExecutionLog.user_id == user_id, ExecutionLog.output.like(f"%{word}%")]
    session = services.db.session
    total = session.scalar(select(func.count(ExecutionLog.id)).where(*where))
    page = session.scalars(select(ExecutionLog).where(*where).order_by(ExecutionLog.id.desc())
                           .limit(50))  # fmt: skip
    return list(page), total or 0


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-logsearch-") as tmp:
        settings = make_settings(Path(tmp) / "home")
        assert settings.script_groups_path
        settings.script_groups_path.mkdir(parents=True)
        app = create_app(settings)
        services: Services = app.extensions[EXTENSION_KEY]
        try:
            run(services)
        finally:
            shutdown_app(app)


def run(services: Services) -> None:
    """Create two users, fill the table, time every query kind and print the figures."""
    users = []
    for name in ("ann", "bob"):
        user = services.users.create(name, f"{name}@x.org", PASSWORD, "operator", Actor.system())
        users.append(user.id)
    services.db.remove()
    seconds = fill(services, users)
    print(f"inserted {ROWS:,} runs in {seconds:.1f} s ({ROWS / seconds:,.0f} rows/s, FTS included)")
    owner = users[0]  # the user with about 2/3 of the rows

    def listing(filters: LogFilters) -> Query:
        return lambda: services.logs.list(owner, filters, page=1, per_page=50)

    cases: list[tuple[str, Query, int]] = [
        ("list, page 1 of 50", listing(LogFilters()), QUERIES),
        ("list, status=failed", listing(LogFilters(status="failed")), QUERIES),
        (f"search {COMMON!r} (common)", listing(LogFilters(text=COMMON)), QUERIES),
        (f"search {RARE[0]!r} (rare)", listing(LogFilters(text=RARE[0])), QUERIES),
        (f"search '{COMMON} {RARE[1]}'", listing(LogFilters(text=f"{COMMON} {RARE[1]}")), QUERIES),
        (f"LIKE '%{COMMON}%'", lambda: like(services, owner, COMMON), LIKE_RUNS),
        (f"LIKE '%{RARE[0]}%'", lambda: like(services, owner, RARE[0]), LIKE_RUNS),
    ]
    title = "query (user with ~2/3 of the rows)"
    print(f"\n{title:<36}{'median':>9}{'p95':>9}{'runs':>6}{'hits':>8}")
    results = {}
    for name, query, runs in cases:
        median, p95, (_page, total) = timed(services, query, runs)
        results[name] = median
        print(f"{name:<36}{median:>6.1f} ms{p95:>6.1f} ms{runs:>6}{total:>8,}")
    slowest = max((m, n) for n, m in results.items() if not n.startswith("LIKE"))
    print(f"\nslowest list/search median: {slowest[0]:.1f} ms ({slowest[1]}); target < 10 ms")


if __name__ == "__main__":
    main()
