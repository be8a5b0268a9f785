"""Helpers for tests and benchmarks: JSON client, group writer, settings, live servers."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask.testing import FlaskClient

from server.settings import Settings, load_settings

STARTUP_TIMEOUT = 90  # a server on a loaded machine imports, migrates and binds slowly
STOP_TIMEOUT = 60  # its graceful stop alone may take GRACEFUL_TIMEOUT (10 s) and more


class JsonClient:
    """A Flask test client that speaks JSON and sends the CSRF token on mutations."""

    def __init__(self, client: FlaskClient) -> None:
        self.raw = client
        self.csrf = client.get("/api/auth/csrf").get_json()["csrf_token"]

    def call(self, method: str, path: str, json: Any = None, csrf: bool = True, **kwargs):
        """Send a request; mutations carry X-CSRFToken unless ``csrf`` is False."""
        headers = dict(kwargs.pop("headers", {}))
        if csrf and method != "GET":
            headers["X-CSRFToken"] = self.csrf
        response = self.raw.open(path, method=method, json=json, headers=headers, **kwargs)
        response.get_data()  # buffer the body, then release files served by send_file
        response.close()
        body = response.get_json(silent=True)
        if isinstance(body, dict) and "csrf_token" in body:
            self.csrf = body["csrf_token"]
        return response

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs):
        return self.call("POST", path, json={} if json is None else json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs):
        return self.call("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.call("DELETE", path, **kwargs)


class GroupWriter:
    """Write script groups the way engineers do: folders, metadata.json, scripts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def group(self, folder: str, **metadata: Any) -> Path:
        """Create or rewrite a group folder with its metadata.json."""
        path = self.root / folder
        path.mkdir(parents=True, exist_ok=True)
        body = {"name": folder.replace("_", " ").title(), "required_level": "operator", **metadata}
        (path / "metadata.json").write_text(json.dumps(body), encoding="utf-8")
        return path

    def script(
        self, folder: str, filename: str, header: str = "", code: str = "print('hi')\n"
    ) -> Path:
        """Write a script whose docstring holds ``header`` (the lines after the mark)."""
        source = f'"""\nScriptsManager Metadata:\n{header}\n"""\n{code}' if header else code
        path = self.root / folder / filename
        path.write_text(source, encoding="utf-8")
        return path


def make_settings(home: Path, **overrides: Any) -> Settings:
    """Return settings on a private home, ignoring the process environment."""
    defaults = {
        "secret_key": "test-secret-key",
        "script_groups_path": home.parent / "groups",
        "watch_script_groups": False,
        "conda_auto_detect": False,
    }
    return load_settings(environ={}, home=home, **{**defaults, **overrides})


TEST_DATABASE_VARIABLE = "SCRIPTSMANAGER_TEST_DATABASE_URL"


@contextmanager
def fresh_database() -> Iterator[str | None]:
    """Yield the URL of a new, empty database on the server that
    SCRIPTSMANAGER_TEST_DATABASE_URL names (dropped afterwards), or None without it."""
    server = os.environ.get(TEST_DATABASE_VARIABLE)
    if not server:
        yield None
        return
    import psycopg  # only where PostgreSQL tests run

    name = f"test_{uuid.uuid4().hex[:16]}"
    admin_url = server.replace("+psycopg", "", 1)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


WAIT_TIMEOUT = 60.0


def wait_for(
    predicate,
    timeout: float = WAIT_TIMEOUT,
    message: str = "condition not met in time",
    interval: float = 0.05,
):
    """Poll ``predicate`` until it returns something true; return that value.

    Fail with ``message`` once ``timeout`` seconds have passed: the deadline is generous
    (a loaded machine is slow), the polling quick (a fast one does not wait for nothing).
    The predicate is asked once more after the deadline, so a slow last poll still counts.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} (waited {timeout:g} s)")
        time.sleep(interval)


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

    @property
    def interface_url(self) -> str:
        """Return the base URL of the interfaces' own origin (the port the server printed)."""
        found = wait_for(lambda: re.search(r"interfaces are served on port (\d+)", self.output()))
        return self.url.rsplit(":", 1)[0] + f":{found.group(1)}/"


def create_admin(home: Path, env: dict[str, str], username: str, password: str) -> None:
    """Create an admin on a private home with ``scriptsmanager create-admin``."""
    subprocess.run(
        [sys.executable, "-m", "desktop.launcher", "create-admin", "--username", username,
         "--password", password],
        env={**env, "SCRIPTSMANAGER_HOME": str(home)}, check=True, capture_output=True,
        timeout=60,
    )  # fmt: skip


def signed_in(url: str, username: str, password: str):
    """Log in to a real server over HTTP; return the requests session and its CSRF token."""
    http = requests.Session()
    csrf = http.get(url + "api/auth/csrf").json()["csrf_token"]
    login = http.post(url + "api/auth/login", json={"username": username, "password": password},
                      headers={"X-CSRFToken": csrf})  # fmt: skip
    assert login.status_code == 200, login.text
    return http, login.json()["csrf_token"]


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
            return server.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(10)
            raise
    return server.process.returncode
