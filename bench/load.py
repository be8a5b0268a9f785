"""Benchmark a team on one server: 20 logged-in clients at 10 and at 50 requests a second.

Each client is its own user with its own session and connection. It sends the everyday
read mix (the catalog's groups, a group's scripts, its run list, one of its runs, /health)
on its own schedule of Poisson arrivals, as people click (open loop: a late answer delays
nothing, and latency is counted from the time the request was due, so a saturated server
shows as latency, not as a lower rate). Prints the rate achieved (answers over the
time to the last answer), p50/p95/p99 latency, errors, and the server's CPU time per request,
first for one client alone, route by route (the per-request cost without contention).
Run: ``make bench`` or ``python bench/load.py``.
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bare_flask import bare_cpu_per_request  # noqa: E402
from bench.harness import BenchServer, HttpClient, bench_server, figure, percentile  # noqa: E402
from tests.support import GroupWriter  # noqa: E402

CLIENTS, SECONDS, SOLO_REQUESTS, PROCESSES = 20, 20, 200, 4
RATES = (10, 50)  # requests per second per client
CPU_GOAL_MS, P95_GOAL_MS = 2.0, 50.0


def prepare(groups: GroupWriter) -> None:
    for index in range(3):
        groups.group(f"team_{index}", name=f"Team {index}")
        for number in range(8):
            groups.script(f"team_{index}", f"tool_{number}.py", "@description: A team tool\n"
                          "@required_level: operator", "print('done', 42)\n")  # fmt: skip


def mix(server: BenchServer, client: HttpClient) -> list[str]:
    """Return one client's read mix; it starts a run first, so its lists are not empty."""
    groups = client.get("/api/script-groups").json()["items"]
    scripts = client.get(f"/api/script-groups/{groups[0]['id']}/scripts").json()["items"]
    execution = client.post(f"/api/scripts/{scripts[0]['id']}/execute", {"parameters": {}})
    execution_id = execution.json()["execution_id"]
    server.wait_finished(client, execution_id)
    group = groups[0]["id"]
    return ["/api/script-groups", f"/api/script-groups/{group}/scripts",
            "/api/logs/execution?per_page=20", f"/api/logs/execution/{execution_id}",
            "/health"]  # fmt: skip


class Load:
    """Clients that each send their mix at ``rate`` requests a second for ``seconds``.

    The clients run in ``PROCESSES`` worker processes (threads inside each, one keep-alive
    connection per client), so that the load generator's own interpreter lock does not
    cap the rate being measured.
    """

    def __init__(self, base: str, clients: list[tuple[HttpClient, list[str]]], rate: float) -> None:
        port = int(base.rsplit(":", 1)[1])
        self.specs = [(port, client.cookies(), paths, index)
                      for index, (client, paths) in enumerate(clients)]  # fmt: skip
        self.rate = rate
        self.latencies: list[float] = []
        self.errors = 0
        self.last_answer = 0.0

    def run(self, seconds: float) -> int:
        """Run every client for ``seconds``; return the number of answers."""
        start = time.time() + 0.5
        shares = [self.specs[index::PROCESSES] for index in range(PROCESSES)]
        with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
            jobs = [(share, self.rate, start, seconds) for share in shares]
            results = pool.starmap(_worker, jobs)
        for latencies, errors, last in results:
            self.latencies.extend(latencies)
            self.errors += errors
            self.last_answer = max(self.last_answer, last - start)
        return len(self.latencies) + self.errors


def schedule(seed: int, rate: float, seconds: float) -> list[float]:
    """Return a client's send times (s from the start): Poisson arrivals, as people click,
    exactly ``rate × seconds`` of them within ``seconds``."""
    rng = random.Random(seed)
    gaps = [rng.expovariate(rate) for _ in range(int(rate * seconds))]
    scale = seconds / sum(gaps)
    times, now = [], 0.0
    for gap in gaps:
        times.append(now)
        now += gap * scale
    return times


def _worker(specs: list[tuple[int, str, list[str], int]], rate: float, start: float,
            seconds: float) -> tuple[list[float], int, float]:  # fmt: skip
    """One load process: a thread per client; return its latencies (ms), errors and the
    time of its last answer."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(port: int, cookie: str, paths: list[str], seed: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for sent, offset in enumerate(schedule(seed, rate, seconds)):
            due = start + offset
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            try:
                connection.request("GET", paths[sent % len(paths)], headers={"Cookie": cookie})
                answer = connection.getresponse()
                answer.read()
                ok = answer.status == 200
            except OSError:
                connection.close()
                ok = False
            elapsed = (time.time() - due) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=spec) for spec in specs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.time()


def solo_cost(server: BenchServer, client: HttpClient, paths: list[str]) -> None:
    """One client, one request at a time: the server's CPU per request, by route, and the
    mix's mean beside a bare Flask app's on the same kind of server (the machine's floor)."""
    print(f"One client, {SOLO_REQUESTS} requests of each route one after another:")
    costs = []
    for path in paths:
        client.get(path)  # warm the route
        latencies = []
        before = server.cpu_seconds()
        for _ in range(SOLO_REQUESTS):
            started = time.perf_counter()
            client.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
        cpu_ms = (server.cpu_seconds() - before) * 1000 / SOLO_REQUESTS
        costs.append(cpu_ms)
        name = path.split("?")[0][:40]
        figure(f"server CPU per request {name}", cpu_ms, "ms", CPU_GOAL_MS)
        figure(f"  latency median {name}", statistics.median(latencies), "ms")
    mix_ms, bare_ms = statistics.mean(costs), bare_cpu_per_request(SOLO_REQUESTS * 2)
    figure("server CPU per request, the mix's mean", mix_ms, "ms", CPU_GOAL_MS)
    figure("  a bare Flask app's, same server (this machine's floor)", bare_ms, "ms")
    figure("  the mix in bare Flask requests", mix_ms / bare_ms, "×")


def team_load(server: BenchServer, clients: list[tuple[HttpClient, list[str]]], rate: int) -> None:
    """All clients at ``rate`` requests a second each."""
    load = Load(server.url, clients, rate)
    before_cpu = server.cpu_seconds()
    clients_before = _children_cpu()
    answered = load.run(SECONDS)
    clients_cpu = _children_cpu() - clients_before
    wall = max(SECONDS, load.last_answer)  # until the last answer
    cpu_ms = (server.cpu_seconds() - before_cpu) * 1000 / max(answered, 1)
    offered = CLIENTS * rate
    print(f"{CLIENTS} clients × {rate} req/s ({offered} req/s offered) for {SECONDS} s:")
    achieved = len(load.latencies) / wall
    goals = rate == RATES[0]
    figure("achieved", achieved, "req/s", offered if goals else None, higher_is_better=True)
    for share in (0.50, 0.95, 0.99):
        goal = P95_GOAL_MS if goals and share == 0.95 else None
        figure(f"p{share * 100:.0f} latency", percentile(load.latencies, share), "ms", goal)
    figure("errors", load.errors, "", 0 if goals else None)
    figure("server CPU per request", cpu_ms, "ms", CPU_GOAL_MS if goals else None)
    figure("server CPU use (1.00 = one core)", cpu_ms * answered / 1000 / wall, "cores")
    figure("load generator CPU use (same machine)", clients_cpu / wall, "cores")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    with bench_server("load", prepare) as server:
        clients = []
        for number in range(CLIENTS):
            client = server.create_user(f"engineer{number:02d}")
            clients.append((client, mix(server, client)))
        solo_cost(server, *clients[0])
        for rate in RATES:
            team_load(server, clients, rate)


if __name__ == "__main__":
    main()
