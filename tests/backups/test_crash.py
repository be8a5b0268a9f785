"""A manager killed (-9) at any point of a restore comes back with the old data or the new,
never a mix: before the journal the restore is discarded, after it the swap is finished."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.services.audit import Actor
from server.services.registry import build_services
from tests.backups.trees import fill, fingerprint
from tests.support import make_settings

ROOT = Path(__file__).resolve().parents[2]
# The manager's own log files are not written by these offline runs, but the database is
# (the child migrates it); rows are compared instead.
SKIP = ("scriptsmanager.db",)


@pytest.fixture
def home(tmp_path):
    settings = make_settings(tmp_path / "home")
    services = build_services(settings)
    services.layout.ensure()
    services.db.migrate()
    fill(services.layout.data)
    services.shutdown()
    return settings


def take_backup(settings) -> str:
    services = build_services(settings)
    try:
        return services.backups.backup_now(Actor.system()).backup_id
    finally:
        services.shutdown()


def change(data: Path) -> None:
    (data / "script_groups/thermal/alice/project_a/result.csv").write_text("after the backup")
    (data / "later.txt").write_text("written after the backup")


def restore_and_die(settings, backup_id: str, point: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCRIPTSMANAGER_HOME": str(settings.home), "SECRET_KEY": "k"}
    env.update(SCRIPT_GROUPS_PATH=str(settings.script_groups_path), CONDA_AUTO_DETECT="false")
    return subprocess.run(
        [sys.executable, "-m", "tests.backups.crash_child", backup_id, point],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("point", "comes_back_with"),
    [("extracting", "old"), ("journal", "new"), ("half-swapped", "new"), ("swapped", "new")],
)
def test_a_kill_mid_restore_leaves_old_or_new_data_never_a_mix(home, point, comes_back_with):
    data = home.base_data_path
    new = fingerprint(data, SKIP)  # what the backup holds (its own audit line comes after)
    backup_id = take_backup(home)
    change(data)
    old = fingerprint(data, SKIP)

    child = restore_and_die(home, backup_id, point)
    assert child.returncode == -9, child.stdout + child.stderr

    services = build_services(home)  # the next start finishes or discards the restore
    services.shutdown()
    assert fingerprint(data, SKIP) == (old if comes_back_with == "old" else new)
    swap_root = data.parent / f".{data.name}-restore"
    assert not (swap_root / "journal.json").exists()
    assert not (swap_root / "staging").exists()
