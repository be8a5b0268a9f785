"""Disk use per user: their per-run data folders and their run logs, measured by walking
the folders and kept for a short while so that a run start does not walk a big tree."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

CACHE_LIFETIME = 30.0  # seconds a measurement is reused when the app itself wrote nothing


@dataclass(frozen=True)
class ProjectUsage:
    """Bytes of one project folder, ``<group folder>/<user>/<project>``."""

    group: str
    project: str
    bytes: int


@dataclass(frozen=True)
class Usage:
    """One user's disk use; ``error`` says what could not be read (then bytes are a floor)."""

    data_bytes: int
    log_bytes: int
    projects: tuple[ProjectUsage, ...]
    error: str | None = None

    @property
    def total(self) -> int:
        """Return data and logs together."""
        return self.data_bytes + self.log_bytes


@dataclass
class _Walk:
    """What one walk of a tree found."""

    bytes: int = 0
    error: str | None = None


def _walk(root: Path, found: _Walk) -> None:
    """Add the sizes of the regular files under ``root`` (links are not followed)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(Path(entry.path))
                        elif entry.is_file(follow_symlinks=False):
                            found.bytes += entry.stat(follow_symlinks=False).st_size
                    except FileNotFoundError:  # removed while walking: it takes no space
                        continue
        except FileNotFoundError:
            continue
        except OSError as exc:
            found.error = found.error or f"{folder}: {exc.strerror or exc}"


class UsageMeter:
    """Measure users' disk use; a measurement lives ``lifetime`` seconds or until forgotten."""

    def __init__(
        self,
        script_data: Path,
        execution_logs: Path,
        lifetime: float = CACHE_LIFETIME,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._script_data = script_data
        self._execution_logs = execution_logs
        self._lifetime = lifetime
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Usage]] = {}

    def usage(self, username: str, fresh: bool = False) -> Usage:
        """Return a user's disk use, measured now when ``fresh`` or when none is recent."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(username)
        if cached is not None and not fresh and now - cached[0] < self._lifetime:
            return cached[1]
        measured = self.measure(username)
        with self._lock:
            self._cache[username] = (now, measured)
        return measured

    def forget(self, username: str | None = None) -> None:
        """Drop the measurement of one user (all users when None): their files changed."""
        with self._lock:
            if username is None:
                self._cache.clear()
            else:
                self._cache.pop(username, None)

    def errors(self) -> dict[str, str]:
        """Return, per user, what the last measurement could not read."""
        with self._lock:
            return {name: usage.error for name, (_, usage) in self._cache.items() if usage.error}

    def measure(self, username: str) -> Usage:
        """Walk the user's folders now."""
        groups, error = self._groups()
        projects: list[ProjectUsage] = []
        loose = _Walk()  # files lying directly in a user's group folder
        for group in sorted(groups):
            for project in _entries(group / username, loose):
                found = _Walk()
                _walk(project, found)
                error = error or found.error
                projects.append(ProjectUsage(group.name, project.name, found.bytes))
        logs = _Walk()
        _walk(self._execution_logs / username, logs)
        error = error or loose.error or logs.error
        if error:
            logger.warning("storage use of %s is incomplete: %s", username, error)
        data_bytes = sum(p.bytes for p in projects) + loose.bytes
        return Usage(data_bytes, logs.bytes, tuple(projects), error)

    def _groups(self) -> tuple[list[Path], str | None]:
        try:
            with os.scandir(self._script_data) as entries:
                return [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)], None
        except FileNotFoundError:
            return [], None
        except OSError as exc:
            return [], f"{self._script_data}: {exc.strerror or exc}"


def _entries(folder: Path, files: _Walk) -> list[Path]:
    """Return the sub-folders of ``folder`` (sorted) and add its own files to ``files``."""
    folders = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files.bytes += entry.stat(follow_symlinks=False).st_size
    except FileNotFoundError:
        pass
    except OSError as exc:
        files.error = files.error or f"{folder}: {exc.strerror or exc}"
    return sorted(folders)
