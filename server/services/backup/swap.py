"""Swap a verified, extracted backup in for the data tree, all or nothing.

Everything happens beside the data tree (``<parent>/.<data>-restore/``, the same file system,
so each move is a rename). Until the journal is written the live tree is untouched, and an
interrupted restore is simply discarded; once it is written, the swap is rolled forward to
its end, at the next start if the manager dies midway. The data is thus always the old tree
or the new one, never a mix, and the database moves with its files.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)

JOURNAL = "journal.json"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class RestoreSwap:
    """The staging folder, the replaced tree and the journal of one data tree."""

    def __init__(self, data: Path, external_db: Path | None = None) -> None:
        self.data = data
        self.external_db = external_db  # a SQLite file outside the data tree, if any
        self.root = data.parent / f".{data.name}-restore"
        self.staging = self.root / "staging"
        self.previous = self.root / "previous"
        self.journal = self.root / JOURNAL

    @property
    def _staged_db(self) -> Path | None:
        if self.external_db is None:
            return None
        return self.external_db.with_name(self.external_db.name + ".restore-new")

    def prepare(self) -> Path:
        """Clear what an earlier restore left and return the (absent) staging folder."""
        self.recover()
        shutil.rmtree(self.staging, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.staging

    def discard(self) -> None:
        """Drop the staging folder of a restore that did not go ahead."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if self._staged_db is not None:
            self._staged_db.unlink(missing_ok=True)

    def swap(self, database_member: str | None) -> Path:
        """Put the staged tree (and database) in place; return where the old tree went.

        The caller has stopped every writer and closed the database first."""
        shutil.rmtree(self.previous, ignore_errors=True)
        self.previous.mkdir(mode=0o700)
        staged_db = self._stage_external_db(database_member)
        _write_durably(self.journal, json.dumps({"staged_db": str(staged_db or "")}))
        self._roll_forward()
        return self.previous

    def recover(self) -> str | None:
        """Finish or discard a restore a stopped manager left; say which, None if none."""
        if self.journal.exists():
            self._roll_forward()
            logger.warning("an interrupted restore was completed")
            return "completed"
        if self.staging.exists() or (self._staged_db and self._staged_db.exists()):
            self.discard()
            logger.warning("an interrupted restore was discarded; the data is unchanged")
            return "discarded"
        return None

    def _stage_external_db(self, database_member: str | None) -> Path | None:
        """Copy a database kept outside the data tree next to its live file (same disk)."""
        if self.external_db is None or database_member is None:
            return None
        assert self._staged_db is not None
        if self.external_db.exists():
            backup = self.previous / "database"
            backup.mkdir()
            shutil.copy2(self.external_db, backup / self.external_db.name)
        shutil.copyfile(self.staging / database_member, self._staged_db)
        _fsync_file(self._staged_db)
        return self._staged_db

    def _roll_forward(self) -> None:
        """Do each step not yet done; each one is a rename, so this may run again safely."""
        new_tree = self.staging / "data"
        old_tree = self.previous / "data"
        if new_tree.exists() and self.data.exists() and not old_tree.exists():
            self.previous.mkdir(parents=True, exist_ok=True)
            os.rename(self.data, old_tree)
        if new_tree.exists() and not self.data.exists():
            os.rename(new_tree, self.data)
        staged_db = self._staged_db
        if staged_db is not None and staged_db.exists():
            assert self.external_db is not None
            for suffix in SQLITE_SIDE_FILES:  # the old database's log must not meet the new one
                self.external_db.with_name(self.external_db.name + suffix).unlink(missing_ok=True)
            os.replace(staged_db, self.external_db)
        _fsync_dir(self.data.parent)
        shutil.rmtree(self.staging, ignore_errors=True)
        self.journal.unlink(missing_ok=True)
        _fsync_dir(self.root)


def _write_durably(path: Path, text: str) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8")
    _fsync_file(part)
    os.replace(part, path)
    _fsync_dir(path.parent)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder for fsync; NTFS journals its renames
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
