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


def add_security_headers(response: Response) -> Response:
    """Set CSP, nosniff, framing, referrer and caching headers (not on proxied answers)."""
    headers = response.headers
    if getattr(response, "proxied", False):  # a script's own page keeps its own policy
        return response
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.path.startswith("/api/") or request.path == "/health":
        headers.setdefault("Cache-Control", "no-store")
    return response
