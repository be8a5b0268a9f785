"""Helpers for tests that start the real manager process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

STARTUP_TIMEOUT = 60


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    """A manager started by a test."""

    process: subprocess.Popen
    url: str
    log_path: Path

    def output(self) -> str:
        """Return what the process printed so far."""
        return self.log_path.read_text(errors="replace")


def start_server(
    home: Path,
    port: int,
    mode: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> RunningServer:
    """Start ``scriptsmanager --server`` on a private home and wait until /health answers."""
    environ = dict(env if env is not None else os.environ)
    environ["SCRIPTSMANAGER_HOME"] = str(home)
    log_path = home / "server-output.log"
    home.mkdir(parents=True, exist_ok=True)
    args = ["--server"] if mode is None else mode
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "desktop.launcher",
                *args,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = RunningServer(process, f"http://127.0.0.1:{port}/", log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.output()}")
        try:
            with urllib.request.urlopen(server.url + "health", timeout=2):
                return server
        except OSError:
            time.sleep(0.1)
    stop_server(server, signal.SIGKILL)
    raise RuntimeError(f"server did not answer within {STARTUP_TIMEOUT}s:\n{server.output()}")


def stop_server(server: RunningServer, stop_signal: int = signal.SIGTERM) -> int:
    """Stop a started server by PID and return its exit code."""
    if server.process.poll() is None:
        server.process.send_signal(stop_signal)
        try:
            return server.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(10)
            raise
    return server.process.returncode
