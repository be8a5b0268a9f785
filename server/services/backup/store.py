"""Where system backups live on disk: ``<BACKUP_PATH>/<YYYY-MM-DD>/data_backup_<id>.tar.gz``,
the last job's result (``backup_status.json``) and the dated logs (``backup_logs/``), all
readable by the manager's OS user only."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from server.services.backup.manifest import BACKUP_ID

STATUS_FILE = "backup_status.json"
LOG_FOLDER = "backup_logs"


@dataclass(frozen=True)
class BackupInfo:
    """One archive on disk."""

    backup_id: str
    path: Path
    size: int
    status: str

    @property
    def created(self) -> datetime:
        """Return the local time the backup was started."""
        return datetime.strptime(self.backup_id[:15], "%Y%m%d_%H%M%S")

    def as_dict(self) -> dict[str, object]:
        """Return the backup for the API."""
        return {
            "id": self.backup_id,
            "date": self.created.date().isoformat(),
            "created": self.created.isoformat(),
            "size": self.size,
            "status": self.status,
            "file": self.path.name,
        }


class BackupStore:
    """The backup folder: archives by id, the last result, the log."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def archives(self) -> list[BackupInfo]:
        """Return every archive, newest first; one still being written is ``running``."""
        found = []
        for path in self.root.glob("????-??-??/data_backup_*.tar.gz*"):
            backup_id, _, state = path.name.removeprefix("data_backup_").partition(".tar.gz")
            if BACKUP_ID.fullmatch(backup_id) and state in ("", ".part"):
                status = "complete" if state == "" else "running"
                found.append(BackupInfo(backup_id, path, _size(path), status))
        return sorted(found, key=lambda info: info.backup_id, reverse=True)

    def new_id(self) -> str:
        """Return the id of a backup started now (unique within the folder)."""
        stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
        candidate, n = stamp, 1
        while self.archive_path(candidate).exists():
            n += 1
            candidate = f"{stamp}_{n}"
        return candidate

    def remove(self, info: BackupInfo) -> None:
        """Delete one archive, and its date folder once empty."""
        info.path.unlink(missing_ok=True)
        try:
            info.path.parent.rmdir()
        except OSError:
            pass  # not empty, or already gone

    def archive_path(self, backup_id: str) -> Path:
        """Return where the archive of an id lives."""
        day = f"{backup_id[:4]}-{backup_id[4:6]}-{backup_id[6:8]}"
        return self.root / day / f"data_backup_{backup_id}.tar.gz"

    def clear_partials(self) -> None:
        """Remove what a backup that died left behind."""
        for path in self.root.glob("????-??-??/data_backup_*.tar.gz.part"):
            path.unlink(missing_ok=True)

    def read_status(self) -> dict[str, object]:
        """Return the saved status (the last result), {} when there is none."""
        try:
            return json.loads((self.root / STATUS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def write_status(self, body: dict[str, object]) -> None:
        """Save the status atomically."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        part = self.root / (STATUS_FILE + ".part")
        with _private(part, "w") as handle:
            handle.write(json.dumps(body))
        part.replace(self.root / STATUS_FILE)

    def log(self, line: str) -> None:
        """Append a line to today's backup log."""
        folder = self.root / LOG_FOLDER
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"backup_{datetime.now():%Y%m%d}.log"
        with _private(folder / name, "a") as handle:
            handle.write(line + "\n")


def _private(path: Path, mode: str) -> TextIO:
    """Open a text file that only the manager's OS user may read (created 0600)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    return os.fdopen(os.open(path, flags, 0o600), mode, encoding="utf-8")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty, or already gone
