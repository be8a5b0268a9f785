"""A full disk and a busy database: clear 507/503 answers, /health degraded, nothing lost.

The full disk is real: the manager's home lives on a small tmpfs that the test fills
(mounting needs root, as in CI; elsewhere the test is skipped).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from server.app import create_app, shutdown_app
from server.services.registry import EXTENSION_KEY
from tests.support import GroupWriter, JsonClient, make_settings, wait_for

PASSWORD = "Disk-Full-Passw0rd"
WAITER = """import os, time
flag = {flag!r}
while not os.path.exists(flag):
    time.sleep(0.05)
print("released " * 2000)
"""


@pytest.fixture
def small_disk(tmp_path: Path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte; return the filler file."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for block in (1024 * 1024, 4096, 1):
            try:
                while os.write(fd, b"\0" * block):
                    pass
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def log_in(app, username: str) -> JsonClient:
    client = JsonClient(app.test_client())
    response = client.post("/api/auth/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return client


def test_a_full_disk_answers_507_degrades_health_and_settles_runs(small_disk, tmp_path):
    flag = tmp_path / "release-flag"  # off the small disk
    groups = GroupWriter(small_disk / "groups")
    groups.group("disk")
    groups.script("disk", "waiter.py", "@description: waits", WAITER.format(flag=str(flag)))
    settings = make_settings(small_disk / "home", script_groups_path=small_disk / "groups")
    app = create_app(settings)
    services = app.extensions[EXTENSION_KEY]
    try:
        with app.app_context():
            from server.services.audit import Actor

            services.users.create("olga", "o@example.com", PASSWORD, "operator", Actor.system())
            services.db.remove()
        client = log_in(app, "olga")
        gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
        script = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]
        project = client.get(f"/api/projects?group_id={gid}").get_json()["items"][0]["id"]
        started = client.post(f"/api/scripts/{script['id']}/execute", {"parameters": {}})
        assert started.status_code == 202
        execution_id = started.get_json()["execution_id"]
        assert client.post(f"/api/data/{gid}/{project}/kept.json", {"v": 1}).status_code == 201

        filler = fill(small_disk)
        big = {"rows": ["x" * 100] * 2000}
        refused = client.post(f"/api/data/{gid}/{project}/new.json", big)
        assert refused.status_code == 507, refused.get_json()
        assert refused.get_json()["error"]["code"] == "insufficient_storage"
        assert "disk is full" in refused.get_json()["error"]["message"]
        folder = settings.base_data_path / "script_groups" / "disk" / "olga" / "project_default"
        assert sorted(p.name for p in folder.iterdir()) == ["kept.json"]  # nothing half-written
        for _ in range(5):  # database writes either succeed whole or answer 507, never 500
            tagged = client.put(f"/api/scripts/{script['id']}/tags", {"tags": ["full"]})
            assert tagged.status_code in (200, 507), tagged.get_json()
            login = JsonClient(app.test_client()).post(
                "/api/auth/login", {"username": "olga", "password": PASSWORD}
            )
            assert login.status_code in (200, 507), login.get_json()
        health = client.get("/health").get_json()
        assert health["status"] == "degraded" and "disk" in " ".join(health["reasons"])

        flag.touch()  # the run ends while the disk is full
        run = services.executions.live_run(execution_id)
        assert run is not None and run.exited.wait(60)  # the child is gone, its end pending
        filler.unlink()
        detail = wait_for(
            lambda: (
                body
                if (body := client.get(f"/api/logs/execution/{execution_id}").get_json())["status"]
                != "running"
                else None
            ),
            60,
        )
        assert detail["status"] == "completed" and detail["exit_code"] == 0
        kept = client.get(f"/api/data/{gid}/{project}/kept.json")
        assert kept.get_json() == {"v": 1}
    finally:
        shutdown_app(app)


@pytest.mark.sqlite_only  # SQLite's database lock
def test_a_database_locked_beyond_its_wait_answers_503_with_retry_after(app, make_user, settings):
    user = make_user("lock")
    database = str(settings.base_data_path / "scriptsmanager.db")
    holder = sqlite3.connect(database, timeout=1)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        client = JsonClient(app.test_client())
        response = client.post("/api/auth/login", {"username": "lock", "password": user.password})
        assert response.status_code == 503, response.get_json()
        assert response.get_json()["error"]["code"] == "database_busy"
        assert int(response.headers["Retry-After"]) > 0
    finally:
        holder.rollback()
        holder.close()
    client = JsonClient(app.test_client())
    response = client.post("/api/auth/login", {"username": "lock", "password": user.password})
    assert response.status_code == 200
