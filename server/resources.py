"""Locate files shipped with the app, from a source checkout or a PyInstaller bundle."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

RUN_SCRIPT_VARIABLE = "SCRIPTSMANAGER_RUN_SCRIPT"


def is_frozen() -> bool:
    """Return True inside a packaged (PyInstaller) app, which has no separate ``python``."""
    return bool(getattr(sys, "frozen", False))


@cache
def resource_root() -> Path:
    """Return the folder holding assets/, translations/ and script_groups/: the bundle of a
    packaged app, ``server/_shipped`` of an installed copy, or the source tree."""
    bundle = getattr(sys, "_MEIPASS", None)
    if is_frozen() and bundle:
        return Path(bundle)
    installed = Path(__file__).resolve().parent / "_shipped"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent


def resource_path(relative: str) -> Path:
    """Return the absolute path of a shipped resource (read-only)."""
    return resource_root() / relative


def sdk_folder() -> Path:
    """Return the folder of the script SDK, put on children's PYTHONPATH (real .py files)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if is_frozen() and bundle:
        return Path(bundle) / "server" / "sdk"
    return Path(__file__).resolve().parent / "sdk"
