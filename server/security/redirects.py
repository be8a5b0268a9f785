"""Where to go after a login: only a path on this origin, as the browser will read it."""

from __future__ import annotations

from urllib.parse import urlsplit

# Browsers drop tab, CR and LF anywhere in a URL and read "\" as "/", so "/\t/evil" and
# "/\evil" both become "//evil": a different host. Refuse every control character.
_FORBIDDEN = {chr(code) for code in range(0x20)} | {"\x7f", "\\"}


def safe_next(target: str | None, fallback: str) -> str:
    """Return ``target`` when it is a local path (one leading "/"), else ``fallback``."""
    if not target or len(target) > 2000 or any(char in _FORBIDDEN for char in target):
        return fallback
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
