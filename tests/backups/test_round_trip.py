"""A backup restored gives back every file byte for byte and the database's rows, through
the running manager (its runs stopped first) and through the command line."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
import tarfile
import threading

from sqlalchemy import select

from server.models import User
from server.services.audit import Actor
from tests.backups.conftest import MANAGER_WRITES
from tests.backups.trees import fingerprint
from tests.support import wait_for

SLEEPER = "import time\nprint('started', flush=True)\ntime.sleep(600)\n"


def usernames(services) -> list[str]:
    with services.db.job() as session:
        return sorted(session.scalars(select(User.username)))


def mutate(data) -> None:
    user = data / "script_groups" / "thermal" / "alice" / "project_a"
    (user / "result.csv").write_text("changed")
    (user / "blob.bin").unlink()
    (user / "new.txt").write_text("added after the backup")
    (data / "script_groups" / "thermal" / "bob" / "empty_project").rmdir()


def test_the_archive_is_private_dated_and_holds_the_manifest_first(services, data):
    info = services.backups.backup_now(Actor.system())
    assert re.fullmatch(r"\d{8}_\d{6}", info.backup_id)
    day = f"{info.backup_id[:4]}-{info.backup_id[4:6]}-{info.backup_id[6:8]}"
    assert info.path == services.layout.backup / day / f"data_backup_{info.backup_id}.tar.gz"
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    with tarfile.open(info.path) as tar:
        names = tar.getnames()
    assert names[0] == "scriptsmanager-backup.json"
    assert names[-1] == "scriptsmanager-checksums.json"
    assert "data/scriptsmanager.db" in names  # the online backup API's snapshot
    assert not any(n.endswith(("-wal", "-shm")) for n in names)


def test_a_restore_gives_back_every_file_and_row(services, data, make_user):
    make_user("before", level="developer")
    expected_files, expected_users = fingerprint(data, MANAGER_WRITES), usernames(services)
    info = services.backups.backup_now(Actor.system())
    mutate(data)
    make_user("after")
    assert fingerprint(data, MANAGER_WRITES) != expected_files

    services.backups.restore_now(info.backup_id, Actor.system(), services.restore_quiescer())

    assert fingerprint(data, MANAGER_WRITES) == expected_files
    assert usernames(services) == expected_users
    status = services.backups.status()
    assert status["last_result"]["result"] == "completed" and status["running"] is None
    previous = data.parent / f".{data.name}-restore" / "previous" / "data"
    assert (previous / "script_groups/thermal/alice/project_a/new.txt").is_file()


def test_through_the_api_live_runs_stop_and_the_restore_is_audited(
    services, data, groups, login, admin, make_user
):
    groups.group("sleepy")
    groups.script("sleepy", "sleeper.py", "@description: sleeps\n", SLEEPER)
    services.discovery.scan_all()
    client = login(admin)
    created = client.post("/api/system/backup")
    assert created.status_code == 202, created.json
    backup_id = created.json["backup_id"]
    wait_for(lambda: client.get("/api/system/backup-status").json["running"] is None)
    assert client.get("/api/system/backups").json["items"][0]["status"] == "complete"
    expected = fingerprint(data, MANAGER_WRITES)

    operator = login(make_user(level="operator"))
    script_id = next(
        s["id"] for g in operator.get("/api/script-groups").json["items"]
        for s in operator.get(f"/api/script-groups/{g['id']}/scripts").json["items"]
        if s["filename"] == "sleeper.py"
    )  # fmt: skip
    run = operator.post(f"/api/scripts/{script_id}/execute", json={"parameters": {}}).json
    mutate(data)

    wrong = client.post(
        f"/api/system/backups/{backup_id}/restore", json={"confirm": "20000101_000000"}
    )
    assert wrong.status_code == 400 and wrong.json["error"]["field"] == "confirm"
    started = client.post(f"/api/system/backups/{backup_id}/restore", json={"confirm": backup_id})
    assert started.status_code == 202, started.json
    wait_for(lambda: services.backups.status()["running"] is None)

    # Every session ended with the restore (the backup's must not come back): log in again.
    assert client.get("/api/system/backup-status").status_code == 401
    client = login(admin)
    assert client.get("/api/system/backup-status").json["last_result"]["result"] == "completed"
    assert fingerprint(data, MANAGER_WRITES) == expected
    assert not services.executions.is_live(run["execution_id"])
    audit = client.get("/api/admin/logs/audit?action=system.restore").json["items"]
    assert audit[0]["target"] == backup_id


def test_delete_and_the_errors_of_the_api(services, data, login, admin):
    client = login(admin)
    info = services.backups.backup_now(Actor.system())
    assert client.delete("/api/system/backups/20000101_000000").status_code == 404
    assert client.delete("/api/system/backups/..%2F..%2Fetc").status_code == 404
    missing = client.post("/api/system/backups/20000101_000000/restore",
                          json={"confirm": "20000101_000000"})  # fmt: skip
    assert missing.status_code == 404
    assert client.post(f"/api/system/backups/{info.backup_id}/restore", json={}).status_code == 400
    listing = client.get("/api/system/backups?per_page=1").json
    assert (listing["total"], listing["page"], listing["per_page"]) == (1, 1, 1)
    assert listing["items"][0]["id"] == info.backup_id
    day = listing["items"][0]["date"]
    assert client.get(f"/api/system/backups?date={day}").json["total"] == 1
    assert client.get("/api/system/backups?date=2000-01-01").json["items"] == []
    assert client.get("/api/system/backups?date=yesterday").status_code == 400
    assert client.delete(f"/api/system/backups/{info.backup_id}").status_code == 200
    assert not info.path.exists()
    assert client.get("/api/system/backups").json["items"] == []


def test_the_command_line_backs_up_and_restores_a_stopped_manager(settings, tmp_path):
    env = {"SCRIPTSMANAGER_HOME": str(settings.home), "SECRET_KEY": "k", "PATH": "/usr/bin:/bin",
           "SCRIPT_GROUPS_PATH": str(settings.script_groups_path)}  # fmt: skip
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "desktop.launcher", *args], env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert run("init-db").returncode == 0
    data = settings.base_data_path
    from tests.backups.trees import fill

    fill(data)
    expected = fingerprint(data, MANAGER_WRITES)
    taken = run("backup")
    assert taken.returncode == 0, taken.stderr
    backup_id = run("backup", "--list").stdout.split()[0]
    mutate(data)
    assert run("restore", "20000101_000000", "--yes").returncode != 0
    restored = run("restore", backup_id, "--yes")
    assert restored.returncode == 0, restored.stderr
    assert fingerprint(data, MANAGER_WRITES) == expected


def test_a_file_written_during_the_backup_goes_in_as_it_was_listed(services, data):
    growing = data / "logs" / "growing.log"
    growing.write_text("a line being written\n")
    done = threading.Event()

    def write_lines() -> None:
        with growing.open("a") as handle:
            while not done.is_set():
                handle.write("a line being written\n")
                handle.flush()

    writer = threading.Thread(target=write_lines)
    writer.start()
    try:
        info = services.backups.backup_now(Actor.system())
    finally:
        done.set()
        writer.join()
    services.backups.restore_now(info.backup_id, Actor.system(), services.restore_quiescer())
    lines = growing.read_text().splitlines()
    assert lines and set(lines) == {"a line being written"}
