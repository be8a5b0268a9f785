"""When system backups run, how long they are kept, and how large they may be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from server.services.backup.manifest import Limits
from server.settings import Settings

GIB = 1024**3


@dataclass(frozen=True)
class BackupPolicy:
    """The BACKUP_* settings, read once."""

    enabled: bool
    schedule_time: str  # HH:MM, local time
    retention_days: int
    limits: Limits

    @classmethod
    def from_settings(cls, settings: Settings) -> BackupPolicy:
        """Read the policy from resolved settings."""
        limits = Limits(settings.backup_max_files, settings.backup_max_size_gb * GIB)
        return cls(
            settings.backup_enabled,
            settings.backup_schedule_time,
            settings.backup_retention_days,
            limits,
        )

    @property
    def time_of_day(self) -> time:
        """Return the scheduled time of day."""
        hour, minute = (int(part) for part in self.schedule_time.split(":"))
        return time(hour, minute)

    def next_run(self, now: datetime) -> datetime | None:
        """Return the next scheduled backup after ``now`` (None when disabled)."""
        if not self.enabled:
            return None
        today = datetime.combine(now.date(), self.time_of_day)
        return today if today > now else today + timedelta(days=1)

    def last_due(self, now: datetime) -> datetime | None:
        """Return the latest scheduled time at or before ``now`` (None when disabled)."""
        following = self.next_run(now)
        return following - timedelta(days=1) if following else None
