"""Extract a system backup into a staging folder, trusting nothing in it.

The manifest comes first and bounds everything (member count, total size); each member must
be a regular file under ``data/`` or ``database/`` that the manifest lists with its size, and
goes through tarfile's ``data`` filter; the checksums come last and every extracted file must
match them. Links, devices, FIFOs, absolute names, ``..`` and anything unlisted are refused.
"""

from __future__ import annotations

import tarfile
import zlib
from pathlib import Path, PurePosixPath

from server.services.backup.manifest import (
    CHECKSUMS_NAME,
    DATA_PREFIX,
    DATABASE_PREFIX,
    MANIFEST_NAME,
    ArchiveRefused,
    Limits,
    Manifest,
    read_checksums,
    sha256_of,
)
from server.services.backup.progress import Progress

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


def extract_verified(archive: Path, staging: Path, limits: Limits, progress: Progress) -> Manifest:
    """Extract ``archive`` into ``staging`` (created here) and verify every file; return the
    manifest. ArchiveRefused when anything is wrong (what was extracted stays in staging for
    the caller to remove)."""
    staging.mkdir(parents=True, mode=0o700)
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            manifest = _read_manifest(tar, limits)
            progress.begin("extracting", manifest.total_bytes, len(manifest.files))
            checksums = _extract_members(tar, staging, manifest, limits, progress)
    except READ_ERRORS as exc:
        raise ArchiveRefused(
            "The backup was not restored: the archive is damaged or not a backup ({error}). "
            "Nothing was changed.",
            error=exc,
        ) from exc
    _verify(staging, manifest, checksums, progress)
    return manifest


def read_manifest(archive: Path, limits: Limits) -> Manifest:
    """Read and judge an archive's manifest only (decompressing no more than it)."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            return _read_manifest(tar, limits)
    except READ_ERRORS as exc:
        raise ArchiveRefused(
            "The backup was not restored: the archive is damaged or not a backup ({error}). "
            "Nothing was changed.",
            error=exc,
        ) from exc


def _read_manifest(tar: tarfile.TarFile, limits: Limits) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST_NAME or not first.isreg():
        raise ArchiveRefused(
            "The backup was not restored: not a ScriptsManager backup: its manifest does not "
            "come first. Nothing was changed."
        )
    if first.size > MAX_MANIFEST_BYTES:
        raise ArchiveRefused(
            "The backup was not restored: the backup's manifest is too large. Nothing was changed."
        )
    manifest = Manifest.from_json(_read(tar, first))
    for name in [*manifest.files, *manifest.dirs]:
        _check_name(name)
    if manifest.entries > limits.max_files:
        raise ArchiveRefused(
            "The backup was not restored: the backup lists {entries} files and folders, more "
            "than a restore accepts ({most}). Nothing was changed.",
            entries=manifest.entries,
            most=limits.max_files,
        )
    if manifest.total_bytes > limits.max_bytes:
        raise ArchiveRefused(
            "The backup was not restored: the backup holds {size} bytes, more than a restore "
            "accepts ({most}). Nothing was changed.",
            size=manifest.total_bytes,
            most=limits.max_bytes,
        )
    return manifest


def _extract_members(
    tar: tarfile.TarFile, staging: Path, manifest: Manifest, limits: Limits, progress: Progress
) -> dict[str, str]:
    seen: set[str] = set()
    checksums: dict[str, str] | None = None
    while (member := tar.next()) is not None:
        if checksums is not None:
            raise ArchiveRefused(
                "The backup was not restored: unexpected member after the checksums: {name!r}. "
                "Nothing was changed.",
                name=member.name,
            )
        if member.name == CHECKSUMS_NAME and member.isreg():
            if member.size > MAX_MANIFEST_BYTES:
                raise ArchiveRefused(
                    "The backup was not restored: the backup's checksums are too large. "
                    "Nothing was changed."
                )
            checksums = read_checksums(_read(tar, member))
            continue
        _check_member(member, manifest, seen, limits)
        seen.add(member.name)
        tar.extract(member, staging, filter="data")
        if member.isreg():
            progress.advance(member.size)
            progress.file_done()
        tar.members.clear()  # a long archive must not fill memory with headers
    if checksums is None:
        raise ArchiveRefused(
            "The backup was not restored: the backup is incomplete: its checksums are missing. "
            "Nothing was changed."
        )
    missing = (set(manifest.files) | set(manifest.dirs)) - seen
    if missing:
        raise ArchiveRefused(
            "The backup was not restored: the backup is incomplete: {count} listed files are "
            "missing. Nothing was changed.",
            count=len(missing),
        )
    return checksums


def _check_member(
    member: tarfile.TarInfo, manifest: Manifest, seen: set[str], limits: Limits
) -> None:
    folders = manifest.folder_set
    name = member.name
    _check_name(name)
    if not (member.isreg() or member.isdir()):
        raise ArchiveRefused(
            "The backup was not restored: {name!r} is not a file or folder (links, devices, "
            "FIFOs refused). Nothing was changed.",
            name=name,
        )
    if name in seen:
        raise ArchiveRefused(
            "The backup was not restored: {name!r} appears twice. Nothing was changed.",
            name=name,
        )
    if len(seen) >= limits.max_files:
        raise ArchiveRefused(
            "The backup was not restored: the backup holds more than {most} files and folders. "
            "Nothing was changed.",
            most=limits.max_files,
        )
    listed = manifest.files.get(name) == member.size if member.isreg() else name in folders
    if not listed:
        raise ArchiveRefused(
            "The backup was not restored: {name!r} is not in the manifest as it is in the "
            "archive. Nothing was changed.",
            name=name,
        )


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    if (
        not name.startswith((DATA_PREFIX, DATABASE_PREFIX))
        or path.is_absolute()
        or "\\" in name
        or "\0" in name
        or any(part in ("..", ".", "") for part in name.split("/"))
    ):
        raise ArchiveRefused(
            "The backup was not restored: unsafe name in the backup: {name!r}. "
            "Nothing was changed.",
            name=name,
        )


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    assert handle is not None  # a regular file
    return handle.read()


def _verify(
    staging: Path, manifest: Manifest, checksums: dict[str, str], progress: Progress
) -> None:
    progress.begin("verifying", manifest.total_bytes, len(manifest.files))
    if set(checksums) != set(manifest.files):
        raise ArchiveRefused(
            "The backup was not restored: the backup's checksums do not cover exactly its "
            "files. Nothing was changed."
        )
    for name, digest in checksums.items():
        file = staging / name
        if not file.is_file() or file.is_symlink() or sha256_of(file) != digest:
            raise ArchiveRefused(
                "The backup was not restored: {name!r} does not match its checksum. "
                "Nothing was changed.",
                name=name,
            )
        progress.advance(manifest.files[name])
        progress.file_done()
