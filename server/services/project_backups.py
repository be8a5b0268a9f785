"""Zip backups of project folders in ``<data>/backups/<user>_<project>_<stamp>.zip``.

A name alone cannot tell whose backup it is (user ``a`` with project ``b_c`` and user
``a_b`` with project ``c`` share names, and a user's ``project_default`` exists in every
group), so each zip carries its project folder (``<group>/<user>/<project>``) as its
comment, and only zips that carry this project's folder are its backups.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.project_zip import copy_entry, project_entries
from server.services.quota.service import QuotaService
from server.services.safe_paths import inside, safe_component

STAMP = "%Y%m%d_%H%M%S"
MARK = b"scriptsmanager-project:"


def mark_of(folder: Path) -> bytes:
    """Return the comment that names a project folder (its last three parts)."""
    return MARK + "/".join(folder.parts[-3:]).encode()


class ProjectBackups:
    """Make, list, find and delete one project's zip backups, never another's."""

    def __init__(self, folder: Path, audit: AuditLog, quotas: QuotaService) -> None:
        self._folder = folder
        self._audit = audit
        self._quotas = quotas

    def create(self, project: Path, username: str, project_name: str, actor: Actor) -> Path:
        """Zip the project's plain files into a new backup; QuotaExceeded when the user's
        quota is used up, Conflict when a backup of that name was made this very second."""
        self._quotas.ensure_room(username)
        self._folder.mkdir(parents=True, exist_ok=True)
        target = self._folder / f"{username}_{project_name}_{datetime.now().strftime(STAMP)}.zip"
        try:
            target.open("xb").close()  # claim the name: never replace another backup
        except FileExistsError as exc:
            raise Conflict(
                "A backup named {name} exists already; try again in a second.", name=target.name
            ) from exc
        fd, temporary = tempfile.mkstemp(dir=self._folder, prefix=".backup-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                self._write(handle, project)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            target.unlink(missing_ok=True)
            raise
        self._audit.record_now(actor, "data.backup", target.name)
        return target

    def list(self, project: Path, username: str, project_name: str) -> list[dict[str, Any]]:
        """Return the project's backups, newest first: name, size and creation time."""
        pattern = _pattern(username, project_name)
        found = []
        for path in self._folder.glob("*.zip"):
            match = pattern.fullmatch(path.name)
            info = self._backup_stat(path, project) if match else None
            if match and info is not None:
                created = datetime.strptime(match.group(1), STAMP).astimezone(UTC)
                found.append(
                    {
                        "name": path.name,
                        "size": info.st_size,
                        "created": created.isoformat(timespec="seconds").replace("+00:00", "Z"),
                    }
                )
        return sorted(found, key=lambda item: item["created"], reverse=True)

    def find(self, project: Path, username: str, project_name: str, name: str) -> Path:
        """Return the path of one of the project's backups; NotFound for any other name
        (unsafe ones included: the answer never tells what is on the disk)."""
        try:
            path = inside(self._folder, safe_component(name, "name"), "name")
        except (InvalidInput, NotFound):
            path = None
        matches = _pattern(username, project_name).fullmatch(name) is not None
        if path is None or not matches or self._backup_stat(path, project) is None:
            raise NotFound("Backup {name} does not exist.", name=name)
        return path

    def delete(
        self, project: Path, username: str, project_name: str, name: str, actor: Actor
    ) -> None:
        """Delete one of the project's backups (audited)."""
        self.find(project, username, project_name, name).unlink()
        self._audit.record_now(actor, "data.backup_delete", name)

    @staticmethod
    def _write(handle: Any, project: Path) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.comment = mark_of(project)
            for entry in project_entries(project):
                for _chunk in copy_entry(archive, entry):
                    pass

    @staticmethod
    def _backup_stat(path: Path, project: Path) -> os.stat_result | None:
        """Return the file's status when it is a plain zip marked with this project."""
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                return None
            with zipfile.ZipFile(path) as archive:
                return info if archive.comment == mark_of(project) else None
        except (OSError, zipfile.BadZipFile):  # gone, unreadable, or not (yet) a zip
            return None


def _pattern(username: str, project_name: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(username)}_{re.escape(project_name)}_(\d{{8}}_\d{{6}})\.zip")
