"""What crosses the proxy: request and response headers, redirects and cookies."""

from __future__ import annotations

import re
from collections.abc import Iterable

from werkzeug.datastructures import Headers

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length",
}  # fmt: skip
MANAGER_COOKIES = {"scriptsmanager_session", "sm_lang", "sm_theme"}
TOKEN_HEADER = "X-ScriptsManager-Token"
_PATH_ATTRIBUTE = re.compile(r";\s*path=[^;]*", re.IGNORECASE)


def connection_named(headers: Iterable[tuple[str, str]]) -> set[str]:
    """Return the (lower-case) header names that ``Connection`` declares hop-by-hop."""
    named: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            named |= {token.strip().lower() for token in value.split(",") if token.strip()}
    return named


def upstream_headers(
    incoming: Iterable[tuple[str, str]],
    port: int,
    token: str,
    prefix: str,
    client: str,
    scheme: str,
    host: str,
) -> dict[str, str]:
    """Return the headers sent to the script: ours replace the client's forwarding headers."""
    incoming = list(incoming)
    dropped = HOP_BY_HOP | connection_named(incoming)
    headers: dict[str, str] = {}
    for name, value in incoming:
        lower = name.lower()
        if lower in dropped or lower.startswith("x-forwarded-") or lower == TOKEN_HEADER.lower():
            continue
        if lower.startswith("sec-websocket-"):
            continue
        if lower == "cookie":
            value = _without_manager_cookies(value)
            if not value:
                continue
        headers[name] = value
    headers.update(
        {
            "Host": f"127.0.0.1:{port}",
            TOKEN_HEADER: token,
            "X-Forwarded-Prefix": prefix,
            "X-Forwarded-For": client,
            "X-Forwarded-Proto": scheme,
            "X-Forwarded-Host": host,
        }
    )
    return headers


def downstream_headers(raw: Iterable[tuple[str, str]], port: int, prefix: str) -> Headers:
    """Return the script's response headers for the browser: prefixed redirects and cookies."""
    raw = list(raw)
    dropped = HOP_BY_HOP | connection_named(raw) | {"x-frame-options"}
    headers = Headers()
    for name, value in raw:
        lower = name.lower()
        if lower in dropped:
            continue
        if lower == "location":
            value = rewrite_location(value, port, prefix)
        elif lower == "set-cookie":
            value = _PATH_ATTRIBUTE.sub("", value) + f"; Path={prefix}/"
        headers.add(name, value)
    return headers


def rewrite_location(location: str, port: int, prefix: str) -> str:
    """Keep redirects inside the interface's prefix."""
    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
        if location.startswith(origin):
            location = location[len(origin) :] or "/"
            break
    if (
        location.startswith("/")
        and not location.startswith("//")
        and not location.startswith(prefix)
    ):
        return prefix + location
    return location


def _without_manager_cookies(header: str) -> str:
    kept = []
    for part in header.split(";"):
        name = part.split("=", 1)[0].strip()
        if name and name not in MANAGER_COOKIES:
            kept.append(part.strip())
    return "; ".join(kept)
