"""``scriptsmanager backup`` and ``scriptsmanager restore ID``: the system backups from the
command line, with their progress on stderr."""

from __future__ import annotations

import sys
import time

from server.services.audit import Actor
from server.services.backup.live import OfflineRestore
from server.services.registry import Services

POLL = 0.5


def backup(services: Services, listing: bool) -> int:
    """Take a backup (or list them); return the exit status."""
    if listing:
        for info in services.backups.list():
            print(f"{info.backup_id}  {info.size:>14,}  {info.status}  {info.path}")
        return 0
    services.backups.start_backup(Actor.system())
    return _follow(services, "backup")


def restore(services: Services, backup_id: str, assume_yes: bool) -> int:
    """Restore a backup over the data tree of a stopped manager; return the exit status."""
    if not services.manager_lock.acquire():
        print(
            f"scriptsmanager: a manager is running on {services.layout.home}; stop it first, "
            "or restore from its admin console (Backups).",
            file=sys.stderr,
        )
        return 1
    info = services.backups.get(backup_id)
    if not assume_yes and not _confirm(
        f"Replace {services.layout.data} with backup {info.backup_id} ({info.path})? [y/N] "
    ):
        print("Nothing was changed.", file=sys.stderr)
        return 1
    quiet = OfflineRestore(services.db)
    services.backups.start_restore(backup_id, Actor.system(), quiet)
    return _follow(services, "restore")


def _follow(services: Services, kind: str) -> int:
    """Print the job's progress until it ends; 0 when it completed."""
    shown = None
    while (running := services.backups.status()["running"]) is not None:
        line = f"{kind}: {running['phase']} {running['percent'] or 0:.0f}%"
        if line != shown:
            print(line, file=sys.stderr)
            shown = line
        time.sleep(POLL)
    last = services.backups.status()["last_result"] or {}
    if last.get("result") != "completed":
        print(f"scriptsmanager: {kind} failed: {last.get('message')}", file=sys.stderr)
        return 1
    backup_id = last.get("backup_id")
    if kind == "backup":
        print(f"Backup {backup_id} written to {services.backups.get(str(backup_id)).path}")
    else:
        print(f"Backup {backup_id} restored into {services.layout.data}")
    return 0


def _confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False
