"""What a system backup holds. The manifest, the archive's first member, lists every file
with its size and how the database went in, so a restore judges the archive before it
extracts anything; the checksums, its last member, hold the SHA-256 of the bytes written."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from server.services.errors import InvalidInput

MANIFEST_NAME = "scriptsmanager-backup.json"
CHECKSUMS_NAME = "scriptsmanager-checksums.json"
DATA_PREFIX = "data/"
DATABASE_PREFIX = "database/"
FORMAT = 1
CHUNK = 1024 * 1024
BACKUP_ID = re.compile(r"\d{8}_\d{6}(?:_\d{1,3})?")


@dataclass(frozen=True)
class Limits:
    """The most files and folders, and bytes, a backup takes and a restore extracts."""

    max_files: int
    max_bytes: int


class ArchiveRefused(InvalidInput):
    """An archive is not a backup this manager may restore; nothing was changed (its
    message says so in full: "The backup was not restored: …. Nothing was changed.")."""


@dataclass
class DatabaseEntry:
    """How the database is in the archive: ``kind`` (sqlite, postgresql…), its member, a note."""

    kind: str
    member: str | None = None
    note: str = ""


@dataclass
class Manifest:
    """The manifest of one archive."""

    backup_id: str
    created: str
    app_version: str
    database: DatabaseEntry
    files: dict[str, int] = field(default_factory=dict)  # member name → size
    dirs: list[str] = field(default_factory=list)  # folders, empty ones included
    format: int = FORMAT

    @property
    def total_bytes(self) -> int:
        """Return the size of every file together."""
        return sum(self.files.values())

    @property
    def entries(self) -> int:
        """Return how many files and folders the archive holds."""
        return len(self.files) + len(self.dirs)

    @cached_property
    def folder_set(self) -> frozenset[str]:
        """Return the folders as a set."""
        return frozenset(self.dirs)

    def to_json(self) -> bytes:
        """Return the manifest as UTF-8 JSON."""
        body = {
            "format": self.format,
            "backup_id": self.backup_id,
            "created": self.created,
            "app_version": self.app_version,
            "database": vars(self.database),
            "files": self.files,
            "dirs": self.dirs,
        }
        return json.dumps(body, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Read a manifest; ArchiveRefused when it is not one this version understands."""
        try:
            body = json.loads(raw.decode("utf-8"))
            if body["format"] != FORMAT:
                raise ArchiveRefused(
                    "The backup was not restored: backup format {format} is not supported. "
                    "Nothing was changed.",
                    format=body["format"],
                )
            files = {str(name): int(size) for name, size in body["files"].items()}
            return cls(
                backup_id=str(body["backup_id"]),
                created=str(body["created"]),
                app_version=str(body["app_version"]),
                database=DatabaseEntry(**body["database"]),
                files=files,
                dirs=[str(name) for name in body.get("dirs", [])],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ArchiveRefused(
                "The backup was not restored: the backup's manifest is unreadable ({error}). "
                "Nothing was changed.",
                error=exc,
            ) from exc


def checksums_json(checksums: dict[str, str]) -> bytes:
    """Return the checksums member."""
    return json.dumps(checksums, indent=1, sort_keys=True).encode("utf-8")


def read_checksums(raw: bytes) -> dict[str, str]:
    """Read the checksums member; ArchiveRefused when it is malformed."""
    try:
        body = json.loads(raw.decode("utf-8"))
        return {str(name): str(digest) for name, digest in body.items()}
    except (ValueError, AttributeError) as exc:
        raise ArchiveRefused(
            "The backup was not restored: the backup's checksums are unreadable ({error}). "
            "Nothing was changed.",
            error=exc,
        ) from exc


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file."""
    with path.open("rb") as handle:
        return sha256_stream(handle)


def sha256_stream(handle: BinaryIO) -> str:
    """Return the SHA-256 of everything a binary stream still holds."""
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
