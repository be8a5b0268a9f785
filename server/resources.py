"""Locate files shipped with the app, from a source checkout or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    """Return the folder holding assets/, translations/ and script_groups/."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource_path(relative: str) -> Path:
    """Return the absolute path of a shipped resource (read-only)."""
    return resource_root() / relative
