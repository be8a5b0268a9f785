"""The machine's floor for a request: a bare Flask app answering one small JSON object,
served as the manager is (gunicorn, one threaded worker), measured by one client.

It says how fast this machine is today: the manager's CPU per request, set beside it, is a
ratio that stays comparable between machines and between runs on a noisy one.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests
from flask import Flask, jsonify

ROOT = Path(__file__).resolve().parent.parent
app = Flask(__name__)


@app.get("/bare")
def bare():
    return jsonify({"status": "ok", "items": []})


def bare_cpu_per_request(count: int) -> float:
    """Return the bare app's server CPU per request in ms, over ``count`` requests."""
    from server.serving import THREADS
    from tests.support import free_port

    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1",
               "--threads", str(THREADS), "--bind", f"127.0.0.1:{port}",
               "bench.bare_flask:app"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    http = requests.Session()
    http.trust_env = False
    try:
        url = f"http://127.0.0.1:{port}/bare"
        _wait_answering(http, url, server)
        processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children()]
        for _ in range(50):
            http.get(url, timeout=30)
        before = _cpu(processes)
        for _ in range(count):
            http.get(url, timeout=30)
        return (_cpu(processes) - before) * 1000 / count
    finally:
        http.close()
        server.terminate()
        server.wait(timeout=30)


def _wait_answering(http: requests.Session, url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the bare Flask app did not start")
        try:
            http.get(url, timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("the bare Flask app did not answer within 60 s")


def _cpu(processes: list[psutil.Process]) -> float:
    return sum(sum(process.cpu_times()[:2]) for process in processes)
