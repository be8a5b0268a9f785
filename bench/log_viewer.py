"""Benchmark the log viewer's reads of a 100 MB log, end to end through a real server.

Starts ``scriptsmanager --server``, runs a tiny script twice and replaces both runs' log
files by a generated log of about 100 MB (1.3 M lines, every 1000th on stderr, a rare word
once near the middle and another once near the end). Then, with a real HTTP client, times
what the viewer asks for: the end part, a jump to a line (the first one on a log not yet
indexed, which builds its line index), find next for each rare word, a stderr-only page;
and beside them a full download of the log file. Prints the median and p95 of each and its
ratio to the end part and to the download. Run: ``make bench`` or
``python bench/log_viewer.py``.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import support  # noqa: E402

LINES, STDERR_EVERY, CHUNK = 1_300_000, 1000, 256 * 1024
MIDDLE, END = (LINES // 2 + 7, "zirconium"), (LINES - 1234, "marmalade")
RUNS, DOWNLOADS = 30, 5
USER, PASSWORD = "bench", "Bench-Passw0rd"
TINY = '"""\nScriptsManager Metadata:\n@description: one line\n"""\nprint("hello")\n'


def log_line(n: int) -> str:
    """Line n (1-based) of the generated log."""
    if n % STDERR_EVERY == 0:
        return f"[stderr] warning: sensor {n % 97} drifted at row {n}\n"
    word = {MIDDLE[0]: MIDDLE[1], END[0]: END[1]}.get(n, "reading")
    return f"row {n} {word} pressure value batch=17 channel=4 status=ok checksum=0x5f3a\n"


def write_log(path: Path) -> int:
    """Write the generated log over ``path``; return its size."""
    with path.open("w", encoding="utf-8") as handle:
        for start in range(1, LINES + 1, 100_000):
            handle.write("".join(map(log_line, range(start, min(start + 100_000, LINES + 1)))))
    return path.stat().st_size


class Client:
    """A logged-in HTTP session on the server (one kept-alive connection)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        token = self.http.get(url + "api/auth/csrf").json()["csrf_token"]
        body = {"username": USER, "password": PASSWORD}
        login = self.http.post(url + "api/auth/login", json=body, headers={"X-CSRFToken": token})
        login.raise_for_status()
        self.token = login.json()["csrf_token"]

    def get(self, path: str) -> requests.Response:
        answer = self.http.get(self.url + path)
        answer.raise_for_status()
        return answer

    def finished_run(self) -> str:
        """Run the tiny script and return its execution id once it has ended."""
        group = self.get("api/script-groups").json()["items"][0]
        script = self.get(f"api/script-groups/{group['id']}/scripts").json()["items"][0]
        execute = self.url + f"api/scripts/{script['id']}/execute"
        headers = {"X-CSRFToken": self.token}
        started = self.http.post(execute, json={"parameters": {}}, headers=headers)
        execution_id = started.json()["execution_id"]
        record = f"api/logs/execution/{execution_id}"
        support.wait_for(lambda: self.get(record).json()["status"] != "running")
        return execution_id


def timed(call: Callable[[], int], runs: int) -> tuple[float, float, int]:
    """Median and p95 in ms over ``runs`` calls, and the bytes the last one answered."""
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        size = call()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20)[18] if runs >= 20 else max(times)
    return statistics.median(times), p95, size


def cases(
    client: Client, cold: str, warm: str, size: int
) -> list[tuple[str, Callable[[], int], int]]:
    """The requests to time: (name, call returning the bytes answered, runs)."""
    rng = random.Random(1)

    def get(execution_id: str, query: str) -> Callable[[], int]:
        return lambda: len(client.get(f"api/logs/execution/{execution_id}/{query}").content)

    def jump() -> int:
        return get(warm, f"content?line={rng.randint(1, LINES)}&length={CHUNK}")()

    def download() -> int:
        with client.http.get(client.url + f"api/logs/execution/{warm}/download?format=txt",
                             stream=True) as answer:  # fmt: skip
            return sum(len(part) for part in answer.iter_content(1 << 20))

    return [
        ("content at end, first (index build)", get(warm, f"content?length={CHUNK}"), 1),
        ("content at end", get(warm, f"content?length={CHUNK}"), RUNS),
        ("jump to line, first (index build)", get(cold, f"content?line={LINES // 2}"), 1),
        ("jump to a random line (cached)", jump, RUNS),
        (f"find next {MIDDLE[1]!r} (middle) from 0", get(warm, f"find?q={MIDDLE[1]}&from=0"), RUNS),
        (f"find next {END[1]!r} (end) from 0", get(warm, f"find?q={END[1]}&from=0"), RUNS),
        (
            f"find prev {MIDDLE[1]!r} from the end",
            get(warm, f"find?q={MIDDLE[1]}&direction=prev"),
            RUNS,
        ),  # fmt: skip
        (
            "stderr-only page from the middle",
            get(warm, f"content?stream=stderr&offset={size // 2}&length={CHUNK}"),
            RUNS,
        ),  # fmt: skip
        ("baseline: full download of the log", download, DOWNLOADS),
    ]


def measure(server: support.RunningServer, home: Path) -> None:
    """Prepare two finished runs with the 100 MB log, time every case, print the table."""
    client = Client(server.url)
    warm, cold = client.finished_run(), client.finished_run()
    files = [next(home.rglob(f"execution_{run}.log")) for run in (warm, cold)]
    started = time.perf_counter()
    size = write_log(files[0])
    shutil.copyfile(files[0], files[1])
    seconds = time.perf_counter() - started
    print(f"log: {size / 1e6:.1f} MB, {LINES:,} lines, written in {seconds:.1f} s")
    rows = [
        (name, *timed(call, runs), runs) for name, call, runs in cases(client, cold, warm, size)
    ]
    tail = next(row[1] for row in rows if row[0] == "content at end")
    whole = rows[-1][1]
    head = f"{'median':>10}{'p95':>10}{'runs':>6}{'bytes':>12}{'x end':>8}{'x download':>12}"
    print(f"\n{'request':<40}{head}")
    for name, median, p95, answered, runs in rows:
        print(f"{name:<40}{median:>7.1f} ms{p95:>7.1f} ms{runs:>6}{answered:>12,}"
              f"{median / tail:>8.1f}{median / whole:>12.4f}")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-log-viewer-") as tmp:
        root = Path(tmp)
        writer = support.GroupWriter(root / "groups")
        writer.group("bench", name="Bench")
        (writer.root / "bench" / "tiny.py").write_text(TINY, encoding="utf-8")
        env = {**os.environ, "SCRIPT_GROUPS_PATH": str(root / "groups"), "CONDA_AUTO_DETECT": "0",
               "WATCH_SCRIPT_GROUPS": "0"}  # fmt: skip
        home = root / "home"
        admin = ["create-admin", "--username", USER, "--password", PASSWORD]
        created = subprocess.run(
            [sys.executable, "-m", "desktop.launcher", *admin],
            env={**env, "SCRIPTSMANAGER_HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        if created.returncode:
            raise SystemExit(f"create-admin failed:\n{created.stdout}{created.stderr}")
        server = support.start_server(home, support.free_port(), env=env)
        try:
            measure(server, home)
        finally:
            support.stop_server(server)


if __name__ == "__main__":
    main()
