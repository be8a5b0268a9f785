"""Data trees for backup tests: fill one with varied files, and fingerprint it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def fill(data: Path, seed: int = 1) -> None:
    """Write nested, binary, empty, large-ish and non-ASCII files and an empty folder."""
    user = data / "script_groups" / "thermal" / "alice" / "project_a"
    user.mkdir(parents=True, exist_ok=True)
    (user / "result.csv").write_text("t,q\n" + "".join(f"{i},{i * seed}\n" for i in range(500)))
    (user / "blob.bin").write_bytes(os.urandom(256 * 1024))
    (user / "empty.txt").write_bytes(b"")
    (user / "àccénts ünïcode.txt").write_text("é" * 100, encoding="utf-8")
    (data / "script_groups" / "thermal" / "bob" / "empty_project").mkdir(parents=True)
    logs = data / "logs" / "executions" / "alice" / "2026-01-01"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "execution_x.log").write_text("line\n" * 1000)


def fingerprint(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Return {relative path: SHA-256} of every file, and {folder/: ""} of every folder."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if any(name == s or name.startswith(s) for s in skip):
            continue
        if path.is_dir():
            found[name + "/"] = ""
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
