"""Files in a project's data folder: list, read, write (JSON, atomic), upload, delete."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import IO, Any

from werkzeug.utils import secure_filename

from server.services.atomic_files import replace_file, replace_text
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.project_zip import Entry, project_entries
from server.services.quota.service import QuotaService
from server.services.safe_paths import inside, safe_component

MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 255  # a relative path: well within every system's limit


class DataFileService:
    """Operate on files of one project folder, never outside it; writes count against the
    owner's storage quota (refused past it, nothing lost), deletes free it at once."""

    def __init__(self, audit: AuditLog, quotas: QuotaService) -> None:
        self._audit = audit
        self._quotas = quotas

    def list(self, folder: Path) -> list[dict[str, Any]]:
        """Return the files under the folder (relative paths, sizes, times); links skipped."""
        return [entry.as_dict() for entry in project_entries(folder)]

    def read(self, folder: Path, filename: str) -> Path:
        """Return the path of an existing regular file of the folder."""
        path = self._file(folder, filename)
        if not path.is_file():
            raise NotFound("{filename}: no such file in the project folder.", filename=filename)
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
            raise Conflict(
                "{filename}: a file stands where a folder is needed.", filename=filename
            ) from exc
        if path.is_dir():
            raise Conflict("{filename}: a folder of that name exists.", filename=filename)
        try:
            replace_text(path, text)
        finally:
            self._quotas.changed(owner)
        self._audit.record_now(actor, "data.write", str(path.relative_to(folder.parent.parent)))
        return path

    def upload(
        self, folder: Path, filename: str, stream: IO[bytes], actor: Actor, *, owner: str
    ) -> dict[str, Any]:
        """Store an uploaded file at the top of the folder under a safe form of its name
        (replacing one of that name, atomically); QuotaExceeded past the owner's quota."""
        name = secure_filename(filename)
        try:
            path = self._file(folder, safe_component(name, "files"))
        except InvalidInput as exc:
            raise InvalidInput(
                "{name}: not a usable file name; rename it with letters, digits, dots, "
                "dashes or underscores.",
                field="files",
                name=filename,
            ) from exc
        if path.is_dir():
            raise Conflict("{filename}: a folder of that name exists.", filename=name)
        self._quotas.ensure_room(owner)
        try:
            replace_file(path, lambda handle: shutil.copyfileobj(stream, handle, 1024 * 1024))
        finally:
            self._quotas.changed(owner)
        self._audit.record_now(actor, "data.upload", str(path.relative_to(folder.parent.parent)))
        info = path.stat()
        return Entry(path, name, info.st_size, info.st_mtime).as_dict()

    def delete(self, folder: Path, filename: str, actor: Actor, *, owner: str) -> None:
        """Delete one file of the folder (freeing the owner's quota)."""
        path = self.read(folder, filename)
        path.unlink()
        self._quotas.changed(owner)
        self._audit.record_now(actor, "data.delete", str(path.relative_to(folder.parent.parent)))

    @staticmethod
    def _file(folder: Path, filename: str) -> Path:
        if len(filename) > MAX_NAME_LENGTH:
            raise InvalidInput(
                "{field}: at most {limit} characters.", field="filename", limit=MAX_NAME_LENGTH
            )
        for part in filename.split("/"):
            safe_component(part, "filename")
        return inside(folder, filename, "filename")  # resolved: links out of the folder fail
