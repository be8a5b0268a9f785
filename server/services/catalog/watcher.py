"""Hot reload: watch the groups folder and rescan the groups whose files change."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from server.database import Database
from server.services.catalog.discovery import Discovery

logger = logging.getLogger(__name__)

QUIET_PERIOD = 0.3  # seconds without events before a rescan; keeps bursts to one scan
ROOT = ""  # pending key meaning "the groups folder itself changed"
WATCHED_SUFFIXES = (".py", ".json")


class CatalogWatcher(FileSystemEventHandler):
    """Collect changed group folders and rescan each once the changes settle."""

    def __init__(self, discovery: Discovery, db: Database) -> None:
        self._discovery = discovery
        self._db = db
        self._root = discovery.root.resolve()
        self._pending: set[str] = set()
        self._last_event = 0.0
        self._wake = threading.Condition()
        self._stopping = False
        self._observer: Observer | None = None
        self._worker: threading.Thread | None = None

    def start(self) -> None:
        """Start watching (a missing folder is logged and not watched)."""
        if not self._root.is_dir():
            logger.warning("not watching %s: no such folder", self._root)
            return
        self._observer = Observer()
        self._observer.schedule(self, str(self._root), recursive=True)
        self._observer.daemon = True
        self._observer.start()
        self._worker = threading.Thread(target=self._run, name="catalog-watcher", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        """Stop watching and wait for the worker to finish its current scan."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._worker is not None:
            self._worker.join(timeout=10)

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Note which group folder an event touched."""
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            key = self._group_key(raw)
            if key is not None:
                with self._wake:
                    self._pending.add(key)
                    self._last_event = time.monotonic()
                    self._wake.notify_all()

    def _group_key(self, raw: str | bytes) -> str | None:
        if not raw:
            return None
        path = Path(raw.decode() if isinstance(raw, bytes) else raw)
        try:
            parts = path.relative_to(self._root).parts
        except ValueError:
            return None
        if not parts or any(part.startswith(".") for part in parts):
            return None
        if len(parts) == 1:
            return ROOT  # a group folder appeared, vanished or was renamed
        if parts[-1].endswith(WATCHED_SUFFIXES) or len(parts) == 2:
            return parts[0]
        return None

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                quiet_for = time.monotonic() - self._last_event
                if quiet_for < QUIET_PERIOD:
                    self._wake.wait(QUIET_PERIOD - quiet_for)
                    continue
                pending, self._pending = self._pending, set()
            self._rescan(pending)

    def _rescan(self, folders: set[str]) -> None:
        try:
            with self._db.job():
                if ROOT in folders:
                    self._discovery.scan_all()
                    return
                for folder in sorted(folders):
                    self._discovery.scan_group(folder)
        except Exception:  # a failed rescan must not end hot reload
            logger.exception("rescan of %s failed", sorted(folders))
