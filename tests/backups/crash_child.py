"""Run a restore on a stopped manager's home and kill -9 itself at one point of it.

usage: python -m tests.backups.crash_child BACKUP_ID POINT   (home from SCRIPTSMANAGER_HOME)
POINT: extracting (the third member), journal (journal written, nothing moved),
       half-swapped (the old tree moved away, the new one not yet in), swapped (both moved,
       before the clean-up).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tarfile

from server.services.audit import Actor
from server.services.backup import swap
from server.services.backup.live import OfflineRestore
from server.services.registry import build_services
from server.settings import load_settings


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_on_call(owner: object, name: str, when) -> None:
    """Replace ``owner.name`` so that the call for which ``when(count)`` holds dies first."""
    original = getattr(owner, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if when(calls["n"], *args):
            die()
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def main(backup_id: str, point: str) -> None:
    services = build_services(load_settings())
    services.db.migrate()
    if point == "extracting":
        kill_on_call(tarfile.TarFile, "extract", lambda n, *a: n == 3)
    elif point == "journal":
        kill_on_call(os, "rename", lambda n, *a: n == 1)
    elif point == "half-swapped":
        kill_on_call(os, "rename", lambda n, *a: n == 2)
    elif point == "swapped":
        journal = services.backups._swap.journal
        kill_on_call(shutil, "rmtree", lambda n, *a: journal.exists())
    assert swap.os is os  # the swap renames through the patched module
    services.backups.restore_now(backup_id, Actor.system(), OfflineRestore(services.db))
    print("not killed", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
