"""The run-time folder tree under the configured home (CONTRACTS.md, "Run-time folders")."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from server.resources import resource_path
from server.settings import Settings

PRIVATE = 0o700  # other OS users of a shared workstation cannot look inside


@dataclass(frozen=True)
class Layout:
    """Absolute paths of every run-time folder."""

    home: Path
    data: Path
    backup: Path
    script_groups: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Layout:
        """Build the layout of resolved settings."""
        assert settings.home and settings.base_data_path and settings.backup_path
        assert settings.script_groups_path
        groups = settings.script_groups_path
        return cls(settings.home, settings.base_data_path, settings.backup_path, groups)

    @property
    def script_data(self) -> Path:
        """Return the root of per-user, per-project run data."""
        return self.data / "script_groups"

    @property
    def execution_logs(self) -> Path:
        """Return the root of per-user execution logs."""
        return self.data / "logs" / "executions"

    @property
    def system_logs(self) -> Path:
        """Return the folder of application, error and access logs."""
        return self.data / "logs" / "system"

    @property
    def audit_logs(self) -> Path:
        """Return the folder of the audit JSON-lines logs."""
        return self.data / "logs" / "audit"

    @property
    def project_backups(self) -> Path:
        """Return the folder of project zip backups."""
        return self.data / "backups"

    def ensure(self) -> None:
        """Create every folder that is missing (idempotent), private to the running user.

        A packaged app keeps its groups in ``<home>/script_groups`` (never beside the
        executable); the shipped examples are copied there on first start.
        """
        for root in (self.home, self.data, self.backup):
            root.mkdir(parents=True, exist_ok=True, mode=PRIVATE)
            if os.name == "posix" and root.stat().st_mode & 0o077:
                root.chmod(PRIVATE)
        shipped = resource_path("script_groups")
        seeded = self.home / "script_groups"
        if self.script_groups == seeded and not seeded.exists() and shipped.is_dir():
            shutil.copytree(shipped, self.script_groups)
        for folder in (
            self.home,
            self.script_data,
            self.execution_logs,
            self.system_logs,
            self.audit_logs,
            self.project_backups,
            self.backup,
        ):
            folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE)
