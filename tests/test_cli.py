"""The command line and server mode, as real processes on real sockets."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port, start_server, stop_server

EXE = [sys.executable, "-m", "desktop.launcher"]


def run(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "SCRIPTSMANAGER_HOME": str(home), **env}
    return subprocess.run([*EXE, *args], env=environ, capture_output=True, text=True, timeout=60)


def test_version_and_help(tmp_path):
    from server import __version__

    assert run(tmp_path, "--version").stdout.strip() == f"scriptsmanager {__version__}"
    help_text = run(tmp_path, "--help").stdout
    for word in ("--server", "--connect", "init-db", "create-admin"):
        assert word in help_text


def test_init_db_is_idempotent_and_builds_the_tree(tmp_path):
    assert run(tmp_path, "init-db").returncode == 0
    assert run(tmp_path, "init-db").returncode == 0
    data = tmp_path / "data"
    for folder in ("logs/system", "logs/audit", "logs/executions", "script_groups", "backups"):
        assert (data / folder).is_dir(), folder
    assert (data / "scriptsmanager.db").is_file()


def test_create_admin_refuses_duplicates_and_weak_passwords(tmp_path):
    ok = run(tmp_path, "create-admin", "--username", "boss", "--password", "B0ss-Password!")
    assert ok.returncode == 0, ok.stderr
    again = run(tmp_path, "create-admin", "--username", "boss", "--password", "B0ss-Password!")
    assert again.returncode != 0 and "taken" in again.stderr
    weak = run(tmp_path, "create-admin", "--username", "boss2", "--password", "short")
    assert weak.returncode != 0 and "10 characters" in weak.stderr
    assert "Traceback" not in again.stderr + weak.stderr


def test_bad_configuration_is_one_clear_line(tmp_path):
    result = run(tmp_path, "init-db", PORT_RANGE_START="nope")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("scriptsmanager: setting port_range_start")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_server_serves_and_stops_cleanly(tmp_path, stop_signal):
    server = start_server(tmp_path, free_port())
    try:
        with urllib.request.urlopen(server.url + "health", timeout=5) as response:
            assert json.load(response)["status"] == "healthy"
            assert response.headers["Server"] == "gunicorn"
        assert "listening on " + server.url in server.output()
    finally:
        code = stop_server(server, stop_signal)
    assert code == 0
    log = (tmp_path / "data" / "logs" / "system" / "application.log").read_text()
    assert "ScriptsManager stopped" in log
    access = (tmp_path / "data" / "logs" / "system" / "access.log").read_text()
    assert '"GET /health" 200' in access


def test_without_a_display_the_default_mode_is_the_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    server = start_server(tmp_path, free_port(), mode=[], env=env)
    try:
        first = server.output().splitlines()[0]
        assert first.startswith("ScriptsManager: ") and first.endswith("; running as a server.")
    finally:
        stop_server(server, signal.SIGTERM)
