"""Names users give to what they save (presets, saved filters)."""

from __future__ import annotations

from server.services.errors import InvalidInput

MAX_NAME = 100


def check_name(name: str, limit: int = MAX_NAME) -> str:
    """Return the name without surrounding blanks; raise InvalidInput when unusable."""
    text = name.strip()
    if not text or len(text) > limit or any(ord(c) < 32 for c in text):
        raise InvalidInput(
            "name: use 1 to {limit} characters, without control characters.",
            field="name", limit=limit,
        )  # fmt: skip
    return text
