"""Hand-made archives for restore tests: each one wrong in one way."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

from server.services.backup.manifest import MANIFEST_NAME

GZ_ZEROS = 16 * 1024 * 1024


def manifest(files: dict[str, int], dirs: list[str] | None = None, member: str | None = None):
    """Return a manifest member's bytes, as the manager writes them."""
    database = {"kind": "sqlite", "member": member or "data/scriptsmanager.db", "note": ""}
    body = {"format": 1, "backup_id": "x", "created": "2026-01-01T00:00:00", "app_version": "0"}
    body.update(database=database, files=files, dirs=dirs or [])
    return json.dumps(body).encode()


def file_info(name: str, size: int, kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = kind
    info.mode = 0o600
    return info


def write(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    """Write a tar.gz of (header, data) pairs in this order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def with_manifest(path: Path, extra: list[tuple[tarfile.TarInfo, bytes | None]], files=None):
    """An archive whose manifest lists ``files`` (default: nothing), then ``extra``."""
    raw = manifest(files or {})
    return write(path, [(file_info(MANIFEST_NAME, len(raw)), raw), *extra])


def link(name: str, target: str, hard: bool = False) -> tuple[tarfile.TarInfo, None]:
    info = file_info(name, 0, tarfile.LNKTYPE if hard else tarfile.SYMTYPE)
    info.linkname = target
    return info, None


def many_members(path: Path, count: int, honest: bool) -> Path:
    """An archive of ``count`` one-byte files; the manifest lists them all, or just one."""
    names = [f"data/f{i}.txt" for i in range(count)]
    listed = {n: 1 for n in (names if honest else names[:1])}
    raw = manifest(listed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        tar.addfile(file_info(MANIFEST_NAME, len(raw)), io.BytesIO(raw))
        for name in names:
            tar.addfile(file_info(name, 1), io.BytesIO(b"x"))
    return path


def gzip_bomb(path: Path, expanded: int, manifest_size: int | None) -> Path:
    """A few MB that inflate to ``expanded`` bytes of zeros as one member's data.

    The manifest claims ``manifest_size`` for that member (None: no manifest at all). Built
    from identical gzip members, so making it costs next to nothing."""
    head = b""
    if manifest_size is not None:
        raw = manifest({"data/zeros.bin": manifest_size})
        head += _member_bytes(file_info(MANIFEST_NAME, len(raw)), raw)
    head += file_info("data/zeros.bin", expanded).tobuf(tarfile.PAX_FORMAT)
    block = gzip.compress(b"\0" * GZ_ZEROS, compresslevel=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(gzip.compress(head))
        for _ in range(expanded // GZ_ZEROS + 1):
            out.write(block)
    return path


def _member_bytes(info: tarfile.TarInfo, data: bytes) -> bytes:
    padding = -len(data) % tarfile.BLOCKSIZE
    return info.tobuf(tarfile.PAX_FORMAT) + data + b"\0" * padding
