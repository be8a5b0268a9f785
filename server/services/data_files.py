"""Files in a project's data folder: list, read, write (JSON, atomic), delete, back up."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.quota.service import QuotaService
from server.services.safe_paths import inside, safe_component

MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 255  # a relative path: well within every system's limit


class DataFileService:
    """Operate on files of one project folder, never outside it; writes count against the
    owner's storage quota (refused past it, nothing lost), deletes free it at once."""

    def __init__(self, audit: AuditLog, backups: Path, quotas: QuotaService) -> None:
        self._audit = audit
        self._backups = backups
        self._quotas = quotas

    def list(self, folder: Path) -> list[dict[str, Any]]:
        """Return the files under the folder (relative paths, sizes, times); links skipped."""
        items = []
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            stat = path.stat()
            items.append(
                {
                    "name": path.relative_to(folder).as_posix(),
                    "size": stat.st_size,
                    "modified": datetime.fromtimestamp(stat.st_mtime).isoformat(timespec="seconds"),
                }
            )
        return items

    def read(self, folder: Path, filename: str) -> Path:
        """Return the path of an existing regular file of the folder."""
        path = self._file(folder, filename)
        if not path.is_file():
            raise NotFound(f"{filename}: no such file in the project folder.")
        return path

    def write_json(
        self, folder: Path, filename: str, document: Any, actor: Actor, *, owner: str
    ) -> Path:
        """Write a JSON document atomically (a temporary file, then a rename); QuotaExceeded
        when the owner's quota is used up."""
        if not filename.endswith(".json"):
            raise InvalidInput("filename: only .json files are written here.", field="filename")
        path = self._file(folder, filename)
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if len(text.encode()) > MAX_JSON_BYTES:
            raise InvalidInput("The document is larger than 10 MiB.")
        self._quotas.ensure_room(owner)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise Conflict(f"{filename}: a file stands where a folder is needed.") from exc
        if path.is_dir():
            raise Conflict(f"{filename}: a folder of that name exists.")
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        finally:
            self._quotas.changed(owner)
        self._audit.record(actor, "data.write", str(path.relative_to(folder.parent.parent)))
        return path

    def delete(self, folder: Path, filename: str, actor: Actor, *, owner: str) -> None:
        """Delete one file of the folder (freeing the owner's quota)."""
        path = self.read(folder, filename)
        path.unlink()
        self._quotas.changed(owner)
        self._audit.record(actor, "data.delete", str(path.relative_to(folder.parent.parent)))

    def backup(self, folder: Path, username: str, project_name: str, actor: Actor) -> Path:
        """Zip the folder into ``backups/<user>_<project>_<YYYYMMDD_HHMMSS>.zip``;
        QuotaExceeded when the user's quota is used up."""
        self._quotas.ensure_room(username)
        self._backups.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
        target = self._backups / f"{username}_{project_name}_{stamp}.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for item in self.list(folder):
                archive.write(folder / item["name"], arcname=item["name"])
        self._audit.record(actor, "data.backup", target.name)
        return target

    @staticmethod
    def _file(folder: Path, filename: str) -> Path:
        if len(filename) > MAX_NAME_LENGTH:
            raise InvalidInput(f"filename: at most {MAX_NAME_LENGTH} characters.", field="filename")
        for part in filename.split("/"):
            safe_component(part, "filename")
        return inside(folder, filename, "filename")  # resolved: links out of the folder fail
