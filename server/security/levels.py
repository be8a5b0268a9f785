"""The ordered user levels: viewer < operator < developer < admin."""

from __future__ import annotations

LEVELS = ("viewer", "operator", "developer", "admin")
_RANK = {level: rank for rank, level in enumerate(LEVELS)}


def level_rank(level: str) -> int:
    """Return the rank of a level; unknown levels rank below viewer."""
    return _RANK.get(level, -1)


def allows(user_level: str, required_level: str) -> bool:
    """Return True when a user of ``user_level`` may do what needs ``required_level``."""
    return level_rank(user_level) >= level_rank(required_level) >= 0
