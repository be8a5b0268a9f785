"""Benchmark discovery: 1,000 scripts in 50 groups.

Prints the full-scan time (first scan, which parses every header, and a rescan of
unchanged files) and the delay from writing a new script file to seeing it in the API
with hot reload on. Run: ``make bench`` or ``python bench/discovery.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.app import create_app, shutdown_app  # noqa: E402
from server.services.audit import Actor  # noqa: E402
from server.services.registry import EXTENSION_KEY  # noqa: E402
from tests.support import GroupWriter, JsonClient, make_settings  # noqa: E402

GROUPS, SCRIPTS_PER_GROUP, REPEATS = 50, 20, 7
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


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="bench-discovery-"))
    settings = make_settings(home / "home", watch_script_groups=True)
    writer = GroupWriter(settings.script_groups_path)
    build_tree(writer)

    started = time.perf_counter()
    app = create_app(settings)  # start-up runs the first full scan
    startup = time.perf_counter() - started
    services = app.extensions[EXTENSION_KEY]
    try:
        with services.db.job():
            cold_files = [p for p in writer.root.rglob("*.py")]
            for path in cold_files:
                path.touch()
            cold = services.discovery.scan_all()
        with services.db.job():
            warm = services.discovery.scan_all()
        services.users.create("bench", "b@example.com", "Bench-Passw0rd", "admin", Actor.system())
        services.db.remove()
        client = JsonClient(app.test_client())
        client.post("/api/auth/login", {"username": "bench", "password": "Bench-Passw0rd"})
        group_id = client.get("/api/script-groups").get_json()["items"][0]["id"]
        delays = []
        for attempt in range(REPEATS):
            name = f"new_{attempt}.py"
            written = time.perf_counter()
            writer.script("group_00", name, HEADER.format(n=attempt))
            while True:
                items = client.get(f"/api/script-groups/{group_id}/scripts").get_json()["items"]
                if any(item["filename"] == name for item in items):
                    break
                time.sleep(0.01)
            delays.append(time.perf_counter() - written)
    finally:
        shutdown_app(app)

    print(f"scripts: {cold.scripts} in {cold.groups} groups")
    print(f"app start-up with first scan: {startup * 1000:.0f} ms")
    print(f"full scan, every header parsed: {cold.seconds * 1000:.0f} ms ({cold.parsed} parsed)")
    print(f"full scan, nothing changed:     {warm.seconds * 1000:.0f} ms ({warm.parsed} parsed)")
    print(
        f"new file to visible in the API: median {statistics.median(delays) * 1000:.0f} ms, "
        f"max {max(delays) * 1000:.0f} ms over {REPEATS} files (target < 2000 ms)"
    )


if __name__ == "__main__":
    main()
