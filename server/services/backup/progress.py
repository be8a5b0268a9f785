"""The progress of the one backup or restore job a manager runs at a time."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Progress:
    """What a job is doing (``kind``: backup or restore; ``phase``), how far it is."""

    kind: str
    backup_id: str
    phase: str = "starting"
    done_bytes: int = 0
    total_bytes: int = 0
    done_files: int = 0
    total_files: int = 0
    started: float = field(default_factory=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self, phase: str, total_bytes: int = 0, total_files: int = 0) -> None:
        """Start a phase with its totals (0 when unknown)."""
        with self._lock:
            self.phase = phase
            self.done_bytes = self.done_files = 0
            self.total_bytes, self.total_files = total_bytes, total_files

    def advance(self, count: int) -> None:
        """Count bytes done."""
        with self._lock:
            self.done_bytes += count

    def file_done(self) -> None:
        """Count one file done."""
        with self._lock:
            self.done_files += 1

    def as_dict(self) -> dict[str, object]:
        """Return the progress for the API (``percent`` of the current phase)."""
        with self._lock:
            total = self.total_bytes or self.total_files
            done = self.done_bytes if self.total_bytes else self.done_files
            return {
                "kind": self.kind,
                "backup_id": self.backup_id,
                "phase": self.phase,
                "done_bytes": self.done_bytes,
                "total_bytes": self.total_bytes,
                "done_files": self.done_files,
                "total_files": self.total_files,
                "percent": round(100 * done / total, 1) if total else None,
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            }
