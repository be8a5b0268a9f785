"""Write a system backup: the data tree as ``data/…``, the SQLite database through SQLite's
online backup API (never a copy of the live file), the manifest first and the checksums last.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import tarfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from server import __version__
from server.services.backup.manifest import (
    CHECKSUMS_NAME,
    DATA_PREFIX,
    DATABASE_PREFIX,
    MANIFEST_NAME,
    DatabaseEntry,
    Limits,
    Manifest,
    checksums_json,
)
from server.services.backup.progress import Progress
from server.services.errors import InvalidInput

SKIPPED_DIRS = {"__pycache__"}
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
COMPRESS_LEVEL = 6
PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class BackupSource:
    """What a backup reads: the data tree, the database (a SQLite file or another kind),
    and folders inside the tree that never go in (the backups themselves, if kept there)."""

    data: Path
    database_kind: str
    sqlite_file: Path | None
    excluded: tuple[Path, ...] = ()

    @classmethod
    def of(cls, database_url: str | None, data: Path, backup_root: Path) -> BackupSource:
        """Return the source of a manager: its data tree and its database (by its URL)."""
        assert database_url
        url = make_url(database_url)
        kind = url.get_backend_name()
        sqlite_file = None
        if kind == "sqlite" and url.database and url.database != ":memory:":
            sqlite_file = Path(url.database)
        return cls(data, kind, sqlite_file, excluded=(backup_root,))

    @property
    def external_sqlite(self) -> Path | None:
        """Return the SQLite file when it lies outside the data tree."""
        member = self.database_entry().member
        return self.sqlite_file if member and member.startswith(DATABASE_PREFIX) else None

    def database_entry(self) -> DatabaseEntry:
        """Return how the database goes into the archive."""
        if self.sqlite_file is None:
            return DatabaseEntry(
                self.database_kind,
                None,
                "The database is not in this archive: back it up with its own tools "
                "(pg_dump for PostgreSQL) at the same time.",
            )
        try:
            inside = self.sqlite_file.resolve().relative_to(self.data.resolve())
            return DatabaseEntry("sqlite", DATA_PREFIX + inside.as_posix())
        except ValueError:
            return DatabaseEntry("sqlite", DATABASE_PREFIX + self.sqlite_file.name)


class TooLarge(InvalidInput):
    """The data tree is beyond what a restore accepts; no archive was written."""


def write_archive(
    source: BackupSource, target: Path, backup_id: str, progress: Progress, limits: Limits
) -> Manifest:
    """Write the archive to ``target`` (mode 0600) by way of ``target.part``; return its
    manifest. ``limits`` are a restore's bounds: a tree beyond them is refused now, not
    when it is needed back."""
    created = datetime.now().isoformat(timespec="seconds")
    manifest = Manifest(backup_id, created, __version__, source.database_entry())
    snapshot = target.with_name(target.name + ".db")
    part = target.with_name(target.name + ".part")
    try:
        members, manifest.dirs = _members(source, snapshot)
        manifest.files = {name: path.stat().st_size for name, path in members}
        _check_limits(manifest, limits)
        progress.begin("archiving", manifest.total_bytes, len(members))
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with (
            os.fdopen(fd, "wb") as raw,
            tarfile.open(
                fileobj=raw, mode="w:gz", compresslevel=COMPRESS_LEVEL, format=tarfile.PAX_FORMAT
            ) as archive,
        ):
            _add_bytes(archive, MANIFEST_NAME, manifest.to_json())
            for name in manifest.dirs:
                _add_dir(archive, name)
            checksums = {
                name: _add_file(archive, name, path, manifest.files[name], progress)
                for name, path in members
            }
            _add_bytes(archive, CHECKSUMS_NAME, checksums_json(checksums))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, target)
        return manifest
    finally:
        part.unlink(missing_ok=True)
        snapshot.unlink(missing_ok=True)


def _check_limits(manifest: Manifest, limits: Limits) -> None:
    max_files, max_bytes = limits.max_files, limits.max_bytes
    if manifest.entries > max_files:
        raise TooLarge(
            "No backup was taken: the data tree holds {entries} files and folders, more than a "
            "restore accepts ({most}, BACKUP_MAX_FILES).",
            entries=manifest.entries,
            most=max_files,
        )
    if manifest.total_bytes > max_bytes:
        raise TooLarge(
            "No backup was taken: the data tree holds {size} bytes, more than a restore "
            "accepts ({most}, BACKUP_MAX_SIZE_GB).",
            size=manifest.total_bytes,
            most=max_bytes,
        )


def _members(source: BackupSource, snapshot: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """Return (member name, file) for every file, the database's consistent snapshot
    included, and the member names of every folder."""
    database = source.database_entry()
    skipped = set()
    if source.sqlite_file is not None:
        live = source.sqlite_file.resolve()
        skipped = {live, *(live.with_name(live.name + s) for s in SQLITE_SIDE_FILES)}
    files, dirs = _walk(source.data, source.excluded)
    members = [
        (DATA_PREFIX + path.relative_to(source.data).as_posix(), path)
        for path in files
        if path.resolve() not in skipped
    ]
    if database.member is not None and source.sqlite_file is not None:
        _snapshot_sqlite(source.sqlite_file, snapshot)
        members.append((database.member, snapshot))
    folders = [DATA_PREFIX + d.relative_to(source.data).as_posix() for d in dirs]
    return sorted(members), sorted(folders)


def _walk(root: Path, excluded: tuple[Path, ...]) -> tuple[list[Path], list[Path]]:
    """Return every regular file and folder under root; links are not followed, nor archived."""
    skip = {p.resolve() for p in excluded}
    files: list[Path] = []
    folders: list[Path] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = [
            d
            for d in dirs
            if d not in SKIPPED_DIRS
            and not (here / d).is_symlink()
            and (here / d).resolve() not in skip
        ]
        folders.extend(here / d for d in dirs)
        files.extend(
            here / n for n in names if (here / n).is_file() and not (here / n).is_symlink()
        )
    return files, folders


def _snapshot_sqlite(live: Path, snapshot: Path) -> None:
    """Copy a live SQLite database consistently (the online backup API), a few pages at a time."""
    snapshot.unlink(missing_ok=True)
    source = sqlite3.connect(f"{live.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        fd = os.open(snapshot, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        os.close(fd)
        target = sqlite3.connect(snapshot)
        try:
            source.backup(target, pages=1024, sleep=0.005)
        finally:
            target.close()
    finally:
        source.close()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = PRIVATE_FILE
    archive.addfile(info, io.BytesIO(data))


def _add_dir(archive: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mtime = int(time.time())
    info.mode = 0o700
    archive.addfile(info)


def _add_file(
    archive: tarfile.TarFile, name: str, path: Path, size: int, progress: Progress
) -> str:
    """Add the first ``size`` bytes of a file (its size in the manifest: a log written
    meanwhile keeps its later lines out); return the SHA-256 of the bytes archived."""
    with path.open("rb") as handle:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(os.fstat(handle.fileno()).st_mtime)
        info.mode = PRIVATE_FILE
        reader = _SizedReader(handle, size, progress)
        archive.addfile(info, reader)
    progress.file_done()
    return reader.digest.hexdigest()


class _SizedReader(io.RawIOBase):
    """Read exactly ``size`` bytes of a file that may change meanwhile (a log being
    written): bytes added after the opening are left out, bytes gone are zeros. The
    digest covers what was archived."""

    def __init__(self, handle: io.BufferedReader, size: int, progress: Progress) -> None:
        self._handle = handle
        self._left = size
        self._progress = progress
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self._left if n < 0 else min(n, self._left)
        data = self._handle.read(n)
        data += b"\0" * (n - len(data))
        self._left -= n
        self.digest.update(data)
        self._progress.advance(n)
        return data
