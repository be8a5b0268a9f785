"""The daily job, the catch-up of a missed one, retention, and what /health says of backups."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from server.services.audit import Actor
from server.services.backup.manifest import Limits
from server.services.backup.schedule import BackupPolicy
from server.services.backup.service import DAILY_JOB as BACKUP_JOB
from server.services.errors import InvalidInput
from tests.support import make_settings


def old_archive(services, days_ago: int) -> str:
    """Put a (real, tiny) archive dated ``days_ago`` days back; return its id."""
    fresh = services.backups.backup_now(Actor.system())
    stamp = (datetime.now() - timedelta(days=days_ago)).strftime("%Y%m%d_%H%M%S")
    target = services.backups.store.root / f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    target.mkdir(exist_ok=True)
    fresh.path.rename(target / f"data_backup_{stamp}.tar.gz")
    return stamp


def test_the_daily_job_is_scheduled_at_the_configured_time(services):
    next_run = services.maintenance.next_run(BACKUP_JOB)
    assert (next_run.hour, next_run.minute) == (2, 0)
    # No backup yet: one is taken a few minutes after start-up, not a day later.
    assert services.maintenance.next_run(BACKUP_JOB + " (missed)") is not None
    status = services.backups.status()
    assert status["enabled"] and status["next_run"].endswith("02:00:00")


def test_the_next_and_last_scheduled_times(tmp_path):
    settings = make_settings(tmp_path / "home", backup_schedule_time="23:30")
    policy = BackupPolicy.from_settings(settings)
    now = datetime(2026, 3, 1, 12, 0)
    assert policy.next_run(now) == datetime(2026, 3, 1, 23, 30)
    assert policy.last_due(now) == datetime(2026, 2, 28, 23, 30)
    assert policy.next_run(datetime(2026, 3, 1, 23, 30)) == datetime(2026, 3, 2, 23, 30)


def test_retention_deletes_old_backups_but_never_the_newest(services):
    ancient = old_archive(services, 40)
    assert services.backups.apply_retention() == []  # the only one: kept
    recent = services.backups.backup_now(Actor.system())  # its own retention pass runs
    ids = [b.backup_id for b in services.backups.list()]
    assert ids == [recent.backup_id] and ancient not in ids


def test_health_reports_the_backups_and_a_failed_one(services, client, tmp_path):
    health = client.get("/health").json
    assert health["backups"]["enabled"] is True and health["backups"]["last_result"] is None
    assert health["status"] == "healthy"

    services.backups.backup_now(Actor.system())
    assert client.get("/health").json["backups"]["last_result"] == "completed"

    tiny = BackupPolicy(True, "02:00", 30, Limits(max_files=1, max_bytes=10**9))
    services.backups.policy = tiny  # a data tree beyond BACKUP_MAX_FILES is refused
    with pytest.raises(InvalidInput, match="BACKUP_MAX_FILES"):
        services.backups.backup_now(Actor.system())
    health = client.get("/health").json
    assert health["status"] == "degraded"
    assert any("last system backup failed" in r for r in health["reasons"])


def test_health_says_when_backups_stopped_happening(services, client):
    for backup in services.backups.list():
        backup.path.unlink()
    old_archive(services, 3)
    health = client.get("/health").json
    assert health["status"] == "degraded"
    assert any("last two scheduled times" in r for r in health["reasons"])
