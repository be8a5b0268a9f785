"""Where to go after a login: only a path on this origin, as the browser will read it."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

# Browsers drop tab, CR and LF anywhere in a URL and read "\" as "/", so "/\t/evil" and
# "/\evil" both become "//evil": a different host. Refuse every control character.
_FORBIDDEN = {chr(code) for code in range(0x20)} | {"\x7f", "\\"}
_HERE = "manager.invalid"  # a stand-in host to resolve paths against


def safe_next(target: str | None, fallback: str) -> str:
    """Return ``target`` when it is a local path (one leading "/"), else ``fallback``."""
    if not target or len(target) > 2000 or any(char in _FORBIDDEN for char in target):
        return fallback
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    # Resolve dot segments as the browser will: "/.//evil", "/a/..//evil" and
    # "/%2e%2e//evil" all have the path "//evil".
    resolved = urlsplit(urljoin(f"http://{_HERE}/", re.sub("%2e", ".", target, flags=re.I)))
    if resolved.netloc != _HERE or resolved.path.startswith("//"):
        return fallback
    return urlunsplit(("", "", resolved.path, resolved.query, resolved.fragment))
