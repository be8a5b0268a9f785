"""A project folder as zip entries: its plain files only (a link, to a file or a folder, is
never followed, so nothing outside the folder is read), and a zip written while it is sent."""

from __future__ import annotations

import os
import stat
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from server.services.zip_sink import ZipSink

CHUNK = 256 * 1024
OLDEST_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format has no earlier date
NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # absent on Windows; the walk checked with lstat


@dataclass(frozen=True)
class Entry:
    """One plain file of a project folder; ``name`` is relative, with forward slashes."""

    path: Path
    name: str
    size: int
    mtime: float

    def as_dict(self) -> dict[str, Any]:
        """Shape the file for the API (``modified`` in local time with its UTC offset)."""
        modified = datetime.fromtimestamp(self.mtime).astimezone()
        return {
            "name": self.name,
            "size": self.size,
            "modified": modified.isoformat(timespec="seconds"),
        }


def project_entries(folder: Path) -> list[Entry]:
    """Return the plain files under ``folder`` sorted by path; links and special files
    (fifos, sockets, devices) are left out, and linked folders are not entered."""
    entries = []
    for root, _dirs, files in os.walk(folder, followlinks=False):
        base = Path(root)
        for name in files:
            path = base / name
            try:
                info = path.lstat()
            except OSError:  # gone since the folder was listed
                continue
            if stat.S_ISREG(info.st_mode):
                relative = path.relative_to(folder).as_posix()
                entries.append(Entry(path, relative, info.st_size, info.st_mtime))
    return sorted(entries, key=lambda entry: PurePosixPath(entry.name).parts)


def copy_entry(archive: zipfile.ZipFile, entry: Entry) -> Iterator[None]:
    """Add one file to the archive, yielding after each chunk; a file that vanished or was
    replaced by a link since it was listed is skipped."""
    try:
        fd = os.open(entry.path, os.O_RDONLY | NO_FOLLOW | getattr(os, "O_BINARY", 0))
    except OSError:
        return
    with os.fdopen(fd, "rb") as source:
        info = os.fstat(source.fileno())
        if not stat.S_ISREG(info.st_mode):
            return
        member = zipfile.ZipInfo(entry.name, _zip_time(info.st_mtime))
        member.compress_type = zipfile.ZIP_DEFLATED
        member.external_attr = (stat.S_IMODE(info.st_mode) | stat.S_IFREG) << 16
        member.file_size = info.st_size  # lets zipfile choose ZIP64 for large files
        with archive.open(member, "w") as target:
            while chunk := source.read(CHUNK):
                target.write(chunk)
                yield


def stream_zip(entries: list[Entry]) -> Iterator[bytes]:
    """Yield a zip of the entries piece by piece: only about one chunk is held at a time."""
    sink = ZipSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            for _chunk in copy_entry(archive, entry):
                if data := sink.take():
                    yield data
    yield sink.take()  # the last compressed bytes and the central directory


def _zip_time(mtime: float) -> tuple[int, int, int, int, int, int]:
    stamp = time.localtime(mtime)[:6]
    return max(stamp, OLDEST_ZIP_TIME)  # type: ignore[return-value]
