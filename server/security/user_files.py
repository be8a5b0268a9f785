"""Files that users uploaded or scripts wrote, served so that they can never run here.

Anything but plain text, JSON and raster images is a download; every answer carries
``nosniff`` and a sandboxing CSP, so even a page opened from it has no origin to act on.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Response, send_file

INLINE_TYPES = frozenset(
    {"text/plain", "application/json", "image/png", "image/jpeg", "image/gif", "image/webp"}
)
USER_FILE_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def send_user_file(path: Path, attachment: bool = False) -> Response:
    """Answer with a user file: inline only for the safe types (unless ``attachment``), an
    attachment otherwise."""
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    inline = mimetype in INLINE_TYPES and not attachment
    response = send_file(
        path,
        mimetype=f"{mimetype}; charset=utf-8" if mimetype == "text/plain" else mimetype,
        as_attachment=not inline,
        download_name=path.name,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = USER_FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
