"""Paths built from user input: single safe components resolved under a root."""

from __future__ import annotations

import re
from pathlib import Path

from server.services.errors import InvalidInput, NotFound

COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Names Windows refuses for files, whatever the extension.
RESERVED = {"con", "prn", "aux", "nul"} | {f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)}


def safe_component(name: str, field: str) -> str:
    """Return ``name`` when it is one safe folder or file name; raise InvalidInput otherwise."""
    if not isinstance(name, str) or not COMPONENT.fullmatch(name) or name.endswith("."):
        raise InvalidInput(
            "{field}: use up to 100 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit.",
            field=field,
        )
    if name.split(".")[0].lower() in RESERVED:
        raise InvalidInput("{field}: {name!r} is a reserved name.", field=field, name=name)
    return name


def inside(root: Path, relative: str, field: str) -> Path:
    """Resolve ``relative`` under ``root``; raise when it leaves it (``..``, absolute, links)."""
    if not isinstance(relative, str) or "\x00" in relative or "\\" in relative:
        raise InvalidInput("{field}: not a valid path.", field=field)
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise InvalidInput("{field}: the path must stay inside the project folder.", field=field)
    base = root.resolve()
    resolved = (base / candidate).resolve()
    if not resolved.is_relative_to(base):
        raise NotFound("{field}: no such file in the project folder.", field=field)
    return resolved
