"""Security headers on every response."""

from __future__ import annotations

from flask import Response, request


def content_security_policy(frame_origin: str | None = None) -> str:
    """Return the manager's CSP; a page that frames an interface names its origin."""
    frames = f"'self' {frame_origin}" if frame_origin else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self' ws: wss:",
            f"frame-src {frames}",
            "frame-ancestors 'self'",
            "form-action 'self'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


BASE_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
API_HEADERS = (*BASE_HEADERS, ("Cache-Control", "no-store"))


def add_security_headers(response: Response) -> Response:
    """Set CSP, nosniff, framing, referrer and caching headers (not on proxied answers);
    a header the view set already is kept."""
    if getattr(response, "proxied", False):  # a script's own page keeps its own policy
        return response
    path = request.path
    wanted = API_HEADERS if path.startswith("/api/") or path == "/health" else BASE_HEADERS
    headers = response.headers
    present = {key.lower() for key in headers.keys()}
    for key, value in wanted:
        if key.lower() not in present:
            headers.add(key, value)
    return response
