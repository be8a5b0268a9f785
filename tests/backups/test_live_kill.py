"""A real ``--server`` killed (-9) while it restores comes back, on its next start, with the
data it had: the half-extracted restore is discarded and the server serves as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

from tests.backups.conftest import MANAGER_WRITES
from tests.backups.trees import fill, fingerprint
from tests.support import free_port, start_server, stop_server, wait_for

PASSWORD = "Backup-Admin-Pass-1"
BIG = 64 * 1024 * 1024  # incompressible, so extracting it takes a moment to watch


class Admin:
    """An admin's requests session on a running server."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False
        token = self.http.get(self.url + "/api/auth/csrf", timeout=30).json()["csrf_token"]
        login = {"username": "admin", "password": PASSWORD}
        answer = self.post("/api/auth/login", login, token)
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["csrf_token"]

    def get(self, path: str):
        return self.http.get(self.url + path, timeout=30).json()

    def post(self, path: str, body: dict | None = None, token: str | None = None):
        headers = {"X-CSRFToken": token or self.token}
        return self.http.post(self.url + path, json=body or {}, headers=headers, timeout=30)


def test_a_server_killed_while_restoring_keeps_its_data(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "SCRIPTSMANAGER_HOME": str(home), "CONDA_AUTO_DETECT": "false",
           "SCRIPT_GROUPS_PATH": str(tmp_path / "groups")}  # fmt: skip
    (tmp_path / "groups").mkdir()
    subprocess.run([sys.executable, "-m", "desktop.launcher", "create-admin", "--username",
                    "admin", "--password", PASSWORD], env=env, check=True, timeout=300)  # fmt: skip
    data = home / "data"
    fill(data)
    (data / "big.bin").write_bytes(os.urandom(BIG))
    server = start_server(home, free_port(), env=env)
    try:
        admin = Admin(server.url)
        assert admin.post("/api/system/backup").status_code == 202
        wait_for(lambda: admin.get("/api/system/backup-status")["running"] is None)
        backup_id = admin.get("/api/system/backups")["items"][0]["id"]
        (data / "after.txt").write_text("written after the backup")
        expected = fingerprint(data, MANAGER_WRITES)

        started = admin.post(f"/api/system/backups/{backup_id}/restore", {"confirm": backup_id})
        assert started.status_code == 202, started.text
        wait_for(
            lambda: (
                (admin.get("/api/system/backup-status")["running"] or {}).get("phase")
                in ("extracting", "verifying")
            ),
            interval=0.01,
        )
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(60)
    finally:
        stop_server(server, signal.SIGKILL)

    server = start_server(home, free_port(), env=env)
    try:
        assert fingerprint(data, MANAGER_WRITES) == expected
        assert not (home / ".data-restore" / "staging").exists()
        admin = Admin(server.url)
        assert admin.get("/api/system/backups")["items"][0]["id"] == backup_id
    finally:
        stop_server(server)
